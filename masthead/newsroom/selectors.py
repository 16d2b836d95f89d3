"""The reads the newsroom's pages need, each one a bounded number of queries."""

import time
from collections import defaultdict
from collections.abc import Iterable

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from wagtail.models import Site

from masthead.narration.selectors import narration_for
from masthead.newsroom.models import (
    ArticleAuthor,
    ArticleListing,
    ArticlePage,
    ArticleYearPage,
    Author,
    HomeEditorsPick,
    HomePage,
    NewsFeedPage,
    NewsroomSettings,
    SectionPage,
)
from masthead.newsroom.models.routing import HOME_CHILD_DEPTH
from masthead.newsroom.serving import pages_version, site_for_request, site_settings_for_request, versioned_cache


def with_card_data(articles: QuerySet) -> QuerySet:
    """What a story card shows: authors, section, featured image (its renditions are listed on its row)."""
    return (
        articles.defer_streamfields()
        .select_related("section", "featured_image")
        .prefetch_related(Prefetch("authors", queryset=ArticleAuthor.objects.select_related("author")))
    )


# Listings and rails are lists of article ids, read from models.listings (one index serves any page of any of them);
# their cards are rendered from ids by `card_fragments`, which keeps each card's HTML in the cache until a page
# changes, so a page of twenty cards is one id query and one cache read.


def listing(kind: int, key: int = 0) -> QuerySet:
    """The ids of the live articles in one listing, newest first."""
    entries = ArticleListing.objects.filter(kind=kind, key=key).order_by("-published_at", "-article_id")
    return entries.values_list("article_id", flat=True)


def subsections(*, section: SectionPage) -> QuerySet:
    return SectionPage.objects.child_of(section).live().order_by("path")


def _ids(ids: QuerySet, limit: int, exclude: Iterable[int] = ()) -> list[int]:
    exclude = list(exclude)
    return list((ids.exclude(article_id__in=exclude) if exclude else ids)[:limit])


def latest_ids(*, limit: int, exclude: Iterable[int] = ()) -> list[int]:
    return _ids(listing(ArticleListing.Kind.ALL), limit, exclude)


def news_feed_ids(*, limit: int, exclude: Iterable[int] = ()) -> list[int]:
    return _ids(listing(ArticleListing.Kind.NEWS_FEED), limit, exclude)


def section_ids(*, section: SectionPage, limit: int) -> list[int]:
    return _ids(listing(ArticleListing.Kind.SECTION, section.pk), limit)


def more_from_section_ids(*, section_id: int | None, limit: int = 5) -> list[int]:
    """The newest of one section and those below it (of all sections for an article without one); shared by the
    section's articles, which each leave themselves out."""
    if section_id is None:
        return latest_ids(limit=limit)
    return _ids(listing(ArticleListing.Kind.SECTION, section_id), limit)


def most_popular(*, request, slot: str, version: int, exclude: Iterable[int] = ()) -> tuple[str, list[int]]:
    """A "Most popular" list's title and stories (`slot`: "home" or "article", each with its own period in the
    analytics settings), leaving out `exclude`. Before any view has been counted in the period it shows the
    newest stories and says so: it never claims a popularity nobody measured."""
    from masthead.analytics.models import AnalyticsSettings
    from masthead.analytics.selectors import most_popular_ids

    site = site_for_request(request)
    chosen = site_settings_for_request(request, site, AnalyticsSettings) if site else AnalyticsSettings()
    window = chosen.home_popular_window if slot == "home" else chosen.article_popular_window
    exclude = set(exclude)
    ids = most_popular_ids(window=window, limit=chosen.popular_count + len(exclude), version=version)
    if not ids:
        latest = rail_ids("latest", version=version, ids=lambda: latest_ids(limit=20))
        return "Latest", [pk for pk in latest if pk not in exclude][: chosen.popular_count]
    return "Most popular", [pk for pk in ids if pk not in exclude][: chosen.popular_count]


def editors_pick_schedule(*, home_id: int | None) -> list[tuple[int, float | None, float | None]]:
    """The Editors' Picks in their order with the times they show from and until (timestamps, or None), for
    `editors_pick_ids` to choose from at each request: the list is kept until a page changes, the times pass
    on their own."""
    if home_id is None:
        return []
    picks = HomeEditorsPick.objects.filter(home_id=home_id, article__live=True).order_by("sort_order")
    return [
        (pk, starts.timestamp() if starts else None, ends.timestamp() if ends else None)
        for pk, starts, ends in picks.values_list("article_id", "starts_at", "ends_at")
    ]


