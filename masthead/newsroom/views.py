"""Tag and author pages: plain Django views, at Ghost's addresses /tag/<slug>/ and /author/<slug>/; and what
differs per visitor on the (cached) public pages."""

import re

from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import RequestContext, Template
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve
from taggit.models import Tag
from wagtail.models import Page

from masthead.discovery import sharing
from masthead.http_cache import SIGNED_IN_COOKIE
from masthead.newsroom import selectors
from masthead.newsroom.models import ArticleListing, Author, TagDetail


@require_safe
def tag(request, slug):
    tag = get_object_or_404(Tag.objects.select_related("detail__image"), slug=slug)  # one query with its detail
    try:
        detail = tag.detail
    except TagDetail.DoesNotExist:
        detail = None
    articles = selectors.listing_page(ArticleListing.Kind.TAG, tag.pk, request=request)
    share = sharing.tag_share(tag=tag, detail=detail, request=request, page_number=articles.number)
    return render(
        request,
        "newsroom/tag.html",
        {"tag": tag, "detail": detail, "articles": articles, "share": share, "counted": f"tag:{tag.pk}"},
    )


@require_safe
def author(request, slug):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    articles = selectors.listing_page(ArticleListing.Kind.AUTHOR, author.pk, request=request)
    share = sharing.author_share(author=author, request=request, page_number=articles.number)
    context = {"author": author, "articles": articles, "share": share, "counted": f"author:{author.pk}"}
    return render(request, "newsroom/author.html", context)


@require_safe
def web_manifest(request):
    """The web app manifest: the site's name and its icon at the sizes phones ask for."""
    from masthead.newsroom.models import NewsroomSettings

    newsroom_settings = NewsroomSettings.for_request(request)
    image = newsroom_settings.icon
    made = image.renditions_of("icon").get("png", []) if image else []
    icons = [{"src": url, "sizes": f"{width}x{height}", "type": "image/png"} for url, width, height in made[2:]]
    name = newsroom_settings.site.site_name or "Masthead"
    manifest = {"name": name, "short_name": name[:12], "start_url": "/", "display": "browser", "icons": icons}
    return JsonResponse(manifest, content_type="application/manifest+json")


USERBAR = Template("{% load wagtailuserbar %}{% wagtailuserbar %}")


@never_cache
@require_safe
def visitor(request):
    """The per-visitor parts of the page `?page=<id>`, as JSON: its edit link and Wagtail's userbar for staff.

    Public pages are the same bytes for everyone, so they carry none of this; their script asks here when the
    `masthead_signed_in` cookie says someone is signed in.
    """
    page_id = request.GET.get("page", "")
    page = Page.objects.filter(pk=int(page_id)).first() if re.fullmatch(r"[0-9]{1,18}", page_id) else None
    user = request.user
    if not user.is_authenticated:
        response = JsonResponse({"signed_in": False})
        response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")  # the session ended; the page stops asking
        return response
    data = {"signed_in": True, "edit_url": "", "edit_label": "", "userbar": "", "name": user.public_name}
    if page is not None:
        page = page.specific_deferred
        if page.permissions_for_user(user).can_edit():
            data["edit_url"] = reverse("wagtailadmin_pages:edit", args=[page.pk])
            data["edit_label"] = "Edit post" if page._meta.model_name == "articlepage" else "Edit page"
        data["userbar"] = USERBAR.render(RequestContext(request, {"page": page, "self": page}))
    return JsonResponse(data)


@never_cache
@require_safe
def health(request):
    """For load balancers and front caches (deploy/varnish): the app answers and its database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def rendition(request, path, document_root):
    """An image rendition. Its name never changes meaning (a new upload or crop makes new names), so browsers and
    caches may keep it for a year."""
    if len(path) > 255 or "\x00" in path:
        raise Http404("No such picture")  # the file system would refuse the name (an error, not a 404)
    response = serve(request, path, document_root=document_root)
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
