"""The editors' side of comments, in the admin: the moderation queue, a member's record (comments, bans),
the moderation log, and closing an article's or a section's comments. Thin: every change is a service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.admin.auth import permission_required
from wagtail.models import Page

from masthead.comments import selectors, services
from masthead.comments.forms import BanForm
from masthead.comments.models import MAX_ID, Comment, ModerationAction
from masthead.comments.services import CommentRefused
from masthead.members.models import User

MODERATE = "comments.change_comment"
SHOWS = [("held", "Held for approval"), ("reported", "Reported"), ("hidden", "Hidden"), ("all", "All")]
ACTIONS = {
    ModerationAction.Kind.APPROVE: "Approved.",
    ModerationAction.Kind.HIDE: "Hidden.",
    ModerationAction.Kind.RESTORE: "Restored.",
    ModerationAction.Kind.DISMISS: "Reports dismissed.",
    ModerationAction.Kind.DELETE: "Deleted.",
}


def _get_or_404(model, pk: int):
    if pk >= MAX_ID:
        raise Http404
    return get_object_or_404(model, pk=pk)


@permission_required(MODERATE)
def queue(request):
    show = request.GET.get("show", "held")
    if show not in dict(SHOWS):
        show = "held"
    page = Paginator(selectors.moderation_queue(show=show), 50).get_page(
        request.GET.get("p")
    )  # any nonsense gives a valid page
    context = {
        "page_title": "Comments",
        "header_icon": "comment",
        "show": show,
        "shows": SHOWS,
        "counts": selectors.queue_counts(),
        "page_obj": page,
        "here": request.get_full_path(),
    }
    return TemplateResponse(request, "comments/admin/queue.html", context)


@require_POST
@permission_required(MODERATE)
def act(request, comment_id: int):
    comment = _get_or_404(Comment, comment_id)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, "Unknown action.")
    else:
        try:
            services.comment_moderate(
                actor=request.user, comment=comment, action=action, reason=request.POST.get("reason", "")
            )
            messages.success(request, ACTIONS[action])
        except CommentRefused as refused:
            messages.error(request, refused.message)
    return _back(request, reverse("comments_admin:queue"))


def _back(request, default: str):
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return redirect(url)
    return redirect(default)


@permission_required(MODERATE)
def member(request, user_id: int):
    person = _get_or_404(User, user_id)
    form = BanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_ban(actor=request.user, member=person, **form.cleaned_data)
            messages.success(request, f"{person.public_name} can't comment now.")
            return redirect("comments_admin:member", person.pk)
        except CommentRefused as refused:
            form.add_error(None, refused.message)
    context = {
        "page_title": f"Commenter: {person.public_name}",
        "header_icon": "user",
        "person": person,
        "ban": selectors.member_ban_in_force(member=person),
        "comments": Comment.objects.filter(member=person).select_related("article").order_by("-created_at")[:100],
        "form": form,
        "log": selectors.moderation_log(member=person, limit=50),
        "here": request.get_full_path(),
    }
    return TemplateResponse(request, "comments/admin/member.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required(MODERATE)
def member_lift(request, user_id: int):
    person = _get_or_404(User, user_id)
    if services.member_ban_lift(actor=request.user, member=person):
        messages.success(request, f"{person.public_name} can comment again.")
    return redirect("comments_admin:member", person.pk)


@require_POST
@permission_required(MODERATE)
def member_hide_all(request, user_id: int):
    person = _get_or_404(User, user_id)
    hidden = services.member_comments_hide(actor=request.user, member=person, reason=request.POST.get("reason", ""))
    messages.success(request, f"Hid {hidden} comment{'s' if hidden != 1 else ''} by {person.public_name}.")
    return redirect("comments_admin:member", person.pk)


@permission_required(MODERATE)
def log(request):
    page = Paginator(selectors.moderation_log(limit=5000), 100).get_page(
        request.GET.get("p")
    )  # any nonsense gives a valid page
    context = {"page_title": "Moderation log", "header_icon": "list-ul", "page_obj": page}
    return TemplateResponse(request, "comments/admin/log.html", context)


@permission_required(MODERATE)
def discussion(request, page_id: int):
    """Whether a page's (an article's, or a section's) comments are open; POST closes or opens them."""
    page = _get_or_404(Page, page_id)
    if page.specific_class.__name__ not in ("ArticlePage", "SectionPage"):
        raise Http404("Comments are closed or opened on articles and sections.")
    from masthead.comments.models import Discussion

    closed = Discussion.objects.filter(page=page, closed=True).exists()
    if request.method == "POST":
        closed = request.POST.get("closed") == "1"
        services.discussion_close(actor=request.user, page=page, closed=closed)
        messages.success(request, f"Comments on {page.title} are {'closed' if closed else 'open'}.")
        return redirect("comments_admin:discussion", page.pk)
    context = {
        "page_title": f"Comments on {page.title}",
        "header_icon": "comment",
        "target": page,
        "closed": closed,
        "is_section": page.specific_class.__name__ == "SectionPage",
        "count": selectors.comment_count(article_id=page.pk),
    }
    return TemplateResponse(request, "comments/admin/discussion.html", context)
