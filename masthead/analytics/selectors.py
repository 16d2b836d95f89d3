"""The reads of the counters: what a beacon may count, "Most popular", and the editors' dashboard's figures."""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from masthead.analytics.counting import day_bounds
from masthead.analytics.models import DailyCount, HourlyCount, PopularWindow, Source, SourceCount, Target, TotalCount
from masthead.newsroom.serving import pages_version, versioned_cache

# ---------------------------------------------------------------------------------------------------------------
# What a beacon may count


class Countable:
    """The ids a beacon may name, per target: live pages (and live articles for plays), tags, authors.

    Each process keeps the sets it loaded with the `pages_version` they were loaded at. An id found in a set
    loaded less than `FRESH_SECONDS` ago is taken without reading the version (which costs two cache reads): at
    worst a page unpublished a few minutes ago is counted once more. An id not found is checked against the
    current version, and the set loaded again only when the version has moved (a page just published)."""

    FRESH_SECONDS = 300

    def __init__(self):
        self.sets: dict[int, tuple[int, float, frozenset]] = {}  # target: (version, loaded at, ids)

    def __call__(self, target: int, object_id: int, *, request) -> bool:
        known = self.sets.get(target)
        if known and object_id in known[2] and time.monotonic() - known[1] < self.FRESH_SECONDS:
            return True
        version = pages_version(request)
        if known is None or known[0] != version or time.monotonic() - known[1] >= self.FRESH_SECONDS:
            ids = versioned_cache.get_or_set(f"analytics:ids:{target}:{version}", lambda: _ids(target), 24 * 3600)
            known = self.sets[target] = (version, time.monotonic(), ids)
        return object_id in known[2]


countable = Countable()


def _ids(target: int) -> frozenset[int]:
    from taggit.models import Tag
    from wagtail.models import Page

    from masthead.newsroom.models import ArticlePage, Author

    if target == Target.PAGE:
        ids = Page.objects.live().filter(depth__gt=1).values_list("pk", flat=True)
    elif target == Target.PLAY:
        ids = ArticlePage.objects.live().values_list("pk", flat=True)
    elif target == Target.TAG:
        ids = Tag.objects.values_list("pk", flat=True)
    else:
        ids = Author.objects.values_list("pk", flat=True)
    return frozenset(ids)


# ---------------------------------------------------------------------------------------------------------------
# Most popular

WINDOWS = {PopularWindow.DAY: timedelta(hours=24), PopularWindow.WEEK: timedelta(days=7)}


def most_popular_ids(*, window: str, limit: int, version: int) -> list[int]:
    """The live stories with the most views in the window (the last 24 hours or 7 days, to the hour), most
    viewed first; of two with as many views the newer first (then the higher id). Empty when nothing was
    counted. Kept for `MASTHEAD_POPULAR_SECONDS` (and per `pages_version`), so a page asks at most that often."""
    refresh = settings.MASTHEAD_POPULAR_SECONDS
    key = f"popular:{window}:{limit}:{version}:{int(time.time() // refresh)}"
    return versioned_cache.get_or_set(key, lambda: popular_read(window=window, limit=limit), refresh * 2)


