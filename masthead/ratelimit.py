"""Rate limits for public forms, counted in the shared cache so that they hold across processes.

A client is known only by a hash of its address with a secret that changes every day; the count lives in the
cache for the length of its window and the address itself is never stored.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


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
