"""RSS 2.0 and Atom feeds of the newest stories: the whole site's, and each section's, tag's and author's.

Built on Django's syndication framework. Each story carries its standfirst as the summary and, when the
Discovery settings say so, its whole text (RSS `content:encoded`, Atom `content`), with addresses made
absolute so a feed reader can follow them; its picture as a Media RSS `media:content`; every author; its
tags and section as categories. The guid is the story's UUID (the Content API's `uuid`), as Ghost's feeds
give it, so a story keeps its place in feed readers when its headline or address changes.
"""

import re

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from masthead.discovery import selectors, sharing
from masthead.discovery.models import DiscoverySettings

MEDIA = "http://search.yahoo.com/mrss/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"

# A root-relative address in an attribute (`src="/media/…"`, `href="/story/"`), and each part of a `srcset`.
RELATIVE = re.compile(r'(\s(?:src|href|poster)=")/(?!/)')
SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')
SRCSET_PART = re.compile(r"(^|,\s*)/(?!/)")


def html_absolute(html: str, root: str) -> str:
    """The body's HTML with its root-relative addresses made absolute (feed readers show it on other sites)."""
    html = RELATIVE.sub(lambda m: f"{m.group(1)}{root}/", html)
    return SRCSET.sub(lambda m: m.group(1) + SRCSET_PART.sub(lambda p: f"{p.group(1)}{root}/", m.group(2)) + '"', html)


class StoryItems:
    """What the RSS and Atom writers add to Django's: the whole text, the picture, every author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            self.add_content(handler, item["content"])
        for name in item.get("authors", [])[1:]:
            self.add_author(handler, name)
        if picture := item.get("picture"):
            attributes = {"url": picture["url"], "medium": "image", "type": picture["type"]}
            attributes.update(width=str(picture["width"]), height=str(picture["height"]))
            handler.addQuickElement("media:content", None, attributes)


class StoriesRss(StoryItems, Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA, "xmlns:content": CONTENT, "xmlns:dc": DC}

    def add_content(self, handler, html):
        handler.addQuickElement("content:encoded", html)

    def add_author(self, handler, name):
        handler.addQuickElement("dc:creator", name)


class StoriesAtom(StoryItems, Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA}

    def add_content(self, handler, html):
        handler.addQuickElement("content", html, {"type": "html"})

    def add_author(self, handler, name):
        handler.startElement("author", {})
        handler.addQuickElement("name", name)
        handler.endElement("author")


class StoriesFeed(Feed):
    """The whole site's feed; the subclasses below narrow it to a section, a tag or an author."""

    feed_type = StoriesRss
    kind = ""

    def __call__(self, request, *args, **kwargs):
        self.request = request
        self.settings = DiscoverySettings.for_request(request)
        self.root = sharing.site_root(request)
        self.language = self.settings.language
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug=None):
        return None

    def feed_url(self, obj):
        return self.root + self.request.path

    def title(self, obj):
        name = sharing.site_facts(self.request)["name"]
        return f"{name}: {self.subject(obj)}" if obj is not None else name

    def subject(self, obj) -> str:
        return ""

    def link(self, obj):
        return self.root + "/"

    def description(self, obj):
        facts = sharing.site_facts(self.request)
        return facts["tagline"] or f"The latest stories from {facts['name']}."

    def items(self, obj):
        full = self.settings.feed_content == DiscoverySettings.FeedContent.FULL
        key = obj.pk if obj is not None else 0
        return selectors.feed_stories(
            kind=self.kind, key=key, request=self.request, limit=self.settings.feed_items, full=full
        )

    def item_title(self, story):
        return story["title"]

    def item_link(self, story):
        return self.root + story["path"]

    def item_description(self, story):
        return story["standfirst"] or story["title"]

    def item_guid(self, story):
        return story["uuid"] if self.feed_type is StoriesRss else f"urn:uuid:{story['uuid']}"

    item_guid_is_permalink = False

    def item_author_name(self, story):
        return story["authors"][0] if story["authors"] else None

    def item_pubdate(self, story):
        return story["published"]

    def item_updateddate(self, story):
        return story["modified"]

    def item_categories(self, story):
        return story["categories"]

    def item_extra_kwargs(self, story):
        extra = {"authors": story["authors"], "content": None, "picture": None}
        if story["html"] is not None:
            extra["content"] = html_absolute(story["html"], self.root)
        if story["picture"]:
            extra["picture"] = {**story["picture"], "url": sharing.absolute(self.request, story["picture"]["url"])}
        return extra


def per_request(feed_class):
    """A view that makes its Feed per request: a feed keeps the request (its site and settings) on itself while
    it writes, so one shared instance would mix two requests served by two threads."""

    def view(request, *args, **kwargs):
        return feed_class()(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = feed_class.__name__
    return view


SLUG = re.compile(r"[-\w]{1,255}")


def _slug(slug: str) -> str:
    """The slug asked for, or 404 for one no page could have (a NUL byte would be an error in PostgreSQL)."""
    if not SLUG.fullmatch(slug):
        raise Http404("No such feed")
    return slug


class SectionFeed(StoriesFeed):
    kind = "section"

    def get_object(self, request, slug=None):
        from masthead.newsroom.models import SectionPage

        section = SectionPage.objects.live().filter(slug=_slug(slug)).first()
        if section is None:
            raise Http404("No such section")
        return section

    def subject(self, section):
        return section.title

    def link(self, section):
        return f"{self.root}/{section.slug}/"

    def description(self, section):
        return section.intro or f"The latest stories in {section.title}."


class TagFeed(StoriesFeed):
    kind = "tag"

    def get_object(self, request, slug=None):
        from taggit.models import Tag

        return get_object_or_404(Tag, slug=_slug(slug))

    def subject(self, tag):
        return tag.name

    def link(self, tag):
        return self.root + reverse("tag", kwargs={"slug": tag.slug})

    def description(self, tag):
        return f"The latest stories tagged {tag.name}."


class AuthorFeed(StoriesFeed):
    kind = "author"

    def get_object(self, request, slug=None):
        from masthead.newsroom.models import Author

        return get_object_or_404(Author, slug=_slug(slug))

    def subject(self, author):
        return author.name

    def link(self, author):
        return self.root + author.get_absolute_url()

    def description(self, author):
        return f"The latest stories by {author.name}."


def atom(feed_class):
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": StoriesAtom})
