"""The editors' desk in the admin: the article desk and its dashboard panels, authors as snippets, the article
chooser newest first, and a "New article" entry that files the story in this year's folder."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from masthead.newsroom.desk import ArticleDeskViewSet, dashboard_panels
from masthead.newsroom.models import ArticleIndexPage, ArticlePage, ArticleYearPage, Author
from masthead.newsroom.selectors import year_folder
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.tag_admin import TagViewSet, tags_merge


class AuthorPermissionPolicy(ModelPermissionPolicy):
    """The model's permissions, and one more: a person edits the Author profile linked to their staff account."""

    def _own_profile(self, user, action, instance=None) -> bool:
        if action != "change" or not user.is_active:
            return False
        if instance is not None:
            return instance.user_id == user.pk
        return Author.objects.filter(user=user).exists()

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) or self._own_profile(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return super().user_has_permission(user, action) or self._own_profile(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if any(super(AuthorPermissionPolicy, self).user_has_permission(user, action) for action in actions):
            return Author.objects.all()
        return Author.objects.filter(user=user) if "change" in actions and user.is_active else Author.objects.none()


register_permission_policy(Author, AuthorPermissionPolicy(Author))


class AuthorEditView(EditView):
    """Editing is allowed to those who may change any author, or to the person whose profile it is."""

    def get_object(self, queryset=None):
        author = super().get_object(queryset)
        if not self.user_has_permission_for_instance("change", author):
            raise PermissionDenied
        return author


class AuthorViewSet(SnippetViewSet):
    model = Author
    edit_view_class = AuthorEditView
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
register_snippet(TagViewSet)


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
    return [
        path("new-article/", new_article, name="newsroom_new_article"),
        path("tags/merge/", tags_merge, name="newsroom_tags_merge"),
    ]


@hooks.register("register_admin_menu_item")
def register_new_article_menu_item():
    return MenuItem("New article", reverse("newsroom_new_article"), icon_name="doc-full-inverse", order=50)


@hooks.register("register_admin_viewset")
def register_article_desk():
    return ArticleDeskViewSet("article_desk")


@hooks.register("construct_homepage_panels")
def add_desk_panels(request, panels):
    panels.extend(dashboard_panels(user=request.user))


@hooks.register("construct_page_chooser_queryset")
def articles_newest_first(pages, request):
    """The article chooser (lead story, top stories, Editors' Picks, related stories) opens on every live article,
    newest first, instead of the archive's year folders; inside a folder, the newest first too. Searching is
    left as it is (by relevance)."""
    match = request.resolver_match
    if match is None or match.url_name == "wagtailadmin_choose_page_search":
        return pages
    if (
        match.url_name == "wagtailadmin_choose_page"
        and request.GET.get("page_type", "").lower() == "newsroom.articlepage"
    ):
        return ArticlePage.objects.live().defer_streamfields().order_by("-first_published_at", "-pk")
    parent_id = match.kwargs.get("parent_page_id")
    if parent_id and Page.objects.type(ArticleIndexPage, ArticleYearPage).filter(pk=parent_id).exists():
        return pages.order_by("-path")
    return pages


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("newsroom.checks_overridden", "Checks overridden", "Published despite the checks")


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def log_checks_overridden(request, page):
    """An editor published despite the checks before publishing (page_forms.ArticleForm): their reason goes in the
    story's history."""
    overridden = getattr(page, "checks_overridden", None)
    if overridden:
        log(page, "newsroom.checks_overridden", user=request.user, data=overridden)


@hooks.register("before_edit_page")
def changes_requested_banner(request, page):
    """The reporter opening a story sent back sees, at the top, who asked for changes and their note."""
    if request.method != "GET":
        return None
    state = page.current_workflow_state
    if state is None or state.status != state.STATUS_NEEDS_CHANGES:
        return None
    task_state = state.current_task_state
    editor = task_state.finished_by if task_state else None
    who = get_user_display_name(editor) if editor else "An editor"  # as the email names them
    note = f" Their note: “{task_state.comment}”" if task_state and task_state.comment else ""
    messages.warning(
        request,
        f"Changes requested. {who} asks for changes before this story is published.{note}"
        " Make them, then submit it again.",
    )
    return None


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("masthead/admin.css"))
