"""The other pages of the site: the News Feed, the Team, standard pages, jobs and the opinion form."""

from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from masthead.newsroom.blocks import RICH_TEXT_FEATURES


class NewsFeedPage(Page):
    """Every news-feed item, newest first, with "load more" pagination."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "news feed"

    def get_context(self, request, *args, **kwargs):
        from masthead.newsroom import selectors

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.paginate(selectors.news_feed_articles(), request=request, per_page=20)
        return context

    def get_template(self, request, *args, **kwargs):
        # "Load more" fetches the next page's items alone.
        if request.GET.get("fragment") == "items":
            return "newsroom/includes/news_feed_items.html"
        return super().get_template(request, *args, **kwargs)

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.GET.get("fragment") == "items":
            response.headers["X-Has-More"] = "1" if response.context_data["articles"].has_next() else "0"
        return response


class TeamPage(Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = "team page"

    def get_context(self, request, *args, **kwargs):
        from masthead.newsroom import selectors

        context = super().get_context(request, *args, **kwargs)
        context["roles"] = selectors.team_by_role()
        return context


class StandardPage(Page):
    """About, Advertising, Contacts, Join the Team…"""

    intro = models.TextField(blank=True)
    body = RichTextField(blank=True, features=RICH_TEXT_FEATURES + ["h2", "h3"])

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["newsroom.HomePage", "newsroom.StandardPage"]
    subpage_types = ["newsroom.StandardPage"]

    class Meta:
        verbose_name = "standard page"


class JobIndexPage(Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = ["newsroom.JobPostingPage"]

    class Meta:
        verbose_name = "jobs page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["jobs"] = JobPostingPage.objects.child_of(self).live().order_by("-first_published_at")
        return context


class JobPostingPage(Page):
    location = models.CharField(max_length=120, blank=True)
    employment_type = models.CharField(
        max_length=20,
        choices=[
            ("full-time", "Full-time"),
            ("part-time", "Part-time"),
            ("freelance", "Freelance"),
            ("internship", "Internship"),
        ],
        default="full-time",
    )
    closes_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True, features=RICH_TEXT_FEATURES + ["h2", "h3"])
    apply_email = models.EmailField(blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("location"), FieldPanel("employment_type"), FieldPanel("closes_on")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("apply_email"),
    ]
    parent_page_types = ["newsroom.JobIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "job posting"


class OpinionFormField(AbstractFormField):
    page = ParentalKey("newsroom.OpinionFormPage", on_delete=models.CASCADE, related_name="form_fields")


class OpinionFormPage(AbstractEmailForm):
    """ "Submit an Opinion": stored in the admin and emailed to the editors."""

    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)
    thank_you_text = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]), FieldPanel("subject")],
            "Email to the editors",
        ),
    ]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = "opinion form"

    def get_to_address(self):
        return self.to_address or ",".join(settings.MASTHEAD_EDITORS_EMAIL)
