"""`{% csp_nonce %}`: the admin request's Content-Security-Policy nonce (masthead/security.py), also in templates
rendered without the request, such as form widgets'."""

from django import template

from masthead.security import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce() -> str:
    return current_nonce.get()
