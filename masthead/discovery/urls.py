"""The feeds, sitemaps, robots.txt and the search page. Mounted at the site's root (masthead/urls.py)."""

from django.urls import path

from masthead.discovery import feeds, sitemaps, views
from masthead.http_cache import public_page

app_name = "discovery"


def _feed(feed_class):
    return public_page(feeds.per_request(feed_class))


urlpatterns = [
    path("search/", public_page(views.search_page), name="search"),
    path("feeds/rss/", _feed(feeds.StoriesFeed), name="feed_rss"),
    path("feeds/atom/", _feed(feeds.atom(feeds.StoriesFeed)), name="feed_atom"),
    path("rss/", _feed(feeds.StoriesFeed), name="ghost_rss"),  # Ghost's address for the site's feed
]
for kind, feed in (("section", feeds.SectionFeed), ("tag", feeds.TagFeed), ("author", feeds.AuthorFeed)):
    urlpatterns += [
        path(f"feeds/{kind}/<str:slug>/rss/", _feed(feed), name=f"{kind}_rss"),
        path(f"feeds/{kind}/<str:slug>/atom/", _feed(feeds.atom(feed)), name=f"{kind}_atom"),
    ]
urlpatterns += [
    # Ghost's addresses for a tag's and an author's feed.
    path("tag/<str:slug>/rss/", _feed(feeds.TagFeed), name="ghost_tag_rss"),
    path("author/<str:slug>/rss/", _feed(feeds.AuthorFeed), name="ghost_author_rss"),
    path("sitemap.xml", public_page(sitemaps.index), name="sitemap"),
    path("sitemap-pages.xml", public_page(sitemaps.pages), name="sitemap_pages"),
    path("sitemap-articles-<int:number>.xml", public_page(sitemaps.articles), name="sitemap_articles"),
    path("sitemap-tags-<int:number>.xml", public_page(sitemaps.tags), name="sitemap_tags"),
    path("sitemap-authors-<int:number>.xml", public_page(sitemaps.authors), name="sitemap_authors"),
    path("sitemap-news.xml", public_page(sitemaps.news), name="sitemap_news"),
    path("robots.txt", public_page(sitemaps.robots), name="robots"),
]
