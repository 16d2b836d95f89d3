"""Small template helpers for the newsroom's pages."""

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def edit_url(context, page) -> str:
    """The admin's edit link, for a signed-in user who may edit this page; '' for everyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if page is None or getattr(page, "pk", None) is None or not (user and user.is_authenticated):
        return ""
    if not page.permissions_for_user(user).can_edit():
        return ""
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


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
