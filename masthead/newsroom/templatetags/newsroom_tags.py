"""Small template helpers for the newsroom's pages."""

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone

register = template.Library()


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
    return reverse("tag", kwargs={"slug": tag.slug})


@register.filter
def network_label(network: str) -> str:
    from masthead.newsroom.blocks import SOCIAL_NETWORKS

    return dict(SOCIAL_NETWORKS).get(network, network)
