"""Wagtail's database search backend (SQLite FTS5 or PostgreSQL full text, as the database is), with the query
cleaned first: FTS5 reads a double quote inside a word as the start of a string, so a search for `"unclosed`
failed with "unterminated string"; control characters and very long queries are trimmed the same way. Wagtail
finds the backend here through `WAGTAILSEARCH_BACKENDS` (`BACKEND: "masthead.search"`)."""

import re
from functools import cache

from modelsearch.backends import database

MAX_QUERY_CHARS = 500
NOT_TEXT = re.compile(r'["\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]')


def query_clean(query):
    """A query string with nothing a search engine would read as syntax by accident; query objects unchanged."""
    if not isinstance(query, str):
        return query
    return " ".join(NOT_TEXT.sub(" ", query[:MAX_QUERY_CHARS]).split())


class QueryCleaning:
    def search(self, query, *args, **kwargs):
        return super().search(query_clean(query), *args, **kwargs)

    def autocomplete(self, query, *args, **kwargs):
        return super().autocomplete(query_clean(query), *args, **kwargs)


@cache
def _cleaning(backend_class: type) -> type:
    return type(backend_class.__name__, (QueryCleaning, backend_class), {})


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks up)
    backend = database.SearchBackend(params)
    return _cleaning(type(backend))(params)
