"""The search page: `/search/?q=…` with filters; any address gives a page (bad values are shown as errors)."""

import re

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from masthead.discovery import search, selectors
from masthead.discovery.forms import SearchForm
from masthead.newsroom.serving import pages_version


@require_safe
def search_page(request):
    options = selectors.search_options(version=pages_version(request))
    form = SearchForm(request.GET, sections=options["sections"], authors=options["authors"])
    form.is_valid()
    criteria = form.criteria()
    searched = any(criteria.values())
    number = int(page) if re.fullmatch(r"[0-9]{1,4}", page := request.GET.get("page", "1")) else 1
    results = search.stories_search(criteria=criteria, number=max(1, number)) if searched else None
    context = {
        "form": form,
        "criteria": criteria,
        "searched": searched,
        "filtered": any(criteria[name] for name in ("section", "author", "since", "until", "kind")) or form.errors,
        "results": results,
    }
    return TemplateResponse(request, "discovery/search.html", context)
