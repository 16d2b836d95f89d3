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
