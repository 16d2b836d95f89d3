"""What a page tells the programs that read it rather than the reader: search engines (the meta description, the
canonical address, JSON-LD structured data from schema.org) and the sites a link is shared on (Open Graph and
Twitter card tags). `share` dicts are plain data; `discovery/includes/share.html` writes them into the <head>.

An article's is built once per published version and kept with its rendered body
(newsroom.selectors.article_published); the other pages build theirs as they render, from rows they read anyway.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from masthead.discovery.models import DiscoverySettings
from masthead.newsroom import serving

DESCRIPTION_CHARS = 300


def site_root(request) -> str:
    """The site's address without the trailing slash (`https://news.example`): the Site's, not the request's
    Host header, so a cached page never carries an address a visitor chose."""
    site = serving.site_for_request(request) if request is not None else None
    return site.root_url if site is not None else settings.BASE_URL


def absolute(request, path: str) -> str:
    return path if path.startswith(("http://", "https://")) else site_root(request) + path


def iso(moment: datetime | None) -> str:
    """A time as ISO 8601 with the newsroom's offset (2025-01-28T13:05:00+02:00)."""
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def describe(*texts: str) -> str:
    """The first non-empty text, as one plain line short enough for a search result or a link preview."""
    for text in texts:
        if text and (plain := " ".join(strip_tags(text).split())):
            return Truncator(plain).chars(DESCRIPTION_CHARS)
    return ""


def image_share(image, alt: str = "") -> dict | None:
    """A picture for link previews: the 1200×630 crop the worker made, else the widest JPEG of the figure set;
    None while neither is made (a reader's request never makes one)."""
    if image is None:
        return None
    for rendition_set in ("social", "figure"):
        if made := image.renditions_of(rendition_set).get("jpeg"):
            url, width, height = made[-1]
            return {"url": url, "width": width, "height": height, "alt": alt or image.default_alt, "type": "image/jpeg"}
    return None


