"""System checks for a production deployment (`masthead check --deploy`): settings that would fail quietly."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

SILENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints email to the server's log",
    "django.core.mail.backends.locmem.EmailBackend": "keeps email in memory",
    "django.core.mail.backends.dummy.EmailBackend": "throws email away",
    "django.core.mail.backends.filebased.EmailBackend": "writes email to files",
}


@register(Tags.security, deploy=True)
def email_is_delivered(app_configs, **kwargs):
    what = SILENT_EMAIL_BACKENDS.get(settings.EMAIL_BACKEND)
    if what is None:
        return []
    return [
        Warning(
            f"Email is not sent: the email backend {what}, so opinion submissions and confirmations reach no one.",
            hint="Set EMAIL_URL, e.g. smtp://user:password@mail.example.org:587?tls=1.",
            id="masthead.W001",
        )
    ]
