"""What the Content API says about each thing it serves, in Ghost's shapes (ghost-content-api.md §2).

posts are the newsroom's stories (ArticlePage), pages its standing pages (StandardPage: about, contact, …),
tags its tags and authors the people with a byline on a published story. Each resource knows which rows a reader
may see, which fields sort them, and how to write a batch of rows (`made_rows(pks, …)` reads what the batch
needs in a few queries, whatever its size; `rows` keeps what it wrote until a page changes). Ghost's fields
Masthead has no counterpart for are there, as null, so a program that reads them finds them.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag
from wagtail.rich_text import expand_db_html

from masthead.api.ids import ghost_id, primary_key
from masthead.comments.models import CommentSettings
from masthead.discovery.feeds import html_absolute
from masthead.discovery.models import DiscoverySettings
from masthead.discovery.sharing import absolute, site_facts, site_root
from masthead.newsroom import serving
from masthead.newsroom.models import (
    ArticleAuthor,
    ArticleListing,
    ArticlePage,
    ArticleTag,
    Author,
    HomeEditorsPick,
    StandardPage,
)
from masthead.newsroom.models.articles import html_text
from masthead.newsroom.selectors import CARD_SECONDS, article_published, site_menus
from masthead.newsroom.serving import versioned_cache


def moment(value) -> str | None:
    """A time as Ghost writes it: milliseconds and the newsroom's offset (2025-01-28T13:05:00.000+02:00)."""
    return timezone.localtime(value).isoformat(timespec="milliseconds") if value else None


def _picture(request, image, rendition_set: str = "figure") -> str | None:
    """A picture's public address: the largest rendition of a set the worker made (originals are never public),
    or None while it is not made."""
    if image is None:
        return None
    made = image.renditions_of(rendition_set)
    sizes = made.get("jpeg") or next(iter(made.values()), None)  # JPEG where there is one: every program reads it
    return absolute(request, sizes[-1][0]) if sizes else None


def _handle(url: str) -> str | None:
    """The account name at the end of a profile's address (https://x.com/name → name), as Ghost keeps them."""
    if not url:
        return None
    return url.rstrip("/").rsplit("/", 1)[-1] or None


def _public(pages):
    """Leave out pages behind a password or sign-in (a query of its own, skipped while no page has one)."""
    return pages.public() if serving._any_restrictions() else pages


def _in_order(by_id: dict, pks: list[int]) -> list:
    """The rows read, in the order asked for."""
    return [by_id[pk] for pk in pks if pk in by_id]


class Resource:
    name = ""  # as in the address: posts, pages, tags, authors
    singular = ""
    id_kind = ""
    default_order: list = []
    forced_fields = ("id",)

    def __init__(self, request):
        self.request = request

    def queryset(self):
        raise NotImplementedError

    def order_fields(self, include: set) -> dict:
        raise NotImplementedError

    def rows(self, pks: list[int], query) -> list[dict]:
        """The rows of `pks`, in that order, with the fields asked for. Each whole row is kept in the cache under
        the pages' version (any change to a page, a tag or an author moves it on) and the options that shape it,
        as the article page keeps its published content: a page of stories is then the ids' query and one cache
        read."""
        version = serving.pages_version(self.request)
        variant = f"{self.name}:{','.join(sorted(query.include))}:{','.join(query.formats)}:{self.variant()}"
        keys = {pk: f"api:{variant}:{pk}:{version}" for pk in pks}
        found = versioned_cache.get_many(list(keys.values()))
        missing = [pk for pk in pks if keys[pk] not in found]
        if missing:
            made = {keys[pk]: row for pk, row in self.made_rows(missing, query).items()}
            versioned_cache.set_many(made, CARD_SECONDS)
            found.update(made)
        return [self.fields(found[keys[pk]], query) for pk in pks if keys[pk] in found]

    def variant(self) -> str:
        """What else a row depends on beyond the pages' version and the options."""
        return ""

    def made_rows(self, pks: list[int], query) -> dict[int, dict]:
        raise NotImplementedError

    def by_id(self, text: str):
        return self.queryset().filter(pk=primary_key(self.id_kind, text) or 0)

    def ordered(self, queryset, query):
        fields = self.order_fields(query.include)
        rules = [(fields[name], descending) for name, descending in query.order if name in fields]
        if not rules:
            rules = self.default_order
        annotations = self.annotations(query.include)
        if used := {name: annotations[name] for name, _ in rules if name in annotations}:
            queryset = queryset.annotate(**used)  # only to sort by it: the rows' counts come from story_counts()
        ordering = [f"-{field}" if descending else field for field, descending in rules]
        return queryset.order_by(*ordering, "-pk" if rules[0][1] else "pk")

    def annotations(self, include: set) -> dict:
        return {}

    def fields(self, row: dict, query) -> dict:
        """Only the fields asked for (all when `fields` is not given); if none of those exist, the id."""
        if query.fields is None:
            return row
        chosen = {key: value for key, value in row.items() if key in query.fields}
        return chosen or {key: row[key] for key in self.forced_fields if key in row}


