"""What changes comments: members writing, replying, liking, editing, deleting and reporting; editors
moderating, banning and closing discussions. Every refusal is a `CommentRefused` with the reader's message."""

import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from wagtail.models import Page

from masthead import outbox
from masthead.comments.models import (
    BODY_MAX_HARD,
    Ban,
    Comment,
    CommentSettings,
    Discussion,
    Like,
    ModerationAction,
    Notice,
    Report,
)
from masthead.comments.selectors import member_ban_in_force
from masthead.members.text import text_clean
from masthead.ratelimit import rate_limit_hit

Status = Comment.Status
Kind = ModerationAction.Kind
LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
REPEAT_WINDOW = timedelta(hours=24)
NOTICE_MAX_ATTEMPTS = 8


class CommentRefused(Exception):
    """What the member asked cannot be done; `message` says why, `status` is the HTTP status to answer with,
    `retry_after` the seconds to wait (rate limits)."""

    def __init__(self, message: str, *, status: int = 400, retry_after: int = 0):
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after


def comment_settings(*, page: Page | None = None) -> CommentSettings:
    site = page.get_site() if page is not None else None
    if site is None:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
    return CommentSettings.for_site(site)


# --- members ---------------------------------------------------------------------------------------------


def comment_post(*, member, article: Page, body: str, parent_id: int | None = None) -> Comment:
    """A member's comment (or reply) on an article: published, or held for approval (a new member's first
    when the setting says so, or one with many links)."""
    from masthead.comments.selectors import discussion_open

    cfg = comment_settings(page=article)
    if not discussion_open(article=article, settings=cfg):
        raise CommentRefused("Comments on this article are closed.", status=403)
    _may_write(member)
    body = _body_clean(body, cfg)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, article_id=article.pk).first()
        if parent is None or parent.status != Status.PUBLISHED:
            raise CommentRefused("The comment you replied to is no longer there.", status=404)
        parent = parent.parent or parent  # one level of replies: a reply to a reply joins its thread
    if Comment.objects.filter(member=member, body=body, created_at__gte=timezone.now() - REPEAT_WINDOW).exists():
        raise CommentRefused("You have posted this comment already.", status=409)
    _rate_limit(member, cfg)
    held_reason = _held_reason(member, body, cfg)
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            member=member,
            parent=parent,
            body=body,
            status=Status.HELD if held_reason else Status.PUBLISHED,
            held_reason=held_reason,
        )
        if comment.status == Status.PUBLISHED:
            _published(comment)
    return comment


def comment_edit(*, member, comment: Comment, body: str) -> Comment:
    cfg = comment_settings(page=comment.article)
    if comment.member_id != member.pk:
        raise CommentRefused("You can edit only your own comments.", status=403)
    if comment.status not in (Status.PUBLISHED, Status.HELD):
        raise CommentRefused("This comment can no longer be edited.", status=403)
    _may_write(member)
    if timezone.now() > comment.created_at + timedelta(minutes=cfg.edit_minutes):
        raise CommentRefused(f"Comments can be edited for {cfg.edit_minutes} minutes after posting.", status=403)
    body = _body_clean(body, cfg)
    with transaction.atomic():
        links_held = len(LINK.findall(body)) > cfg.max_links
        update = {"body": body, "edited_at": timezone.now()}
        if links_held and comment.status == Status.PUBLISHED:
            update |= {"status": Status.HELD, "held_reason": "more links than allowed"}
        Comment.objects.filter(pk=comment.pk).update(**update)
        comment.refresh_from_db()
        _changed(article_id=comment.article_id)
    return comment


def comment_delete_own(*, member, comment: Comment) -> None:
    """The writer takes their comment down: its text is gone; a thread's first comment keeps its place (as
    "deleted") while it has replies."""
    if comment.member_id != member.pk:
        raise CommentRefused("You can delete only your own comments.", status=403)
    if comment.status == Status.DELETED:
        return
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(status=Status.DELETED, body="", open_reports=0)
        Report.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=timezone.now())
        _changed(article_id=comment.article_id)


