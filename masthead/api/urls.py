"""/ghost/api/content/: Ghost's Content API addresses (every one ends in a slash; Django's APPEND_SLASH sends a
GET without one to it with a 301, as Ghost does). The OpenAPI description of them is at openapi.json."""

from django.urls import path, re_path

from masthead.api import openapi, views

app_name = "api"
RESOURCE = "<resource_name>"


def _resource(route: str, view, name: str):
    return re_path(route, views.guard_database(view), name=name)


urlpatterns = [
    _resource(r"^(?P<resource_name>posts|pages|tags|authors)/$", views.browse, "browse"),
    _resource(r"^(?P<resource_name>posts|pages|tags|authors)/slug/(?P<slug>[^/]*)/$", views.read, "read_slug"),
    _resource(r"^(?P<resource_name>posts|pages|tags|authors)/(?P<id>[^/]+)/$", views.read, "read"),
    path("settings/", views.guard_database(views.settings), name="settings"),
    path("openapi.json", openapi.description, name="openapi"),
    re_path(r"^(?P<rest>(?:.*/)?)$", views.unknown, name="unknown"),
]
