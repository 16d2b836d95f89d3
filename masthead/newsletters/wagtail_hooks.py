"""The newsletters in the admin: the newsletters editors order, describe and archive, with their subscriber
counts, and the subscribers (searchable, filtered by newsletter and status), under one "Newsletters" menu."""

from django.contrib.auth.decorators import user_passes_test
from django.db.models import Count, Q
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.newsletters import selectors
from masthead.newsletters.models import Newsletter, Subscriber, Subscription, Suppression


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    list_display = [
        "name",
        "cadence",
        Column("active_count", label="Subscribers", sort_key="active_count"),
        Column("pending_count", label="Waiting to confirm", sort_key="pending_count"),
        "is_public",
        "archived",
    ]
    list_filter = ["cadence", "is_public", "archived"]
    ordering = ["sort_order", "name"]

    def get_queryset(self, request):
        counted = Newsletter.objects.annotate(
            active_count=Count("subscriptions", filter=Q(subscriptions__status=Subscription.Status.ACTIVE)),
            pending_count=Count("subscriptions", filter=Q(subscriptions__status=Subscription.Status.PENDING)),
        )
        return counted.order_by("sort_order", "name")


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "user"
    menu_label = "Subscribers"
    list_display = ["email", Column("active_list", label="Subscribed to"), "created_at"]
    list_filter = {"subscriptions__newsletter": ["exact"], "subscriptions__status": ["exact"]}
    search_fields = ["email"]
    ordering = ["-created_at"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Subscriber.objects.prefetch_related("subscriptions__newsletter").order_by("-created_at")


class SuppressionViewSet(SnippetViewSet):
    model = Suppression
    icon = "warning"
    menu_label = "Suppression list"
    list_display = ["email", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]
    ordering = ["-created_at"]
    copy_view_enabled = False


class NewslettersGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, SubscriberViewSet, SuppressionViewSet)
    menu_icon = "mail"
    menu_label = "Newsletters"
    menu_order = 250


register_snippet(NewslettersGroup)


class FiguresView(WagtailAdminTemplateMixin, TemplateView):
    """Subscribers over time, per newsletter: who started and who left, week by week."""

    template_name = "newsletters/admin/figures.html"
    page_title = "Newsletter figures"
    header_icon = "table"

    def get_context_data(self, **kwargs):
        return super().get_context_data(figures=selectors.subscribers_by_week(weeks=12), **kwargs)


def _may_see_figures(user) -> bool:
    return user.has_perm("newsletters.view_newsletter")


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_see_figures(request.user)


@hooks.register("register_admin_urls")
def figures_urls():
    view = user_passes_test(_may_see_figures)(FiguresView.as_view())
    return [path("newsletters/figures/", view, name="newsletters_figures")]


@hooks.register("register_reports_menu_item")
def figures_menu_item():
    return FiguresMenuItem("Newsletter figures", reverse("newsletters_figures"), icon_name="table", order=900)