def comment_like(*, member, comment: Comment) -> bool:
    """Like the comment, or take the like back: returns whether the member now likes it."""
    _may_write(member)
    if comment.status != Status.PUBLISHED:
        raise CommentRefused("This comment can't be liked.", status=404)
    with transaction.atomic():
        deleted, _ = Like.objects.filter(comment=comment, member=member).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") - 1)
            liked = False
        else:
            try:
                with transaction.atomic():
                    Like.objects.create(comment=comment, member=member)
            except IntegrityError:  # a second click that raced the first
                return True
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
            liked = True
        _pages_purge(comment.article_id)
    return liked


def comment_report(*, member, comment: Comment, reason: str) -> Report:
    """A reader flags a comment for the editors, once; the editors get an email and the comment joins the
    moderation queue."""
    if reason not in Report.Reason.values:
        raise CommentRefused("Choose why you are reporting this comment.")
    if comment.member_id == member.pk:
        raise CommentRefused("You can't report your own comment.", status=403)
    if comment.status != Status.PUBLISHED:
        raise CommentRefused("This comment is no longer shown.", status=404)
    wait = rate_limit_hit(scope="comment-report", key=str(member.pk), limit=20, seconds=3600)
    if wait:
        raise CommentRefused(
            "You have sent many reports; please wait before sending more.", status=429, retry_after=wait
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = Report.objects.create(comment=comment, member=member, reason=reason)
        except IntegrityError:
            raise CommentRefused("You have reported this comment already. Thank you.", status=409) from None
        Comment.objects.filter(pk=comment.pk).update(open_reports=F("open_reports") + 1)
        _notice(Notice.Kind.REPORT, comment=comment, report=report)
    return report


def _may_write(member) -> None:
    if not member.is_active:
        raise CommentRefused("Sign in to comment.", status=403)
    ban = member_ban_in_force(member=member)
    if ban is not None:
        until = f" until {timezone.localtime(ban.until):%B %-d, %Y %H:%M}" if ban.until else ""
        raise CommentRefused(f"You can't comment{until}: {ban.reason}", status=403)


def _body_clean(body, cfg) -> str:
    if not isinstance(body, str):
        raise CommentRefused("Write your comment.")
    body = text_clean(body[: BODY_MAX_HARD * 2])
    if not body:
        raise CommentRefused("Write your comment.")
    limit = min(cfg.max_length, BODY_MAX_HARD)
    if len(body) > limit:
        raise CommentRefused(f"Comments can be at most {limit:,} characters; this one has {len(body):,}.")
    return body


def _rate_limit(member, cfg) -> None:
    for scope, limit, seconds, words in (
        ("comment-minute", cfg.per_minute, 60, "a minute"),
        ("comment-hour", cfg.per_hour, 3600, "an hour"),
    ):
        wait = rate_limit_hit(scope=scope, key=str(member.pk), limit=limit, seconds=seconds)
        if wait:
            raise CommentRefused(
                f"You can post {limit} comments in {words}. Please wait {wait} seconds.", status=429, retry_after=wait
            )


def _held_reason(member, body: str, cfg) -> str:
    if len(LINK.findall(body)) > cfg.max_links:
        return "more links than allowed"
    if cfg.hold_first_comments and not Comment.objects.filter(member=member, status=Status.PUBLISHED).exists():
        return "a new member's first comment"
    return ""


def _published(comment: Comment) -> None:
    """A comment became visible: its article's count, the cached comments page, and the emails it causes."""
    _changed(article_id=comment.article_id)
    if comment.parent_id:
        parent_member = Comment.objects.filter(pk=comment.parent_id).values_list("member", flat=True).first()
        if parent_member and parent_member != comment.member_id:
            _notice(Notice.Kind.REPLY, comment=comment, recipient_id=parent_member)
    from masthead.newsroom.models import Author

    writers = Author.objects.filter(bylines__article_id=comment.article_id, user__isnull=False).values_list(
        "user", flat=True
    )
    for user_id in set(writers) - {comment.member_id}:
        _notice(Notice.Kind.ARTICLE, comment=comment, recipient_id=user_id)


def _changed(*, article_id: int) -> None:
    """Comments of the article changed: its count, and its cached discussion page."""
    discussion_recount(article_id=article_id)
    _pages_purge(article_id)


def discussion_recount(*, article_id: int) -> int:
    visible = Comment.objects.filter(article_id=article_id, status=Status.PUBLISHED).count()
    Discussion.objects.update_or_create(page_id=article_id, defaults={"comment_count": visible})
    return visible


def _pages_purge(article_id: int) -> None:
    from django.urls import reverse

    from masthead.newsroom.services import pages_purge

    pages_purge(paths={reverse("comments:discussion", args=[article_id])})


# --- emails -----------------------------------------------------------------------------------------------


def _notice(kind: str, *, comment: Comment, recipient_id: int | None = None, report: Report | None = None) -> None:
    notice, created = Notice.objects.get_or_create(kind=kind, comment=comment, recipient_id=recipient_id, report=report)
    if created:
        transaction.on_commit(lambda: notice_queue(notice_id=notice.pk))


def notice_queue(*, notice_id: int, delay: timedelta | None = None) -> None:
    from masthead.comments.tasks import comment_notice_task

    outbox.enqueue(comment_notice_task, delay=delay, notice_id=notice_id)


def notice_send(*, notice_id: int) -> str:
    """Send one notice's email, once; a member who turned such emails off (or left) gets none."""
    from masthead.comments.emails import notice_message

    rows = Notice.objects.filter(pk=notice_id)
    claimed = outbox.claim(rows)
    notice = rows.select_related("comment", "recipient", "report").first()
    if notice is None:
        return "deleted"
    if not claimed:
        return notice.status
    message = notice_message(notice=notice)
    if message is None:
        rows.update(status=Notice.Status.SKIPPED, claimed_at=None)
        return Notice.Status.SKIPPED
    return outbox.send(
        rows,
        lambda: message,
        label=f"Comment notice {notice_id}",
        attempts=notice.attempts,
        max_attempts=NOTICE_MAX_ATTEMPTS,
        retry=lambda delay: notice_queue(notice_id=notice_id, delay=delay),
    )


def notices_resume() -> int:
    """Queue every notice still owed (run when a worker starts: a queue entry may have been lost)."""
    waiting = [Notice.Status.PENDING, Notice.Status.FAILED, Notice.Status.SENDING]
    ids = list(Notice.objects.filter(status__in=waiting).values_list("pk", flat=True))
    for notice_id in ids:
        notice_queue(notice_id=notice_id)
    return len(ids)


# --- editors ----------------------------------------------------------------------------------------------


def comment_moderate(*, actor, comment: Comment, action: str, reason: str = "") -> None:
    """approve (a held comment), hide, restore (a hidden one), dismiss (its reports), delete (for good)."""
    now = timezone.now()
    reason = text_clean(str(reason), newlines=False)[:500]
    with transaction.atomic():
        if action == Kind.DELETE:
            ModerationAction.objects.create(
                kind=action, actor=actor, member_id=comment.member_id, page_id=comment.article_id, reason=reason
            )
            article_id = comment.article_id
            comment.delete()
            _changed(article_id=article_id)
            return
        was_held = comment.status == Status.HELD
        if action == Kind.APPROVE:
            if comment.status not in (Status.HELD, Status.HIDDEN):
                raise CommentRefused("Only held or hidden comments can be approved.")
            update = {"status": Status.PUBLISHED, "held_reason": ""}
        elif action == Kind.RESTORE:
            if comment.status != Status.HIDDEN:
                raise CommentRefused("Only hidden comments can be restored.")
            update = {"status": Status.PUBLISHED}
        elif action == Kind.HIDE:
            if comment.status == Status.DELETED:
                raise CommentRefused("Its writer deleted this comment already.")
            update = {"status": Status.HIDDEN}
        elif action == Kind.DISMISS:
            update = {}
        else:
            raise CommentRefused(f"Unknown action {action!r}.")
        update["open_reports"] = 0
        Comment.objects.filter(pk=comment.pk).update(**update)
        Report.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=now)
        ModerationAction.objects.create(
            kind=action,
            actor=actor,
            comment=comment,
            member_id=comment.member_id,
            page_id=comment.article_id,
            reason=reason,
        )
        comment.refresh_from_db()
        if was_held and comment.status == Status.PUBLISHED:
            _published(comment)
        else:
            _changed(article_id=comment.article_id)


