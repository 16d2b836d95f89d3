"""Small template helpers for the newsroom's pages."""

from datetime import datetime

from django import template
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

# How a story shows in each place: the template and its options.
CARD_VARIANTS = {
    "lead": ("newsroom/includes/card.html", {"lead": True, "show_image": True, "level": "2"}),
    "top": ("newsroom/includes/card.html", {"show_image": True, "level": "2"}),
    "rail": ("newsroom/includes/card.html", {"show_image": True}),
    "rail-text": ("newsroom/includes/card.html", {"show_image": False}),
    "feed": ("newsroom/includes/feed_item.html", {}),
    "ranked": ("newsroom/includes/ranked_item.html", {}),
}


@register.simple_tag(takes_context=True)
def layout_part(context, template_name: str) -> str:
    """A piece of the layout every page shares (the promo bar, the header, the footer), rendered once per change
    of the settings or the pages (and of the promo's window and the year it prints) and kept."""
    from masthead.newsroom import serving

    def render() -> str:
        return context.template.engine.get_template(template_name).render(context)

    request = context.get("request")
    site = serving.site_for_request(request) if request else None
    if site is None:
        return render()
    s = serving.newsroom_settings_for_request(request, site)
    stamp = s.updated_at.timestamp() if s.updated_at else 0
    key = f"layout:{template_name}:{site.pk}:{s.pages_version}:{stamp}:{s.promo_active()}:{timezone.localdate().year}"
    return mark_safe(serving.versioned_cache.get_or_set(key, render, 24 * 3600))  # noqa: S308 (our templates' output)


@register.simple_tag(takes_context=True)
def cards(context, ids, variant: str) -> list[str]:
    """The cards of these article ids, as HTML, from the card cache (selectors.card_fragments)."""
    from masthead.newsroom import selectors, serving

    request = context.get("request")
    template_name, options = CARD_VARIANTS[variant]
    card_template = get_template(template_name)

    def render(article) -> str:
        return card_template.render({"article": article, "request": request, **options})

    version = serving.pages_version(request) if request else 0
    return [mark_safe(html) for html in selectors.card_fragments(ids, variant=variant, render=render, version=version)]  # noqa: S308 (our templates' output)


@register.filter
def machine_time(value: datetime | None) -> str:
    """A time for `<time datetime>`: the newsroom's zone, whole seconds (HTML allows at most three decimals)."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")


@register.filter
def tag_url(tag) -> str:
    """A tag's page, for a Tag or a {"slug": …} of one."""
    return reverse("tag", kwargs={"slug": tag["slug"] if isinstance(tag, dict) else tag.slug})


@register.filter
def network_label(network: str) -> str:
    from masthead.newsroom.blocks import SOCIAL_NETWORKS

    return dict(SOCIAL_NETWORKS).get(network, network)


@register.simple_tag
def picture_of(image, rendition_set: str, *, sizes: str, alt: str = "", css_class: str = "", loading: str = ""):
    """A <picture> of the renditions the worker made of this image (models/images.py RENDITION_SETS): one
    <source> per modern format, the last format as the <img> fallback with its width and height. Nothing until
    they are made: a reader's request never makes one."""
    if image is None or not (made := image.renditions_of(rendition_set)):
        return ""
    from masthead.newsroom.models.images import RENDITION_SETS

    # In RENDITION_SETS's order (PostgreSQL's jsonb keeps no key order): modern formats first, the fallback last.
    formats = [(fmt, made[fmt]) for fmt in RENDITION_SETS.get(rendition_set, {}) if made.get(fmt)]
    if not formats:
        return ""
    *sources, (_, fallback) = formats
    src, width, height = fallback[0]
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}></picture>',
        format_html_join(
            "",
            '<source srcset="{}" sizes="{}" type="image/{}">',
            ((_srcset(items), sizes, fmt) for fmt, items in sources),
        ),
        src,
        _srcset(fallback),
        sizes,
        width,
        height,
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
        format_html(' loading="{}"', loading) if loading else "",
    )


def _srcset(items) -> str:
    return ", ".join(f"{url} {width}w" for url, width, _ in items)


@register.simple_tag
def site_icons(image):
    """The site icon's <link>s (tab, home screen, manifest) once the worker has made them; the default icon till
    then."""
    made = image.renditions_of("icon").get("png") if image is not None else None
    if not made:
        return format_html('<link rel="icon" href="{}" type="image/svg+xml">', static("masthead/favicon.svg"))
    (tab, *_), (phone, *_) = made[0], made[1]
    return format_html(
        '<link rel="icon" href="{}" sizes="32x32" type="image/png"><link rel="apple-touch-icon" href="{}">'
        '<link rel="manifest" href="{}">',
        tab,
        phone,
        reverse("web_manifest"),
    )
