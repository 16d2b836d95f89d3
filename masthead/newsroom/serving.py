"""Wagtail's page serving, with the lookups every request repeats read from the shared cache: the site, the
newsroom's settings, the route from an address to a page, and whether any page is restricted at all.

Each is a handful of ORM queries on every request otherwise (building their SQL costs more than running it).
They stay right by being dropped when what they come from changes (`serving_cache_expire`, called on commit of
a settings save, a page published, unpublished, moved or deleted, a site or a view restriction saved), and
the routes by carrying the settings' `pages_version` in their key.
"""

import hashlib
import pickle
import threading
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.request import split_domain_port
from wagtail import hooks
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.wagtail_hooks import check_view_restrictions


class VersionedCache:
    """The shared cache, with a small in-process memory in front, for keys that carry `pages_version`.

    What is stored under such a key never changes (a change moves the version on, so the key itself changes),
    so a process may keep a copy without ever serving a stale one; it saves reading a file (or asking Redis)
    for each of the dozens of cards a page shows.
    """

    def __init__(self, size: int = 4096):
        self.size, self.memory, self.lock = size, OrderedDict(), threading.Lock()

    def get_many(self, keys: list[str]) -> dict:
        if not settings.MASTHEAD_FRAGMENT_CACHE:
            return {}
        with self.lock:
            found = {key: self.memory[key] for key in keys if key in self.memory}
        missing = [key for key in keys if key not in found]
        if missing:
            shared = cache.get_many(missing)
            self._remember(shared)
            found.update(shared)
        return found

    def get(self, key: str):
        return self.get_many([key]).get(key)

    def get_or_set(self, key: str, make, timeout: int):
        """The value under `key`, made by `make()` and kept when there is none (as Django's cache.get_or_set)."""
        value = self.get(key)
        if value is None:
            value = make()
            self.set_many({key: value}, timeout)
        return value

    def set_many(self, values: dict, timeout: int) -> None:
        if not settings.MASTHEAD_FRAGMENT_CACHE:
            return
        cache.set_many(values, timeout)
        self._remember(values)

    def clear(self) -> None:
        """This process's copies only (tests start afresh; the shared cache is cleared on its own)."""
        with self.lock:
            self.memory.clear()

    def _remember(self, values: dict) -> None:
        with self.lock:
            self.memory.update(values)
            while len(self.memory) > self.size:
                self.memory.popitem(last=False)


versioned_cache = VersionedCache()

SITES_KEY = "serving:sites"
RESTRICTIONS_KEY = "serving:restrictions"