class Stories(Resource):
    name, singular, id_kind = "posts", "post", "page"
    default_order = [("first_published_at", True)]

    def queryset(self):
        return _public(ArticlePage.objects.live())

    def order_fields(self, include):
        return {
            "published_at": "first_published_at",
            "posts.published_at": "first_published_at",
            "created_at": "first_published_at",
            "updated_at": "last_published_at",
            "title": "title",
            "slug": "slug",
            "id": "pk",
        }

    def variant(self):
        return "comments" if self._comments() else ""

    def _comments(self) -> bool:
        site = serving.site_for_request(self.request)
        return bool(site and serving.site_settings_for_request(self.request, site, CommentSettings).enabled)

    def made_rows(self, pks, query):
        articles = ArticlePage.objects.filter(pk__in=pks).select_related("featured_image", "social_image").order_by()
        by_id = {article.pk: article for article in articles}
        version = serving.pages_version(self.request)
        featured = versioned_cache.get_or_set(  # the Editors' Picks change only with a page: kept per version
            f"api:featured:{version}",
            lambda: set(HomeEditorsPick.objects.values_list("article_id", flat=True)),
            CARD_SECONDS,
        )
        tags, bylines = defaultdict(list), defaultdict(list)
        if "tags" in query.include:
            rows = ArticleTag.objects.filter(content_object_id__in=pks).select_related("tag__detail__image")
            for tagged in rows.order_by("id"):
                tags[tagged.content_object_id].append(tag_row(self.request, tagged.tag))
        if "authors" in query.include:
            rows = ArticleAuthor.objects.filter(article_id__in=pks).select_related("author__photo")
            for byline in rows.order_by("sort_order", "id"):
                bylines[byline.article_id].append(author_row(self.request, byline.author))
        comments = self._comments()
        root = site_root(self.request)
        made = {}
        for article in _in_order(by_id, pks):
            html = None
            if "html" in query.formats:
                published = article_published(article=article, request=self.request, version=version)
                html = html_absolute(published["html"], root)
            story = {
                "article": article,
                "html": html,
                "featured": article.pk in featured,
                "tags": tags[article.pk],
                "authors": bylines[article.pk],
            }
            made[article.pk] = self.row(story, query, comments)
        return made

    def row(self, story, query, comments: bool) -> dict:
        article = story["article"]
        image = article.featured_image
        plaintext = None
        if "plaintext" in query.formats or not article.standfirst:
            plaintext = article.body_text
        social = (
            _picture(self.request, article.social_image, rendition_set="social") if article.social_image_id else None
        )
        row = {
            "id": ghost_id("page", article.pk),
            "uuid": str(article.translation_key),
            "title": article.title,
            "slug": article.slug,
        }
        if story["html"] is not None:
            row["html"] = story["html"]
        row["comment_id"] = row["id"]
        if "plaintext" in query.formats:
            row["plaintext"] = plaintext
        row |= {
            "feature_image": _picture(self.request, image),
            "featured": story["featured"],
            "visibility": "public",
            "created_at": moment(article.first_published_at),
            "updated_at": moment(max(filter(None, [article.updated_at, article.last_published_at]), default=None)),
            "published_at": moment(article.first_published_at),
            "custom_excerpt": article.standfirst or None,
            "codeinjection_head": None,
            "codeinjection_foot": None,
            "custom_template": None,
            "canonical_url": None,
        }
        if "tags" in query.include:
            row["tags"] = story["tags"]
        if "authors" in query.include:
            row["authors"] = story["authors"]
            row["primary_author"] = story["authors"][0] if story["authors"] else None
        if "tags" in query.include:
            row["primary_tag"] = story["tags"][0] if story["tags"] else None
        row |= {
            "url": absolute(self.request, f"/{article.slug}/"),
            "excerpt": article.standfirst or (plaintext or "")[:500] or None,
            "reading_time": article.reading_minutes,
            "access": True,
            "comments": comments,
            "og_image": social,
            "og_title": article.social_title or None,
            "og_description": None,
            "twitter_image": social,
            "twitter_title": article.social_title or None,
            "twitter_description": None,
            "meta_title": article.seo_title or None,
            "meta_description": article.search_description or None,
            "email_subject": None,
            "frontmatter": None,
            "feature_image_alt": (article.image_alt or None) if image else None,
            "feature_image_caption": (image.caption or None) if image else None,
        }
        return row


