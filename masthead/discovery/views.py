"""The search page."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe


@require_safe
def search(request):
    return TemplateResponse(request, "discovery/search.html", {})
