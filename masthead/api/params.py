"""The Content API's query options, read and checked as Ghost reads them (ghost-content-api.md §1, §3, §6, §7).

Each endpoint takes only the options Ghost's takes (any other is ignored, as in Ghost), and each option is
checked before anything is read: a `limit`, `page` or `order` that breaks Ghost's rule, or a `formats` Ghost does
not know, is a 422 naming the option. Values Ghost passes over quietly (an unknown `include` or `fields` name, an
`order` clause on a field that cannot be sorted) are passed over here too.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings

from masthead.api.errors import invalid

DEFAULT_LIMIT = 15
MAX_LIMIT = 100  # Ghost 6's cap (optimization:maxLimit)
LIMIT = re.compile(r"(?:\d+|all)")
PAGE = re.compile(r"\d+")
ORDER = re.compile(r"[a-z0-9_,. ]+", re.IGNORECASE)
ORDER_RULE = re.compile(r"([a-z0-9_.]+)\s+(asc|desc)", re.IGNORECASE)
FORMATS = {"html", "plaintext", "mobiledoc", "lexical"}
# What each endpoint reads from the query string (Ghost's `options` for it).
OPTIONS = {
    ("posts", "browse"): {"include", "filter", "fields", "formats", "limit", "order", "page"},
    ("posts", "read"): {"include", "fields", "formats"},
    ("pages", "browse"): {"include", "filter", "fields", "formats", "limit", "order", "page"},
    ("pages", "read"): {"include", "fields", "formats"},
    ("tags", "browse"): {"include", "filter", "fields", "limit", "order", "page"},
    ("tags", "read"): {"include", "fields"},
    ("authors", "browse"): {"include", "filter", "fields", "limit", "order", "page"},
    ("authors", "read"): {"include", "fields"},
}
INCLUDES = {
    "posts": {"tags", "authors"},
    "pages": {"tags", "authors"},
    "tags": {"count.posts"},
    "authors": {"count.posts"},
}


@dataclass
class Query:
    include: set = field(default_factory=set)
    filter: str = ""
    fields: list | None = None  # None: every field
    formats: list = field(default_factory=lambda: ["html"])
    limit: int | None = DEFAULT_LIMIT  # None: all
    limit_all: bool = False
    page: int = 1
    order: list = field(default_factory=list)  # [(field, descending)]


def _value(request, name: str) -> str | None:
    """An option's value; given more than once, the values joined by commas (as Ghost's query parser reads a
    repeated option, and as the JS client sends a list)."""
    values = request.GET.getlist(name)
    if not values:
        return None
    return ",".join(values)


def _names(text: str) -> list[str]:
    return [name.strip().lower() for name in text.split(",") if name.strip()]


def read_query(request, resource: str, method: str) -> Query:
    accepted = OPTIONS[(resource, method)]
    query = Query()
    given = {name: value for name in accepted if (value := _value(request, name)) is not None}

    if "limit" in given:
        query.limit, query.limit_all = _limit(given["limit"])
    if "page" in given:
        if not PAGE.fullmatch(given["page"]):
            raise invalid("page")
        query.page = int(given["page"][:12]) or 1  # a page past any archive is simply empty
    if "order" in given:
        if not ORDER.fullmatch(given["order"]):
            raise invalid("order")
        query.order = [
            (match[1].lower(), match[2].lower() == "desc")
            for rule in given["order"].split(",")
            if (match := ORDER_RULE.fullmatch(rule.strip()))
        ]
    if "include" in given:
        query.include = set(_names(given["include"])) & INCLUDES[resource]
    if "fields" in given:
        query.fields = _names(given["fields"])
    if "formats" in given:
        formats = _names(given["formats"])
        if not set(formats) <= FORMATS:
            raise invalid("formats", "AllowedValues")
        query.formats = [name for name in formats if name in ("html", "plaintext")]
    elif query.fields is not None:  # `fields` names the formats when `formats` does not (as in Ghost)
        query.formats = [name for name in ("html", "plaintext") if name in query.fields]
    if "filter" in given:
        query.filter = given["filter"]
    return query


def _limit(text: str) -> tuple[int | None, bool]:
    """Ghost 5's `limit=all` (every row, unless the newsroom turned it off: then 100, as Ghost 6) and Ghost 6's cap
    of 100 on numbers; a number that is not one is a 422 (Ghost 5's answer)."""
    if not LIMIT.fullmatch(text):
        raise invalid("limit")
    if text == "all":
        if settings.MASTHEAD_CONTENT_API_LIMIT_ALL:
            return None, True
        return MAX_LIMIT, False
    number = int(text[:12])
    if number == 0:
        return DEFAULT_LIMIT, False
    return min(number, MAX_LIMIT), False
