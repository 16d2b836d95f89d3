"""A comment's text as HTML: everything escaped, web addresses made links, line breaks kept."""

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def comment_html(body: str) -> str:
    """Nothing a member types becomes markup: `urlize` escapes the text and links only http(s) and www
    addresses (never `javascript:`), marked as user content that search engines don't follow."""
    linked = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 (escaped by urlize above)


@register.simple_tag
def with_comment_counts(ids, items) -> list[tuple]:
    """Pair a listing's rendered cards with their articles' ids and comment counts (one query for the page)."""
    from masthead.comments.selectors import comment_counts

    ids = list(ids)
    counts = comment_counts(ids)
    return [(item, pk, counts.get(pk, 0)) for item, pk in zip(items, ids, strict=False)]
