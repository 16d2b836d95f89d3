"""HTTP caching of the public pages: the headers that let browsers and front caches keep them, the app's own
page cache, and purging it.

A public page is the same bytes for every anonymous reader: nothing in it reads the visitor (what differs per
visitor, such as the "Edit post" link, comes from `/_visitor/`, asked for by the page's script only when the
`masthead_signed_in` cookie is present). So a page can be kept by browsers (revalidating with its ETag), by
front caches (Varnish, nginx, a CDN; `s-maxage`), and by the app itself (`PageCacheMiddleware`).

Glossary: *purge* removes a page from every cache at once (on publish, unpublish, move, delete); *expiry* is
`s-maxage` running out, which bounds how stale the rails (News Feed, Editors' Picks) on an article page get.
"""

import gzip
import re
import time
from functools import wraps
from urllib.parse import parse_qsl, urlencode, urlsplit

import brotli
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.csrf import csrf_exempt

from masthead.locks import lock_acquire, lock_held, lock_release

PAGE_CACHE = "pages"  # the cache alias (settings.CACHES) that holds whole pages and nothing else
SIGNED_IN_COOKIE = "masthead_signed_in"
SAFE_METHODS = ("GET", "HEAD")
CACHEABLE_STATUSES = {200: None, 301: None, 404: 60, 410: 60}  # status: s-maxage cap (None: the default)
# Query parameters the public pages read; any other makes a request skip the page cache (it could be made up
# to fill the cache with copies). Values are canonicalised so ?page=01 and ?page=1 are one entry.
PAGE_CACHE_PARAMETERS = {"page": r"[0-9]{1,6}", "fragment": r"items", "sort": r"newest|oldest|liked"}
UNCACHED_PREFIXES = ("/admin/", "/documents/", "/_", "/static/", "/media/")


def public_page(view):
    """Mark a view as a public page: cacheable headers for anonymous readers, and forms checked by Origin.

    The page carries no CSRF token (it would make the page differ per visitor), so a form it holds is posted
    without one: the POST must come from the site's own origin (the Origin header, or Referer where a browser
    sends no Origin), which is what stops a cross-site forgery.
    """

    @csrf_exempt
    @wraps(view)
    def public_view(request, *args, **kwargs):
        if request.method not in SAFE_METHODS and (refused := cross_site_refusal(request)):
            return refused
        try:
            response = view(request, *args, **kwargs)
        except Http404 as error:  # the site's 404 page, here, so that it gets the headers below
            response = response_for_exception(request, error)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()  # now, so that what the rendering read (the session, a CSRF token) shows
        cache_headers_add(request, response)
        return response

    return public_view


def cross_site_refusal(request) -> HttpResponseForbidden | None:
    """For a form sent without a CSRF token: a 403 unless it came from this site's own origin (checked as
    Django's CSRF check is: not for the test client, which turns that check off)."""
    if getattr(request, "_dont_enforce_csrf_checks", False) or same_origin(request):
        return None
    return HttpResponseForbidden("This form can be sent only from this site's own pages.")


def same_origin(request) -> bool:
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER") or ""
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    return parts.scheme == request.scheme and parts.netloc == host


def cache_headers_add(request, response) -> None:
    """Cache-Control and Last-Modified for a public page's response (see the module's docstring)."""
    if response.has_header("Cache-Control"):
        return
    varies_by_visitor = "cookie" in response.get("Vary", "").lower() or bool(response.cookies)
    if request.method not in SAFE_METHODS or varies_by_visitor or response.status_code not in CACHEABLE_STATUSES:
        patch_cache_control(response, private=True, no_store=True)
        return
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # Signed-in staff see the same bytes, but their requests bypass every shared cache (previews, drafts).
        patch_cache_control(response, private=True, no_cache=True)
        return
    seconds = settings.MASTHEAD_CACHE_SECONDS
    if cap := CACHEABLE_STATUSES[response.status_code]:
        seconds = min(seconds, cap)
    patch_cache_control(
        response,
        public=True,
        max_age=0,  # browsers revalidate each time (a 304 from the nearest cache): a correction shows at once
        s_maxage=seconds,
        stale_while_revalidate=settings.MASTHEAD_CACHE_STALE_SECONDS,
        stale_if_error=settings.MASTHEAD_CACHE_STALE_IF_ERROR_SECONDS,
    )
    if not response.has_header("Last-Modified"):
        changed = getattr(request, "content_changed_at", None)
        response["Last-Modified"] = http_date(changed.timestamp() if changed else time.time())


def page_cache_key(request) -> str | None:
    """The page cache's key for a request, or None when the request must not be answered from the cache."""
    if request.method not in SAFE_METHODS or not settings.MASTHEAD_PAGE_CACHE:
        return None
    path = request.path
    if path.startswith(UNCACHED_PREFIXES) or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    query = _canonical_query(request.META.get("QUERY_STRING", ""))
    if query is None:
        return None
    if not query:
        return f"page:{path}"
    # Variants with a query (page 2 of a section…) share a generation that a purge of the path moves on.
    generation = caches[PAGE_CACHE].get(f"generation:{path}", 0)
    return f"page:{path}:{generation}?{query}"


def _canonical_query(query_string: str) -> str | None:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    canonical = {}
    for name, value in pairs:
        pattern = PAGE_CACHE_PARAMETERS.get(name)
        if pattern is None or name in canonical or not re.fullmatch(pattern, value):
            return None
        canonical[name] = str(int(value)) if name == "page" else value
    return urlencode(sorted(canonical.items()))


