"""Background tasks of comments: thin, they call services."""

from django_tasks import task


@task()
def comment_notice_task(notice_id: int):
    """Send one comment notice (a reply, a comment on an author's article, a report); a rerun sends nothing."""
    from masthead.comments import services

    return services.notice_send(notice_id=notice_id)
