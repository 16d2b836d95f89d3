"""What changes the counters: a batch of views written at once, and the daily forgetting."""

from collections import Counter
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from masthead.analytics.models import DailyCount, DailySalt, HourlyCount, Seen, SourceCount, Target, TotalCount


class View(NamedTuple):
    """One accepted beacon, as the counters need it (no address, no browser: its digest stands for the reader)."""

    digest: int
    target: int
    object_id: int
    hour: object  # datetime, the hour's start in UTC
    day: date
    source: int
    domain: str


PAGE_TARGETS = (Target.PAGE, Target.TAG, Target.AUTHOR)  # views of pages, whose sources are counted
SEEN_CHUNK = 400  # digests per INSERT (two parameters each, far below either database's limit)


def views_record(views: list[View]) -> int:
    """Count a batch of views in one transaction: each digest not seen before today adds one to its page's hour
    and day, to the hour's total and to its source's day; a digest already seen adds nothing. Returns how many
    were counted."""
    if not views:
        return 0
    with transaction.atomic():
        fresh = _seen_add({view.digest: view.day for view in views})
        counted = []
        for view in views:
            if view.digest in fresh:
                fresh.discard(view.digest)  # the same digest twice in one batch counts once
                counted.append(view)
        _add(HourlyCount, ("target", "object_id", "hour"), Counter((v.target, v.object_id, v.hour) for v in counted))
        _add(DailyCount, ("target", "object_id", "day"), Counter((v.target, v.object_id, v.day) for v in counted))
        _add(TotalCount, ("target", "hour"), Counter((v.target, v.hour) for v in counted))
        sources = Counter((v.day, v.source, v.domain) for v in counted if v.target in PAGE_TARGETS)
        _add(SourceCount, ("day", "source", "domain"), sources)
    return len(counted)


def _seen_add(digests: dict[int, date]) -> set[int]:
    """Insert the digests; those that were not there already."""
    table, quote = Seen._meta.db_table, connection.ops.quote_name
    fresh: set[int] = set()
    items = list(digests.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), SEEN_CHUNK):
            chunk = items[start : start + SEEN_CHUNK]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            parameters = [p for digest, day in chunk for p in (digest, connection.ops.adapt_datefield_value(day))]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({quote('digest')}, {quote('day')}) VALUES {values} "  # noqa: S608 (names from the model)
                f"ON CONFLICT ({quote('digest')}) DO NOTHING RETURNING {quote('digest')}",
                parameters,
            )
            fresh.update(row[0] for row in cursor.fetchall())
    return fresh


def _add(model, key: tuple[str, ...], counts: Counter) -> None:
    """Add `counts` (key values → number) to the model's `count` column, making the rows that are missing: one
    upsert per row, the same SQL on SQLite and PostgreSQL."""
    if not counts:
        return
    table, quote = model._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(name) for name in (*key, "count"))
    placeholders = ", ".join(["%s"] * (len(key) + 1))
    count = quote("count")
    sql = (
        f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608 (names from the model)
        f"ON CONFLICT ({', '.join(quote(name) for name in key)}) "
        f"DO UPDATE SET {count} = {quote(table)}.{count} + EXCLUDED.{count}"
    )
    fields = [model._meta.get_field(name) for name in key]
    rows = [
        [field.get_db_prep_value(value, connection) for field, value in zip(fields, values, strict=True)] + [number]
        for values, number in sorted(counts.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def counts_forget(*, today: date) -> dict[str, int]:
    """What the day's end makes useless or must not keep: the digests and salts of the days before `today`, and
    hourly counts older than `MASTHEAD_ANALYTICS_HOURLY_DAYS` (the daily ones stay). Safe to run often."""
    hourly_since = timezone.now() - timedelta(days=settings.MASTHEAD_ANALYTICS_HOURLY_DAYS)
    return {
        "seen": Seen.objects.filter(day__lt=today).delete()[0],
        "salts": DailySalt.objects.filter(day__lt=today).delete()[0],
        "hourly": HourlyCount.objects.filter(hour__lt=hourly_since).delete()[0],
    }
