"""Sending issues: the editors' decisions (send now, at a time, an article when it is published, a test), and
the delivery engine that carries them out in background tasks.

How an issue goes out:
1. `issue_start` (a task, at the issue's time) renders the email once into the issue's row and makes one
   `Delivery` per active, unsuppressed subscriber with one INSERT … SELECT (unique per issue and subscriber:
   running it twice makes none twice), then queues `MASTHEAD_NEWSLETTER_SENDERS` sending tasks.
2. Each `deliveries_send` task claims batches of deliveries (the next range of ids, handed out by the issue's
   row; then leftovers, retries and orphans, with SKIP LOCKED on PostgreSQL), skips those who left or were
   suppressed since, and sends the rest over one kept connection.
   Each row is marked sent at the commit point of `masthead.mail` (after the message, before its final "."),
   fenced by its claim: a row another worker has taken over is never sent by both.
3. A temporary failure (4xx, lost connection) puts the row back with a wait (`outbox.retry_delay`) and a
   server that cannot be reached ends the task, which queues itself again; a permanent one (5xx) marks the row
   gave up, and a refused address goes on the suppression list. The last task to find nothing owed marks the
   issue sent.
4. A worker killed mid-batch leaves its claimed rows "sending": after the task lease, the worker that picks the
   orphaned task up takes them over (rows marked sent stay sent; the others are sent once).
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from masthead import outbox
from masthead.mail import Refused, Unconfirmed
from masthead.newsletters import services
from masthead.newsletters.models import Delivery, Issue, Subscriber, Subscription, Suppression
from masthead.newsletters.rendering import NothingToSend, PreparedIssue, issue_render

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 8
Status = Delivery.Status


# The editors' decisions ---------------------------------------------------------------------------------------


class NotSendable(Exception):
    """The issue cannot be sent as it is (the message says why, for the editor)."""


@transaction.atomic
def issue_send(*, issue: Issue) -> Issue:
    """The Send button: a draft goes out now, or at its `send_at` if that is later (then it is scheduled)."""
    issue = Issue.objects.select_for_update().select_related("newsletter").get(pk=issue.pk)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        raise NotSendable(f"This issue is {issue.get_status_display().lower()}: it cannot be sent again.")
    if issue.newsletter.archived:
        raise NotSendable("Its newsletter is archived: it sends nothing.")
    now = timezone.now()
    when = issue.send_at if issue.send_at and issue.send_at > now else now
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SCHEDULED, send_at=when, note="")
    transaction.on_commit(lambda: issue_start_queue(issue_id=issue.pk, when=when))
    issue.refresh_from_db()
    return issue


def issue_cancel(*, issue: Issue) -> int:
    """Stop a scheduled issue (back to draft) or one being sent (what is not sent yet stays unsent; the issue
    is cancelled). Returns how many deliveries will not be sent."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.status == Issue.Status.SCHEDULED:
            Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
            return 0
        if issue.status != Issue.Status.SENDING:
            return 0
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.CANCELLED, finished_at=timezone.now())
    unsent = Delivery.objects.filter(issue_id=issue.pk, status__in=[Status.PENDING, Status.FAILED])
    return unsent.update(status=Status.SKIPPED, error="the issue was cancelled")


def article_issues_record(*, article) -> list[Issue]:
    """An article was published: record "send it to this newsletter" for each newsletter chosen on it, once
    (the unique row per article and newsletter), and send each new record. Publishing it again, or a second run
    of the scheduler, finds the records and sends nothing more."""
    made = []
    for newsletter in article.newsletters.filter(archived=False):
        try:
            with transaction.atomic():
                issue = Issue.objects.create(
                    newsletter=newsletter,
                    kind=Issue.Kind.ARTICLE,
                    article=article,
                    status=Issue.Status.SCHEDULED,
                    send_at=timezone.now(),
                )
        except IntegrityError:
            continue  # decided and sent before
        made.append(issue)
        transaction.on_commit(lambda issue_id=issue.pk: issue_start_queue(issue_id=issue_id))
    return made


