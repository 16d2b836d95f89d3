"""Ghost-compatible URLs: sections and articles answer at /<slug>/ wherever they sit in the tree.

Articles live in year folders (a Wagtail parent holds at most 36^4 children), sections nest; neither
nesting shows in the URL, so the slugs of sections, articles and the home page's children share one
namespace, checked when a page is saved. The routing rules live here, beside the mixin that uses them;
the page classes are looked up through the app registry, so the model modules can import this one.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from wagtail.models import Page

# Addresses the site's own URLs or Wagtail use; no page may take them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "author",
        "newsletters",
        "tag",
        "static",
        "media",
        "documents",
        "search",
        "feeds",
        "rss",
        "ghost",
        "api",
        "accounts",
        "account",
        "comments",
        "django-admin",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
    }
)

HOME_CHILD_DEPTH = 3  # the root is depth 1, a site's home page depth 2, its children depth 3


def _model(name: str):
    return apps.get_model("newsroom", name)


def flat_pages_q() -> Q:
    """The pages that answer at /<slug>/: sections and articles wherever they are, and the home page's children."""
    return Q(depth=HOME_CHILD_DEPTH) | Page.objects.type_q(_model("ArticlePage"), _model("SectionPage"))


def flat_slug_taken(*, slug: str, exclude_page_id: int | None = None) -> bool:
    """Whether /<slug>/ already belongs to a section, an article or a top-level page, or is reserved."""
    if slug in RESERVED_SLUGS:
        return True
    same = Page.objects.filter(flat_pages_q(), slug=slug)
    if exclude_page_id:
        same = same.exclude(pk=exclude_page_id)
    return same.exists()


def flat_article_for_slug(*, slug: str) -> Page | None:
    """The live article at /<slug>/, with what its page shows first (section, featured image)."""
    return _model("ArticlePage").serving_queryset().live().filter(slug=slug).first()


def flat_section_for_slug(*, slug: str) -> Page | None:
    """The live section at /<slug>/, however deep it sits."""
    return _model("SectionPage").objects.live().filter(slug=slug).first()


class FlatURLMixin:
    """A page whose public URL is /<slug>/ on its site, whatever its place in the tree."""

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request=request)
        if not parts or parts[2] is None:
            return parts
        site_id, root_url, _ = parts
        return site_id, root_url, f"/{self.slug}/"

    def clean(self):
        super().clean()
        if self.slug and flat_slug_taken(slug=self.slug, exclude_page_id=self.pk):
            raise ValidationError({"slug": f"The address /{self.slug}/ is already taken by another page."})