def editors_pick_ids(schedule: list, *, limit: int = 6, now: float | None = None) -> list[int]:
    """The picks showing now, in their order."""
    now = time.time() if now is None else now
    showing = [
        pk for pk, starts, ends in schedule if (starts is None or starts <= now) and (ends is None or now < ends)
    ]
    return list(dict.fromkeys(showing))[:limit]


CARD_SECONDS = 24 * 3600


def card_fragments(ids: Iterable[int], *, variant: str, render, version: int) -> list[str]:
    """The HTML of each live article's card (`render(article)`) in the order of `ids`, from the cache where it is;
    the others are loaded together (with authors, section, image renditions), rendered, and kept. The key holds
    the newsroom's `pages_version`, which any page change moves on."""
    ids = list(ids)
    keys = {pk: f"card:{variant}:{version}:{pk}" for pk in ids}
    found = versioned_cache.get_many(list(keys.values()))
    missing = [pk for pk in ids if keys[pk] not in found]
    if missing:
        made = {
            article.pk: render(article) for article in with_card_data(ArticlePage.objects.live().filter(pk__in=missing))
        }
        versioned_cache.set_many({keys[pk]: html for pk, html in made.items()}, CARD_SECONDS)
        found.update({keys[pk]: html for pk, html in made.items()})
    return [found[keys[pk]] for pk in ids if keys[pk] in found]


def rail_ids(name: str, *, version: int, ids) -> list[int]:
    """A rail's ids (`ids()`, an id query), kept until any page changes."""
    return versioned_cache.get_or_set(f"rail:{name}:{version}", ids, CARD_SECONDS)


def year_folder(*, year: int) -> ArticleYearPage | None:
    """The archive's folder for one year, if it has been started."""
    return ArticleYearPage.objects.filter(slug=str(year), depth=HOME_CHILD_DEPTH + 1).first()


def home_page_context(*, home: HomePage, request, version: int) -> dict:
    """Everything the front page shows, as article ids; the latest stories fill whatever editors left empty."""

    def ids():
        top_count = 5  # the lead and four more
        top_ids = list(home.top_stories.order_by("sort_order").values_list("article_id", flat=True))
        chosen = list(dict.fromkeys(([home.lead_story_id] if home.lead_story_id else []) + top_ids))
        live = set(ArticlePage.objects.live().filter(pk__in=chosen).values_list("pk", flat=True))
        stories = [pk for pk in chosen if pk in live][:top_count]
        stories += [pk for pk in latest_ids(limit=top_count * 2) if pk not in stories][: top_count - len(stories)]
        blocks = [
            (block.section_id, section_ids(section=block.section, limit=4))
            for block in home.section_blocks.select_related("section").order_by("sort_order")
            if block.section.live
        ]
        return {
            "stories": stories,
            "news_feed": news_feed_ids(limit=8),
            "editors_picks": editors_pick_schedule(home_id=home.pk),
            "blocks": blocks,
        }

    chosen = rail_ids(f"home:{home.pk}", version=version, ids=ids)
    sections = {
        section.pk: section for section in SectionPage.objects.filter(pk__in=[pk for pk, _ in chosen["blocks"]])
    }
    popular_title, popular = most_popular(request=request, slot="home", version=version, exclude=chosen["stories"])
    return {
        "lead": chosen["stories"][:1],
        "top_stories": chosen["stories"][1:],
        "news_feed": chosen["news_feed"],
        "section_blocks": [(sections[pk], ids) for pk, ids in chosen["blocks"] if pk in sections],
        "editors_picks": editors_pick_ids(chosen["editors_picks"]),
        "most_popular": popular,
        "most_popular_title": popular_title,
    }


SHARED = ("bylines", "tags", "corrections")