def issue_start_queue(*, issue_id: int, when=None) -> None:
    from masthead.newsletters.tasks import issue_start_task

    due = when if when and when > timezone.now() + timedelta(seconds=1) else None
    outbox.enqueue(issue_start_task, at=due, issue_id=issue_id)


def senders_queue(*, issue_id: int, count: int = 1, delay: timedelta | None = None) -> None:
    from masthead.newsletters.tasks import deliveries_send_task

    for _ in range(count):
        outbox.enqueue(deliveries_send_task, delay=delay, issue_id=issue_id)


def issues_resume() -> int:
    """Queue what a worker that was down owes (run when a worker starts): issues whose time came, and issues
    still being sent."""
    now = timezone.now()
    due = list(Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=now).values_list("pk", flat=True))
    for issue_id in due:
        issue_start_queue(issue_id=issue_id)
    sending = list(Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True))
    for issue_id in sending:
        senders_queue(issue_id=issue_id)
    return len(due) + len(sending)


# Starting: render once, one delivery per recipient ---------------------------------------------------------


def issue_start(*, issue_id: int) -> str:
    """Start sending a scheduled issue whose time has come; returns what happened."""
    issue = Issue.objects.select_related("newsletter", "article").filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SCHEDULED:
        return "not scheduled"
    now = timezone.now()
    if issue.send_at and issue.send_at > now + timedelta(seconds=1):
        return "not yet"  # rescheduled later: the task queued for the new time starts it
    issue.started_at = now
    try:
        subject, html, text = issue_render(issue)
    except NothingToSend as error:
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SCHEDULED).update(
            status=Issue.Status.CANCELLED, finished_at=now, note=str(error)
        )
        log.warning("%s Not sent.", error)
        return "nothing to send"
    with transaction.atomic():
        started = Issue.objects.filter(pk=issue_id, status=Issue.Status.SCHEDULED).update(
            status=Issue.Status.SENDING,
            started_at=now,
            rendered_subject=subject,
            rendered_html=html,
            rendered_text=text,
        )
        if not started:
            return "not scheduled"
        count = _deliveries_make(issue)
        ids = Delivery.objects.filter(issue_id=issue_id).aggregate(first=Min("id"), last=Max("id"))
        Issue.objects.filter(pk=issue_id).update(
            recipients=count, claimed_to=(ids["first"] or 1) - 1, last_delivery=ids["last"] or 0
        )
        transaction.on_commit(lambda: senders_queue(issue_id=issue_id, count=settings.MASTHEAD_NEWSLETTER_SENDERS))
    return f"{count} recipients"


def _deliveries_make(issue: Issue) -> int:
    """One pending delivery per active subscriber of the issue's newsletter not on the suppression list."""
    sql = (
        "INSERT INTO {delivery} (issue_id, subscriber_id, status, attempts, error) "
        "SELECT %s, s.subscriber_id, %s, 0, '' FROM {subscription} s JOIN {subscriber} r ON r.id = s.subscriber_id "
        "WHERE s.newsletter_id = %s AND s.status = %s "
        "AND NOT EXISTS (SELECT 1 FROM {suppression} x WHERE x.email = r.email) ON CONFLICT DO NOTHING"
    )
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in [
            ("delivery", Delivery),
            ("subscription", Subscription),
            ("subscriber", Subscriber),
            ("suppression", Suppression),
        ]
    }
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(**tables), [issue.pk, Status.PENDING, issue.newsletter_id, Subscription.Status.ACTIVE]
        )
    return Delivery.objects.filter(issue_id=issue.pk).count()


# The delivery engine ------------------------------------------------------------------------------------------


@dataclass
class Claimed:
    id: int
    subscriber_id: int
    attempts: int


