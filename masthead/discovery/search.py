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

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


def stories_search(*, criteria: dict, number: int) -> Results:
    """One page of the live stories that match `criteria` (text, section slug, author slug, since/until dates,
    kind "story" or "news"), best first; without text, newest first."""
    from masthead.newsroom.models import ArticleAuthor, ArticlePage, SectionPage

    articles = ArticlePage.objects.live()
    if criteria["section"]:
        section = SectionPage.objects.live().filter(slug=criteria["section"]).first()
        below = SectionPage.objects.descendant_of(section, inclusive=True) if section else SectionPage.objects.none()
        articles = articles.filter(section__in=list(below.values_list("pk", flat=True)))
    if criteria["author"]:
        bylined = ArticleAuthor.objects.filter(author__slug=criteria["author"]).values_list("article_id", flat=True)
        articles = articles.filter(id__in=list(bylined))
    if criteria["since"]:
        articles = articles.filter(first_published_at__gte=day_start(criteria["since"]))
    if criteria["until"]:
        articles = articles.filter(first_published_at__lte=day_end(criteria["until"]))
    if criteria["kind"]:
        articles = articles.filter(news_feed=criteria["kind"] == "news")
    number = min(number, MAX_PAGES)
    start = (number - 1) * PER_PAGE
    if criteria["text"] and terms(criteria["text"]):
        found = articles.search(criteria["text"], operator="and")
    elif criteria["text"]:  # punctuation only: nothing a reader could have meant
        found = ArticlePage.objects.none()
    else:
        found = articles.order_by("-first_published_at", "-pk")
    total = found.count()
    page = list(found[start : start + PER_PAGE]) if start < total else []
    words = terms(criteria["text"])
    hits = [{"id": article.pk, "snippet": snippet(_text_of(article), words) if words else ""} for article in page]
    return Results(hits=hits, total=total, number=number, criteria=criteria)


def _text_of(article) -> str:
    return f"{article.standfirst}\n\n{article.body_text}"
