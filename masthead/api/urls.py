"""/ghost/api/content/: Ghost's Content API addresses (every one ends in a slash; Django's APPEND_SLASH sends a
GET without one to it with a 301, as Ghost does). The OpenAPI description of them is at openapi.json."""

from django.urls import path, re_path

from masthead.api import openapi, views

app_name = "api"
RESOURCES = "(?P<resource_name>posts|pages|tags|authors)"

urlpatterns = [
    re_path(rf"^{RESOURCES}/$", views.browse, name="browse"),
    re_path(rf"^{RESOURCES}/slug/(?P<slug>[^/]*)/$", views.read, name="read_slug"),
    re_path(rf"^{RESOURCES}/(?P<id>[^/]+)/$", views.read, name="read"),
    path("settings/", views.settings, name="settings"),
    path("openapi.json", openapi.description, name="openapi"),
    re_path(r"^(?P<rest>(?:.*/)?)$", views.unknown, name="unknown"),
]