class _Rows:
    """The statements the sending loop runs per message, written out: the ORM would cost more per message than
    sending it does. Times are passed as the database backend stores them, so a claim compares equal."""

    def __init__(self, issue_id: int):
        self.issue_id = issue_id
        self.table = connection.ops.quote_name(Delivery._meta.db_table)
        self.issue_table = connection.ops.quote_name(Issue._meta.db_table)
        self.skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
        self.claimed_at = None

    @staticmethod
    def _time(value):
        return connection.ops.adapt_datetimefield_value(value)

    def _run(self, sql: str, params: list, **parts: str):
        """Run one statement; `{table}` and the other `parts` are names and placeholders, never values."""
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=self.table, **parts), params)
            return cursor.fetchall() if "RETURNING" in sql else cursor.rowcount

    def claim(self, limit: int) -> list[Claimed]:
        """Take up to `limit` rows to send: the next range of ids first (handed out by the issue's row, one
        UPDATE: of two senders each gets its own), then, once every range is out, pending rows left behind (a
        sender died between taking a range and claiming its rows), failed rows whose wait is over and rows a
        dead worker claimed more than a task lease ago."""
        now = timezone.now()
        self.claimed_at = self._time(now)
        while handed := self._run(
            "UPDATE {issue} SET claimed_to = claimed_to + %s WHERE id = %s AND claimed_to < last_delivery "
            "RETURNING claimed_to",
            [limit, self.issue_id],
            issue=self.issue_table,
        ):
            last = handed[0][0]
            rows = self._run(
                "UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1 "
                "WHERE issue_id = %s AND id > %s AND id <= %s AND status = %s RETURNING id, subscriber_id, attempts",
                [Status.SENDING, self.claimed_at, self.issue_id, last - limit, last, Status.PENDING],
            )
            if rows:  # (a range can be empty: another issue's ids in between, or an issue stopped)
                return [Claimed(*row) for row in sorted(rows)]
        orphaned = self._time(now - timedelta(seconds=settings.MASTHEAD_TASK_LEASE_SECONDS))
        rows = self._run(
            "UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1 WHERE id IN "
            "(SELECT id FROM {table} WHERE issue_id = %s AND (status = %s OR (status = %s AND retry_at <= %s) "
            "OR (status = %s AND claimed_at < %s)) LIMIT %s{skip_locked}) RETURNING id, subscriber_id, attempts",
            [Status.SENDING, self.claimed_at, self.issue_id, Status.PENDING, Status.FAILED, self._time(now)]
            + [Status.SENDING, orphaned, limit],
            skip_locked=self.skip_locked,
        )
        return [Claimed(*row) for row in sorted(rows)]

    def sent(self, row: Claimed) -> bool:
        """Mark the row sent if it is still this worker's claim (the commit point)."""
        return (
            self._run(
                "UPDATE {table} SET status = %s, sent_at = %s, claimed_at = NULL, error = '' "
                "WHERE id = %s AND status = %s AND claimed_at = %s",
                [Status.SENT, self._time(timezone.now()), row.id, Status.SENDING, self.claimed_at],
            )
            == 1
        )

    def failed(self, row: Claimed, error: str, *, permanent: bool) -> str:
        """Take a mark back, or end a claim: gave up (permanent, or tried enough), else failed with a wait."""
        status = Status.GAVE_UP if permanent or row.attempts >= MAX_ATTEMPTS else Status.FAILED
        retry_at = self._time(timezone.now() + outbox.retry_delay(row.attempts)) if status == Status.FAILED else None
        self._run(
            "UPDATE {table} SET status = %s, sent_at = NULL, claimed_at = NULL, retry_at = %s, error = %s "
            "WHERE id = %s",
            [status, retry_at, error[:500], row.id],
        )
        return status

    def note(self, row: Claimed, text: str) -> None:
        self._run("UPDATE {table} SET error = %s WHERE id = %s", [text[:500], row.id])

    def skipped(self, rows: list[Claimed], reason: str) -> None:
        if rows:
            placeholders = ", ".join(["%s"] * len(rows))
            self._run(
                "UPDATE {table} SET status = %s, claimed_at = NULL, error = %s WHERE id IN ({placeholders})",
                [Status.SKIPPED, reason, *[row.id for row in rows]],
                placeholders=placeholders,
            )

    def released(self, rows: list[Claimed], *, wait: timedelta) -> None:
        """Give claimed rows back unsent, not counting the attempt (the server could not be reached)."""
        if rows:
            placeholders = ", ".join(["%s"] * len(rows))
            self._run(
                "UPDATE {table} SET status = %s, claimed_at = NULL, attempts = attempts - 1, retry_at = %s "
                "WHERE id IN ({placeholders}) AND status = %s",
                [Status.FAILED, self._time(timezone.now() + wait), *[row.id for row in rows], Status.SENDING],
                placeholders=placeholders,
            )


