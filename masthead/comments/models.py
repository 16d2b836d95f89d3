"""Members' comments under articles, and what editors do about them.

Glossary: a *discussion* is the comments of one article (closed per article or per section); a *reply* is a
comment on a top-level comment (one level: a reply to a reply joins its thread); *held* comments wait for an
editor's approval (a new member's first, or one the spam rules caught); *hidden* ones an editor took down; a
*ban* stops a member commenting (until a date, or for good); every editor's act is a *moderation action*.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from masthead.outbox import SendStatus

BODY_MAX_HARD = 10_000  # the most any setting allows
MAX_ID = 2**62  # larger numbers in an address are no id (and would overflow SQLite's integers)


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "published"
        HELD = "held", "held for approval"
        HIDDEN = "hidden", "hidden by an editor"
        DELETED = "deleted", "deleted by its writer"

    article = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="comments")
    # Null once the member deleted their account: the comment stays, anonymised.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    held_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    open_reports = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["member", "created_at"], name="comment_member_created"),
            models.Index(fields=["status", "created_at"], name="comment_status_created"),
            models.Index(fields=["open_reports"], name="comment_open_reports", condition=Q(open_reports__gt=0)),
        ]

    def __str__(self):
        return f"Comment {self.pk}"


class Like(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "member"], name="like_once")]

    def __str__(self):
        return f"Like of comment {self.comment_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or hateful"
        OFF_TOPIC = "off_topic", "Off topic"
        FALSE = "false", "False or misleading"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comment_reports"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "member"], name="report_once")]

    def __str__(self):
        return f"Report on comment {self.comment_id} ({self.reason})"


class Ban(models.Model):
    """A member may not comment, reply, edit or like while a ban is in force (no end, or an end to come)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_bans")
    reason = models.CharField(max_length=500)
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until an editor lifts it.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "lifted_at"], name="ban_member")]

    @classmethod
    def in_force_q(cls, now=None) -> Q:
        now = now or timezone.now()
        return Q(lifted_at__isnull=True) & (Q(until__isnull=True) | Q(until__gt=now))

    def __str__(self):
        return f"Ban {self.pk}"


class Discussion(models.Model):
    """Per page (an article or a section): whether its comments are closed, and (articles) how many show."""

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+")
    closed = models.BooleanField(default=False)
    comment_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Comments of page {self.page_id}"


class ModerationAction(models.Model):
    """The audit log: who did what to which comment or member, when and why."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "approved"
        HIDE = "hide", "hid"
        RESTORE = "restore", "restored"
        DELETE = "delete", "deleted"
        DISMISS = "dismiss", "dismissed the reports on"
        BAN = "ban", "banned"
        LIFT = "lift", "lifted the ban on"
        HIDE_ALL = "hide_all", "hid every comment of"
        CLOSE = "close", "closed comments on"
        OPEN = "open", "opened comments on"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderated"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    count = models.PositiveIntegerField(default=1, help_text="How many comments the action touched.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Notice(models.Model):
    """An email owed about a comment (a reply to a member, a comment to an article's author, a report to the
    editors), sent once from its row (masthead/outbox.py)."""

    class Kind(models.TextChoices):
        REPLY = "reply", "a reply to the member's comment"
        ARTICLE = "article", "a comment on the author's article"
        REPORT = "report", "a report to the editors"

    Status = SendStatus

    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "comment", "recipient"], name="notice_once"),
        ]
        indexes = [models.Index(fields=["status"], name="comment_notice_status")]

    def __str__(self):
        return f"Notice {self.pk} ({self.kind})"


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    enabled = models.BooleanField("comments on", default=True, help_text="Off: no article takes new comments.")
    hold_first_comments = models.BooleanField(
        "hold new members' first comment",
        default=False,
        help_text="A member's first comment waits for an editor's approval; later ones appear at once.",
    )
    max_length = models.PositiveIntegerField(
        "longest comment (characters)", default=3000, help_text=f"At most {BODY_MAX_HARD:,}."
    )
    edit_minutes = models.PositiveIntegerField("members may edit for (minutes)", default=15)
    max_links = models.PositiveIntegerField(
        "most links before holding", default=2, help_text="A comment with more links waits for approval."
    )
    per_minute = models.PositiveIntegerField("comments per member per minute", default=3)
    per_hour = models.PositiveIntegerField("comments per member per hour", default=30)

    class Meta:
        verbose_name = "comments"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if not 10 <= self.max_length <= BODY_MAX_HARD:
            errors["max_length"] = f"Between 10 and {BODY_MAX_HARD:,}."
        if self.edit_minutes > 24 * 60:
            errors["edit_minutes"] = "At most a day (1,440 minutes)."
        if not 1 <= self.per_minute <= 1000:
            errors["per_minute"] = "Between 1 and 1,000."
        if not 1 <= self.per_hour <= 10_000:
            errors["per_hour"] = "Between 1 and 10,000."
        if errors:
            raise ValidationError(errors)