def site_for_request(request) -> Site | None:
    """Site.find_for_request's answer, from the cached list of sites (Wagtail's matching rules)."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    sites = cache.get_or_set(SITES_KEY, lambda: list(Site.objects.select_related("root_page")), None)
    hostname, port = split_domain_port(request._get_raw_host())[0], request.get_port()
    request._wagtail_site = _best_site(sites, hostname, int(port) if str(port).isdigit() else None)
    return request._wagtail_site


def _best_site(sites: list[Site], hostname: str, port: int | None) -> Site | None:
    ranked = sorted(
        (site for site in sites if site.hostname == hostname or site.is_default_site),
        key=lambda site: (
            0
            if site.hostname == hostname and site.port == port
            else 1
            if site.hostname == hostname and site.is_default_site
            else 2
            if site.is_default_site
            else 3
        ),
    )
    if len(ranked) == 1 or (ranked and ranked[0].hostname == hostname):
        return ranked[0]
    if ranked and ranked[0].is_default_site:
        return ranked[len(ranked) == 2]
    return None


# The site settings every page reads, kept in the shared cache (dropped by `serving_cache_expire`).
CACHED_SETTINGS = (
    "newsroom.NewsroomSettings",
    "discovery.DiscoverySettings",
    "comments.CommentSettings",
    "analytics.AnalyticsSettings",
)


def _settings_key(label: str, site_id: int) -> str:
    return f"serving:settings:{label.lower()}:{site_id}"


def _settings_load(model, site: Site):
    """The settings with the site icon loaded too (every page's <head> names it), kept together in the cache."""
    site_settings = model.for_site(site)
    if hasattr(model, "icon"):
        site_settings.icon  # noqa: B018 (loaded now, so the cached copy carries it)
    return site_settings


def site_settings_for_request(request, site: Site, model):
    """`model.for_request` (a Wagtail site setting), from the cache; left on the request where Wagtail looks."""
    attribute = model.get_cache_attr_name()
    if not hasattr(request, attribute):
        key = _settings_key(model._meta.label, site.pk)
        site_settings = cache.get_or_set(key, lambda: _settings_load(model, site), None)
        site_settings._request = request
        setattr(request, attribute, site_settings)
    return getattr(request, attribute)


def newsroom_settings_for_request(request, site: Site):
    from masthead.newsroom.models import NewsroomSettings

    return site_settings_for_request(request, site, NewsroomSettings)


def pages_version(request) -> int:
    """The version every cache derived from the pages carries (routes, rails, cards): moved on by any change."""
    site = site_for_request(request)
    return newsroom_settings_for_request(request, site).pages_version if site else 0


def route(request, path: str, site: Site):
    """Page.route_for_request, remembered per address until any page changes (`pages_version`).

    Pages whose class says how it serves them (`serving_queryset`, articles) are kept whole, as loaded for
    serving, so an article's page asks the database nothing; a change to any page moves the version on, so a
    kept page is never an old one. Each request unpickles its own copy: nothing a request sets on its page
    reaches another. Other pages are kept as (class, id) and loaded by id.
    """
    version = newsroom_settings_for_request(request, site).pages_version
    where = path if len(path) <= 160 else hashlib.sha256(path.encode()).hexdigest()  # keys stay short
    key = f"serving:page:{site.pk}:{version}:{where}"
    known = versioned_cache.get(key)
    if known is not None:
        label, pk, kept = known
        if kept is not None:
            page = pickle.loads(kept)  # noqa: S301 (written by this app, under a key only it makes)
        else:
            loaded = apps.get_model(label).objects.filter(pk=pk, live=True).order_by()[:1]
            page = next(iter(loaded), None)  # by id: no ORDER BY needed, unlike first()
        if page is not None:
            request._wagtail_route_for_request = (page, [], {})
            return page, [], {}
    result = Page.route_for_request(request, path)
    if result is not None and not result[1] and not result[2]:
        page = result[0]
        kept = pickle.dumps(page) if hasattr(page, "serving_queryset") else None
        versioned_cache.set_many({key: (page._meta.label, page.pk, kept)}, 24 * 3600)
    return result


def serve(request, path):
    """wagtail.views.serve, with the repeated lookups above; the same hooks, in the same order."""
    site = site_for_request(request)
    if site is None:
        raise Http404
    result = route(request, path, site)
    if result is None:
        raise Http404
    page, args, kwargs = result

    def serve_chain(page, request, args, kwargs):
        return page.serve(request, *args, **kwargs)

    chain = serve_chain
    restricted = _any_restrictions()
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        if fn is check_view_restrictions and not restricted:
            continue  # no page is restricted: nothing to check (two queries saved on every page)
        chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        response = fn(page, request, args, kwargs)
        if isinstance(response, HttpResponse):
            return response
    return chain(page, request, args, kwargs)


def _any_restrictions() -> bool:
    return cache.get_or_set(RESTRICTIONS_KEY, PageViewRestriction.objects.exists, None)


def serving_cache_expire() -> None:
    """Drop the cached sites, settings and restrictions, now and again once the change is committed (so that no
    request in between caches what it read before the commit)."""

    def expire():
        sites = Site.objects.values_list("pk", flat=True)
        keys = [SITES_KEY, RESTRICTIONS_KEY] + [_settings_key(m, pk) for m in CACHED_SETTINGS for pk in sites]
        cache.delete_many(keys)

    expire()
    transaction.on_commit(expire)
