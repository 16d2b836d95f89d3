"""What the newsletters' pages read."""

from django.db.models import QuerySet

from masthead.newsletters.models import Newsletter, Subscriber, Subscription


def newsletters_open() -> QuerySet:
    """The newsletters a reader can subscribe to from the site's forms, in the editors' order."""
    return Newsletter.objects.filter(is_public=True, archived=False)


def subscriptions_pending(*, subscriber: Subscriber) -> QuerySet:
    return subscriber.subscriptions.filter(status=Subscription.Status.PENDING).select_related("newsletter")


def newsletters_active_ids(*, subscriber: Subscriber) -> list[int]:
    active = subscriber.subscriptions.filter(status=Subscription.Status.ACTIVE)
    return list(active.values_list("newsletter_id", flat=True))
