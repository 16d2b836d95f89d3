"""The Content API's `filter` (Ghost's NQL, parsed by nql.py) as a Django query for each resource.

Each resource names the properties a filter may use (Ghost's column and relation names) and what each means
here: `tag:` (and `tags:`, `tags.slug:`) is a story's tag slugs, `author:` its bylines' slugs, `primary_tag:` and
`primary_author:` the first of each, `featured:` the home page's Editors' Picks, `published_at:` the first
publication. A property not named is a `FilterError`, as an unknown column is an error in Ghost.
"""

from datetime import UTC, datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from masthead.api.ids import primary_key
from masthead.api.nql import Condition, FilterError, Group, UnknownProperty, parse

NONE = Q(pk__in=[])


def compile_filter(text: str, resource: str) -> Q:
    """A Q for `text` on this resource ("posts", "pages", "tags", "authors"); FilterError if it does not parse or
    names a property the resource lacks."""
    properties = RESOURCES[resource]()
    return _compile(parse(text), properties)


def _compile(node, properties) -> Q:
    if isinstance(node, Group):
        parts = [_compile(part, properties) for part in node.parts]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if node.kind == "and" else (combined | part)
        return combined
    assert isinstance(node, Condition)
    handler = properties.get(node.prop)
    if handler is None:
        raise UnknownProperty(f"unknown property {node.prop!r}")
    return handler(node.op, node.value)


# What a property's value may be compared with.
EQUALITY = {"eq", "ne", "in", "nin"}
TEXT = EQUALITY | {"contains", "startswith", "endswith", "not_contains", "not_startswith", "not_endswith"}
ORDERED = EQUALITY | {"gt", "gte", "lt", "lte"}


def _values(op, value) -> list:
    return list(value) if op in ("in", "nin") else [value]


def field(name: str, *, ops=TEXT | ORDERED, convert=lambda v: v):
    """A column compared directly."""

    def handler(op, value):
        if op not in ops:
            raise FilterError(f"{op} cannot be used here")
        if value is None:
            if op not in ("eq", "ne"):
                raise FilterError("null can only be compared with ':' or ':-'")
            q = Q(**{f"{name}__isnull": True})
            return q if op == "eq" else ~q
        if op in ("contains", "startswith", "endswith", "not_contains", "not_startswith", "not_endswith"):
            q = Q(**{f"{name}__i{op.removeprefix('not_')}": str(value)})
            return ~q if op.startswith("not_") else q
        converted = [convert(v) for v in _values(op, value)]
        if op in ("in", "nin"):
            q = Q(**{f"{name}__in": [v for v in converted if v is not None]})
            return q if op == "in" else ~q
        if converted[0] is None:  # a value this column can never hold
            return NONE if op in ("eq", "gt", "gte", "lt", "lte") else Q()
        lookup = {"eq": "exact", "ne": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}[op]
        q = Q(**{f"{name}__{lookup}": converted[0]})
        return ~q if op == "ne" else q

    return handler


def related(ids_for):
    """A property held in another table (a story's tags or bylines): `ids_for(values)` gives the matching rows'
    owner ids; ':' and ':[…]' keep those, ':-' and ':-[…]' the others (stories with none included, as Ghost)."""

    def handler(op, value):
        if op not in EQUALITY:
            raise FilterError(f"{op} cannot be used here")
        values = [str(v).lower() for v in _values(op, value) if v is not None]
        q = Q(pk__in=ids_for(values))
        return q if op in ("eq", "in") else ~q

    return handler


def constant(matching: set):
    """A property every row has the same value of (`visibility:public`, `status:published`)."""

    def handler(op, value):
        if op not in EQUALITY:
            raise FilterError(f"{op} cannot be used here")
        hit = any(str(v).lower() in matching for v in _values(op, value))
        return Q() if hit == (op in ("eq", "in")) else NONE

    return handler


def _ghost_id(kind):
    return lambda value: primary_key(kind, value)


