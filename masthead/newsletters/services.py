"""Subscribing with double opt-in: the request, the confirmation link, and the emails owed (notices), each
sent once from its record by the worker."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from masthead import outbox
from masthead.newsletters import selectors
from masthead.newsletters.models import Delivery, Newsletter, Notice, Subscriber, Subscription, Suppression

CONFIRM_SALT = "masthead.newsletters.confirm"
PREFERENCES_SALT = "masthead.newsletters.preferences"
UNSUBSCRIBE_SALT = "masthead.newsletters.unsubscribe"
TRACKING_SALT = "masthead.newsletters.tracking"
LINK_SALT = "masthead.newsletters.link"
CONFIRM_RESEND_SECONDS = 600  # one confirmation email per address in this time, however often it is asked for
NOTICE_MAX_ATTEMPTS = 8


class ConfirmationLinkError(Exception):
    """A confirmation link that is forged, damaged, for an address no longer here, or too old."""

    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def email_normalize(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def subscription_request(*, email: str, newsletters: list[Newsletter]) -> None:
    """Someone asked for these newsletters at `email`: pending subscriptions, and a confirmation email unless one
    went to the address in the last ten minutes (its link confirms these too). Active subscriptions stay as
    they are and need no email; the caller answers the same whatever was here before."""
    now = timezone.now()
    subscriber, _ = Subscriber.objects.get_or_create(email=email_normalize(email))
    owed = False
    for newsletter in newsletters:
        subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber, newsletter=newsletter, defaults={"requested_at": now}
        )
        if created:
            owed = True
        elif subscription.status != Subscription.Status.ACTIVE:
            # Unsubscribed earlier: subscribing again needs a new confirmation.
            Subscription.objects.filter(pk=subscription.pk).update(
                status=Subscription.Status.PENDING, requested_at=now, unsubscribed_at=None
            )
            owed = True
    if not owed:
        return
    recent = now - timedelta(seconds=CONFIRM_RESEND_SECONDS)
    if subscriber.notices.filter(kind=Notice.Kind.CONFIRM, created_at__gte=recent).exists():
        return
    notice = Notice.objects.create(kind=Notice.Kind.CONFIRM, subscriber=subscriber)
    transaction.on_commit(lambda: notice_queue(notice_id=notice.pk))


def confirmation_token(*, subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=CONFIRM_SALT, compress=True)


def confirmation_subscriber(*, token: str) -> Subscriber:
    """The subscriber a confirmation link was made for; ConfirmationLinkError if it is not a good one."""
    max_age = timedelta(days=settings.MASTHEAD_NEWSLETTER_CONFIRM_DAYS)
    return _link_subscriber(token, salt=CONFIRM_SALT, max_age=max_age)


def preferences_token(*, subscriber: Subscriber) -> str:
    """The link to a subscriber's preferences, in every email: it does not expire (old emails keep working) and
    stops working when the address is deleted."""
    return preferences_token_for(subscriber_id=subscriber.pk, email=subscriber.email)


def preferences_token_for(*, subscriber_id: int, email: str) -> str:
    return signing.dumps({"s": subscriber_id, "e": email}, salt=PREFERENCES_SALT, compress=True)


def preferences_subscriber(*, token: str) -> Subscriber:
    return _link_subscriber(token, salt=PREFERENCES_SALT, max_age=None)


def unsubscribe_token(*, subscription: Subscription) -> str:
    """The one-click unsubscribe link of one subscription (RFC 8058), in the List-Unsubscribe header."""
    return unsubscribe_token_for(
        subscriber_id=subscription.subscriber_id,
        email=subscription.subscriber.email,
        newsletter_id=subscription.newsletter_id,
    )


def unsubscribe_token_for(*, subscriber_id: int, email: str, newsletter_id: int, issue_id: int | None = None) -> str:
    """The unsubscribe link's token; in an issue it names the issue too, to count who left from which email."""
    data = {"s": subscriber_id, "e": email, "n": newsletter_id}
    if issue_id is not None:
        data["i"] = issue_id
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_subscription(*, token: str) -> Subscription:
    """The subscription an unsubscribe link stops; `issue_id` on it is the issue whose email carried the link
    (or None)."""
    data = _link_data(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    subscription = (
        Subscription.objects.select_related("subscriber", "newsletter")
        .filter(subscriber_id=data["s"], subscriber__email=data["e"], newsletter_id=data.get("n"))
        .first()
    )
    if subscription is None:
        raise ConfirmationLinkError(expired=False)
    subscription.issue_id = data["i"] if isinstance(data.get("i"), int) else None
    return subscription


def tracking_token(*, delivery_id: int) -> str:
    """The delivery an opened picture or a clicked link counts for (only with MASTHEAD_NEWSLETTER_TRACKING)."""
    return signing.dumps(delivery_id, salt=TRACKING_SALT)


def tracked_link_token(*, url: str) -> str:
    """A link of an issue, signed: the click counter sends readers only where an issue pointed."""
    return signing.dumps(url, salt=LINK_SALT, compress=True)


def delivery_reacted(*, token: str, clicked: bool) -> None:
    """Record a delivery's first open, or first click (a click is an open too). A bad token counts nothing."""
    try:
        delivery_id = signing.loads(token, salt=TRACKING_SALT) if len(token) <= 100 else None
    except signing.BadSignature:
        return
    if not isinstance(delivery_id, int):
        return
    now = timezone.now()
    Delivery.objects.filter(pk=delivery_id, opened_at__isnull=True).update(opened_at=now)
    if clicked:
        Delivery.objects.filter(pk=delivery_id, clicked_at__isnull=True).update(clicked_at=now)


def tracked_link_url(*, token: str) -> str | None:
    """Where a counted link goes; None if the link was not made by an issue."""
    try:
        url = signing.loads(token, salt=LINK_SALT) if len(token) <= 4000 else None
    except signing.BadSignature:
        return None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def _link_subscriber(token: str, *, salt: str, max_age) -> Subscriber:
    data = _link_data(token, salt=salt, max_age=max_age)
    subscriber = Subscriber.objects.filter(pk=data["s"], email=data["e"]).first()
    if subscriber is None:
        raise ConfirmationLinkError(expired=False)
    return subscriber


def _link_data(token: str, *, salt: str, max_age) -> dict:
    """What a signed link carries; ConfirmationLinkError if it is forged, damaged, too long or too old."""
    if len(token) > 500:
        raise ConfirmationLinkError(expired=False)
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ConfirmationLinkError(expired=True) from error
    except (signing.BadSignature, ValueError) as error:
        raise ConfirmationLinkError(expired=False) from error
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("e"), str):
        raise ConfirmationLinkError(expired=False)
    return data