def article_published(*, article: ArticlePage, request, version: int) -> dict:
    """What the article's published version holds besides its own row: the body as HTML with its reading time,
    the bylines, tags and corrections. All of it changes only when the article is published again (or an author
    or picture it shows changes, which moves `pages_version` on), so it is read and rendered once per published
    version and kept, as Ghost keeps each post's HTML beside its source. A preview reads it afresh."""

    def read() -> dict:
        from masthead.discovery.sharing import article_share

        html = render_to_string("newsroom/includes/article_body.html", {"page": article, "request": request})
        published = {
            "html": html,
            "minutes": article.reading_minutes,
            "bylines": [byline.author for byline in article.authors.select_related("author__photo")],
            "tags": [{"name": name, "slug": slug} for name, slug in article.tags.values_list("name", "slug")],
            "corrections": list(article.corrections.values("date", "text")),
            "narration": narration_for(article_id=article.pk),
            "teasers": [
                block.value["article"].pk
                for block in article.body
                if block.block_type == "related_story" and block.value.get("article") is not None
            ],
        }
        share = article_share(article=article, request=request, **{k: published[k] for k in SHARED})
        published["head"] = render_to_string("discovery/includes/share.html", {"share": share})
        return published

    if getattr(request, "is_preview", False) or not article.live or article.last_published_at is None:
        return read()
    key = f"article:{article.pk}:{article.last_published_at.timestamp()}:{version}"
    return versioned_cache.get_or_set(key, read, CARD_SECONDS)


def article_page_context(*, article: ArticlePage, request, version: int) -> dict:
    """The article's published content and the ids of the rails around it."""
    site = Site.find_for_request(request)
    home_id = site.root_page_id if site else None

    def section_rail():
        section = SectionPage.objects.filter(pk=article.section_id).first() if article.section_id else None
        url = (section.get_url(request=request) or "") if section else ""
        # More than the four shown: the stories shown above it on the page are left out of it.
        return {"ids": more_from_section_ids(section_id=article.section_id, limit=16), "url": url}

    more = rail_ids(f"more-news:{article.section_id}", version=version, ids=section_rail)
    feed = rail_ids("news-feed", version=version, ids=lambda: news_feed_ids(limit=7))
    picks = rail_ids(f"picks:{home_id}", version=version, ids=lambda: editors_pick_schedule(home_id=home_id))
    related = rail_ids(f"related:{article.pk}", version=version, ids=lambda: related_ids(article=article))
    published = article_published(article=article, request=request, version=version)
    # Each list leaves out what the page already shows above it: the story itself and the stories its text
    # links as teasers, then the Editors' Picks, the related stories, More news and Most popular in turn.
    # The News Feed is the live stream and keeps its order (only the story itself is left out).
    shown = {article.pk, *published.get("teasers", ())}
    editors_picks = [pk for pk in editors_pick_ids(picks) if pk not in shown]
    shown.update(editors_picks)
    related = [pk for pk in related if pk not in shown][:4]
    shown.update(related)
    more_stories = [pk for pk in more["ids"] if pk not in shown][:4]
    shown.update(more_stories)
    popular_title, popular = most_popular(request=request, slot="article", version=version, exclude=shown)
    return {
        "body": published,
        "bylines": published["bylines"],
        "tag_list": published["tags"],
        "corrections": published["corrections"],
        "related": related,
        "more_stories": more_stories,
        "more_stories_url": more["url"],
        "news_feed": [pk for pk in feed if pk != article.pk][:6],
        "editors_picks": editors_picks,
        "most_popular": popular,
        "most_popular_title": popular_title,
    }


RELATED_CANDIDATES = 50  # the newest stories of each shared tag and of the section that are weighed


def related_ids(*, article: ArticlePage, limit: int = 8) -> list[int]:
    """Stories related to `article`, best first: three points for each tag they share with it, two for sharing
    its section (or one below it), and up to two for being close to it in time (two on the same day, one a
    week apart, less further). Candidates are the newest stories of each of its tags and of its section
    (`RELATED_CANDIDATES` each, read from the listings' index); the story itself is never one."""
    tag_ids = sorted(tag.pk for tag in article.tags.all())[:10]
    lists = [(ArticleListing.Kind.TAG, tag_id) for tag_id in tag_ids]
    if article.section_id:
        lists.append((ArticleListing.Kind.SECTION, article.section_id))
    scores: dict[int, float] = defaultdict(float)
    published: dict[int, object] = {}
    for kind, key in lists:
        entries = ArticleListing.objects.filter(kind=kind, key=key).order_by("-published_at", "-article_id")
        for pk, at in entries.values_list("article_id", "published_at")[:RELATED_CANDIDATES]:
            scores[pk] += 3 if kind == ArticleListing.Kind.TAG else 2
            published[pk] = at
    scores.pop(article.pk, None)
    reference = article.first_published_at or article.last_published_at
    for pk in scores:
        days = abs((published[pk] - reference).total_seconds()) / 86400 if reference else 365
        scores[pk] += 2 / (1 + days / 7)
    ranked = sorted(scores, key=lambda pk: (-scores[pk], -published[pk].timestamp(), -pk))
    return ranked[:limit]


