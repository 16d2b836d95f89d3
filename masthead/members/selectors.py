"""What a member's page shows."""

from masthead.members.models import User


def member_newsletters(*, user: User) -> dict:
    """The newsletters the member's address gets, and the address of the page where they change them."""
    from django.urls import reverse

    from masthead.newsletters.models import Subscriber, Subscription
    from masthead.newsletters.services import preferences_token

    subscriber = Subscriber.objects.filter(email__iexact=user.email).first() if user.email else None
    if subscriber is None:
        return {"names": [], "preferences_url": reverse("newsletters:index")}
    names = list(
        Subscription.objects.filter(subscriber=subscriber, status=Subscription.Status.ACTIVE)
        .order_by("newsletter__name")
        .values_list("newsletter__name", flat=True)
    )
    token = preferences_token(subscriber=subscriber)
    return {"names": names, "preferences_url": reverse("newsletters:preferences", args=[token])}
