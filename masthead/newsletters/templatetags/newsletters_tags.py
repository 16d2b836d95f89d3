"""The compact sign-up forms the layout carries: in the footer of every page and in the article page's rail."""

from django import template

from masthead.newsletters import selectors

register = template.Library()


@register.inclusion_tag("newsletters/includes/signup.html")
def newsletter_signup(place: str) -> dict:
    """`place` is "footer" (the first newsletter, one field) or "rail" (every newsletter to choose from). Both
    sit inside layout pieces kept per change of the pages (`layout_part`), so they cost no query per request."""
    newsletters = list(selectors.newsletters_open())
    return {"place": place, "newsletters": newsletters if place == "rail" else newsletters[:1]}