def page_cache_purge(urls) -> None:
    """Remove the pages at these addresses (full URLs or paths), with all their ?page=N variants, from the
    app's page cache."""
    cache = caches[PAGE_CACHE]
    paths = {urlsplit(url).path or "/" for url in urls}
    if not paths:
        return
    cache.delete_many([f"page:{path}" for path in paths])
    generation = time.time_ns()
    cache.set_many({f"generation:{path}": generation for path in paths}, timeout=None)


def page_cache_clear() -> None:
    """Every page at once: what changes the layout (menus, the promo bar) shows on all of them."""
    caches[PAGE_CACHE].clear()


class PageCacheMiddleware:
    """Answers anonymous readers' GETs from the page cache, before the rest of the middleware and the view.

    A page is stored once, uncompressed and precompressed (brotli, gzip), with its ETag; a hit picks the
    encoding the client accepts and answers a conditional request with 304. What is stored is exactly what
    the public headers allow a shared cache to keep (`Cache-Control: public`, no cookies), for `s-maxage`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = page_cache_key(request)
        if key is None:
            return self.get_response(request)
        cache = caches[PAGE_CACHE]
        entry = cache.get(key)
        if entry is None and not lock_acquire(f"rendering:{key}", seconds=RENDER_LOCK_SECONDS, cache_alias=PAGE_CACHE):
            entry = _wait_for(cache, key)  # another process is rendering this page: a purged front page under
            # a spike of readers is rendered once, not once per reader
        if entry is not None:
            return _from_entry(request, entry, hit=True)
        try:
            accept_encoding = request.META.pop("HTTP_ACCEPT_ENCODING", "")  # render plain; compress once below
            response = self.get_response(request)
            request.META["HTTP_ACCEPT_ENCODING"] = accept_encoding
            entry = _entry(response)
            if entry is None:
                return response
            if request.method == "GET":
                cache.set(key, entry, timeout=entry["seconds"])
            return _from_entry(request, entry, hit=False)
        finally:
            lock_release(f"rendering:{key}", cache_alias=PAGE_CACHE)


RENDER_LOCK_SECONDS = 10  # a render that takes longer (or a process that died rendering) no longer holds others
RENDER_WAIT_SECONDS = 3  # how long a request waits for another's render before rendering itself


def _wait_for(cache, key: str) -> dict | None:
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.01)
        if (entry := cache.get(key)) is not None:
            return entry
        if not lock_held(f"rendering:{key}", cache_alias=PAGE_CACHE):
            # The other render ended: its page, stored between the two looks above; or none, a page that may
            # not be kept, and this request renders its own.
            return cache.get(key)
    return None


def _entry(response) -> dict | None:
    cache_control = response.get("Cache-Control", "")
    if (
        response.streaming
        or response.cookies
        or "public" not in cache_control
        or response.status_code not in CACHEABLE_STATUSES
        or response.has_header("Content-Encoding")
    ):
        return None
    seconds = settings.MASTHEAD_CACHE_SECONDS
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        if name == "s-maxage" and value.isdigit():
            seconds = int(value)
    body = response.content
    bodies = {"identity": body}
    if response.get("Content-Type", "").startswith("text/") and len(body) > 200:
        bodies["br"] = brotli.compress(body, quality=9)
        bodies["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
    kept = {"content-length", "etag", "vary"}
    return {
        "status": response.status_code,
        "headers": [(name, value) for name, value in response.items() if name.lower() not in kept],
        "etag": (response.get("ETag") or "").removeprefix("W/"),
        "bodies": bodies,
        "stored_at": time.time(),
        "seconds": seconds,
    }


def _from_entry(request, entry: dict, *, hit: bool) -> HttpResponse:
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "").lower()
    encoding = next((name for name in ("br", "gzip") if name in accepted and name in entry["bodies"]), "identity")
    etag = entry["etag"]
    if etag and encoding != "identity":
        etag = "W/" + etag  # the same content, other bytes
    not_modified = _not_modified(request, entry, etag)
    if not_modified:
        response = HttpResponse(status=304)
    else:
        body = entry["bodies"][encoding]
        response = HttpResponse(b"" if request.method == "HEAD" else body, status=entry["status"])
        response["Content-Length"] = str(len(body))
        if encoding != "identity":
            response["Content-Encoding"] = encoding
    for name, value in entry["headers"]:
        if not not_modified or name.lower() in {"cache-control", "last-modified", "expires"}:  # a 304's headers
            response[name] = value
    if etag:
        response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Encoding"])
    if hit:
        response["Age"] = str(max(0, int(time.time() - entry["stored_at"])))
    response["X-Page-Cache"] = "hit" if hit else "miss"
    return response


def _not_modified(request, entry: dict, etag: str) -> bool:
    if entry["status"] != 200:
        return False
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    if_modified_since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    last_modified = parse_http_date_safe({k.lower(): v for k, v in entry["headers"]}.get("last-modified", ""))
    return bool(if_modified_since and last_modified and last_modified <= if_modified_since)


class SignedInCookieMiddleware:
    """Keeps the `masthead_signed_in` cookie in step with the session: set at sign-in, removed at sign-out.

    The session cookie is HttpOnly (scripts cannot read it); this one tells the page's script that there is
    something per-visitor to ask `/_visitor/` for. It holds no secret and grants nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = getattr(request, "masthead_signed_in", None)
        if signed_in is True:
            response.set_cookie(
                SIGNED_IN_COOKIE, "1", secure=settings.SESSION_COOKIE_SECURE, samesite="Lax", httponly=False
            )
        elif signed_in is False:
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response


def _signed_in(sender, request, **kwargs):
    if request is not None:
        request.masthead_signed_in = True


def _signed_out(sender, request, **kwargs):
    if request is not None:
        request.masthead_signed_in = False


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="masthead-signed-in-cookie")
    user_logged_out.connect(_signed_out, dispatch_uid="masthead-signed-out-cookie")
