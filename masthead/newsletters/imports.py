"""Subscribers in and out as CSV: Mailchimp's audience export, Substack's and Ghost's member exports, or a plain
list of addresses; and the export of one newsletter's subscribers.

Consent travels with the list: an export from another platform says who subscribed and who left there, and
those it says subscribed start active here (they confirmed there); a plain list carries no proof of consent, so
its addresses start pending and are sent a confirmation email (`--confirmed` says the newsroom has the proof).
Nobody who unsubscribed here is subscribed again by an import; someone the list says left is unsubscribed.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone

from masthead.newsletters.models import Newsletter, Notice, Subscriber, Subscription, Suppression
from masthead.newsletters.services import email_normalize, notice_queue, suppression_add

BATCH = 1000
FORMATS = ("mailchimp", "substack", "ghost", "plain")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula
TRUE = {"true", "yes", "1", "y", "t"}
Status = Subscription.Status


class ImportFileError(Exception):
    """A file that cannot be read as a subscriber list at all (the message says why)."""


@dataclass
class ImportReport:
    format: str
    rows: int = 0
    added: Counter = field(default_factory=Counter)  # status → addresses newly subscribed with it
    skipped: Counter = field(default_factory=Counter)  # reason → rows
    examples: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason), the first few

    def skip(self, row_number: int, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < 20:
            self.examples.append((row_number, reason))

    def lines(self) -> list[str]:
        lines = [f"Read {self.rows:,} rows ({self.format} format)."]
        lines += [f"  {count:,} {status}" for status, count in sorted(self.added.items())]
        lines += [f"  skipped {count:,}: {reason}" for reason, count in self.skipped.most_common()]
        lines += [f"  row {number}: {reason}" for number, reason in self.examples]
        return lines


@dataclass
class Row:
    number: int
    email: str
    wants_email: bool | None  # None: the row says this address bounced or was deleted there
    bounced: bool = False  # it bounced there (Mailchimp's "cleaned"): it goes on the suppression list


def rows_read(text: io.TextIOBase, *, name: str = "", format: str = "auto") -> tuple[str, Iterator[Row]]:
    """The file's format (detected from its header unless given) and its rows as (address, wants email)."""
    reader = csv.DictReader(text)
    try:
        header = [column.strip() for column in (reader.fieldnames or [])]
    except (csv.Error, UnicodeDecodeError) as error:
        raise ImportFileError(f"This is not a readable CSV file ({error}).") from error
    reader.fieldnames = header
    lower = {column.lower(): column for column in header}
    if format == "auto":
        format = _detect(lower)
    if format not in FORMATS:
        raise ImportFileError(f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}.")
    email_column = lower.get("email address") if format == "mailchimp" else lower.get("email")
    if not email_column:
        raise ImportFileError('The file has no email column ("email", or Mailchimp\'s "Email Address").')
    mailchimp_state = _mailchimp_state(name)

    def rows() -> Iterator[Row]:
        try:
            for number, record in enumerate(reader, start=2):  # row 1 is the header
                wants = _wants_email(format, record, lower, mailchimp_state)
                bounced = wants is None and format == "mailchimp"  # "cleaned": Mailchimp's word for bounced
                yield Row(number, (record.get(email_column) or "").strip(), wants, bounced)
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(f"Row {reader.line_num} cannot be read ({error}).") from error

    return format, rows()


def _detect(lower: dict[str, str]) -> str:
    if "email address" in lower:
        return "mailchimp"
    if "subscribed_to_emails" in lower:
        return "ghost"
    if "email_disabled" in lower or "active_subscription" in lower:
        return "substack"
    return "plain"


def _mailchimp_state(name: str) -> bool | None:
    """Mailchimp exports one file per state (subscribed, unsubscribed, cleaned); its name says which, and the
    unsubscribed and cleaned files add an UNSUB_TIME or CLEAN_TIME column (read per row below)."""
    name = name.lower()
    if "cleaned" in name:
        return None
    return "unsubscribed" not in name


def _wants_email(format: str, record: dict, lower: dict[str, str], mailchimp_state: bool | None) -> bool | None:
    """True: subscribed there; False: unsubscribed there; None: bounced ("cleaned") or deleted there."""

    def value(column: str) -> str:
        return (record.get(lower.get(column, ""), "") or "").strip().lower()

    if format == "mailchimp":
        if value("clean_time"):
            return None
        if value("unsub_time"):
            return False
        return mailchimp_state
    if format == "ghost":
        if value("deleted_at"):
            return None
        return value("subscribed_to_emails") != "false"  # as Ghost's own importer: empty means subscribed
    if format == "substack":
        if value("email").endswith("@deletion-request.substack.com"):
            return None
        return value("email_disabled") not in TRUE
    return True


