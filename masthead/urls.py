from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.analytics import views as analytics_views
from masthead.discovery.feeds import per_request
from masthead.http_cache import public_page
from masthead.members import staff
from masthead.members import urls as members_urls
from masthead.narration import views as narration_views
from masthead.narration.feeds import Podcast
from masthead.newsroom import serving
from masthead.newsroom import views as newsroom_views
from masthead.operations import health
from masthead.ratelimit import too_many

urlpatterns = [
    # The admin's sign-in and password reset, with their limits and two-factor codes (members/staff.py).
    path("admin/login/", staff.login, name="wagtailadmin_login"),
    path("admin/password_reset/", staff.password_reset, name="wagtailadmin_password_reset"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("masthead.discovery.urls")),
    path("ghost/api/content/", include("masthead.api.urls")),
    path("tag/<str:slug>/", public_page(newsroom_views.tag), name="tag"),
    path("author/<str:slug>/", public_page(newsroom_views.author), name="author"),
    path("newsletters/", include("masthead.newsletters.urls")),
    path("account/", include("masthead.members.urls")),
    path("account/", include(members_urls.allauth_urlpatterns)),
    path("comments/", include("masthead.comments.urls")),
    path("podcast/", public_page(per_request(Podcast)), name="podcast"),
    path("podcast/<slug:slug>/", public_page(per_request(Podcast)), name="podcast_section"),
    # What differs per visitor on a public page (the page's script asks only when someone is signed in).
    path("_visitor/", newsroom_views.visitor, name="visitor"),
    # The pages' view beacon (never cached: under /_).
    path("_view/", analytics_views.beacon, name="view_beacon"),
    path("_health/", newsroom_views.health, name="health"),
    # For supervisors and load balancers (operations/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("manifest.webmanifest", public_page(newsroom_views.web_manifest), name="web_manifest"),
]


def handler429(request, exception=None):
    """allauth's limits on the members' code forms answer with this (its own page has no Retry-After)."""
    return too_many(request, 60)


if settings.ANYMAIL["WEBHOOK_SECRET"]:
    # The email provider reports bounces and complaints here (newsletters' suppression list).
    from anymail.urls import urlpatterns as provider_webhooks
    from django.urls import URLPattern

    from masthead.newsletters.views import provider_webhook

    guarded = [URLPattern(p.pattern, provider_webhook(p.callback), p.default_args, p.name) for p in provider_webhooks]
    urlpatterns.append(path("anymail/", include((guarded, "anymail"))))

if settings.MASTHEAD_SERVE_MEDIA:
    # Only image renditions and narrations are public files. Originals (an embargoed photo's among them) and
    # documents (which may sit in a private collection) are never served from /media/: documents go through
    # Wagtail's view above.
    media = settings.MEDIA_URL.lstrip("/")
    renditions = {"document_root": settings.MEDIA_ROOT / "images"}  # a path cannot climb out of it
    urlpatterns.append(re_path(rf"^{media}images/(?P<path>.+)$", newsroom_views.rendition, renditions))
    # And the narrations' audio, with Range requests for seeking.
    urlpatterns.append(re_path(rf"^{media}narration/(?P<path>[^/]+)$", narration_views.audio))

# Wagtail's pages are public pages (masthead/http_cache.py), served at the same pattern as in wagtail.urls by
# Wagtail's view with its repeated lookups cached (newsroom/serving.py).
urlpatterns += [
    re_path(r"^((?:[\w\-]+/)*)$", public_page(serving.serve), name="wagtail_serve"),
    path("", include(wagtail_urls)),
]