def deliveries_send(*, issue_id: int, batch: int = BATCH) -> dict:
    """Send an issue's owed deliveries until none is left to claim; returns the counts of this run."""
    issue = Issue.objects.select_related("newsletter").filter(pk=issue_id).first()
    counts = {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0, "taken": 0}
    if issue is None or issue.status != Issue.Status.SENDING:
        return counts
    prepared = PreparedIssue(issue)
    rows = _Rows(issue_id)
    backend = get_connection()
    send = _send_prepared if hasattr(backend, "send_prepared") else _send_message
    relaxed = connection.vendor == "postgresql" and not settings.MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT
    if relaxed:  # see the setting: each mark still commits before its ".", without waiting for the disk
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    try:
        while claimed := rows.claim(batch):
            if not Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).exists():
                rows.skipped(claimed, "the issue was cancelled")
                return counts
            people = {pk: (email, name) for pk, email, name in _recipients(claimed)}
            wanted = _still_wanted(issue, people)
            rows.skipped([row for row in claimed if row.subscriber_id not in wanted], "left or suppressed first")
            owed = [row for row in claimed if row.subscriber_id in wanted]
            for index, row in enumerate(owed):
                email, name = people[row.subscriber_id]
                try:
                    outcome = send(backend, prepared, rows, row, email, name)
                except Exception as error:  # a message that cannot be made must not hold up the others
                    log.exception("Issue %s: delivery %s could not be made", issue_id, row.id)
                    outcome = rows.failed(row, f"{type(error).__name__}: {error}", permanent=True)
                counts[outcome] = counts.get(outcome, 0) + 1
                if outcome == "unreachable":
                    wait = outbox.retry_delay(row.attempts)
                    rows.released(owed[index + 1 :], wait=wait)
                    senders_queue(issue_id=issue_id, delay=wait)
                    return counts
    finally:
        backend.close()
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    _finish(issue_id)
    return counts


def _recipients(claimed: list[Claimed]):
    return Subscriber.objects.filter(pk__in=[row.subscriber_id for row in claimed]).values_list("pk", "email", "name")


def _still_wanted(issue: Issue, people: dict) -> set[int]:
    """Of these subscribers, those still subscribed and not suppressed (they may have left since the start)."""
    active = set(
        Subscription.objects.filter(
            newsletter_id=issue.newsletter_id, status=Subscription.Status.ACTIVE, subscriber_id__in=list(people)
        ).values_list("subscriber_id", flat=True)
    )
    emails = [people[pk][0] for pk in active]
    suppressed = set(Suppression.objects.filter(email__in=emails).values_list("email", flat=True))
    return {pk for pk in active if people[pk][0] not in suppressed}


def _send_prepared(backend, prepared: PreparedIssue, rows: _Rows, row: Claimed, email: str, name: str) -> str:
    data = prepared.raw(delivery_id=row.id, subscriber_id=row.subscriber_id, email=email, name=name)
    try:
        if not backend.send_prepared(
            sender=prepared.envelope_sender, recipient=email, data=data, commit=lambda: rows.sent(row)
        ):
            return "taken"
    except Unconfirmed as error:
        rows.note(row, f"connection lost after the message; the server may not have it ({error})")
        return "sent"
    except Refused as error:
        status = rows.failed(row, str(error), permanent=not error.temporary)
        if error.recipient and not error.temporary:
            services.suppression_add(email=email, reason=Suppression.Reason.BOUNCED)
        if error.code == 421:
            return "unreachable"
        return status
    except (OSError, smtplib.SMTPException) as error:  # no connection: refused, TLS or sign-in failed
        rows.failed(row, f"{type(error).__name__}: {error}", permanent=False)
        return "unreachable"
    return "sent"


