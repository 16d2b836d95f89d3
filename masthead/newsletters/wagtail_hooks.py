"""The newsletters in the admin: the newsletters editors order, describe and archive, with their subscriber
counts, and the subscribers (searchable, filtered by newsletter and status), under one "Newsletters" menu."""

import re
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.newsletters import selectors, sending
from masthead.newsletters.models import Issue, Newsletter, Subscriber, Subscription, Suppression
from masthead.newsletters.rendering import NothingToSend


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


class IssueForm(WagtailAdminModelForm):
    """An issue is edited until it goes out; after that its record stays as it was sent."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # A posted id that is not one (text, SQL, 40 digits) becomes an id no row has: the form then says
            # "Select a valid choice", where Wagtail's chooser (looking the text up to show it) and SQLite (an
            # integer too large) would answer 500.
            data = data.copy()
            for name in [key for key in data if key in ("newsletter", "article") or key.endswith("-article")]:
                if data[name] and not re.fullmatch(r"[0-9]{1,18}", str(data[name])):
                    data[name] = "0"
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            raise forms.ValidationError("This issue has gone out and can no longer change: make a new one.")
        return cleaned


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "mail"
    menu_label = "Issues"
    list_display = [
        "subject_line",
        "newsletter",
        Column("get_kind_display", label="Kind"),
        Column("get_status_display", label="Status"),
        DateColumn("when", label="Sent or due"),
        Column("recipients", label="Recipients"),
    ]
    list_filter = ["newsletter", "kind", "status"]
    ordering = ["-created_at"]
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(Issue.panels, base_form_class=IssueForm)

    def get_queryset(self, request):
        return Issue.objects.select_related("newsletter", "article").order_by("-created_at")


class NewslettersGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, IssueViewSet, SubscriberViewSet, SuppressionViewSet)
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
        return super().get_context_data(
            figures=selectors.subscribers_by_week(weeks=12), issues=selectors.issues_figures(limit=30), **kwargs
        )


def _may_see_figures(user) -> bool:
    return user.has_perm("newsletters.view_newsletter")


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_see_figures(request.user)


class IssueSendView(WagtailAdminTemplateMixin, TemplateView):
    """One issue's page of actions: its preview, a test send to one address, Send (now, or at its time), Cancel,
    and its figures once it is going out."""

    template_name = "newsletters/admin/issue_send.html"
    header_icon = "mail"

    def dispatch(self, request, pk):
        self.issue = get_object_or_404(Issue.objects.select_related("newsletter", "article"), pk=pk)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return f"Send: {self.issue.subject_line}"

    def get_context_data(self, **kwargs):
        issue = self.issue
        return super().get_context_data(
            issue=issue,
            audience=selectors.issue_audience(newsletter=issue.newsletter),
            figures=sending.issue_figures(issue=issue) if issue.started_at else None,
            test_address=self.request.POST.get("email", self.request.user.email),
            **kwargs,
        )

    def post(self, request, pk):
        action = request.POST.get("action")
        issue = self.issue
        if action == "test":
            email = request.POST.get("email", "").strip()
            try:
                validate_email(email)
            except ValidationError:
                messages.error(request, "Give one valid email address for the test.")
                return self.get(request, pk)
            from masthead.newsletters.tasks import issue_test_send_task

            issue_test_send_task.enqueue(issue_id=issue.pk, email=email)
            messages.success(request, f"A test of this issue is on its way to {email}.")
        elif action == "send":
            try:
                issue = sending.issue_send(issue=issue)
            except sending.NotSendable as error:
                messages.error(request, str(error))
            else:
                if issue.send_at > timezone.now() + timedelta(seconds=1):
                    when = timezone.localtime(issue.send_at)
                    messages.success(request, f"Scheduled for {when:%d %B %Y, %H:%M}.")
                else:
                    messages.success(request, "Sending has started.")
        elif action == "cancel":
            unsent = sending.issue_cancel(issue=issue)
            messages.success(request, f"Cancelled; {unsent} email{'s' if unsent != 1 else ''} will not be sent.")
        else:
            messages.error(request, "Choose an action.")
        return redirect("newsletters_issue_send", pk=issue.pk)


@permission_required("newsletters.view_issue")
def issue_preview(request, pk):
    """The issue's email as a subscriber gets it (HTML, or `?format=text`): as it would go out now while a draft,
    as it went out once sent; greeted with the editor's own first name."""
    issue = get_object_or_404(Issue.objects.select_related("newsletter", "article"), pk=pk)
    try:
        subject, html, text = sending.issue_preview(issue=issue, name=request.user.first_name)
    except NothingToSend:
        return HttpResponse("This issue has no live article to show yet.", content_type="text/plain; charset=utf-8")
    if request.GET.get("format") == "text":
        return HttpResponse(f"Subject: {subject}\n\n{text}", content_type="text/plain; charset=utf-8")
    return HttpResponse(html)


@hooks.register("register_admin_urls")
def figures_urls():
    view = user_passes_test(_may_see_figures)(FiguresView.as_view())
    send = permission_required("newsletters.send_issue")(IssueSendView.as_view())
    return [
        path("newsletters/figures/", view, name="newsletters_figures"),
        path("newsletters/issues/<int:pk>/send/", send, name="newsletters_issue_send"),
        path("newsletters/issues/<int:pk>/preview/", issue_preview, name="newsletters_issue_preview"),
    ]


@hooks.register("register_snippet_listing_buttons")
def issue_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Issue) and user.has_perm("newsletters.send_issue"):
        label = "Send…" if snippet.status in (Issue.Status.DRAFT, Issue.Status.SCHEDULED) else "Figures"
        yield Button(label, reverse("newsletters_issue_send", args=[snippet.pk]), icon_name="mail", priority=5)


@hooks.register("register_reports_menu_item")
def figures_menu_item():
    return FiguresMenuItem("Newsletter figures", reverse("newsletters_figures"), icon_name="table", order=900)


@hooks.register("after_create_snippet")
def issue_author(request, instance):
    if isinstance(instance, Issue):
        Issue.objects.filter(pk=instance.pk).update(created_by=request.user)


@hooks.register("after_edit_snippet")
def issue_rescheduled(request, instance):
    """A scheduled issue given a new time: queue its start for that time (the task queued for the old time
    finds it not yet due and does nothing)."""
    if isinstance(instance, Issue) and instance.status == Issue.Status.SCHEDULED:
        sending.issue_start_queue(issue_id=instance.pk, when=instance.send_at)
