"""The view beacon: each public page's script posts one small JSON object here (a `<noscript>` image asks with
GET), never cached. It answers 204 at once; the view is counted in the background (`ingest.py`) unless the
rules in `counting.py` say it is not a reader's."""

import base64
import json
import re

from django.conf import settings
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from masthead.analytics import counting, selectors
from masthead.analytics.ingest import tally
from masthead.analytics.models import Target
from masthead.analytics.services import View
from masthead.http_cache import same_origin
from masthead.ratelimit import LocalWindows, client_address, client_key, rate_limit_hit, shared_cache_is_fast

BODY_LIMIT = 2048  # bytes: a beacon is about a hundred
WHAT = re.compile(r"(page|tag|author|play):([0-9]{1,9})")
TARGETS = {"page": Target.PAGE, "tag": Target.TAG, "author": Target.AUTHOR, "play": Target.PLAY}
# Beacons come with every page view: their limit is counted in the shared cache only when it is Redis (a file
# per reader in the file cache would cost more than the rest of the beacon), else in each process's memory.
local_windows = LocalWindows()
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # a transparent 1×1 GIF


def _answer(status: int, message: str = "") -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def beacon(request):
    """POST {"c": "page:12", "r": "<referrer>", "s": "<utm_source>", "m": "<utm_medium>"}, or GET ?c=page:12.

    400 for a body that is not such an object, 404 for a page that is not live, 413 for a body over 2 kB, 429
    (with Retry-After) for a client sending more than `MASTHEAD_ANALYTICS_BEACONS_PER_MINUTE`, 403 from another
    site's page. A robot's, a prefetch's or a signed-in editor's view is answered 204 like a reader's and
    counted nowhere; so is the image asked from another site's page, or with HEAD (no browser shows that)."""
    if request.method == "POST":
        if not _from_this_site(request):
            return _answer(403, "Views are counted only from this site's own pages.")
        data = _posted(request)
        if isinstance(data, HttpResponse):
            return data
    elif request.method in ("GET", "HEAD"):
        data = request.GET
    else:
        response = _answer(405, "POST a view, or GET it from an image.")
        response["Allow"] = "GET, HEAD, POST"
        return response
    what = WHAT.fullmatch(_text(data.get("c")))
    if what is None:
        return _answer(400, 'Say what was viewed: "c": "page:<id>" (or tag:, author:, play:).')
    target, object_id = TARGETS[what[1]], int(what[2])
    if not selectors.countable(target, object_id, request=request):
        return _answer(404, "Nothing with that id is shown here.")
    address = client_address(request)
    if shared_cache_is_fast():
        limit, client = rate_limit_hit, client_key(request)
    else:  # in this process's memory only, for a minute: the address itself will do
        limit, client = local_windows.hit, address
    if wait := limit(scope="beacon", key=client, limit=settings.MASTHEAD_ANALYTICS_BEACONS_PER_MINUTE, seconds=60):
        response = _answer(429, "Too many views from one reader; wait a minute.")
        response["Retry-After"] = str(wait)
        return response
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    not_a_view = request.method == "HEAD" or (request.method == "GET" and not _from_this_site(request))
    if not (not_a_view or counting.is_robot(user_agent) or counting.is_prefetch(request) or _staff(request)):
        now = timezone.now()
        day = counting.today(now)
        host = split_domain_port(request.get_host())[0]
        source, domain = counting.source_of(
            referrer=_text(data.get("r")),
            site_host=host,
            utm_source=_text(data.get("s"))[:100],
            utm_medium=_text(data.get("m"))[:100],
        )
        digest = counting.digest(
            salt=counting.salts.for_day(day),
            site=host,
            address=address,
            user_agent=user_agent,
            target=target,
            object_id=object_id,
        )
        tally.add(View(digest, target, object_id, counting.hour_of(now), day, source, domain))
    if request.method == "POST":
        return _answer(204)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


def _from_this_site(request) -> bool:
    """The beacon was sent by one of this site's pages (its Origin, or its Referer where a browser sends no
    Origin). A browser that sends neither (privacy settings) is let through; one that names another site not."""
    sent_from = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not sent_from:
        return True
    return same_origin(request)


def _posted(request):
    """The beacon's JSON object (sendBeacon posts it as text/plain), or the answer to a bad one."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _answer(400, "A bad Content-Length.")
    if length > BODY_LIMIT:
        return _answer(413, "A view is described in at most 2 kB.")
    body = request.read(BODY_LIMIT + 1)
    if len(body) > BODY_LIMIT:
        return _answer(413, "A view is described in at most 2 kB.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _answer(400, "The body is not JSON.")
    if not isinstance(data, dict):
        return _answer(400, 'The body is a JSON object: {"c": "page:<id>"}.')
    return data


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _staff(request) -> bool:
    """An editor reading the site (only looked up when a session cookie came with the beacon)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)