def member_ban(*, actor, member, reason: str, until: datetime | None = None, hide_all: bool = False) -> Ban:
    """Stop a member commenting (until `until`, or until lifted); `hide_all` also hides every comment they have
    written, in one action."""
    reason = text_clean(str(reason), newlines=False)[:500]
    if not reason:
        raise CommentRefused("Give the reason: the member is shown it.")
    if until is not None and until <= timezone.now():
        raise CommentRefused("The end of the ban must be in the future.")
    if member.is_newsroom_staff:
        raise CommentRefused("Staff can't be banned from commenting; change their account in the admin instead.")
    with transaction.atomic():
        Ban.objects.filter(Ban.in_force_q(), member=member).update(lifted_at=timezone.now())
        ban = Ban.objects.create(member=member, reason=reason, until=until, created_by=actor)
        ModerationAction.objects.create(kind=Kind.BAN, actor=actor, member=member, reason=reason)
        if hide_all:
            member_comments_hide(actor=actor, member=member, reason=reason)
    return ban


def member_ban_lift(*, actor, member) -> int:
    with transaction.atomic():
        lifted = Ban.objects.filter(Ban.in_force_q(), member=member).update(lifted_at=timezone.now())
        if lifted:
            ModerationAction.objects.create(kind=Kind.LIFT, actor=actor, member=member)
    return lifted


