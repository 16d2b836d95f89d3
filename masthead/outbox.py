"""Emails owed and sent once from their rows (the opinion form's email to the editors, newsletters' notices):
the claim a sender takes before sending, and the wait between tries.

A row is claimable when it waits (pending), failed before, or was claimed by a worker that died (its claim is
older than `MASTHEAD_TASK_LEASE_SECONDS`). The claim is one UPDATE, so of two workers only one gets it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)


class SendStatus(models.TextChoices):
    """Where a row's email is; every model that sends from its rows uses these (see the module's docstring)."""

    PENDING = "pending", "waiting to be sent"
    SENDING = "sending", "being sent"
    SENT = "sent", "sent"
    FAILED = "failed", "failed, will be retried"
    GAVE_UP = "gave_up", "failed, not retried"
    SKIPPED = "skipped", "not sent: the address left or was suppressed first"


def claim(rows: QuerySet, *, prefix: str = "") -> bool:
    """Take the row(s) for sending (status → "sending", claimed now, one attempt more); False if not claimable.
    `prefix` names the fields: "email_" for `email_status`, `email_claimed_at`, `email_attempts`."""
    now = timezone.now()
    orphaned = now - timedelta(seconds=settings.MASTHEAD_TASK_LEASE_SECONDS)
    status, claimed_at, attempts = f"{prefix}status", f"{prefix}claimed_at", f"{prefix}attempts"
    waiting = [SendStatus.PENDING, SendStatus.FAILED]
    claimable = Q(**{f"{status}__in": waiting}) | Q(**{status: SendStatus.SENDING, f"{claimed_at}__lt": orphaned})
    return bool(
        rows.filter(claimable).update(**{status: SendStatus.SENDING, claimed_at: now, attempts: F(attempts) + 1})
    )


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … at most an hour between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(task, *, delay: timedelta | None = None, at=None, **arguments) -> None:
    """Queue a sending task now, or after `delay` (or at `at`) where the task backend can wait (the tests'
    immediate one cannot: then the next worker start queues it again, as for a lost queue entry)."""
    if delay:
        at = timezone.now() + delay
    if at is not None and at > timezone.now():
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    task.enqueue(**arguments)


def send(
    rows: QuerySet,
    make_message,
    *,
    label: str,
    attempts: int,
    max_attempts: int,
    retry,
    prefix: str = "",
    sent_field: str = "sent_at",
) -> str:
    """Send a claimed row's message (`make_message()`, made inside the try: a failure to make it counts as a
    failed attempt too) and record how it went: "sent"; or "failed", and `retry(delay)` is asked
    to queue the next try; or "gave_up" once `max_attempts` have failed. Returns the row's status."""
    status_field, claimed_at, error_field = f"{prefix}status", f"{prefix}claimed_at", f"{prefix}error"
    try:
        make_message().send()
    except Exception as error:  # noqa: BLE001 (any failure of the mail server or its address is recorded)
        gave_up = attempts >= max_attempts
        status = SendStatus.GAVE_UP if gave_up else SendStatus.FAILED
        rows.update(**{status_field: status, claimed_at: None, error_field: f"{type(error).__name__}: {error}"[:1000]})
        log.warning(
            "%s: email attempt %s failed (%s: %s)%s",
            label,
            attempts,
            type(error).__name__,
            error,
            "; giving up" if gave_up else "; will retry",
        )
        if not gave_up:
            retry(retry_delay(attempts))
        return status
    rows.update(**{status_field: SendStatus.SENT, sent_field: timezone.now(), claimed_at: None, error_field: ""})
    return SendStatus.SENT
