"""The project's URLs plus `/_floor/`: a minimal view with a constant answer, through the same server and
middleware as the pages, to measure what the framework costs before any page work (bench.pages)."""

from django.http import HttpResponse
from django.urls import path

from masthead.urls import urlpatterns as masthead_urlpatterns


def floor(request):
    return HttpResponse(b"<!doctype html><title>floor</title><p>A constant answer.</p>", content_type="text/html")


urlpatterns = [path("_floor/", floor), *masthead_urlpatterns]
