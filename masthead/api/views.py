"""The Content API's endpoints at /ghost/api/content/: read-only, keyed, in Ghost's shapes.

Every request passes the same gate (`endpoint`): preflights answer 204 without a key, then the key is checked
(403 without one, 401 for one no one made, 429 after 99 wrong keys an hour from one client), then the options
(`params.read_query`), then the endpoint reads. Whatever goes wrong is one of Ghost's errors (errors.py), never a
500 page; every answer, errors too, carries CORS's `Access-Control-Allow-Origin: *`.

`limit=all` streams its answer a hundred rows at a time, so a whole archive never sits in memory at once.
"""

import hashlib
import json
import re
from functools import wraps

from django.db import DatabaseError
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from masthead.api import params, services
from masthead.api.errors import ApiError, invalid, not_found
from masthead.api.filters import compile_filter
from masthead.api.models import ContentApiKey
from masthead.api.nql import FilterError, UnknownProperty
from masthead.api.resources import GHOST_VERSION, RESOURCES, site_settings
from masthead.newsroom import serving
from masthead.newsroom.selectors import CARD_SECONDS
from masthead.newsroom.serving import versioned_cache
from masthead.ratelimit import client_key, rate_limit_hit

ID = re.compile(r"[a-f\d]{24}|1|me", re.IGNORECASE)
SLUG = re.compile(r"[a-z0-9\-_]+")
KEY_FAILURES_PER_HOUR = 99  # as Ghost's brute-force guard on content keys
CHUNK = 100
NO_KEY_CONTEXT = (
    "Unable to determine the authenticated member or integration. Check the supplied Content API Key and ensure "
    "cookies are being passed through if member auth is failing."
)


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _common_headers(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Version"] = f"v{GHOST_VERSION}"
    response["Vary"] = "Accept-Version, Accept-Encoding"
    return response


def _preflight(request) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET,HEAD,PUT,PATCH,POST,DELETE"
    if asked := request.headers.get("Access-Control-Request-Headers"):
        response["Access-Control-Allow-Headers"] = asked
    response["Access-Control-Max-Age"] = "86400"
    response["Cache-Control"] = "public, max-age=0"
    _common_headers(response)
    response["Vary"] += ", Access-Control-Request-Headers"
    return response


def _check_key(request) -> None:
    keys = request.GET.getlist("key")
    if not keys:
        raise ApiError("NoPermissionError", "Authorization failed", context=NO_KEY_CONTEXT)
    if len(keys) > 1:
        raise ApiError("BadRequestError", "Invalid Request", code="INVALID_REQUEST")
    secret = keys[0]
    key = None
    if len(secret) == 26 and secret.isascii() and secret.isalnum():
        key = ContentApiKey.objects.filter(secret=secret.lower()).first()
    if key is None:
        wait = rate_limit_hit(
            scope="content-api-key", key=client_key(request), limit=KEY_FAILURES_PER_HOUR, seconds=3600
        )
        if wait:
            raise ApiError(
                "TooManyRequestsError",
                "Too many attempts.",
                context="Too many requests with a wrong Content API key. Please wait before trying again.",
                headers={"Retry-After": str(wait)},
            )
        raise ApiError("UnauthorizedError", "Unknown Content API Key", code="UNKNOWN_CONTENT_API_KEY")
    services.key_used(key=key)


def endpoint(view):
    """The gate every endpoint's view stands behind (see the module's docstring)."""

    @csrf_exempt
    @wraps(view)
    def gated(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return _preflight(request)
        try:
            if request.method not in ("GET", "HEAD"):
                raise ApiError("NotFoundError", "Resource not found")
            _check_key(request)
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "public, max-age=0"
        except ApiError as error:
            response = error.response()
        except DatabaseError:  # never a 500: a database error an odd value still provokes is Ghost's 400
            response = ApiError("BadRequestError", "Could not understand request.").response()
        return _common_headers(response)

    return gated


def _action(resource, method: str) -> str:
    return f"list {resource.name}" if method == "browse" else f"read {resource.singular}"


def _ok(body: bytes) -> HttpResponse:
    """A JSON answer (ConditionalGetMiddleware gives it an ETag and answers 304 when the client holds it)."""
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@endpoint
def browse(request, resource_name: str):
    resource = RESOURCES[resource_name](request)
    try:
        query = params.read_query(request, resource.name, "browse")
        queryset = resource.queryset()
        if query.filter:
            try:
                queryset = queryset.filter(compile_filter(query.filter, resource.name))
            except UnknownProperty as error:
                raise ApiError("BadRequestError", "Could not understand request.") from error
            except FilterError as error:
                raise ApiError("BadRequestError", "Error parsing filter") from error
        queryset = resource.ordered(queryset, query)
        if query.limit_all:
            pks = list(queryset.values_list("pk", flat=True))
            pagination = {"page": query.page, "limit": "all", "pages": 1, "total": len(pks), "next": None, "prev": None}
            return _streamed(resource, query, pks, pagination)
        total = _total(request, resource, query, queryset)
        pages = max(1, -(-total // query.limit))
        start = (query.page - 1) * query.limit
        pks = list(queryset.values_list("pk", flat=True)[start : start + query.limit]) if start < total else []
        pagination = {"page": query.page, "limit": query.limit, "pages": pages, "total": total} | _neighbours(
            query.page, pages
        )
        rows = resource.rows(pks, query)
    except ApiError as error:
        raise error.reworded(_action(resource, "browse")) from error
    return _ok(_json({resource.name: rows, "meta": {"pagination": pagination}}))


def _total(request, resource, query, queryset) -> int:
    """How many rows the list holds, counted once per pages version and filter (at 100,000 stories a count is
    a tenth of a second); a filter relative to now is counted every time."""
    if "now" in query.filter:
        return queryset.count()
    digest = hashlib.blake2b(query.filter.encode(), digest_size=12).hexdigest()
    key = f"api:total:{resource.name}:{digest}:{serving.pages_version(request)}"
    return versioned_cache.get_or_set(key, queryset.count, CARD_SECONDS)


def _neighbours(page: int, pages: int) -> dict:
    """Ghost's next and previous page numbers (a page past the end still names both, as Ghost's)."""
    if pages <= 1:
        return {"next": None, "prev": None}
    if page == 1:
        return {"next": 2, "prev": None}
    if page == pages:
        return {"next": None, "prev": page - 1}
    return {"next": page + 1, "prev": page - 1}


def _streamed(resource, query, pks, pagination) -> StreamingHttpResponse:
    def chunks():
        yield f'{{"{resource.name}":['.encode()
        written = False
        for start in range(0, len(pks), CHUNK):
            rows = [_json(row) for row in resource.rows(pks[start : start + CHUNK], query)]  # gone rows left out
            if rows:
                yield (b"," if written else b"") + b",".join(rows)
                written = True
        yield b'],"meta":' + _json({"pagination": pagination}) + b"}"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


@endpoint
def read(request, resource_name: str, id: str | None = None, slug: str | None = None):
    resource = RESOURCES[resource_name](request)
    try:
        query = params.read_query(request, resource.name, "read")
        if id is not None:
            if not ID.fullmatch(id):
                raise invalid("id")
            found = resource.by_id(id)
        else:
            if not SLUG.fullmatch(slug):
                raise invalid("slug", "isSlug")
            found = resource.queryset().filter(slug=slug)
        pks = list(found.values_list("pk", flat=True)[:1])
        rows = resource.rows(pks, query) if pks else []
        if not rows:
            raise not_found(resource.singular)
    except ApiError as error:
        raise error.reworded(_action(resource, "read")) from error
    return _ok(_json({resource.name: rows}))


@endpoint
def settings(request):
    return _ok(_json({"settings": site_settings(request), "meta": {}}))


@csrf_exempt
def unknown(request, rest: str = ""):
    """Any other address under the API: Ghost's 404 (a 406 when the client asks for another Ghost version)."""
    if request.method == "OPTIONS":
        return _preflight(request)
    error = ApiError("NotFoundError", "Resource not found")
    if asked := request.headers.get("Accept-Version"):
        error = _version_mismatch(asked) or error
    return _common_headers(error.response())


def _version_mismatch(asked: str) -> ApiError | None:
    match = re.match(r"v?(\d{1,4})(?:\.(\d{1,4}))?", asked.strip())
    if not match:
        return None
    theirs = (int(match[1]), int(match[2] or 0))
    ours = tuple(int(part) for part in GHOST_VERSION.split("."))
    if theirs == ours:
        return None
    behind = theirs < ours
    return ApiError(
        "RequestNotAcceptableError",
        "Request could not be served, the endpoint was not found.",
        context=f"Provided client accept-version {asked[:20]} is {'behind' if behind else 'ahead of'} current "
        f"Ghost version v{GHOST_VERSION}.",
        help="Try upgrading your Ghost API client." if behind else "Try upgrading your Ghost install.",
        code="UPDATE_CLIENT" if behind else "UPDATE_GHOST",
    )