MENUS_CACHE_SECONDS = 24 * 3600


def site_menus(*, newsroom_settings: NewsroomSettings, request) -> dict[str, list[dict]]:
    """The header and footer menus as plain labels and addresses, and the News Feed's address (the rails link
    it), cached until the settings or a page change.

    Resolving the menus' StreamFields costs queries and a URL lookup per linked page on every request; the
    cache key carries the settings' version, read with the settings row the layout loads anyway, so every
    process sees a change at once whatever its cache backend.
    """
    stamp = newsroom_settings.updated_at.timestamp() if newsroom_settings.updated_at else 0
    key = f"newsroom:menus:{newsroom_settings.pk}:{stamp}:{newsroom_settings.pages_version}"

    def resolve() -> dict:
        news_feed = NewsFeedPage.objects.live().first()
        return {
            "primary": _menu(newsroom_settings.primary_menu, request),
            "footer": _menu(newsroom_settings.footer_menu, request),
            "news_feed": (news_feed.get_url(request=request) or "") if news_feed else "",
        }

    return versioned_cache.get_or_set(key, resolve, MENUS_CACHE_SECONDS)


def _menu(stream, request) -> list[dict]:
    """Links whose page has been deleted (and so lead nowhere) are left out."""
    items = []
    for block in stream:
        if block.block_type == "group":
            links = [link for link in (_menu_link(link, request) for link in block.value["links"]) if link["url"]]
            home = _menu_link({"label": block.value["label"], "page": block.value.get("page")}, request)
            items.append({"label": block.value["label"], "url": home["url"], "links": links, "group": True})
        elif (link := _menu_link(block.value, request))["url"]:
            items.append(link)
    return items


def _menu_link(link, request) -> dict:
    page = link.get("page")
    if page is None:
        return {"label": link["label"], "url": link.get("url") or ""}
    # Choosers hand over generic pages; the specific class knows the URL (sections answer at /<slug>/).
    return {"label": link["label"], "url": page.specific_deferred.get_url(request=request) or ""}


def page_addresses(*, page) -> set[str]:
    """The paths of every public page that shows this page, as it is now (the purge set of a change to it).

    An article shows on its own page, the home page, its section and the sections above, its tags' and its
    authors' pages, and the News Feed if it is in it. Rails on other articles (News Feed, Editors' Picks, More
    news) are not listed: they expire with the pages' `s-maxage` (docs/deploy.md, "Caching").
    """
    from django.urls import reverse

    page = page.specific_deferred
    paths = {_path(page)}
    if isinstance(page, HomePage | SectionPage):
        paths.add("/")  # the home page's section blocks
    if isinstance(page, ArticlePage):
        from masthead.discovery.selectors import story_listing_paths

        paths.add("/")
        sections = []
        if page.section_id and (section := SectionPage.objects.filter(pk=page.section_id).first()):
            sections = list(SectionPage.objects.ancestor_of(section, inclusive=True).live())
            paths.update(_path(s) for s in sections)
        tags = list(page.tags.values_list("slug", flat=True))
        authors = list(Author.objects.filter(bylines__article=page).values_list("slug", flat=True))
        paths.update(reverse("tag", kwargs={"slug": slug}) for slug in tags)
        paths.update(reverse("author", kwargs={"slug": slug}) for slug in authors)
        if page.news_feed and (news_feed := NewsFeedPage.objects.live().first()):
            paths.add(_path(news_feed))
        # Its feeds and sitemaps (discovery).
        paths |= story_listing_paths(
            article_id=page.pk, sections=[s.slug for s in sections], tags=tags, authors=authors
        )
    paths.discard(None)
    return paths


