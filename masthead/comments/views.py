"""Comments for readers: the discussion of an article as its own page (and as a fragment the article page's
script loads), and the forms members send.

The article page itself never holds comments or forms, so it stays the same for every reader and caches. The
discussion is cacheable too for readers without a session (the same for all of them); a signed-in member's
request, which carries the session cookie, bypasses the caches and gets their forms and CSRF token.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Page, PageViewRestriction

from masthead.comments import selectors, services
from masthead.comments.forms import CommentForm, ReportForm
from masthead.comments.models import MAX_ID, Comment, CommentSettings
from masthead.comments.services import CommentRefused

FRAGMENT = "comments/includes/discussion.html"


def _viewer(request):
    """The signed-in user, or None; the session is read only if the request has one (reading it would make
    every reader's response vary by cookie and uncacheable)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    return request.user if request.user.is_authenticated else None


def _article(article_id: int) -> Page:
    article = Page.objects.live().filter(pk=article_id).first() if article_id < MAX_ID else None
    if article is None or article.specific_class.__name__ != "ArticlePage":
        raise Http404("No such article.")
    article = article.specific_deferred  # its own address (articles answer at /<slug>/, not at their tree path)
    restricted = PageViewRestriction.objects.filter(page__in=article.get_ancestors(inclusive=True)).exists()
    if restricted:
        raise Http404("No such article.")
    return article


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return max(1, int(value)) if value.isdigit() and len(value) <= 6 else 1


def _context(request, article, *, viewer, sort: str, message: str = "", error: bool = False, form=None) -> dict:
    cfg = CommentSettings.for_request(request)
    page = _page_number(request)
    comments, more = selectors.thread(article=article, sort=sort, viewer=viewer, page=page)
    ids = [c.pk for c in comments] + [r.pk for c in comments for r in c.shown_replies]
    ban = selectors.member_ban_in_force(member=viewer) if viewer else None
    return {
        "article": article,
        "comments": comments,
        "count": selectors.comment_count(article_id=article.pk),
        "page": page,
        "more": more,
        "open": selectors.discussion_open(article=article, settings=cfg),
        "viewer": viewer,
        "ban": ban,
        "liked": selectors.liked_ids(viewer=viewer, comment_ids=ids),
        "writers": selectors.article_writer_ids(article_id=article.pk),
        "sort": sort if sort in selectors.SORTS else "newest",
        "sorts": [("newest", "Newest"), ("oldest", "Oldest"), ("liked", "Most liked")],
        "edit_minutes": cfg.edit_minutes,
        "edit_since": timezone.now() - timedelta(minutes=cfg.edit_minutes),
        "max_length": cfg.max_length,
        "message": message,
        "error": error,
        "form": form or CommentForm(),
        "report_reasons": ReportForm.base_fields["reason"].choices,
        "discussion_url": reverse("comments:discussion", args=[article.pk]),
        # Back to the article's comments once signed in.
        "sign_in_url": reverse("account_request_login_code") + "?" + urlencode({"next": f"{article.url}#comments"}),
    }


@require_safe
def discussion(request, article_id: int):
    """GET: the discussion page; `?fragment=items` only its content, for the article page's script."""
    article = _article(article_id)
    viewer = _viewer(request)
    sort = request.GET.get("sort", "newest")
    context = _context(request, article, viewer=viewer, sort=sort)
    if viewer is not None:
        context["messages_list"] = list(messages.get_messages(request))
    template = FRAGMENT if request.GET.get("fragment") == "items" else "comments/discussion.html"
    return TemplateResponse(request, template, context)


def _answer(
    request, article, *, viewer, message: str = "", status: int = 200, anchor: str = "", retry_after=0, form=None
):
    """After a POST: the fragment (for the page's script, which sends `X-Requested-With: fetch`), else a
    redirect back to the discussion (or, for an error, the page with the message)."""
    fetch = _fetch(request)
    error = status >= 400
    sort = request.POST.get("sort") or request.GET.get("sort") or "newest"
    if fetch or error:
        context = _context(request, article, viewer=viewer, sort=sort, message=message, error=error, form=form)
        template = FRAGMENT if fetch else "comments/discussion.html"
        response = HttpResponse(render_to_string(template, context, request=request), status=status)
    else:
        if message:
            messages.success(request, message)
        url = reverse("comments:discussion", args=[article.pk])
        if sort in selectors.SORTS and sort != "newest":
            url += f"?sort={sort}"
        response = redirect(url + (f"#{anchor}" if anchor else "#discussion"))
        response.status_code = 303
    if retry_after:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response


def _member_or_refusal(request, article):
    viewer = _viewer(request)
    if viewer is None:
        return None, _answer(request, article, viewer=None, message="Sign in to comment.", status=403)
    return viewer, None


@require_POST
def post(request, article_id: int):
    article = _article(article_id)
    viewer, refusal = _member_or_refusal(request, article)
    if refusal:
        return refusal
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise CommentRefused(_errors(form))
        comment = services.comment_post(
            member=viewer, article=article, body=form.cleaned_data["body"], parent_id=form.cleaned_data["parent"]
        )
    except CommentRefused as refused:
        return _refused(request, article, viewer, refused, form=form)
    message = (
        "Thank you: your comment will appear once an editor has read it."
        if comment.status == Comment.Status.HELD
        else "Your comment is published."
    )
    return _answer(
        request,
        article,
        viewer=viewer,
        message=message,
        status=201 if _fetch(request) else 200,
        anchor=f"comment-{comment.pk}",
    )


def _fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _refused(request, article, viewer, refused: CommentRefused, *, form=None):
    return _answer(
        request, article, viewer=viewer, message=refused.message, status=refused.status,
        retry_after=refused.retry_after, form=form,
    )  # fmt: skip


def _errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


def _comment_action(action):
    """A POST about one comment: the comment, its (live) article and the signed-in member, or the refusal."""

    @require_POST
    def view(request, comment_id: int):
        comment = Comment.objects.filter(pk=comment_id).first() if comment_id < MAX_ID else None
        if comment is None:
            raise Http404("No such comment.")
        article = _article(comment.article_id)
        viewer, refusal = _member_or_refusal(request, article)
        if refusal:
            return refusal
        try:
            message, anchor = action(request, viewer, comment)
        except CommentRefused as refused:
            return _refused(request, article, viewer, refused)
        return _answer(request, article, viewer=viewer, message=message, anchor=anchor)

    view.__name__ = action.__name__
    return view


@_comment_action
def edit(request, viewer, comment):
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise CommentRefused(_errors(form))
    comment = services.comment_edit(member=viewer, comment=comment, body=form.cleaned_data["body"])
    held = comment.status == Comment.Status.HELD
    return (
        "Saved: it will appear once an editor has read it." if held else "Your comment is saved."
    ), f"comment-{comment.pk}"


@_comment_action
def delete(request, viewer, comment):
    services.comment_delete_own(member=viewer, comment=comment)
    return "Your comment is deleted.", "discussion"


@_comment_action
def like(request, viewer, comment):
    liked = services.comment_like(member=viewer, comment=comment)
    return ("You like this comment." if liked else "Like taken back."), f"comment-{comment.pk}"


@_comment_action
def report(request, viewer, comment):
    form = ReportForm(request.POST)
    if not form.is_valid():
        raise CommentRefused("Choose why you are reporting this comment.")
    services.comment_report(member=viewer, comment=comment, reason=form.cleaned_data["reason"])
    return "Thank you: the editors will look at this comment.", f"comment-{comment.pk}"
