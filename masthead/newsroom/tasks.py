"""Background tasks of the newsroom: thin, they call services."""

from django_tasks import task


@task()
def publish_scheduled_task():
    """Publish what is due and unpublish what has expired; running it twice changes nothing."""
    from masthead.newsroom import services

    services.scheduled_publishing_run()
