"""The page forms of the admin: every newsroom page's address goes through `slugs` (imported by the page models,
so this module must not import Wagtail's image or collection forms)."""

from django import forms
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm

from masthead.newsroom.slugs import address_claim, address_free, address_taken, slug_from


class AddressField(forms.SlugField):
    """The address field, taking what the admin's script types from a Cyrillic headline (a Cyrillic slug) and
    romanising it, instead of refusing it while the editor is still typing."""

    def to_python(self, value):
        value = super().to_python(value)
        return (slug_from(value) or value) if value and not value.isascii() else value


ADDRESS_HELP = (
    "The last part of the page's address on the site (articles and sections answer at /address/), made from the "
    "headline: lower-case letters, numbers and hyphens."
)


class AddressFormMixin:
    """The page form's address (slug): romanised when typed in Cyrillic, made unique while the page was never
    published, claimed back from abandoned drafts on submit or publish, and checked against every page that
    answers at /<slug>/ (see `slugs`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if (field := self.fields.get("slug")) is not None:
            # Not required: left empty, the address is made from the headline (clean).
            self.fields["slug"] = AddressField(
                label=field.label, max_length=field.max_length, required=False, widget=field.widget,
                help_text=ADDRESS_HELP, allow_unicode=True,
            )  # fmt: skip

    def clean(self):
        page, parent = self.instance, self.parent_page
        slug = self.cleaned_data.get("slug") or ""
        if not slug and self.cleaned_data.get("title"):  # a Cyrillic slug was romanised by AddressField
            slug = slug_from(self.cleaned_data["title"])
        if slug:
            never_published = page.pk is None or (not page.live and page.first_published_at is None)
            if never_published:
                # Claimed (abandoned drafts moved aside) only by a form with no error so far.
                going_out = (self.data.get("action-publish") or self.data.get("action-submit")) and not self.errors
                if not (going_out and address_claim(slug, page=page, parent=parent)):
                    slug = address_free(slug, page=page, parent=parent)
            self.cleaned_data["slug"] = slug
        cleaned_data = super().clean()
        if slug and "slug" not in self.errors and address_taken(slug, page=page, parent=parent):
            self.add_error("slug", f"The address /{slug}/ is already taken by another page.")
        return cleaned_data

    def get_field_updates_for_resave(self):
        """After an autosave, the browser's slug field shows the address the page got."""
        return [*super().get_field_updates_for_resave(), ("slug", self.instance.slug)]


class PageForm(AddressFormMixin, WagtailAdminPageForm):
    pass


class FormPageForm(AddressFormMixin, WagtailAdminFormPageForm):
    pass


class ArticleForm(PageForm):
    """The article editor's form: a new article opens with the signed-in person on the byline; every correction on
    record stays in the form (a revision rolled back to keeps the log); adding a correction stamps "Updated";
    submitting or publishing runs the checks before publishing, which an editor may override with a reason."""

    publish_anyway = forms.CharField(
        label="Publish despite the checks, because…",
        required=False,
        max_length=500,
        help_text="Editors only: why this story goes out without what the checks ask for. Recorded in its history.",
    )

    def __init__(self, data=None, *args, **kwargs):
        from masthead.newsroom.models import ArticleAuthor, Author, Correction

        instance, user = kwargs.get("instance"), kwargs.get("for_user")
        if data is None and instance is not None and user is not None:
            if instance.pk is None:
                author = Author.objects.filter(user=user).first()
                if author is not None and not instance.authors.exists():
                    instance.authors = [ArticleAuthor(author=author)]
            else:
                shown = {correction.pk for correction in instance.corrections.all()}
                on_record = list(Correction.objects.filter(article_id=instance.pk).exclude(pk__in=shown))
                if on_record:
                    instance.corrections = [*instance.corrections.all(), *on_record]
        super().__init__(data, *args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].help_text = "The headline, as readers see it on the story and in lists."
        self.failed_checks: list[str] = []

    def clean(self):
        cleaned_data = super().clean()
        if self._correction_added() and "updated_at" not in self.changed_data:
            cleaned_data["updated_at"] = timezone.now()
        if self.data.get("action-publish") or self.data.get("action-submit"):
            self.failed_checks = article_checks(form=self)
            reason = (cleaned_data.get("publish_anyway") or "").strip()
            if self.failed_checks and not (reason and self._may_publish()):
                for check in self.failed_checks:
                    self.add_error(None, check)
                if reason:
                    self.add_error("publish_anyway", "Only an editor who may publish can override the checks.")
        return cleaned_data

    def save(self, commit=True):
        page = super().save(commit=commit)
        reason = (self.cleaned_data.get("publish_anyway") or "").strip()
        # Logged by the after_create_page / after_edit_page hooks, once the page has an id.
        page.checks_overridden = {"reason": reason, "checks": self.failed_checks} if self.failed_checks else None
        return page

    def _may_publish(self) -> bool:
        page = self.instance if self.instance.pk else self.parent_page
        tester = page.permissions_for_user(self.for_user)
        return tester.can_publish() if self.instance.pk else tester.can_publish_subpage()

    def _correction_added(self) -> bool:
        corrections = self.formsets.get("corrections")
        if corrections is None or not corrections.is_valid():
            return False
        return any(
            form.has_changed() and not form.instance.pk and not form.cleaned_data.get("DELETE")
            for form in corrections.forms
        )


def article_checks(*, form) -> list[str]:
    """What an article must have before it goes out, as messages for the editor (empty when all is there)."""
    data = form.cleaned_data
    failed = []
    if not data.get("section"):
        failed.append("Choose a section.")
    if not (data.get("standfirst") or "").strip():
        failed.append("Write a standfirst.")
    image = data.get("featured_image")
    alt = " ".join((data.get("featured_image_alt") or "").split())
    if image is None:
        failed.append("Choose a featured image.")
    elif not alt or alt.casefold() == " ".join((image.caption or "").split()).casefold():
        failed.append("Describe the featured image for screen readers: its alt text must say what it shows, not "
                      "repeat the caption.")  # fmt: skip
    authors = form.formsets.get("authors")
    bylines = [
        f for f in (authors.forms if authors is not None and authors.is_valid() else [])
        if f.cleaned_data.get("author") and not f.cleaned_data.get("DELETE")
    ]  # fmt: skip
    if not bylines:
        failed.append("Add at least one author.")
    return failed