def _path(page) -> str | None:
    parts = page.specific_deferred.get_url_parts()
    return parts[2] if parts else None


def team_by_role() -> list[tuple[str, list[Author]]]:
    roles: dict[str, list[Author]] = defaultdict(list)
    for author in Author.objects.filter(is_staff_member=True).select_related("photo").order_by("team_order", "name"):
        roles[author.role or "Contributors"].append(author)
    return list(roles.items())


ANCHOR_EVERY = 200  # entries of a listing between two kept anchors


def listing_page(kind: int, key: int = 0, *, request, per_page: int = 20) -> PaginatorPage:
    """The page ?page=N of a listing (a section's with the sections below it); nonsense or out-of-range numbers
    give the nearest valid page. Page 500 costs what page 1 does: see `listing_slice`."""
    return ListingPaginator(kind, key, version=pages_version(request), per_page=per_page).get_page(
        request.GET.get("page")
    )


class ListingPaginator(Paginator):
    """A listing's pages. Its length is kept until a page changes (counting reads the listing's whole range of
    the index: 4 ms for the News Feed's 35,000 entries on PostgreSQL)."""

    def __init__(self, kind: int, key: int, *, version: int, per_page: int):
        super().__init__(listing(kind, key), per_page)
        self.kind, self.key, self.version = kind, key, version
        count_key = f"listing-count:{kind}:{key}:{version}"
        self.count = versioned_cache.get_or_set(count_key, self.object_list.count, CARD_SECONDS)

    def page(self, number) -> PaginatorPage:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ids = listing_slice(self.kind, self.key, version=self.version, start=start, stop=start + self.per_page)
        return self._get_page(ids, number, self)


def listing_slice(kind: int, key: int, *, version: int, start: int, stop: int) -> list[int]:
    """Entries start to stop of a listing, newest first.

    An OFFSET reads every index entry before the page: 10,000 of them for page 500, 2.7 ms on PostgreSQL
    against 0.16 ms for page 1. So the key (time, article) of every 200th entry is kept per `pages_version`
    (`listing_anchors`), and a deep page starts from the nearest one before it: it reads at most 200 entries
    more than page 1 whatever its number.
    """
    block = start // ANCHOR_EVERY
    anchors = listing_anchors(kind, key, version=version, blocks=block) if block else []
    block = min(block, len(anchors))
    ids = _after(listing(kind, key), anchors[block - 1]) if block else listing(kind, key)
    skipped = block * ANCHOR_EVERY
    return list(ids[start - skipped : stop - skipped])


def listing_anchors(kind: int, key: int, *, version: int, blocks: int) -> list[tuple]:
    """The (time, article) keys of the listing's 200th entry, its 400th… up to the `blocks`-th (fewer where the
    listing ends). Each is found from the one before it, so making them reads the index range once; they
    are kept until a page changes, and made further only when a deeper page asks."""
    cache_key = f"listing-anchors:{kind}:{key}:{version}"
    anchors = list(versioned_cache.get(cache_key) or [])
    if len(anchors) < blocks:
        entries = ArticleListing.objects.filter(kind=kind, key=key).order_by("-published_at", "-article_id")
        entries = entries.values_list("published_at", "article_id")
        while len(anchors) < blocks:
            rest = _after(entries, anchors[-1]) if anchors else entries
            anchor = next(iter(rest[ANCHOR_EVERY - 1 : ANCHOR_EVERY]), None)
            if anchor is None:
                break  # the listing ends before this block
            anchors.append(anchor)
        versioned_cache.set_many({cache_key: anchors}, CARD_SECONDS)
    return anchors


def _after(entries: QuerySet, anchor: tuple) -> QuerySet:
    """The entries after `anchor` in the listing's order (newest first): a row comparison the index answers."""
    at, article_id = anchor
    table, quote = ArticleListing._meta.db_table, connection.ops.quote_name
    columns = f"{quote(table)}.{quote('published_at')}, {quote(table)}.{quote('article_id')}"
    after = RawSQL(  # noqa: S611 (names from the model, values as parameters)
        f"({columns}) < (%s, %s)",
        (connection.ops.adapt_datetimefield_value(at), article_id),
        output_field=BooleanField(),
    )
    return entries.filter(after)