@transaction.atomic
def subscription_confirm(*, token: str) -> list[Newsletter]:
    """Confirm every pending subscription of the link's address; each newly active one is owed a welcome email
    (recorded once per subscription, however often the link is used). Returns the newsletters confirmed now."""
    subscriber = confirmation_subscriber(token=token)
    now = timezone.now()
    pending = list(selectors.subscriptions_pending(subscriber=subscriber).select_for_update())
    if pending:
        Suppression.objects.filter(email=subscriber.email).delete()  # the address works, and its owner wants it
    confirmed = Subscription.objects.filter(pk__in=[s.pk for s in pending], status=Subscription.Status.PENDING)
    confirmed.update(status=Subscription.Status.ACTIVE, confirmed_at=now)
    for subscription in pending:
        _welcome(subscriber=subscriber, subscription=subscription)
    return [subscription.newsletter for subscription in pending]


def _welcome(*, subscriber: Subscriber, subscription: Subscription) -> None:
    """Record the welcome email of a subscription that just started, and send it once committed."""
    try:
        with transaction.atomic():
            notice = Notice.objects.create(kind=Notice.Kind.WELCOME, subscriber=subscriber, subscription=subscription)
    except IntegrityError:
        return  # welcomed before (subscribed, left, came back): once is enough
    transaction.on_commit(lambda: notice_queue(notice_id=notice.pk))


def subscription_unsubscribe(*, subscription: Subscription, issue_id: int | None = None) -> None:
    """Stop one newsletter for one address (one click from an email, or the preferences page); `issue_id`, the
    issue whose link was used, counts the departure in that issue's figures."""
    now = timezone.now()
    left = Subscription.objects.filter(pk=subscription.pk).exclude(status=Subscription.Status.UNSUBSCRIBED)
    if left.update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now) and issue_id is not None:
        Delivery.objects.filter(issue_id=issue_id, subscriber_id=subscription.subscriber_id).update(unsubscribed_at=now)


@transaction.atomic
def preferences_save(*, subscriber: Subscriber, wanted: list[Newsletter]) -> None:
    """The preferences page's answer: exactly these newsletters. The link came by email to the address, so a
    newsletter ticked here starts at once (and is welcomed, once); one unticked stops."""
    now = timezone.now()
    wanted_ids = {newsletter.pk for newsletter in wanted}
    for subscription in subscriber.subscriptions.select_for_update():
        if subscription.newsletter_id not in wanted_ids:
            subscription_unsubscribe(subscription=subscription)
    for newsletter in wanted:
        subscription, _ = Subscription.objects.get_or_create(
            subscriber=subscriber, newsletter=newsletter, defaults={"requested_at": now}
        )
        if subscription.status != Subscription.Status.ACTIVE:
            Subscription.objects.filter(pk=subscription.pk).update(
                status=Subscription.Status.ACTIVE, confirmed_at=now, unsubscribed_at=None
            )
            _welcome(subscriber=subscriber, subscription=subscription)


