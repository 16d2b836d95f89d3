"""Background tasks of the newsletters: thin, they call services."""

from django_tasks import task


@task()
def notice_send_task(notice_id: int):
    """Send one email owed to a subscriber; a rerun after success sends nothing."""
    from masthead.newsletters import services

    return services.notice_send(notice_id=notice_id)
