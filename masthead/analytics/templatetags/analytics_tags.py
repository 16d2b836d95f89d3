from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def counted_as(context) -> str:
    """What a view of this page counts for ("page:12", "tag:3", "author:5"; a view `counted` in its context
    says), for the page's beacon; nothing for a preview, which is not a reader's view."""
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return ""
    if counted := context.get("counted"):
        return counted
    page = context.get("page")
    return f"page:{page.pk}" if getattr(page, "pk", None) else ""
