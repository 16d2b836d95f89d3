"""Searching the stories: `stories_search()` answers the search page, with the reader's filters, ranked by
relevance and recency, one page at a time, each hit with a snippet of its text where the words were found.

Matching runs through Wagtail's search backend (the database's: SQLite FTS5 or PostgreSQL full text, or
Elasticsearch/OpenSearch where configured, docs/deploy.md). The snippet is cut here from the story's text, so it
reads the same whatever the backend.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import urlencode

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.discovery.services import KEY_SHIFT

PER_PAGE = 20
MAX_PAGES = 50  # 1,000 results: past them a reader narrows the search
SNIPPET_WORDS = 36
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Results:
    hits: list[dict]
    total: int
    number: int
    criteria: dict
    capped: bool = False
    ids: list[int] = field(init=False)

    def __post_init__(self):
        self.ids = [hit["id"] for hit in self.hits]

    @property
    def pages(self) -> int:
        return min(MAX_PAGES, max(1, math.ceil(self.total / PER_PAGE)))

    @property
    def total_label(self) -> str:
        more = "More than " if self.capped else ""
        return f"{more}{self.total:,} result{'' if self.total == 1 else 's'}"

    @property
    def pages_label(self) -> str:
        return f"{self.pages}{'+' if self.capped else ''}"

    def _query(self, number: int) -> str:
        params = {
            "q": self.criteria["text"],
            "section": self.criteria["section"],
            "author": self.criteria["author"],
            "since": self.criteria["since"].isoformat() if self.criteria["since"] else "",
            "until": self.criteria["until"].isoformat() if self.criteria["until"] else "",
            "kind": self.criteria["kind"],
            "page": number,
        }
        return urlencode({key: value for key, value in params.items() if value})

    @property
    def query_for_previous(self) -> str:
        return self._query(self.number - 1)

    @property
    def query_for_next(self) -> str:
        return self._query(self.number + 1)


def criteria(**given) -> dict:
    """What `stories_search` is asked: nothing but what is given (the search form's `criteria()` gives them all)."""
    return {"text": "", "section": "", "author": "", "since": None, "until": None, "kind": "", **given}


def terms(text: str) -> list[str]:
    """The words of a query, as a reader meant them (operators and punctuation are not words)."""
    return [word for word in WORD.findall(text.casefold()) if word not in {"and", "or", "not"}]


def snippet(text: str, words: list[str], *, length: int = SNIPPET_WORDS) -> SafeString:
    """About `length` words of `text` around the first place a query word (or a word it begins) appears, those
    words in <mark>; the text's opening words when none appears. Everything else is escaped."""
    tokens = re.findall(r"\S+", text)
    if not tokens:
        return mark_safe("")  # noqa: S308 (empty)
    prefixes = tuple(words)

    def hit(token: str) -> bool:
        return bool(prefixes) and any(w.startswith(prefixes) for w in WORD.findall(token.casefold()))

    first = next((n for n, token in enumerate(tokens) if hit(token)), 0)
    start = max(0, first - length // 3)
    chosen = tokens[start : start + length]
    out = []
    for token in chosen:
        out.append(f"<mark>{escape(token)}</mark>" if hit(token) else escape(token))
    text_html = " ".join(out)
    return mark_safe(("… " if start else "") + text_html + (" …" if start + length < len(tokens) else ""))  # noqa: S308 (escaped above)


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


CANDIDATES = 1000  # the newest matches ranked for relevance; a page past them narrows the search
RECENCY_DAYS = 30  # a story this many days older ranks as if half as relevant
MAX_TERMS = 12


def stories_search(*, criteria: dict, number: int) -> Results:
    """One page of the live stories that match `criteria` (text, section slug, author slug, since/until dates,
    kind "story" or "news"). With words: the newest `CANDIDATES` stories holding all of them (the last word also
    matches the words it begins: a reader still typing it, and a stand-in for stemming in any language), ranked
    by relevance (a word in the headline counts most, then the standfirst, then the body) weighed down by age;
    without words, newest first. The count stops at `CANDIDATES` ("more than 1,000")."""
    from masthead.discovery.models import StoryIndex
    from masthead.newsroom.models import Author, SectionPage

    number = max(1, min(number, MAX_PAGES))
    words = terms(criteria["text"])[:MAX_TERMS]
    facets = []
    if criteria["section"]:
        section = SectionPage.objects.live().filter(slug=criteria["section"]).first()
        below = SectionPage.objects.descendant_of(section, inclusive=True) if section else SectionPage.objects.none()
        facets.append([f"s{pk}" for pk in below.values_list("pk", flat=True)] or ["s0"])
    if criteria["author"]:
        facets.append(
            [f"a{pk}" for pk in Author.objects.filter(slug=criteria["author"]).values_list("pk", flat=True)] or ["a0"]
        )
    if criteria["kind"]:
        facets.append(["knews" if criteria["kind"] == "news" else "kstory"])
    lowest, highest = 0, (1 << 62)
    if criteria["since"]:
        lowest = int(day_start(criteria["since"]).timestamp()) << KEY_SHIFT
    if criteria["until"]:
        highest = (int(day_end(criteria["until"]).timestamp()) + 1) << KEY_SHIFT
    if criteria["text"] and not words:  # punctuation only: nothing a reader could have meant
        return Results(hits=[], total=0, number=number, criteria=criteria)
    engine = _sqlite if connection.vendor == "sqlite" else _postgres
    keys, total = engine(words, facets, lowest, highest, number)
    rows = {
        key: (page_id, standfirst, body)
        for key, page_id, standfirst, body in StoryIndex.objects.filter(key__in=keys).values_list(
            "key", "page_id", "standfirst", "body"
        )
    }
    hits = []
    for key in keys:
        if key in rows:
            page_id, standfirst, body = rows[key]
            hits.append({"id": page_id, "snippet": snippet(f"{standfirst}\n\n{body}", words) if words else ""})
    return Results(hits=hits, total=total, number=number, criteria=criteria, capped=total > CANDIDATES)


def _sqlite(words, facets, lowest, highest, number) -> tuple[list[int], int]:
    parts = []
    if words:
        # Every column: a `{title standfirst body} :` filter doubled the time (5 → 12 ms for a common word), and a
        # word matching a filter's word (`s12`, `kstory`) in `facets` changes no ranking (its weight is 0).
        last = len(words) - 1
        parts.append("(" + " AND ".join(_fts5_word(w, n == last) for n, w in enumerate(words)) + ")")
    parts += ["facets : (" + " OR ".join(group) + ")" for group in facets]
    offset = (number - 1) * PER_PAGE
    with connection.cursor() as cursor:
        if not parts:  # dates alone: the rows in key order
            cursor.execute(
                "SELECT key FROM discovery_storyindex WHERE key BETWEEN %s AND %s ORDER BY key DESC LIMIT %s OFFSET %s",
                [lowest, highest, PER_PAGE, offset],
            )
            keys = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM discovery_storyindex WHERE key BETWEEN %s AND %s LIMIT %s)",
                [lowest, highest, CANDIDATES + 1],
            )
            return keys, cursor.fetchone()[0]
        match = " AND ".join(parts)
        found = "FROM discovery_storyfts WHERE discovery_storyfts MATCH %s AND rowid BETWEEN %s AND %s"
        if words:
            cursor.execute(
                f"""SELECT key FROM (
                        SELECT rowid AS key, bm25(discovery_storyfts, 10.0, 4.0, 1.0, 0.0) AS score {found}
                        ORDER BY rowid DESC LIMIT %s)
                    ORDER BY score / (1.0 + (%s - key) / %s), key DESC LIMIT %s OFFSET %s""",  # noqa: S608
                [match, lowest, highest, CANDIDATES, _now_key(), _decay(), PER_PAGE, offset],
            )
        else:
            cursor.execute(
                f"SELECT rowid {found} ORDER BY rowid DESC LIMIT %s OFFSET %s",
                [match, lowest, highest, PER_PAGE, offset],
            )  # noqa: S608
        keys = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 {found} LIMIT %s)", [match, lowest, highest, CANDIDATES + 1])  # noqa: S608
        return keys, cursor.fetchone()[0]


