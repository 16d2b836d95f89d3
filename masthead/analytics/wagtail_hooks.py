"""The editors' dashboard in the admin (Analytics in the menu) and its CSV export."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.analytics import dashboard


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    """What readers read in a period: views per day and per hour, top stories, sources and referrers, newsletter
    sign-ups, narration plays and comments. `?format=csv` gives the same figures as a file."""

    template_name = "analytics/admin/dashboard.html"
    page_title = "Analytics"
    header_icon = "view"

    def get(self, request, *args, **kwargs):
        self.form, period = dashboard.period_from(request.GET)
        self.figures = dashboard.figures(period)
        if request.GET.get("format") == "csv":
            response = HttpResponse(dashboard.csv_text(self.figures), content_type="text/csv; charset=utf-8")
            name = f"masthead-analytics-{period.first.isoformat()}-{period.last.isoformat()}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query["format"] = "csv"
        return super().get_context_data(
            form=self.form,
            presets=dashboard.presets(),
            time_zone=settings.TIME_ZONE,
            csv_query=query.urlencode(),
            **self.figures,
            **kwargs,
        )


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("analytics/", DashboardView.as_view(), name="analytics_dashboard")]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MenuItem("Analytics", reverse("analytics_dashboard"), icon_name="view", order=250)