def _moment(value):
    """A time in a filter: Ghost's 'YYYY-MM-DD HH:MM:SS' (UTC), an ISO 8601 time, a date, or now±n."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, int) and 1000 <= value <= 9999:
        value = f"{value}-01-01"
    text = str(value).strip().replace(" ", "T", 1)
    if len(text) == 10:
        text += "T00:00:00"
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise FilterError(f"{value!r} is not a time")
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


def _boolean(value):
    if isinstance(value, bool):
        return value
    raise FilterError(f"{value!r} is not true or false")


def _story_properties() -> dict:
    from masthead.newsroom.models import ArticleAuthor, ArticleTag, HomeEditorsPick

    def tagged(field_name):
        return lambda values: ArticleTag.objects.filter(**{f"tag__{field_name}__in": values}).values(
            "content_object_id"
        )

    def tagged_name(op, value):
        names = [str(v) for v in _values(op, value)]
        return related(lambda _: ArticleTag.objects.filter(tag__name__in=names).values("content_object_id"))(op, value)

    def first_tag(values):
        first = ArticleTag.objects.filter(content_object_id=OuterRef("content_object_id")).order_by("id").values("id")
        return ArticleTag.objects.filter(id=Subquery(first[:1]), tag__slug__in=values).values("content_object_id")

    def bylined(values):
        return ArticleAuthor.objects.filter(author__slug__in=values).values("article_id")

    def first_byline(values):
        first = ArticleAuthor.objects.filter(article_id=OuterRef("article_id")).order_by("sort_order", "id")
        return ArticleAuthor.objects.filter(id=Subquery(first.values("id")[:1]), author__slug__in=values).values(
            "article_id"
        )

    def featured(op, value):
        picks = HomeEditorsPick.objects.values("article_id")
        wanted = [_boolean(v) for v in _values(op, value)]
        if op in ("ne", "nin"):
            wanted = [not w for w in wanted]
        if all(wanted):
            return Q(pk__in=picks)
        if not any(wanted):
            return ~Q(pk__in=picks)
        return Q()

    def section(values):
        from masthead.newsroom.models import ArticlePage, SectionPage

        sections = SectionPage.objects.filter(slug__in=values)
        below = SectionPage.objects.none()
        for found in sections:
            below = below | SectionPage.objects.descendant_of(found, inclusive=True)
        return ArticlePage.objects.filter(section__in=below.values("pk")).values("pk")

    return {
        "id": field("pk", ops=EQUALITY, convert=_ghost_id("page")),
        "uuid": field("translation_key", ops=EQUALITY),
        "slug": field("slug"),
        "title": field("title"),
        "custom_excerpt": field("standfirst"),
        "published_at": field("first_published_at", ops=ORDERED, convert=_moment),
        "created_at": field("first_published_at", ops=ORDERED, convert=_moment),
        "updated_at": field("last_published_at", ops=ORDERED, convert=_moment),
        "feature_image": field("featured_image", ops={"eq", "ne"}, convert=lambda v: None),
        "featured": featured,
        "visibility": constant({"public"}),
        "status": constant({"published"}),
        "type": constant({"post"}),
        "tag": related(tagged("slug")),
        "tags": related(tagged("slug")),
        "tags.slug": related(tagged("slug")),
        "tags.name": tagged_name,
        "primary_tag": related(first_tag),
        "primary_tag.slug": related(first_tag),
        "author": related(bylined),
        "authors": related(bylined),
        "authors.slug": related(bylined),
        "primary_author": related(first_byline),
        "primary_author.slug": related(first_byline),
        "section": related(section),  # Masthead's own: a section's slug, with the sections under it
    }


def _page_properties() -> dict:
    nothing = related(lambda values: [0])
    return {
        "id": field("pk", ops=EQUALITY, convert=_ghost_id("page")),
        "uuid": field("translation_key", ops=EQUALITY),
        "slug": field("slug"),
        "title": field("title"),
        "published_at": field("first_published_at", ops=ORDERED, convert=_moment),
        "created_at": field("first_published_at", ops=ORDERED, convert=_moment),
        "updated_at": field("last_published_at", ops=ORDERED, convert=_moment),
        "featured": lambda op, value: Q() if (False in _values(op, value)) == (op in ("eq", "in")) else NONE,
        "visibility": constant({"public"}),
        "status": constant({"published"}),
        "type": constant({"page"}),
        "tag": nothing,
        "tags": nothing,
        "author": nothing,
        "authors": nothing,
    }


def _tag_properties() -> dict:
    return {
        "id": field("pk", ops=EQUALITY, convert=_ghost_id("tag")),
        "slug": field("slug"),
        "name": field("name"),
        "visibility": constant({"public"}),
    }


def _author_properties() -> dict:
    return {
        "id": field("pk", ops=EQUALITY, convert=_ghost_id("author")),
        "slug": field("slug"),
        "name": field("name"),
        "bio": field("bio"),
        "website": field("website"),
    }


RESOURCES = {
    "posts": _story_properties,
    "pages": _page_properties,
    "tags": _tag_properties,
    "authors": _author_properties,
}