def _fts5_word(word: str, begun: bool) -> str:
    """A word as an FTS5 string (the words are letters, digits and underscores only); `begun`: words it begins
    match too (only the last word: each begun word merges every matching word's list of stories)."""
    return f'"{word}"' + ("*" if begun and len(word) >= 2 else "")


def _postgres(words, facets, lowest, highest, number) -> tuple[list[int], int]:
    # The filters' words first: where the planner walks the stories newest first, a row's short facet_words is
    # read before its whole text is (a section's common word: 60 ms → 9 ms at 100,000 stories).
    where, params = ["key BETWEEN %s AND %s"], [lowest, highest]
    for group in facets:
        where.append("facet_words @@ to_tsquery('simple', %s)")
        params.append(" | ".join(group))
    if words:
        where.append("document @@ to_tsquery('simple', %s)")
        params.append(_tsquery(words))
    condition = " AND ".join(where)
    offset = (number - 1) * PER_PAGE
    with connection.cursor() as cursor:
        if words:
            cursor.execute(
                f"""SELECT key FROM (
                        SELECT key, head FROM discovery_storyindex WHERE {condition} ORDER BY key DESC LIMIT %s
                    ) candidates
                    ORDER BY (ts_rank(head, to_tsquery('simple', %s)) + 0.1) / (1.0 + (%s - key) / %s) DESC, key DESC
                    LIMIT %s OFFSET %s""",  # noqa: S608 (conditions are ours, values parameters)
                [*params, CANDIDATES, _tsquery(words, any_word=True), _now_key(), _decay(), PER_PAGE, offset],
            )
        else:
            cursor.execute(
                f"SELECT key FROM discovery_storyindex WHERE {condition} ORDER BY key DESC LIMIT %s OFFSET %s",  # noqa: S608
                [*params, PER_PAGE, offset],
            )
        keys = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM discovery_storyindex WHERE {condition} LIMIT %s) found",  # noqa: S608
            [*params, CANDIDATES + 1],
        )
        return keys, cursor.fetchone()[0]


def _tsquery(words: list[str], *, any_word: bool = False) -> str:
    """A tsquery of the words (the last also matching the words it begins), all of them, or any for ranking."""
    last = len(words) - 1
    return (" | " if any_word else " & ").join(
        f"'{w}'" + (":*" if n == last and len(w) >= 2 else "") for n, w in enumerate(words)
    )


def _now_key() -> int:
    return int(timezone.now().timestamp()) << KEY_SHIFT


def _decay() -> float:
    return float(RECENCY_DAYS * 86400 << KEY_SHIFT)
