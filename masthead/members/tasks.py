"""Background tasks of members: thin, they call services."""

from django_tasks import task


@task()
def member_email_task(email_id: int):
    """Send one sign-in or verification email (its row goes after the try)."""
    from masthead.members import services

    return services.member_email_send(email_id=email_id)
