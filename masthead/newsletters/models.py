"""Newsletters, their subscribers and subscriptions, and the emails owed to subscribers (notices).

Words: a *subscriber* is an email address; a *subscription* ties it to one newsletter and is *pending* until
the address's owner confirms it through the signed link, then *active*, or *unsubscribed*. A *notice* is one
email owed to a subscriber (the confirmation request, a welcome): it is recorded first and sent from the record
by the worker, so a retry or a second worker never sends it twice. "Sent" means the mail server accepted it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from masthead.outbox import SendStatus


class Newsletter(models.Model):
    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        OCCASIONAL = "occasional", "When there is news"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="One or two sentences: what a subscriber gets.")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    sender_name = models.CharField(max_length=100, blank=True, help_text="Defaults to the site's name.")
    sender_email = models.EmailField(blank=True, help_text="Defaults to the site's sending address.")
    reply_to = models.EmailField(blank=True)
    is_public = models.BooleanField(
        "listed", default=True, help_text="Shown on the Newsletters page and in the sign-up forms."
    )
    sort_order = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first.")
    archived = models.BooleanField(default=False, help_text="No longer sent; nobody can subscribe.")
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("cadence"),
        MultiFieldPanel([FieldPanel("sender_name"), FieldPanel("sender_email"), FieldPanel("reply_to")], "Sender"),
        MultiFieldPanel([FieldPanel("is_public"), FieldPanel("sort_order"), FieldPanel("archived")], "Listing"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def from_address(self) -> str:
        from email.utils import formataddr

        name = self.sender_name or settings.WAGTAIL_SITE_NAME
        return formataddr((name, self.sender_email or settings.DEFAULT_FROM_EMAIL))


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("email", read_only=True)]

    def __str__(self):
        return self.email

    @property
    def active_list(self) -> str:
        """The newsletters this address receives (for the admin's list; prefetch the subscriptions)."""
        active = [s.newsletter.name for s in self.subscriptions.all() if s.status == Subscription.Status.ACTIVE]
        return ", ".join(sorted(active)) or "—"


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="subscriptions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "newsletter"], name="subscription_once")]
        indexes = [models.Index(fields=["newsletter", "status"], name="subscription_by_status")]

    def __str__(self):
        return f"{self.subscriber} → {self.newsletter} ({self.status})"


class Notice(models.Model):
    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Confirmation request"
        WELCOME = "welcome", "Welcome"

    Status = SendStatus

    kind = models.CharField(max_length=20, choices=Kind.choices)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="notices")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # A subscription is welcomed once, however often it is confirmed or the worker retries.
            models.UniqueConstraint(fields=["subscription"], condition=Q(kind="welcome"), name="welcome_once")
        ]
        indexes = [models.Index(fields=["subscriber", "kind", "created_at"], name="notice_recent")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.subscriber} ({self.status})"


class Suppression(models.Model):
    """An address that must not get newsletters: it bounced, its owner marked our email as spam, or an editor
    stopped it. Its subscriptions end with it; signing up again sends one confirmation email, and confirming
    (which proves the address works and is wanted) lifts the suppression."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"
        MANUAL = "manual", "Stopped by an editor"

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("email"), FieldPanel("reason")]

    def __str__(self):
        return f"{self.email} ({self.get_reason_display().lower()})"
