"""The browser's half of security: a Content-Security-Policy and a Permissions-Policy on every response.

Public pages run only the site's own script files (`script-src 'self'`, no inline script at all: the pages carry
none, and JSON-LD is data, not script), load nothing from other sites but the embeds' frames, and may not be framed.
The same policy holds for a cached copy (this middleware runs outside the page cache), for Varnish's and
nginx's copies and for every reader, so it holds no per-request nonce.

Wagtail's admin still writes a few inline scripts (inline panels, date pickers); Masthead's copies of those
templates (operations/templates/wagtailadmin/) carry the request's nonce, so the admin's policy allows only its own
files and scripts with that nonce. The admin keeps inline style attributes (Wagtail sets them from its scripts) and
may be framed by itself (the page preview).
"""

import contextvars
import secrets

from django.conf import settings
from django.utils.safestring import mark_safe

# The current admin request's nonce, for templates rendered without the request (form widgets).
current_nonce: contextvars.ContextVar[str] = contextvars.ContextVar("csp_nonce", default="")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "browsing-topics",
    )
)


def policy(*, admin: bool, nonce: str = "") -> str:
    scripts = f"'self' 'nonce-{nonce}' 'report-sample'" if admin else "'self' 'report-sample'"
    directives = {
        "default-src": "'self'",
        "script-src": scripts,
        # No <style> elements from anywhere but the site's files; style attributes are allowed (Wagtail's
        # responsive embeds and the admin's scripts set them; they cannot run code).
        "style-src-elem": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "media-src": "'self' blob:",
        "font-src": "'self'",
        "connect-src": "'self'",
        # Embedded videos and posts are other sites' frames (their providers: MASTHEAD_EMBED_PROVIDERS).
        "frame-src": "'self' https:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'" if admin else "'none'",
    }
    if settings.HTTPS:
        directives["upgrade-insecure-requests"] = ""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Outermost: adds the policies to every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.public_policy = policy(admin=False)
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        if request.path.startswith(self.admin_prefix):
            nonce = secrets.token_urlsafe(16)
            request.csp_nonce = nonce
            token = current_nonce.set(nonce)
            try:
                response = self.get_response(request)
            finally:
                current_nonce.reset(token)
            header = policy(admin=True, nonce=nonce)
        else:
            response = self.get_response(request)
            header = self.public_policy
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = header
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def wagtail_chooser_scripts_with_nonce() -> None:
    """Wagtail's chooser widgets (page, image, document, snippet) write their set-up as an inline `<script>` from
    Python (BaseChooser.render), not from a template Masthead can override: give that script the nonce."""
    from wagtail.admin.widgets.chooser import BaseChooser

    wagtail_render = BaseChooser.render

    def render(self, *args, **kwargs):
        html = wagtail_render(self, *args, **kwargs)
        widget, script, init = str(html).rpartition("<script>")
        if not script:
            return html
        return mark_safe(f'{widget}<script nonce="{current_nonce.get()}">{init}')  # noqa: S308 (Wagtail's own HTML)

    BaseChooser.render = render


class NulRefusedMiddleware:
    """A NUL character in the address, the query or a form field is refused with 400 before any view sees it: no
    text in Masthead may hold one, and PostgreSQL refuses them (a lookup with one would fail with a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    # The Content API refuses them itself, in Ghost's JSON error format (api/tests/test_hostile.py).
    OWN_ERRORS = ("/ghost/api/",)

    def __call__(self, request):
        if request.path.startswith(self.OWN_ERRORS):
            return self.get_response(request)
        if "\x00" in request.path or any("\x00" in value for _, values in request.GET.lists() for value in values):
            return self.refusal()
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                values = [value for _, values in request.POST.lists() for value in values]
            except Exception:  # noqa: BLE001 (a body Django cannot parse: the view answers it as before)
                values = []
            if any("\x00" in value for value in values):
                return self.refusal()
        return self.get_response(request)

    @staticmethod
    def refusal():
        from django.http import HttpResponseBadRequest

        return HttpResponseBadRequest(
            "The request holds a NUL character, which no address or field may contain.",
            content_type="text/plain; charset=utf-8",
        )