def member_comments_hide(*, actor, member, reason: str = "") -> int:
    """Hide every comment the member has written that readers can see or that waits (one action in the log)."""
    with transaction.atomic():
        shown = Comment.objects.filter(member=member, status__in=[Status.PUBLISHED, Status.HELD])
        articles = set(shown.values_list("article_id", flat=True))
        hidden = shown.update(status=Status.HIDDEN, open_reports=0)
        Report.objects.filter(comment__member=member, resolved_at__isnull=True).update(resolved_at=timezone.now())
        ModerationAction.objects.create(kind=Kind.HIDE_ALL, actor=actor, member=member, reason=reason, count=hidden)
        for article_id in articles:
            _changed(article_id=article_id)
    return hidden


def discussion_close(*, actor, page: Page, closed: bool) -> None:
    """Close (or open again) the comments of an article, or of every article in a section."""
    with transaction.atomic():
        Discussion.objects.update_or_create(page_id=page.pk, defaults={"closed": closed})
        ModerationAction.objects.create(kind=Kind.CLOSE if closed else Kind.OPEN, actor=actor, page=page)
    _pages_purge(page.pk)


def member_comments_anonymise(*, user) -> None:
    """Before a member's account is deleted: their likes leave the counts; their comments lose their writer
    (the foreign key empties itself) and keep their place."""
    liked = list(Like.objects.filter(member=user).values_list("comment_id", flat=True))
    Like.objects.filter(member=user).delete()
    if liked:
        counts = dict(
            Like.objects.filter(comment_id__in=liked)
            .values("comment_id")
            .annotate(n=Count("pk"))
            .values_list("comment_id", "n")
        )
        for comment_id in liked:
            Comment.objects.filter(pk=comment_id).update(like_count=counts.get(comment_id, 0))
    Report.objects.filter(member=user).update(member=None)
    ModerationAction.objects.filter(member=user).update(member=None)
    Comment.objects.filter(member=user).update(member=None)
