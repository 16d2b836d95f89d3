"""What the comments pages and the moderation screens read."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from masthead.comments.models import Ban, Comment, CommentSettings, Discussion, Like, ModerationAction

Status = Comment.Status
SORTS = {"newest": "-created_at", "oldest": "created_at", "liked": "-like_count"}


def discussion_open(*, article: Page, settings: CommentSettings) -> bool:
    """Whether the article takes new comments: comments are on, the article is live and neither it nor a
    section above it is closed."""
    if not settings.enabled or not article.live:
        return False
    section_ids = list(article.get_ancestors().values_list("pk", flat=True))
    section_id = getattr(article.specific_deferred, "section_id", None)
    if section_id:
        section_ids += list(Page.objects.get(pk=section_id).get_ancestors(inclusive=True).values_list("pk", flat=True))
    return not Discussion.objects.filter(page_id__in=[article.pk, *section_ids], closed=True).exists()


def comment_count(*, article_id: int) -> int:
    return Discussion.objects.filter(page_id=article_id).values_list("comment_count", flat=True).first() or 0


def comment_counts(ids) -> dict[int, int]:
    return dict(Discussion.objects.filter(page_id__in=list(ids)).values_list("page_id", "comment_count"))


THREADS_PER_PAGE = 50


def thread(*, article: Page, sort: str = "newest", viewer=None, page: int = 1) -> tuple[list[Comment], bool]:
    """Page `page` of the article's top-level comments in the order asked for, each with its replies (oldest
    first), and whether there are more.

    Shown: published comments; deleted or hidden ones only as a placeholder while they have replies shown;
    the viewer's own held comments (marked as waiting)."""
    mine = Q(member=viewer) if viewer is not None and viewer.is_authenticated else Q(pk__in=[])
    visible = Q(status=Status.PUBLISHED) | (mine & Q(status=Status.HELD))
    replies = Comment.objects.filter(visible).select_related("member").order_by("created_at", "pk")
    top = (
        Comment.objects.filter(article=article, parent__isnull=True)
        .filter(visible | Q(status__in=[Status.DELETED, Status.HIDDEN], replies__status=Status.PUBLISHED))
        .distinct()
        .select_related("member")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by(SORTS.get(sort, SORTS["newest"]), "-pk")
    )
    start = (page - 1) * THREADS_PER_PAGE
    shown = list(top[start : start + THREADS_PER_PAGE + 1])
    return shown[:THREADS_PER_PAGE], len(shown) > THREADS_PER_PAGE


def liked_ids(*, viewer, comment_ids) -> set[int]:
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(Like.objects.filter(member=viewer, comment_id__in=comment_ids).values_list("comment_id", flat=True))


def member_recent_comments(*, user, limit: int = 20) -> QuerySet:
    return (
        Comment.objects.filter(member=user)
        .exclude(status=Status.DELETED)
        .select_related("article")
        .order_by("-created_at")[:limit]
    )


def moderation_queue(*, show: str) -> QuerySet:
    """held: waiting for approval; reported: shown with open reports; hidden; all: the latest of every kind."""
    comments = Comment.objects.select_related("member", "article").prefetch_related("reports")
    if show == "held":
        return comments.filter(status=Status.HELD).order_by("created_at")
    if show == "reported":
        return comments.filter(open_reports__gt=0).order_by("-open_reports", "created_at")
    if show == "hidden":
        return comments.filter(status=Status.HIDDEN).order_by("-created_at")
    return comments.order_by("-created_at")


def queue_counts() -> dict[str, int]:
    return {
        "held": Comment.objects.filter(status=Status.HELD).count(),
        "reported": Comment.objects.filter(open_reports__gt=0).count(),
    }


def member_ban_in_force(*, member) -> Ban | None:
    return Ban.objects.filter(Ban.in_force_q(timezone.now()), member=member).order_by("-created_at").first()


def moderation_log(*, member=None, limit: int = 200) -> QuerySet:
    actions = ModerationAction.objects.select_related("actor", "member", "comment", "page")
    if member is not None:
        actions = actions.filter(member=member)
    return actions[:limit]


def article_writer_ids(*, article_id: int) -> set[int]:
    """The user ids bylined on the article (their comments are marked as the author's)."""
    from masthead.newsroom.models import Author

    return set(
        Author.objects.filter(bylines__article_id=article_id, user__isnull=False).values_list("user_id", flat=True)
    )
