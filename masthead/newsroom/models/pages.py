"""The other pages of the site: the News Feed, the Team, standard pages, jobs and the opinion form."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField, AbstractFormSubmission
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from masthead.newsroom.blocks import RICH_TEXT_FEATURES
from masthead.newsroom.page_forms import FormPageForm, PageForm
from masthead.outbox import SendStatus


class NewsFeedPage(Page):
    """Every news-feed item, newest first, with "load more" pagination."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    base_form_class = PageForm
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "news feed"

    def get_context(self, request, *args, **kwargs):
        from masthead.newsroom import selectors
        from masthead.newsroom.models import ArticleListing

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.listing_page(ArticleListing.Kind.NEWS_FEED, request=request)
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
    base_form_class = PageForm
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
    base_form_class = PageForm
    parent_page_types = ["newsroom.HomePage", "newsroom.StandardPage"]
    subpage_types = ["newsroom.StandardPage"]

    class Meta:
        verbose_name = "standard page"


class JobIndexPage(Page):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    base_form_class = PageForm
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
    base_form_class = PageForm
    parent_page_types = ["newsroom.JobIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "job posting"


class OpinionFormField(AbstractFormField):
    page = ParentalKey("newsroom.OpinionFormPage", on_delete=models.CASCADE, related_name="form_fields")


def no_line_breaks(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError("Please keep this to one line.", code="line_break")


class OpinionFormBuilder(FormBuilder):
    """Wagtail's form builder with limits a newsroom's inbox needs."""

    def create_singleline_field(self, field, options):
        options["validators"] = [no_line_breaks]
        return super().create_singleline_field(field, options)

    def create_multiline_field(self, field, options):
        limit = settings.MASTHEAD_OPINION_MAX_CHARS
        options["max_length"] = limit
        options["error_messages"] = {
            "max_length": f"Please keep this to {limit:,} characters or fewer (it has %(show_value)d)."
        }
        return super().create_multiline_field(field, options)


class OpinionSubmission(AbstractFormSubmission):
    """One submission of the opinion form, and whether its email has reached the editors.

    The email goes out from a background task (`services.opinion_email_send`); `email_status` says where it is,
    so editors see failures in the submissions list and a rerun of the task never sends it twice.
    """

    EmailStatus = SendStatus

    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta(AbstractFormSubmission.Meta):
        verbose_name = "opinion submission"
        indexes = [models.Index(fields=["email_status"], name="opinion_email_status")]

    def get_data(self):
        return {**super().get_data(), "email_status": self.get_email_status_display()}


class OpinionFormPage(AbstractEmailForm):
    """ "Submit an Opinion": stored at once, then emailed to the editors by a background task."""

    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)
    thank_you_text = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    base_form_class = FormPageForm
    form_builder = OpinionFormBuilder
    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]), FieldPanel("subject")],
            "Email to the editors",
            help_text="With no “to” address, submissions go to the newsroom's editors (MASTHEAD_EDITORS_EMAIL).",
        ),
    ]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = "opinion form"

    def get_submission_class(self):
        return OpinionSubmission

    def get_data_fields(self):
        return [*super().get_data_fields(), ("email_status", "Email to the editors")]

    def recipients(self) -> list[str]:
        """The page's "to" addresses, or the newsroom's editors when the page names none."""
        addresses = [address.strip() for address in self.to_address.split(",") if address.strip()]
        return addresses or list(settings.MASTHEAD_EDITORS_EMAIL)

    def serve(self, request, *args, **kwargs):
        """Submissions are limited per client (MASTHEAD_OPINION_SUBMISSIONS an hour): a flood gets 429, not the
        editors' inbox."""
        if request.method == "POST":
            from masthead.ratelimit import over_limit

            message = "Too many submissions from here just now."
            if refused := over_limit(request, f"opinion:{self.pk}", "MASTHEAD_OPINION_SUBMISSIONS", 3600, message):
                return refused
        return super().serve(request, *args, **kwargs)

    def process_form_submission(self, form):
        """Store the submission and queue its email; never send inside the reader's request."""
        from masthead.newsroom import services

        return services.opinion_submission_store(page=self, form=form)
