"""Newsletters, their subscribers and subscriptions, and the emails owed to subscribers (notices).

Words: a *subscriber* is an email address; a *subscription* ties it to one newsletter and is *pending* until
the address's owner confirms it through the signed link, then *active*, or *unsubscribed*. A *notice* is one
email owed to a subscriber (the confirmation request, a welcome): it is recorded first and sent from the record
by the worker, so a retry or a second worker never sends it twice. "Sent" means the mail server accepted it.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

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
        from email.utils import formataddr, parseaddr

        # DEFAULT_FROM_EMAIL may be a whole "Name <address>": only its address is taken.
        address = self.sender_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        return formataddr((self.sender_name or settings.WAGTAIL_SITE_NAME, address))


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=100, blank=True, help_text="For the greeting; only if the reader gave it.")
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("email", read_only=True), FieldPanel("name")]

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


class Issue(ClusterableModel):
    """One email a newsletter sends to all its subscribers: a published article as it is, a digest of chosen
    articles, or the News Feed of the last day. Sent now or at `send_at`; its deliveries are made when sending
    starts, from the subscriptions active then.

    An article's issue is the record of the decision "send this article to this newsletter", made once when the
    article is published (a unique row per article and newsletter): publishing it again, or a second run of
    the scheduler, finds the row and sends nothing more."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "One article"
        DIGEST = "digest", "A digest of chosen articles"
        FEED = "feed", "The last day's News Feed"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIGEST)
    subject = models.CharField(
        max_length=200, blank=True, help_text="Defaults to the article's headline, or the newsletter's name and date."
    )
    intro = models.TextField(blank=True, help_text="A few lines from the editors at the top of the email.")
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_issues",
        help_text="For “One article”.",
    )
    send_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty to send when you press Send.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0, editable=False)
    # Senders take the deliveries in ranges of ids, handed out by this row (see sending._Rows.claim).
    claimed_to = models.BigIntegerField(default=0, editable=False)
    last_delivery = models.BigIntegerField(default=0, editable=False)
    note = models.CharField(max_length=300, blank=True, editable=False, help_text="Why it was not sent.")
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Rendered once when sending starts, with placeholders for each recipient's greeting and links: every
    # worker sends the same email, and a restart after a crash does not render it again.
    rendered_subject = models.CharField(max_length=200, blank=True, editable=False)
    rendered_html = models.TextField(blank=True, editable=False)
    rendered_text = models.TextField(blank=True, editable=False)

    panels = [
        FieldPanel("newsletter", widget=forms.Select),
        FieldPanel("kind"),
        FieldPanel("subject"),
        FieldPanel("intro"),
        FieldPanel("article"),
        InlinePanel("stories", label="Articles of a digest", help_text="In the order they appear."),
        FieldPanel("send_at"),
    ]

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_issue", "Can send an issue to its subscribers")]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "newsletter"], condition=Q(kind="article"), name="article_sent_once"
            )
        ]
        indexes = [models.Index(fields=["status", "send_at"], name="issue_due")]

    def __str__(self):
        return self.subject_line

    @property
    def when(self):
        """When it went out, or is due to."""
        return self.started_at or self.send_at

    @property
    def subject_line(self) -> str:
        if self.rendered_subject:
            return self.rendered_subject
        if self.subject:
            return self.subject
        if self.kind == self.Kind.ARTICLE and self.article_id:
            return self.article.title
        return f"{self.newsletter.name}, {timezone.localdate(self.send_at or timezone.now()):%B %-d, %Y}"

    subject_line.fget.short_description = "Subject"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.ARTICLE and not self.article_id:
            raise ValidationError({"article": "Choose the article to send."})
        if self.kind != self.Kind.ARTICLE and self.article_id:
            raise ValidationError({"article": "Only “One article” sends a single article; add it to the digest."})
        if self.newsletter_id and self.newsletter.archived:
            raise ValidationError({"newsletter": "This newsletter is archived: it sends nothing."})


class IssueStory(Orderable):
    """An article in a digest, in the editors' order."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="stories")
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("article")]


class Delivery(models.Model):
    """One issue to one subscriber: made for every recipient when sending starts, unique per (issue,
    subscriber), and sent from this row (see `sending.py`: the row is marked sent in the same instant the mail
    server is told to take the message, so a worker killed at any point, and the worker that takes over, send
    each recipient the issue once)."""

    Status = SendStatus

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)  # through this email's link
    opened_at = models.DateTimeField(null=True, blank=True)  # only with MASTHEAD_NEWSLETTER_TRACKING
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        # No index on the status: a row changes it twice as it is sent, and on PostgreSQL an update that touches
        # no indexed column stays on its page (HOT) instead of writing to every index. Senders find rows by id
        # ranges (the primary key); retries and figures read the issue's rows through the constraint's index.
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="delivered_once")]

    def __str__(self):
        return f"{self.issue} to {self.subscriber} ({self.status})"
