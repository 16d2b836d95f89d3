"""Comments in the admin: the moderation menu, its views, a Comments button on articles and sections."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import Button

from masthead.comments import admin_views

app_name = "comments_admin"
urlpatterns = [
    path("", admin_views.queue, name="queue"),
    path("c/<int:comment_id>/", admin_views.act, name="act"),
    path("member/<int:user_id>/", admin_views.member, name="member"),
    path("member/<int:user_id>/lift/", admin_views.member_lift, name="member_lift"),
    path("member/<int:user_id>/hide-all/", admin_views.member_hide_all, name="member_hide_all"),
    path("log/", admin_views.log, name="log"),
    path("page/<int:page_id>/", admin_views.discussion, name="discussion"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("comments/", include((urlpatterns, app_name), namespace=app_name))]


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.MODERATE)


@hooks.register("register_admin_menu_item")
def register_comments_menu_item():
    return ModeratorMenuItem("Comments", reverse("comments_admin:queue"), icon_name="comment", order=260)


@hooks.register("register_page_header_buttons")
def comments_button(page, user, view_name, next_url=None):
    if page.specific_class.__name__ in ("ArticlePage", "SectionPage") and user.has_perm(admin_views.MODERATE):
        yield Button("Comments", reverse("comments_admin:discussion", args=[page.pk]), icon_name="comment", priority=80)


class ModerationPanel(Component):
    """On the dashboard of those who moderate: how many comments wait, held and reported."""

    name = "comments_waiting"
    order = 93
    template_name = "comments/admin/dashboard_panel.html"

    def get_context_data(self, parent_context):
        from masthead.comments.selectors import queue_counts

        return {"counts": queue_counts()}


@hooks.register("construct_homepage_panels")
def add_moderation_panel(request, panels):
    if request.user.has_perm(admin_views.MODERATE):
        panels.append(ModerationPanel())


@hooks.register("before_delete_user")
def user_deleted_in_the_admin(request, user):
    """An administrator deletes an account in Settings → Users: its likes leave the counts, as when a member
    deletes their own (their comments stay, anonymised)."""
    from masthead.comments.services import member_comments_anonymise

    member_comments_anonymise(user=user)


@hooks.register("before_bulk_action")
def users_deleted_in_the_admin(request, action_type, objects, action_class_instance):
    if action_type == "delete" and objects and objects[0]._meta.label == "members.User":
        from masthead.comments.services import member_comments_anonymise

        for user in objects:
            member_comments_anonymise(user=user)