def site_facts(request) -> dict:
    """The newsroom's name, address, language and logo: what every page's data says about its publisher."""
    from masthead.newsroom.models import NewsroomSettings

    if (known := getattr(request, "_site_facts", None)) is not None:
        return known
    site = serving.site_for_request(request) if request is not None else None
    if site is None:
        discovery, newsroom = DiscoverySettings(), NewsroomSettings()
    else:  # read once per request (the layout reads the newsroom's anyway)
        discovery = serving.site_settings_for_request(request, site, DiscoverySettings)
        newsroom = serving.newsroom_settings_for_request(request, site)
    name = (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME
    root = site_root(request)
    logo = None
    if newsroom.icon_id and (icons := newsroom.icon.renditions_of("icon").get("png")):
        url, width, height = icons[-1]
        logo = {"@type": "ImageObject", "url": absolute(request, url), "width": width, "height": height}
    publisher = {"@type": "Organization", "@id": f"{root}/#organization", "name": name, "url": f"{root}/"}
    if logo:
        publisher["logo"] = logo
    facts = {
        "name": name,
        "root": root,
        "language": discovery.language,
        "locale": discovery.language.replace("-", "_"),
        "tagline": newsroom.tagline,
        "publisher": publisher,
        "icon": image_share(newsroom.icon, name) if newsroom.icon_id else None,
    }
    if request is not None:
        request._site_facts = facts
    return facts


def feed_links(request, *, title: str = "", kind: str = "", slug: str = "") -> list[dict]:
    """The feeds a page names in its <head>: the whole site's, and its own section's, tag's or author's."""
    site = [
        {"title": "All stories (RSS)", "type": "application/rss+xml", "href": reverse("discovery:feed_rss")},
        {"title": "All stories (Atom)", "type": "application/atom+xml", "href": reverse("discovery:feed_atom")},
    ]
    if not kind:
        return site
    own = [
        {
            "title": f"{title} (RSS)",
            "type": "application/rss+xml",
            "href": reverse(f"discovery:{kind}_rss", args=[slug]),
        },
        {
            "title": f"{title} (Atom)",
            "type": "application/atom+xml",
            "href": reverse(f"discovery:{kind}_atom", args=[slug]),
        },
    ]
    return own + site


def breadcrumbs(request, trail: list[tuple[str, str]]) -> dict:
    """schema.org BreadcrumbList from (name, path) pairs, the home page first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute(request, path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }


def section_trail(section) -> list[tuple[str, str]]:
    """The live sections from the top down to `section` (inclusive) as (title, path)."""
    from masthead.newsroom.models import SectionPage

    if section is None:
        return []
    return [(s.title, f"/{s.slug}/") for s in SectionPage.objects.ancestor_of(section, inclusive=True).live()]


def _paged(path: str, page_number: int) -> str:
    """A listing's address with its page number (the first page has none)."""
    return path + (f"?page={page_number}" if page_number > 1 else "")


def share_base(request, *, title: str, description: str, path: str, kind: str = "website", image=None) -> dict:
    facts = site_facts(request)
    image = image or facts["icon"]
    return {
        "site": facts,
        "title": title,
        "description": description or describe(facts["tagline"]),
        "url": absolute(request, path) if path else "",
        "type": kind,
        "image": {**image, "url": absolute(request, image["url"])} if image else None,
        "feeds": feed_links(request),
        "json_ld": [],
    }


def article_share(*, article, request, bylines, tags, corrections) -> dict:
    """An article's: NewsArticle and BreadcrumbList data, and the article's Open Graph tags. Editors may give a
    title and a picture of its own to shared links (the Sharing panel); the description is the standfirst unless
    the page's search description says otherwise."""
    path = f"/{article.slug}/"
    headline = article.seo_title or article.title
    picture = image_share(article.social_image, "") if article.social_image_id else None
    picture = picture or image_share(article.featured_image, article.image_alt)
    share = share_base(
        request,
        title=article.social_title or headline,
        description=describe(article.search_description, article.standfirst),
        path=path,
        kind="article",
        image=picture,
    )
    facts = share["site"]
    section = article.section if article.section_id else None
    trail = section_trail(section) if section is not None and section.live else []
    modified = article.updated_at or article.last_published_at or article.published_at
    share.update(
        published=iso(article.published_at),
        modified=iso(max(modified, article.published_at)),
        section=section.title if section is not None and section.live else "",
        tags=[tag["name"] for tag in tags],
        authors=[absolute(request, author.get_absolute_url()) for author in bylines],
        author_names=[author.name for author in bylines],
    )
    images = [picture] if picture else []
    if article.featured_image_id and (figure := article.featured_image.renditions_of("figure").get("jpeg")):
        url, width, height = figure[-1]
        if not picture or url != picture["url"]:
            images.append({"url": url, "width": width, "height": height})
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": f"{share['url']}#article",
        "mainEntityOfPage": {"@type": "WebPage", "@id": share["url"]},
        "url": share["url"],
        "headline": Truncator(headline).chars(110),
        "description": share["description"],
        "datePublished": share["published"],
        "dateModified": share["modified"],
        "author": [
            {"@type": "Person", "name": author.name, "url": url}
            for author, url in zip(bylines, share["authors"], strict=True)
        ],
        "publisher": facts["publisher"],
        "isAccessibleForFree": True,
        "inLanguage": facts["language"],
        "wordCount": article.word_count,
    }
    if images:
        data["image"] = [
            {"@type": "ImageObject", "url": absolute(request, i["url"]), "width": i["width"], "height": i["height"]}
            for i in images
        ]
        data["thumbnailUrl"] = data["image"][0]["url"]
    if share["section"]:
        data["articleSection"] = share["section"]
    if share["tags"]:
        data["keywords"] = share["tags"]
    if corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": c["text"], "datePublished": c["date"].isoformat()}
            for c in corrections
        ]
    share["json_ld"] = [data, breadcrumbs(request, [(facts["name"], "/"), *trail, (article.title, path)])]
    if section is not None and section.live:
        share["feeds"] = feed_links(request, title=section.title, kind="section", slug=section.slug)
    return share


