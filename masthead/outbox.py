"""Emails owed and sent once from their rows (the opinion form's email to the editors, newsletters' notices):
the claim a sender takes before sending, and the wait between tries.

A row is claimable when it waits (pending), failed before, or was claimed by a worker that died (its claim is
older than `MASTHEAD_TASK_LEASE_SECONDS`). The claim is one UPDATE, so of two workers only one gets it.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone


def claim(rows: QuerySet, *, prefix: str = "") -> bool:
    """Take the row(s) for sending (status → "sending", claimed now, one attempt more); False if not claimable.
    `prefix` names the fields: "email_" for `email_status`, `email_claimed_at`, `email_attempts`."""
    now = timezone.now()
    orphaned = now - timedelta(seconds=settings.MASTHEAD_TASK_LEASE_SECONDS)
    status, claimed_at, attempts = f"{prefix}status", f"{prefix}claimed_at", f"{prefix}attempts"
    claimable = Q(**{f"{status}__in": ["pending", "failed"]}) | Q(**{status: "sending", f"{claimed_at}__lt": orphaned})
    return bool(rows.filter(claimable).update(**{status: "sending", claimed_at: now, attempts: F(attempts) + 1}))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … at most an hour between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(task, *, delay: timedelta | None = None, **arguments) -> None:
    """Queue a sending task now, or after `delay` where the task backend can wait (the tests' immediate one
    cannot: then the next worker start queues it again, as for a lost queue entry)."""
    if delay:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(**arguments)
