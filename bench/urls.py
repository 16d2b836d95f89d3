"""The project's URLs plus `/_floor/`: a minimal view with a constant answer, through the same server and
middleware as the pages, to measure what the framework costs before any page work (bench.pages); and
`/_empty/`, an empty 204 to any method, the view beacon's reference (bench.analytics)."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from masthead.urls import urlpatterns as masthead_urlpatterns


def floor(request):
    return HttpResponse(b"<!doctype html><title>floor</title><p>A constant answer.</p>", content_type="text/html")


@csrf_exempt
def empty(request):
    return HttpResponse(status=204)


urlpatterns = [path("_floor/", floor), path("_empty/", empty), *masthead_urlpatterns]