def subscriber_forget(*, subscriber: Subscriber) -> None:
    """Delete the address and everything kept about it (its subscriptions and the emails it was sent)."""
    subscriber.delete()


def suppression_add(*, email: str, reason: str) -> None:
    """Never send newsletters to this address again (a bounce, a complaint, an editor's decision): it is listed
    and its subscriptions end. Safe to repeat."""
    Suppression.objects.get_or_create(email=email_normalize(email), defaults={"reason": reason})
    subscriber_unsubscribe_all(email=email)


def subscriber_unsubscribe_all(*, email: str) -> None:
    """The address left every newsletter (through the provider's own unsubscribe): it stays known, and signing up
    again needs a new confirmation."""
    Subscription.objects.filter(subscriber__email=email_normalize(email)).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())


def suppressed(*, email: str) -> bool:
    return Suppression.objects.filter(email=email_normalize(email)).exists()


def notice_queue(*, notice_id: int, delay: timedelta | None = None) -> None:
    from masthead.newsletters.tasks import notice_send_task

    outbox.enqueue(notice_send_task, delay=delay, notice_id=notice_id)


def notice_message(*, notice: Notice) -> EmailMultiAlternatives:
    """The email a notice stands for, in plain text and HTML."""
    subscriber = notice.subscriber
    site_name = settings.WAGTAIL_SITE_NAME
    if notice.kind == Notice.Kind.CONFIRM:
        pending = [subscription.newsletter for subscription in selectors.subscriptions_pending(subscriber=subscriber)]
        token = confirmation_token(subscriber=subscriber)
        context = {
            "newsletters": pending,
            "link": settings.BASE_URL + reverse("newsletters:confirm", kwargs={"token": token}),
            "days": settings.MASTHEAD_NEWSLETTER_CONFIRM_DAYS,
        }
        subject = f"Confirm your subscription to {site_name}"
        sender = pending[0].from_address if pending else settings.DEFAULT_FROM_EMAIL
        reply_to, headers = [], {}
    else:
        newsletter = notice.subscription.newsletter
        unsubscribe = settings.BASE_URL + reverse(
            "newsletters:unsubscribe", kwargs={"token": unsubscribe_token(subscription=notice.subscription)}
        )
        context = {"newsletter": newsletter, "newsletters_url": settings.BASE_URL + reverse("newsletters:index")}
        context["unsubscribe_url"] = unsubscribe
        subject = f"Welcome to {newsletter.name}"
        sender = newsletter.from_address
        reply_to = [newsletter.reply_to] if newsletter.reply_to else []
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    preferences = reverse("newsletters:preferences", kwargs={"token": preferences_token(subscriber=subscriber)})
    context |= {"site_name": site_name, "subscriber": subscriber, "preferences_url": settings.BASE_URL + preferences}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletters/email/{notice.kind}.txt", context),
        from_email=sender,
        to=[subscriber.email],
        reply_to=reply_to,
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"newsletters/email/{notice.kind}.html", context), "text/html")
    return message


def notice_send(*, notice_id: int) -> str:
    """Send one notice's email; returns its status afterwards. Claimed first (pending or failed, or a sending
    claim older than the task lease: its worker died), so two runs never both send it."""
    Status = Notice.Status
    claimed = outbox.claim(Notice.objects.filter(pk=notice_id))
    notice = Notice.objects.select_related("subscriber", "subscription__newsletter").filter(pk=notice_id).first()
    if notice is None:
        return "deleted"
    if not claimed:
        return notice.status
    if notice.kind != Notice.Kind.CONFIRM and suppressed(email=notice.subscriber.email):
        # Only the confirmation a reader asked for goes to a suppressed address; nothing else does.
        Notice.objects.filter(pk=notice_id).update(status=Status.SKIPPED, claimed_at=None, error="suppressed")
        return Status.SKIPPED
    return outbox.send(
        Notice.objects.filter(pk=notice_id),
        lambda: notice_message(notice=notice),
        label=f"Newsletter notice {notice_id}",
        attempts=notice.attempts,
        max_attempts=NOTICE_MAX_ATTEMPTS,
        retry=lambda delay: notice_queue(notice_id=notice_id, delay=delay),
    )


def notices_resume() -> int:
    """Queue every notice still owed (run when a worker starts: a queue entry may have been lost)."""
    owed = Notice.objects.filter(status__in=[Notice.Status.PENDING, Notice.Status.FAILED, Notice.Status.SENDING])
    ids = list(owed.values_list("pk", flat=True))
    for notice_id in ids:
        notice_queue(notice_id=notice_id)
    return len(ids)
