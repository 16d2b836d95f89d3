"""The editors' desk: authors as snippets, and a "New article" entry that files the story in this year's folder."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsroom.models import Author
from masthead.newsroom.selectors import year_folder
from masthead.newsroom.services import archive_year_ensure


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    menu_order = 60
    add_to_admin_menu = True
    list_display = ["name", "role", "is_staff_member"]
    list_filter = ["is_staff_member"]
    # Searched in the database (a few hundred rows): the search backend, asked for one field, failed on SQLite
    # ("no such column: name") and found no one for a first name.
    search_fields = ["name", "role", "bio", "slug"]
    search_backend_name = None


register_snippet(AuthorViewSet)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("wagtailadmin.access_admin")
def new_article(request):
    """The add form in this year's folder. A GET only looks; the first article of a year starts its folder by POST."""
    year = timezone.localdate().year
    if request.method == "POST":
        folder = archive_year_ensure(year=year)
    else:
        folder = year_folder(year=year)
        if folder is None:
            context = {"year": year, "page_title": "New article", "header_icon": "doc-full-inverse"}
            return TemplateResponse(request, "newsroom/admin/new_article.html", context)
    return redirect("wagtailadmin_pages:add", "newsroom", "articlepage", folder.pk)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("new-article/", new_article, name="newsroom_new_article")]


@hooks.register("register_admin_menu_item")
def register_new_article_menu_item():
    return MenuItem("New article", reverse("newsroom_new_article"), icon_name="doc-full-inverse", order=50)
