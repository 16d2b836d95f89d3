"""Background tasks of the newsletters: thin, they call services."""

from django_tasks import task


@task()
def notice_send_task(notice_id: int):
    """Send one email owed to a subscriber; a rerun after success sends nothing."""
    from masthead.newsletters import services

    return services.notice_send(notice_id=notice_id)


@task()
def issue_start_task(issue_id: int):
    """Start sending an issue whose time has come (renders it, makes its deliveries); a rerun does nothing."""
    from masthead.newsletters import sending

    return sending.issue_start(issue_id=issue_id)


@task()
def deliveries_send_task(issue_id: int):
    """Send what an issue still owes; several run side by side, each claiming its own batches."""
    from masthead.newsletters import sending

    return sending.deliveries_send(issue_id=issue_id)


@task()
def issue_test_send_task(issue_id: int, email: str):
    from masthead.newsletters import sending

    return sending.issue_test_send(issue_id=issue_id, email=email)
