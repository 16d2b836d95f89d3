"""The newsletters in the admin: the newsletters editors order, describe and archive, with their subscriber
counts, and the subscribers (searchable, filtered by newsletter and status), under one "Newsletters" menu."""

from django.db.models import Count, Q
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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
