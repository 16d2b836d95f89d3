import json

from django import template
from django.template.loader import render_to_string
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from masthead.discovery import sharing

register = template.Library()


@register.filter
def ld_json(data) -> str:
    """JSON-LD for a <script type="application/ld+json">: `<`, `>` and `&` escaped so no text in it can end the
    script element."""
    return mark_safe(json.dumps(data, ensure_ascii=False, default=str).translate(_json_script_escapes))  # noqa: S308


@register.simple_tag(takes_context=True)
def share_head(context, *, title: str = "", description: str = "") -> str:
    """The page's description, canonical address, sharing tags, feeds and structured data: from `share` when the
    view built it, else from the Wagtail page being shown (listings give their page number to the canonical),
    else from the `title` and `description` given and the address asked for."""
    request = context.get("request")
    share = context.get("share")
    if share is None and (page := context.get("page")) is not None and getattr(page, "pk", None):
        share = _for_page(page.specific_deferred, request, context)
    if share is None:
        path = request.path if request is not None else ""
        share = sharing.share_base(
            request, title=title or context.get("site_name", ""), description=sharing.describe(description), path=path
        )
    return render_to_string("discovery/includes/share.html", {"share": share})


def _for_page(page, request, context) -> dict:
    from masthead.newsroom.models import HomePage, SectionPage

    number = getattr(context.get("articles"), "number", 1) or 1
    if isinstance(page, HomePage):
        return sharing.home_share(page=page, request=request)
    if isinstance(page, SectionPage):
        return sharing.section_share(page=page, request=request, page_number=number)
    return sharing.page_share(page=page, request=request, page_number=number)


@register.simple_tag(takes_context=True)
def result_cards(context, results) -> list[tuple[str, dict]]:
    """Each search result's story card (from the card cache, as listings show them) with its hit."""
    from masthead.newsroom.templatetags.newsroom_tags import cards

    made = cards(context, results.ids, "top")
    if len(made) != len(results.ids):  # a story went out of view since the search: pair the rest one by one
        return [(card[0], hit) for hit in results.hits if (card := cards(context, [hit["id"]], "top"))]
    return list(zip(made, results.hits, strict=True))