def subscribers_import(
    *, rows: Iterable[Row], newsletter: Newsletter, format: str, confirmed: bool, progress=None
) -> ImportReport:
    """Add the rows' addresses to `newsletter`, in batches; returns what was done and what was skipped, why."""
    report = ImportReport(format=format)
    seen: set[str] = set()
    suppressed = set(Suppression.objects.values_list("email", flat=True))
    batch: list[Row] = []
    validate = EmailValidator()
    for row in rows:
        report.rows += 1
        email = email_normalize(row.email)
        try:
            validate(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            report.skip(row.number, "not a valid email address")
            continue
        if row.wants_email is None:
            if row.bounced:
                suppression_add(email=email, reason=Suppression.Reason.BOUNCED)
                report.added["suppressed (bounced there)"] += 1
            else:
                report.skip(row.number, "deleted on the other platform")
            continue
        if email in seen:
            report.skip(row.number, "the same address twice in the file")
            continue
        seen.add(email)
        if email in suppressed:
            report.skip(row.number, "on the suppression list")
            continue
        batch.append(Row(row.number, email, row.wants_email))
        if len(batch) >= BATCH:
            _import_batch(batch, newsletter=newsletter, plain=format == "plain", confirmed=confirmed, report=report)
            batch = []
            if progress:
                progress(report.rows)
    if batch:
        _import_batch(batch, newsletter=newsletter, plain=format == "plain", confirmed=confirmed, report=report)
    if progress:
        progress(report.rows)
    return report


@transaction.atomic
def _import_batch(batch: list[Row], *, newsletter: Newsletter, plain: bool, confirmed: bool, report: ImportReport):
    now = timezone.now()
    emails = [row.email for row in batch]
    Subscriber.objects.bulk_create([Subscriber(email=email) for email in emails], ignore_conflicts=True)
    subscribers = dict(Subscriber.objects.filter(email__in=emails).values_list("email", "pk"))
    existing = dict(
        Subscription.objects.filter(newsletter=newsletter, subscriber_id__in=subscribers.values()).values_list(
            "subscriber_id", "status"
        )
    )
    new, leave = [], []
    for row in batch:
        subscriber_id = subscribers[row.email]
        status = existing.get(subscriber_id)
        if status is None:
            if row.wants_email:
                start = Status.PENDING if plain and not confirmed else Status.ACTIVE
            else:
                start = Status.UNSUBSCRIBED
            new.append(
                Subscription(
                    subscriber_id=subscriber_id,
                    newsletter=newsletter,
                    status=start,
                    requested_at=now,
                    confirmed_at=now if start == Status.ACTIVE else None,
                    unsubscribed_at=now if start == Status.UNSUBSCRIBED else None,
                )
            )
            report.added[start.label.lower()] += 1
        elif status == Status.UNSUBSCRIBED and row.wants_email:
            report.skip(row.number, "unsubscribed here: not subscribed again")
        elif status != Status.UNSUBSCRIBED and not row.wants_email:
            leave.append(subscriber_id)
            report.added["unsubscribed, as the list says"] += 1
        else:
            report.skip(row.number, "already on this newsletter")
    Subscription.objects.bulk_create(new)
    if leave:
        Subscription.objects.filter(newsletter=newsletter, subscriber_id__in=leave).update(
            status=Status.UNSUBSCRIBED, unsubscribed_at=now
        )
    pending = [s.subscriber_id for s in new if s.status == Status.PENDING]
    notices = Notice.objects.bulk_create([Notice(kind=Notice.Kind.CONFIRM, subscriber_id=pk) for pk in pending])
    for notice in notices:
        transaction.on_commit(lambda notice_id=notice.pk: notice_queue(notice_id=notice_id))


EXPORT_COLUMNS = ["email", "newsletter", "status", "requested_at", "confirmed_at", "unsubscribed_at"]


def subscribers_export(*, newsletter: Newsletter, statuses: list[str], out: io.TextIOBase) -> int:
    """Write the newsletter's subscribers with these statuses as CSV; returns how many."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    subscriptions = (
        Subscription.objects.filter(newsletter=newsletter, status__in=statuses)
        .select_related("subscriber")
        .order_by("subscriber__email")
    )
    count = 0
    for subscription in subscriptions.iterator(chunk_size=BATCH):
        writer.writerow(
            [
                _cell(subscription.subscriber.email),
                newsletter.slug,
                subscription.status,
                *[
                    _time(value)
                    for value in (subscription.requested_at, subscription.confirmed_at, subscription.unsubscribed_at)
                ],
            ]
        )
        count += 1
    return count


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _time(value) -> str:
    return value.isoformat() if value else ""
