"""Background tasks of members: thin, they call services."""

from django_tasks import task


@task()
def member_email_task(to: str, subject: str, text: str, html: str = ""):
    """Send one sign-in or verification email."""
    from masthead.members import services

    services.member_email_send(to=to, subject=subject, text=text, html=html)