def _send_message(backend, prepared: PreparedIssue, rows: _Rows, row: Claimed, email: str, name: str) -> str:
    """Any other backend (an email provider's API through django-anymail): marked sent before the hand-over,
    taken back if it fails. (A crash during the provider's call leaves that one row sent, not twice.)"""
    message = prepared.message(delivery_id=row.id, subscriber_id=row.subscriber_id, email=email, name=name)
    if not rows.sent(row):
        return "taken"
    try:
        backend.send_messages([message])
    except Exception as error:  # noqa: BLE001 (the provider's refusal or an unreachable API: recorded, retried)
        permanent = type(error).__name__ == "AnymailRecipientsRefused"
        if permanent:
            services.suppression_add(email=email, reason=Suppression.Reason.BOUNCED)
        return rows.failed(row, f"{type(error).__name__}: {error}", permanent=permanent)
    return "sent"


def _finish(issue_id: int) -> None:
    """Mark the issue sent when nothing is owed; else queue a sender for the first retry that comes due. Rows
    another worker holds are its to finish (or, if it died, the requeued task's)."""
    owed = Delivery.objects.filter(issue_id=issue_id, status__in=[Status.PENDING, Status.SENDING, Status.FAILED])
    if not owed.exists():
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, finished_at=timezone.now()
        )
        return
    next_retry = owed.filter(status=Status.FAILED).aggregate(first=Min("retry_at"))["first"]
    if next_retry and not owed.filter(status__in=[Status.PENDING, Status.SENDING]).exists():
        senders_queue(issue_id=issue_id, delay=max(next_retry - timezone.now(), timedelta(seconds=1)))


# Figures, test send, preview -------------------------------------------------------------------------------


def issue_figures(*, issue: Issue) -> dict:
    """Recipients and what became of them; opens and clicks are counted only with tracking on."""
    counted = Delivery.objects.filter(issue=issue).aggregate(
        recipients=Count("id"),
        sent=Count("id", filter=Q(status=Status.SENT)),
        waiting=Count("id", filter=Q(status__in=[Status.PENDING, Status.SENDING, Status.FAILED])),
        failed=Count("id", filter=Q(status=Status.GAVE_UP)),
        skipped=Count("id", filter=Q(status=Status.SKIPPED)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
    )
    counted["tracking"] = settings.MASTHEAD_NEWSLETTER_TRACKING
    return counted


def issue_sample(*, issue: Issue, email: str, name: str = "", fresh: bool = False) -> EmailMultiAlternatives:
    """The issue as one recipient gets it, not stored: rendered now (`fresh`, or while it is a draft), else as
    it went out."""
    if fresh or not issue.rendered_html:
        issue.rendered_subject, issue.rendered_html, issue.rendered_text = issue_render(issue)
    return PreparedIssue(issue).message(delivery_id=None, subscriber_id=0, email=email, name=name)


def issue_preview(*, issue: Issue, email: str = "reader@example.org", name: str = "") -> tuple[str, str, str]:
    """The issue's subject, HTML and plain text as a recipient gets it (see `issue_sample`)."""
    message = issue_sample(issue=issue, email=email, name=name)
    return message.subject, message.alternatives[0][0], message.body


def issue_test_send(*, issue_id: int, email: str) -> str:
    """Send the issue as it would go out now to one address (an editor's), marked as a test."""
    issue = Issue.objects.select_related("newsletter", "article").get(pk=issue_id)
    try:
        message = issue_sample(issue=issue, email=email, fresh=True)
    except NothingToSend as error:
        return str(error)
    message.subject = f"[Test] {message.subject}"
    get_connection().send_messages([message])
    return "sent"