class Pages(Resource):
    name, singular, id_kind = "pages", "page", "page"
    default_order = [("title", False)]

    def queryset(self):
        return _public(StandardPage.objects.live())

    order_fields = Stories.order_fields

    def made_rows(self, pks, query):
        by_id = {page.pk: page for page in StandardPage.objects.filter(pk__in=pks)}
        root = site_root(self.request)
        made = {}
        for page in _in_order(by_id, pks):
            html = html_absolute(expand_db_html(page.body), root)
            plaintext = " ".join(html_text(html).split())
            row = {"id": ghost_id("page", page.pk), "uuid": str(page.translation_key), "title": page.title}
            row["slug"] = page.slug
            if "html" in query.formats:
                row["html"] = html
            row["comment_id"] = row["id"]
            if "plaintext" in query.formats:
                row["plaintext"] = plaintext
            row |= {
                "feature_image": None,
                "featured": False,
                "visibility": "public",
                "created_at": moment(page.first_published_at),
                "updated_at": moment(page.last_published_at),
                "published_at": moment(page.first_published_at),
                "custom_excerpt": page.intro or None,
                "codeinjection_head": None,
                "codeinjection_foot": None,
                "custom_template": None,
                "canonical_url": None,
                "show_title_and_feature_image": True,
            }
            if "tags" in query.include:
                row["tags"] = []
            if "authors" in query.include:
                row |= {"authors": [], "primary_author": None}
            if "tags" in query.include:
                row["primary_tag"] = None
            words = len(plaintext.split())
            row |= {
                "url": absolute(self.request, page.url or "/"),
                "excerpt": page.intro or plaintext[:500] or None,
                "reading_time": round(words / 275),
                "access": True,
                "comments": False,
                "og_image": None,
                "og_title": None,
                "og_description": None,
                "twitter_image": None,
                "twitter_title": None,
                "twitter_description": None,
                "meta_title": page.seo_title or None,
                "meta_description": page.search_description or None,
                "frontmatter": None,
                "feature_image_alt": None,
                "feature_image_caption": None,
            }
            made[page.pk] = row
        return made


