"""Error reports: by email to the site's administrators (`MASTHEAD_ADMINS`), or to any Sentry-compatible service
(`MASTHEAD_SENTRY_DSN`: Sentry, GlitchTip, Bugsink …), or both.

The email is sent by the worker (a task), never inside the failing request; one kind of error (its exception and
where it was raised) is reported at most once per `MASTHEAD_ERROR_REPORT_SECONDS`, so a broken page read a
thousand times sends one email. Reports carry no reader's address, cookies or form data: the request's method and
path, the exception and its traceback.
"""

import hashlib
import logging
import traceback

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def error_report_task(subject: str, body: str):
    from django.core.mail import mail_admins

    mail_admins(subject, body)


class AdminEmailHandler(logging.Handler):
    """Django's `django.request` errors (500s) and any other ERROR logged with an exception, emailed by a task."""

    def emit(self, record):
        if not settings.ADMINS or record.name.startswith(__name__):
            return
        try:
            subject, body, kind = report_of(record)
            if not cache.add(f"error-report:{kind}", 1, settings.MASTHEAD_ERROR_REPORT_SECONDS):
                return  # reported already in this period
            error_report_task.enqueue(subject[:200], body)
        except Exception:  # noqa: BLE001 (a report must never break what it reports on; the log still has it)
            log.warning("Could not queue the error report", exc_info=True)


def report_of(record) -> tuple[str, str, str]:
    """The email's subject and text, and a short key for this kind of error (exception and where it was raised)."""
    request = getattr(record, "request", None)
    where = f"{request.method} {request.path}" if request is not None else record.name
    lines = [f"{where}", "", record.getMessage(), ""]
    kind = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = traceback.extract_tb(record.exc_info[2])
        last = frames[-1] if frames else None
        kind = f"{type(error).__qualname__}:{last.filename}:{last.lineno}" if last else type(error).__qualname__
        lines += traceback.format_exception(*record.exc_info)
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}{record.levelname}: {where}: {record.getMessage()}".replace("\n", " ")
    return subject, "\n".join(line.rstrip("\n") for line in lines), hashlib.sha256(kind.encode()).hexdigest()[:24]


def sentry_start() -> None:
    """Send errors to `MASTHEAD_SENTRY_DSN`, if set: from a background thread of the process, without addresses."""
    dsn = settings.MASTHEAD_SENTRY_DSN
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    def without_personal_data(event, hint):
        request = event.get("request") or {}
        request.pop("cookies", None)
        request.pop("data", None)
        request.pop("env", None)
        headers = request.get("headers") or {}
        for name in list(headers):
            if name.lower() in {"cookie", "authorization", "x-forwarded-for", "x-real-ip", "referer"}:
                headers.pop(name)
        event.pop("user", None)
        return event

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=settings.MASTHEAD_SENTRY_ENVIRONMENT,
        send_default_pii=False,
        traces_sample_rate=0,
        before_send=without_personal_data,
    )
