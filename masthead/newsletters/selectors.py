"""What the newsletters' pages read."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from masthead.newsletters.models import Newsletter, Subscriber, Subscription


def newsletters_open() -> QuerySet:
    """The newsletters a reader can subscribe to from the site's forms, in the editors' order."""
    return Newsletter.objects.filter(is_public=True, archived=False)


def subscriptions_pending(*, subscriber: Subscriber) -> QuerySet:
    return subscriber.subscriptions.filter(status=Subscription.Status.PENDING).select_related("newsletter")


def newsletters_active_ids(*, subscriber: Subscriber) -> list[int]:
    active = subscriber.subscriptions.filter(status=Subscription.Status.ACTIVE)
    return list(active.values_list("newsletter_id", flat=True))


def subscribers_by_week(*, weeks: int = 12) -> list[dict]:
    """Per newsletter, its subscribers now and, for each of the last `weeks` weeks (newest first, weeks start on
    Monday in the newsroom's time zone), how many started and how many left: three grouped queries, whatever the
    number of subscribers."""
    today = timezone.localdate()
    mondays = [today - timedelta(days=today.weekday(), weeks=n) for n in range(weeks)]
    since = timezone.make_aware(datetime.combine(mondays[-1], time.min))

    def per_week(field: str) -> dict[tuple[int, date], int]:
        rows = (
            Subscription.objects.filter(**{f"{field}__gte": since})
            .annotate(week=TruncWeek(field))
            .values("newsletter_id", "week")
            .annotate(count=Count("id"))
        )
        return {(row["newsletter_id"], timezone.localdate(row["week"])): row["count"] for row in rows}

    joined, left = per_week("confirmed_at"), per_week("unsubscribed_at")
    active = Count("subscriptions", filter=Q(subscriptions__status=Subscription.Status.ACTIVE))
    return [
        {
            "newsletter": newsletter,
            "active": newsletter.active,
            "weeks": [
                _week(monday, joined.get((newsletter.pk, monday), 0), left.get((newsletter.pk, monday), 0))
                for monday in mondays
            ],
        }
        for newsletter in Newsletter.objects.annotate(active=active).order_by("sort_order", "name")
    ]


def _week(monday: date, joined: int, left: int) -> dict:
    return {"start": monday, "joined": joined, "left": left, "net": f"{joined - left:+d}"}


def issue_audience(*, newsletter: Newsletter) -> int:
    """How many would get an issue of this newsletter now: its active subscribers, less suppressed addresses."""
    from masthead.newsletters.models import Suppression

    active = Subscription.objects.filter(newsletter=newsletter, status=Subscription.Status.ACTIVE)
    return active.exclude(subscriber__email__in=Suppression.objects.values("email")).count()


def issues_figures(*, limit: int = 30) -> list:
    """The latest issues that went out, each with its deliveries counted by outcome (two grouped queries)."""
    from masthead.newsletters.models import Delivery, Issue

    issues = list(
        Issue.objects.filter(started_at__isnull=False).select_related("newsletter").order_by("-started_at")[:limit]
    )
    by_status = Delivery.objects.filter(issue__in=issues).values_list("issue_id", "status").annotate(count=Count("id"))
    counts = {issue.pk: {} for issue in issues}
    for issue_id, status, count in by_status:
        counts[issue_id][status] = count
    reactions = (
        Delivery.objects.filter(issue__in=issues)
        .filter(Q(unsubscribed_at__isnull=False) | Q(opened_at__isnull=False) | Q(clicked_at__isnull=False))
        .values("issue_id")
        .annotate(
            unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        )
    )
    reacted = {row["issue_id"]: row for row in reactions}
    for issue in issues:
        statuses = counts[issue.pk]
        issue.figures = {
            "recipients": sum(statuses.values()),
            "sent": statuses.get(Delivery.Status.SENT, 0),
            "failed": statuses.get(Delivery.Status.GAVE_UP, 0),
            "waiting": sum(statuses.get(s, 0) for s in ("pending", "sending", "failed")),
            "unsubscribed": reacted.get(issue.pk, {}).get("unsubscribed", 0),
            "opened": reacted.get(issue.pk, {}).get("opened", 0),
            "clicked": reacted.get(issue.pk, {}).get("clicked", 0),
        }
    return issues