def _count_subquery(kind: int):
    """How many live stories each tag (or author) has, as a subquery on the listings table (0 for none): only to
    sort by it."""
    counted = (
        ArticleListing.objects.filter(kind=kind, key=OuterRef("pk"))
        .order_by()
        .values("key")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def story_counts(request, kind: int) -> dict[int, int]:
    """How many live stories each tag (or author) has, counted once per pages version for all of them (a count
    per row would read a big tag's whole listing on every request)."""

    def count():
        rows = ArticleListing.objects.filter(kind=kind).order_by().values_list("key").annotate(n=Count("*"))
        return dict(rows)

    version = serving.pages_version(request)
    return versioned_cache.get_or_set(f"api:story-counts:{kind}:{version}", count, CARD_SECONDS)


class Listed(Resource):
    """Tags and authors: those with a live story (one seek in the listings' index each, stopping at the first),
    by name, with `include=count.posts` their stories' count."""

    default_order = [("name", False)]
    model = None
    listing_kind = 0
    picture = ""  # the picture each row shows, loaded with it

    def row(self, thing, count: int | None) -> dict:
        raise NotImplementedError

    def queryset(self):
        return self.model.objects.filter(
            Exists(ArticleListing.objects.filter(kind=self.listing_kind, key=OuterRef("pk")))
        )

    def order_fields(self, include):
        fields = {"name": "name", "slug": "slug", "id": "pk"}
        if "count.posts" in include:
            fields["count.posts"] = "story_count"
        return fields

    def annotations(self, include):
        return {"story_count": _count_subquery(self.listing_kind)} if "count.posts" in include else {}

    def made_rows(self, pks, query):
        by_id = {thing.pk: thing for thing in self.model.objects.filter(pk__in=pks).select_related(self.picture)}
        counts = story_counts(self.request, self.listing_kind) if "count.posts" in query.include else None
        return {
            thing.pk: self.row(thing, None if counts is None else counts.get(thing.pk, 0))
            for thing in _in_order(by_id, pks)
        }


class Tags(Listed):
    name, singular, id_kind = "tags", "tag", "tag"
    model, listing_kind, picture = Tag, ArticleListing.Kind.TAG, "detail__image"

    def row(self, tag, count):
        return tag_row(self.request, tag, count=count)


def tag_row(request, tag, *, count=None) -> dict:
    detail = getattr(tag, "detail", None)
    row = {
        "id": ghost_id("tag", tag.pk),
        "name": tag.name,
        "slug": tag.slug,
        "description": (detail.description or None) if detail else None,
        "feature_image": _picture(request, detail.image) if detail and detail.image_id else None,
        "visibility": "public",
        "og_image": None,
        "og_title": None,
        "og_description": None,
        "twitter_image": None,
        "twitter_title": None,
        "twitter_description": None,
        "meta_title": None,
        "meta_description": None,
        "codeinjection_head": None,
        "codeinjection_foot": None,
        "canonical_url": None,
        "accent_color": None,
    }
    if count is not None:
        row["count"] = {"posts": count}
    row["url"] = absolute(request, reverse("tag", kwargs={"slug": tag.slug}))
    return row


class Authors(Listed):
    name, singular, id_kind = "authors", "author", "author"
    model, listing_kind, picture = Author, ArticleListing.Kind.AUTHOR, "photo"

    def row(self, author, count):
        return author_row(self.request, author, count=count)


def author_row(request, author, *, count=None) -> dict:
    row = {
        "id": ghost_id("author", author.pk),
        "name": author.name,
        "slug": author.slug,
        "profile_image": _picture(request, author.photo, rendition_set="portrait-large") if author.photo_id else None,
        "cover_image": None,
        "bio": author.bio or None,
        "website": author.website or None,
        "location": None,
        "facebook": None,
        "twitter": f"@{handle}" if (handle := _handle(author.x_url)) else None,
        "threads": None,
        "bluesky": _handle(author.bluesky_url),
        "mastodon": None,
        "tiktok": None,
        "youtube": None,
        "instagram": None,
        "linkedin": _handle(author.linkedin_url),
        "meta_title": None,
        "meta_description": None,
    }
    if count is not None:
        row["count"] = {"posts": count}
    row["url"] = absolute(request, author.get_absolute_url())
    return row


RESOURCES = {resource.name: resource for resource in (Stories, Pages, Tags, Authors)}


GHOST_VERSION = "5.95"  # the Ghost release whose Content API this one follows (Content-Version, settings.version)


def site_settings(request) -> dict:
    """The `settings` endpoint: Ghost's public settings, in its order, from the newsroom's own."""
    site = serving.site_for_request(request)
    facts = site_facts(request)
    newsroom = serving.newsroom_settings_for_request(request, site) if site else None
    discovery = serving.site_settings_for_request(request, site, DiscoverySettings) if site else None
    comments = serving.site_settings_for_request(request, site, CommentSettings).enabled if site else False
    menus = site_menus(newsroom_settings=newsroom, request=request) if newsroom else {}
    social = {}
    if newsroom:
        for block in newsroom.social_links:
            social.setdefault(block.value["network"], block.value["url"])
    language = (discovery.language if discovery else "") or settings.LANGUAGE_CODE
    icon = _picture(request, newsroom.icon, rendition_set="icon") if newsroom and newsroom.icon_id else None

    def navigation(items):
        return [{"label": item["label"], "url": item["url"]} for item in items if item.get("url")]

    return {
        "title": facts["name"],
        "description": facts["tagline"] or None,
        "logo": icon,
        "icon": icon,
        "accent_color": None,
        "cover_image": None,
        "facebook": _handle(social.get("facebook", "")),
        "twitter": f"@{handle}" if (handle := _handle(social.get("x", ""))) else None,
        "threads": None,
        "bluesky": _handle(social.get("bluesky", "")),
        "mastodon": None,
        "tiktok": None,
        "youtube": _handle(social.get("youtube", "")),
        "instagram": _handle(social.get("instagram", "")),
        "linkedin": _handle(social.get("linkedin", "")),
        "lang": language,
        "locale": language,
        "timezone": settings.TIME_ZONE,
        "codeinjection_head": None,
        "codeinjection_foot": None,
        "navigation": navigation(menus.get("primary", [])),
        "secondary_navigation": navigation(menus.get("footer", [])),
        "meta_title": None,
        "meta_description": facts["tagline"] or None,
        "og_image": None,
        "og_title": None,
        "og_description": None,
        "twitter_image": None,
        "twitter_title": None,
        "twitter_description": None,
        "members_support_address": None,
        "members_enabled": True,
        "allow_self_signup": True,
        "members_invite_only": False,
        "paid_members_enabled": False,
        "firstpromoter_account": None,
        "portal_button_style": None,
        "portal_button_signup_text": None,
        "portal_button_icon": None,
        "portal_signup_terms_html": None,
        "portal_signup_checkbox_required": False,
        "portal_plans": ["free"],
        "portal_name": False,
        "portal_button": False,
        "comments_enabled": "all" if comments else "off",
        "recommendations_enabled": False,
        "outbound_link_tagging": False,
        "url": site_root(request) + "/",
        "version": GHOST_VERSION,
    }
