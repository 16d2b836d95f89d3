"""Ghost-compatible URLs: sections and articles answer at /<slug>/ wherever they sit in the tree.

Articles live in year folders (a Wagtail parent holds at most 36^4 children), sections nest; neither
nesting shows in the URL, so the slugs of sections, articles and the home page's children share one
namespace, checked when a page is saved.
"""

from django.core.exceptions import ValidationError


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
        from masthead.newsroom.selectors import flat_slug_taken

        if self.slug and flat_slug_taken(slug=self.slug, exclude_page_id=self.pk):
            raise ValidationError({"slug": f"The address /{self.slug}/ is already taken by another page."})
