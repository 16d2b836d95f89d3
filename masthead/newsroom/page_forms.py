"""The page forms of the admin: every newsroom page's address goes through `slugs` (imported by the page models,
so this module must not import Wagtail's image or collection forms)."""

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm

from masthead.newsroom.slugs import address_claim, address_free, address_taken, slug_from


class AddressFormMixin:
    """The page form's address (slug): romanised when typed in Cyrillic, made unique while the page was never
    published, claimed back from abandoned drafts on submit or publish, and checked against every page that
    answers at /<slug>/ (see `slugs`)."""

    def clean(self):
        page, parent = self.instance, self.parent_page
        slug = self.cleaned_data.get("slug") or ""
        if not slug and self.cleaned_data.get("title"):
            slug = slug_from(self.cleaned_data["title"])
        elif slug and not slug.isascii():
            slug = slug_from(slug) or slug
        if slug:
            never_published = page.pk is None or (not page.live and page.first_published_at is None)
            if never_published:
                going_out = self.data.get("action-publish") or self.data.get("action-submit")
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
    """A new article opens with the signed-in person on the byline, when their Author profile names them."""

    def __init__(self, data=None, *args, **kwargs):
        instance, user = kwargs.get("instance"), kwargs.get("for_user")
        if data is None and instance is not None and instance.pk is None and user is not None:
            from masthead.newsroom.models import ArticleAuthor, Author

            author = Author.objects.filter(user=user).first()
            if author is not None and not instance.authors.exists():
                instance.authors = [ArticleAuthor(author=author)]
        super().__init__(data, *args, **kwargs)