def home_share(*, page, request) -> dict:
    """The home page's: the newsroom as an Organization, and the site as a WebSite readers can search."""
    share = share_base(request, title="", description="", path="/")
    facts, root = share["site"], share["site"]["root"]
    share["title"] = page.seo_title or facts["name"]
    website = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": f"{root}/#website",
        "url": f"{root}/",
        "name": facts["name"],
        "inLanguage": facts["language"],
        "publisher": {"@id": facts["publisher"]["@id"]},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{root}{reverse('discovery:search')}?q={{query}}"},
            "query-input": "required name=query",
        },
    }
    share["description"] = describe(page.search_description, facts["tagline"])
    share["json_ld"] = [{"@context": "https://schema.org", **facts["publisher"]}, website]
    return share


def section_share(*, page, request, page_number: int = 1) -> dict:
    path = f"/{page.slug}/"
    share = share_base(
        request,
        title=page.seo_title or page.title,
        description=describe(page.search_description, page.intro, f"The latest stories in {page.title}."),
        path=_paged(path, page_number),
    )
    share["json_ld"] = [breadcrumbs(request, [(share["site"]["name"], "/"), *section_trail(page)])]
    share["feeds"] = feed_links(request, title=page.title, kind="section", slug=page.slug)
    return share


def page_share(*, page, request, page_number: int = 1) -> dict:
    """Any other Wagtail page's (the News Feed, the team page, a standard page…)."""
    path = page.get_url(request=request) or "/"
    text = getattr(page, "intro", "") or getattr(page, "standfirst", "")
    share = share_base(
        request,
        title=page.seo_title or page.title,
        description=describe(page.search_description, text),
        path=_paged(path, page_number),
    )
    return share


def tag_share(*, tag, detail, request, page_number: int = 1) -> dict:
    path = reverse("tag", kwargs={"slug": tag.slug})
    description = describe(detail.description if detail else "", f"Stories tagged {tag.name}.")
    image = image_share(detail.image, tag.name) if detail and detail.image_id else None
    share = share_base(
        request,
        title=tag.name,
        description=description,
        path=_paged(path, page_number),
        image=image,
    )
    share["json_ld"] = [
        {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": tag.name,
            "description": description,
            "url": absolute(request, path),
        }
    ]
    share["feeds"] = feed_links(request, title=tag.name, kind="tag", slug=tag.slug)
    return share


def author_share(*, author, request, page_number: int = 1) -> dict:
    """An author's page: a ProfilePage whose main entity is the Person in the articles' bylines."""
    path = author.get_absolute_url()
    picture = image_share(author.photo, author.name) if author.photo_id else None
    share = share_base(
        request,
        title=author.name,
        description=describe(author.bio, f"Stories by {author.name}."),
        path=_paged(path, page_number),
        kind="profile",
        image=picture,
    )
    person = {"@type": "Person", "@id": f"{absolute(request, path)}#person", "name": author.name}
    person["url"] = absolute(request, path)
    if author.role:
        person["jobTitle"] = author.role
    if author.bio:
        person["description"] = author.bio
    if picture:
        person["image"] = absolute(request, picture["url"])
    if links := [url for _, url in author.social_links]:
        person["sameAs"] = links
    person["worksFor"] = {"@id": share["site"]["publisher"]["@id"]}
    share["json_ld"] = [
        {"@context": "https://schema.org", "@type": "ProfilePage", "url": person["url"], "mainEntity": person},
        {"@context": "https://schema.org", **share["site"]["publisher"]},
    ]
    share["feeds"] = feed_links(request, title=author.name, kind="author", slug=author.slug)
    return share
