"""Background tasks of the newsroom: thin, they call services."""

from django_tasks import task


@task()
def publish_scheduled_task():
    """Publish what is due and unpublish what has expired; running it twice changes nothing."""
    from masthead.newsroom import services

    services.scheduled_publishing_run()


@task()
def opinion_email_task(submission_id: int):
    """Email one opinion submission to the editors; a rerun after success sends nothing."""
    from masthead.newsroom import services

    return services.opinion_email_send(submission_id=submission_id)


@task()
def image_renditions_task(image_id: int):
    """Make the renditions the pages show of one image; a rerun finds them made."""
    from masthead.newsroom import services

    return services.image_renditions_make(image_id=image_id)