def popular_read(*, window: str, limit: int, now: datetime | None = None) -> list[int]:
    from masthead.newsroom.models import ArticleListing

    since = (now or timezone.now()) - WINDOWS.get(window, WINDOWS[PopularWindow.DAY])
    since = since.replace(minute=0, second=0, microsecond=0)
    hourly, listing, quote = HourlyCount._meta.db_table, ArticleListing._meta.db_table, connection.ops.quote_name
    sql = f"""
        SELECT h.{quote("object_id")}
        FROM {quote(hourly)} h
        JOIN {quote(listing)} l ON l.{quote("article_id")} = h.{quote("object_id")} AND l.{quote("kind")} = %s
            AND l.{quote("key")} = 0
        WHERE h.{quote("target")} = %s AND h.{quote("hour")} >= %s
        GROUP BY h.{quote("object_id")}, l.{quote("published_at")}
        ORDER BY SUM(h.{quote("count")}) DESC, l.{quote("published_at")} DESC, h.{quote("object_id")} DESC
        LIMIT %s
    """  # noqa: S608 (names from the models, values as parameters)
    parameters = [ArticleListing.Kind.ALL, Target.PAGE, connection.ops.adapt_datetimefield_value(since), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------------------------
# The editors' dashboard


@dataclass(frozen=True)
class Period:
    """The newsroom's calendar days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_bounds(self.first)[0], day_bounds(self.last)[1]

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first.strftime("%-d %B %Y")
        return f"{self.first.strftime('%-d %B %Y')} – {self.last.strftime('%-d %B %Y')}"


def totals_per_day(period: Period, *, target: int = Target.PAGE) -> list[tuple[date, int]]:
    """Views (or plays) on each day of the period, days without any included."""
    start, end = period.bounds
    per_day: dict[date, int] = defaultdict(int)
    rows = TotalCount.objects.filter(target=target, hour__gte=start, hour__lt=end).values_list("hour", "count")
    for hour, count in rows:
        per_day[timezone.localdate(hour)] += count
    return [(day, per_day.get(day, 0)) for day in period.days]


def totals_per_hour(day: date, *, target: int = Target.PAGE) -> list[tuple[datetime, int]]:
    """Views in each hour of one day (the newsroom's hours: 23 or 25 of them when the clocks change)."""
    start, end = day_bounds(day)
    counts = dict(TotalCount.objects.filter(target=target, hour__gte=start, hour__lt=end).values_list("hour", "count"))
    hours, hour = [], start
    while hour < end:
        hours.append((timezone.localtime(hour), counts.get(hour, 0)))
        hour += timedelta(hours=1)
    return hours


def top_articles(period: Period, *, limit: int = 20) -> list[dict]:
    """The most viewed stories of the period: title and views, most viewed first (ties: lower id). Stories that
    have been deleted since are left out.

    The sum reads the period's range of the daily counts' index and nothing else: the other pages (home,
    sections: a few dozen ids) are left out by id rather than by joining every row to the stories' table."""
    from wagtail.models import Page

    from masthead.newsroom.models import ArticlePage

    not_stories = Page.objects.not_type(ArticlePage).values_list("pk", flat=True)
    rows = (
        DailyCount.objects.filter(target=Target.PAGE, day__gte=period.first, day__lte=period.last)
        .exclude(object_id__in=list(not_stories))
        .values("object_id")
        .annotate(views=Sum("count"))
        .order_by("-views", "object_id")[: limit + 10]
    )
    rows = list(rows)
    titles = dict(ArticlePage.objects.filter(pk__in=[row["object_id"] for row in rows]).values_list("pk", "title"))
    stories = [{"id": row["object_id"], "title": titles.get(row["object_id"]), "views": row["views"]} for row in rows]
    return [story for story in stories if story["title"] is not None][:limit]


def sources(period: Period) -> list[tuple[str, int]]:
    """Views by kind of source, most first."""
    rows = (
        SourceCount.objects.filter(day__gte=period.first, day__lte=period.last)
        .values("source")
        .annotate(views=Sum("count"))
        .order_by("-views", "source")
    )
    return [(Source(row["source"]).label, row["views"]) for row in rows]


def top_referrers(period: Period, *, limit: int = 20) -> list[tuple[str, str, int]]:
    """The referring domains (other sites, search engines, social media, webmail), most views first."""
    rows = (
        SourceCount.objects.filter(day__gte=period.first, day__lte=period.last)
        .exclude(domain="")
        .values("domain", "source")
        .annotate(views=Sum("count"))
        .order_by("-views", "domain")[:limit]
    )
    return [(row["domain"], Source(row["source"]).label, row["views"]) for row in rows]


def signups_per_day(period: Period) -> tuple[list[str], list[tuple[date, list[int]]]]:
    """Confirmed newsletter sign-ups on each day, per newsletter: (the newsletters' names, [(day, [count per
    newsletter])])."""
    from masthead.newsletters.models import Newsletter, Subscription

    start, end = period.bounds
    rows = (
        Subscription.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)
        .annotate(day=TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "newsletter")
        .annotate(count=Count("pk"))
    )
    counts = {(row["day"], row["newsletter"]): row["count"] for row in rows}
    newsletters = list(Newsletter.objects.order_by("name").values_list("pk", "name"))
    names = [name for _, name in newsletters]
    return names, [(day, [counts.get((day, pk), 0) for pk, _ in newsletters]) for day in period.days]


def comments_per_day(period: Period) -> list[tuple[date, int]]:
    """Comments written on each day (held and later hidden ones included: what readers wrote)."""
    from masthead.comments.models import Comment

    start, end = period.bounds
    rows = (
        Comment.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("pk"))
    )
    counts = {row["day"]: row["count"] for row in rows}
    return [(day, counts.get(day, 0)) for day in period.days]
