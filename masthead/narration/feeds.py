"""The podcast: every narrated article as an episode, in one feed for the site and one per section, so readers
can listen in a podcast app. RSS 2.0 with the enclosure and the iTunes tags podcast apps read."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Rss201rev2Feed

from masthead.narration import selectors

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


class PodcastFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", self.feed["author_name"] or settings.WAGTAIL_SITE_NAME)
        handler.addQuickElement("itunes:summary", self.feed["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:type", "episodic")
        handler.startElement("itunes:category", {"text": "News"})
        handler.endElement("itunes:category")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:duration", str(item["duration"]))
        handler.addQuickElement("itunes:episodeType", "full")
        if item.get("author_name"):
            handler.addQuickElement("itunes:author", item["author_name"])
        handler.addQuickElement("itunes:summary", item["description"])


class Podcast(Feed):
    feed_type = PodcastFeed
    language = "en"

    def get_object(self, request, slug=None):
        self.request = request
        if slug is None:
            return None
        section = selectors.podcast_section(slug=slug)
        if section is None:
            raise Http404("No such section")
        return section

    def title(self, section):
        name = settings.WAGTAIL_SITE_NAME
        return f"{name}: {section.title}, read aloud" if section else f"{name}, read aloud"

    def link(self, section):
        return section.url if section else "/"

    def description(self, section):
        where = (
            f"the {section.title} section of {settings.WAGTAIL_SITE_NAME}" if section else settings.WAGTAIL_SITE_NAME
        )
        return f"Every story from {where}, read aloud by an AI voice as it is published."

    def author_name(self, section):
        return settings.WAGTAIL_SITE_NAME

    def items(self, section):
        return selectors.podcast_episodes(section=section)

    def item_title(self, episode):
        return episode["title"]

    def item_description(self, episode):
        return episode["standfirst"] or episode["title"]

    def item_link(self, episode):
        return episode["url"]

    def item_guid(self, episode):
        return episode["guid"]

    item_guid_is_permalink = False

    def item_pubdate(self, episode):
        return episode["published"]

    def item_author_name(self, episode):
        return episode["byline"]

    def item_enclosures(self, episode):
        from django.utils.feedgenerator import Enclosure

        return [Enclosure(episode["audio_url"], str(episode["audio_bytes"]), "audio/mpeg")]

    def item_extra_kwargs(self, episode):
        return {"duration": round(episode["duration_s"])}
