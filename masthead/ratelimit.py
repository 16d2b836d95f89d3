"""Rate limits for public forms, counted in the shared cache so that they hold across processes.

A client is known only by a hash of its address with a secret that changes every day; the count lives in the
cache for the length of its window and the address itself is never stored.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers


def rate_limit_hit(*, scope: str, key: str, limit: int, seconds: int) -> int:
    """Count one more try by `key` in the current window of `seconds`: 0 while there have been at most `limit`,
    else how many seconds until the window ends (for Retry-After)."""
    now = time.time()
    window = int(now // seconds)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"rate:{scope}:{window}:{digest}"
    if cache.add(cache_key, 1, seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the window's entry expired between the two calls
            cache.add(cache_key, 1, seconds + 5)
            count = 1
    if count <= limit:
        return 0
    return max(1, int(seconds - now % seconds))


def too_many(request, wait: int, message: str = "") -> HttpResponse:
    """429 Too Many Requests, with how long to wait (Retry-After and in words), never cached."""
    wait = max(1, int(wait))
    wait_text = f"{-(-wait // 60)} minute{'s' if wait > 60 else ''}" if wait >= 60 else f"{wait} seconds"
    html = render_to_string("429.html", {"message": message, "wait_text": wait_text}, request=request)
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(wait)
    add_never_cache_headers(response)
    return response


def limited(scope: str, *, limit: int | str, seconds: int, message: str = "", methods=("POST",)):
    """A view decorator: at most `limit` requests (of `methods`) per client per `seconds`, then `too_many`.
    `limit` may name a setting, read at each request."""

    def decorate(view):
        from functools import wraps

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and (refused := over_limit(request, scope, limit, seconds, message)):
                return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def over_limit(request, scope: str, limit: int | str, seconds: int, message: str = "") -> HttpResponse | None:
    """Count one more request by this client in `scope`: None while it is within `limit` per `seconds` (a setting's
    name is read now), else the 429 to answer."""
    most = getattr(settings, limit) if isinstance(limit, str) else limit
    wait = rate_limit_hit(scope=scope, key=client_key(request), limit=most, seconds=seconds)
    return too_many(request, wait, message) if wait else None


def client_key(request) -> str:
    """A stand-in for the client: its address hashed with a secret of the day (see the module's docstring)."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    return hashlib.sha256(f"{settings.SECRET_KEY}:{day}:{client_address(request)}".encode()).hexdigest()


def client_address(request) -> str:
    """The client's address: the connection's, or behind a proxy (`MASTHEAD_BEHIND_PROXY`) the one the proxy
    saw, the last in X-Forwarded-For (the earlier ones are whatever the client claimed). Never stored."""
    if settings.BEHIND_PROXY and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR", "")):
        return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")


class LocalWindows:
    """Rate limits counted in this process's memory: for requests too frequent to count in a file cache (a write
    per client), when there is no Redis. A limit then holds per process: with N web processes a client gets up
    to N times `limit` before all of them refuse it."""

    CLIENTS_LIMIT = 200_000  # clients remembered in one window; beyond, the window starts afresh

    def __init__(self):
        import threading

        self.lock = threading.Lock()
        self.window: tuple = ()
        self.counts: dict[str, int] = {}

    def hit(self, *, scope: str, key: str, limit: int, seconds: int) -> int:
        """As `rate_limit_hit`."""
        now = time.time()
        window = (scope, int(now // seconds))
        with self.lock:
            if window != self.window or len(self.counts) >= self.CLIENTS_LIMIT:
                self.window, self.counts = window, {}
            count = self.counts[key] = self.counts.get(key, 0) + 1
        if count <= limit:
            return 0
        return max(1, int(seconds - now % seconds))


def shared_cache_is_fast() -> bool:
    """Whether the shared cache can take a write per request (Redis), or would pay a file per client."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()
