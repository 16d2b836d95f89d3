"""An issue's email: rendered once (HTML with its CSS inlined for email clients, and plain text), with
placeholders where each recipient's greeting and links go; `PreparedIssue` turns it into each recipient's message
by substitution, cheaply enough for thousands a second.

Every link is absolute (`BASE_URL`), pictures are renditions made here (this runs in the worker), and nothing a
reader can type reaches the email but their name, escaped, in the greeting.
"""

import binascii
import html
import re
import secrets
from datetime import timedelta
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.rich_text import expand_db_html

from masthead.newsletters import services
from masthead.newsletters.models import Issue

GREETING = "%%MASTHEAD-GREETING%%"
UNSUBSCRIBE_URL = "%%MASTHEAD-UNSUBSCRIBE%%"
PREFERENCES_URL = "%%MASTHEAD-PREFERENCES%%"
TRACKING = "%%MASTHEAD-TRACKING%%"  # a delivery's signed token, only with MASTHEAD_NEWSLETTER_TRACKING
FEED_HOURS = 24
PICTURE = "width-800|format-jpeg"  # shown 600 wide: sharp on high-density screens
THUMBNAIL = "fill-400x250|format-jpeg"


def one_line(value: str) -> str:
    """A header's text on one line: a line break in a name must not start a header of its own."""
    return " ".join(value.split())


def absolute(url: str) -> str:
    return settings.BASE_URL + url if url.startswith("/") else url


def _picture(image, spec: str, alt: str = "") -> dict | None:
    if image is None:
        return None
    rendition = image.get_rendition(spec)
    return {"url": absolute(rendition.url), "width": rendition.width, "height": rendition.height, "alt": alt}


def _links_absolute(markup: str) -> str:
    return re.sub(r'(href|src)="/', lambda match: f'{match.group(1)}="{settings.BASE_URL}/', markup)


def _story(article, *, picture_spec: str) -> dict:
    authors = [byline.author.name for byline in article.authors.select_related("author")]
    return {
        "headline": article.title,
        "url": absolute(article.url or ""),
        "standfirst": article.standfirst,
        "section": article.section.title if article.section_id else "",
        "byline": ", ".join(authors[:-1]) + " and " + authors[-1] if len(authors) > 1 else "".join(authors),
        "published": article.published_at,
        "picture": _picture(article.featured_image, picture_spec, article.image_alt),
    }


def _body_blocks(article) -> list[dict]:
    """The article's body as email-safe pieces: text and headings as they are, pictures as renditions,
    embeds and related stories as links (email clients run no players)."""
    pieces = []
    for block in article.body:
        value = block.value
        match block.block_type:
            case "paragraph":
                pieces.append({"kind": "html", "html": _links_absolute(expand_db_html(value.source))})
            case "heading":
                pieces.append({"kind": "heading", "text": value["text"]})
            case "quote":
                pieces.append({"kind": "quote", "text": value["text"], "attribution": value["attribution"]})
            case "fact_box":
                body = _links_absolute(expand_db_html(value["body"].source))
                pieces.append({"kind": "fact_box", "title": value["title"], "html": body})
            case "image":
                image = value["image"]
                alt = value["alt"] or (image.default_alt if image else "")
                picture = _picture(image, PICTURE, alt)
                if picture:
                    caption = value["caption"] or image.caption
                    credit = value["credit"] or image.credit
                    pieces.append({"kind": "picture", "picture": picture, "caption": caption, "credit": credit})
            case "embed":
                if value:
                    label = value.title or value.url
                    pieces.append({"kind": "link", "url": value.url, "text": label, "lead": "Watch or see it:"})
            case "related_story":
                related = value["article"]
                if related and related.live:
                    related = related.specific
                    pieces.append(
                        {
                            "kind": "link",
                            "url": absolute(related.url or ""),
                            "text": related.title,
                            "lead": "Read also:",
                        }
                    )
    return pieces


def issue_articles(issue: Issue) -> list:
    """The live articles an issue carries, in order."""
    from masthead.newsroom.models import ArticleListing, ArticlePage

    live = ArticlePage.objects.live().select_related("section", "featured_image")
    if issue.kind == Issue.Kind.ARTICLE:
        return list(live.filter(pk=issue.article_id))
    if issue.kind == Issue.Kind.DIGEST:
        ids = list(issue.stories.order_by("sort_order").values_list("article_id", flat=True))
        found = live.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
    since = (issue.started_at or timezone.now()) - timedelta(hours=FEED_HOURS)
    ids = ArticleListing.objects.filter(kind=ArticleListing.Kind.NEWS_FEED, key=0, published_at__gte=since)
    ids = list(ids.order_by("-published_at", "-article_id").values_list("article_id", flat=True)[:100])
    found = live.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


class NothingToSend(Exception):
    """The issue carries no live article (unpublished since it was chosen, or a quiet day in the News Feed)."""


def issue_render(issue: Issue) -> tuple[str, str, str]:
    """The issue's subject, HTML (CSS inlined) and plain text, with the recipients' placeholders."""
    articles = issue_articles(issue)
    if not articles:
        raise NothingToSend(f"Issue {issue.pk} has no live article to send.")
    newsletter = issue.newsletter
    lead = articles[0] if issue.kind == Issue.Kind.ARTICLE else None
    stories = [_story(article, picture_spec=PICTURE if lead else THUMBNAIL) for article in articles]
    subject = issue.subject or (lead.title if lead else "")
    if not subject:
        subject = f"{newsletter.name}, {timezone.localdate(issue.started_at or timezone.now()):%B %-d, %Y}"
    context = {
        "issue": issue,
        "newsletter": newsletter,
        "subject": subject,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": settings.BASE_URL + "/",
        "stories": stories,
        "body": _body_blocks(lead) if lead else [],
        "intro_paragraphs": [line for line in issue.intro.splitlines() if line.strip()],
        "greeting": GREETING,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "preferences_url": PREFERENCES_URL,
        "newsletters_url": settings.BASE_URL + reverse("newsletters:index"),
    }
    markup = render_to_string("newsletters/email/issue.html", context)
    if settings.MASTHEAD_NEWSLETTER_TRACKING:
        markup = _tracked(markup)
    markup = css_inline.inline(markup, keep_style_tags=True)  # the <style> stays for clients that read it
    text = render_to_string("newsletters/email/issue.txt", context | {"body_text": _body_text(context["body"])})
    return one_line(subject)[:200], markup, re.sub(r"\n{3,}", "\n\n", text)


def _tracked(markup: str) -> str:
    """Count opens (a 1×1 picture) and clicks (each link goes through the site, which records the click and
    sends the reader on): only the delivery's time of first open and click is kept, nothing about the reader."""
    base = settings.BASE_URL + "/newsletters/"

    def through_site(match) -> str:
        url = html.unescape(match.group(1))
        if url.startswith(base):  # the newsletter's own pages (preferences, unsubscribe) are not counted
            return match.group(0)
        link = services.tracked_link_token(url=url)
        return f'href="{base}c/{TRACKING}/{link}/"'

    markup = re.sub(r'href="(https?://[^"]+)"', through_site, markup)
    pixel = f'<img src="{base}o/{TRACKING}/" width="1" height="1" alt="" style="display:block;border:0">'
    return markup.replace("</body>", pixel + "</body>", 1)


def _body_text(pieces: list[dict]) -> str:
    lines = []
    for piece in pieces:
        match piece["kind"]:
            case "html" | "fact_box":
                if piece["kind"] == "fact_box":
                    lines.append(piece["title"].upper())
                text = re.sub(r"</(p|li|h\d)>", "\n\n", piece["html"])
                lines.append(html.unescape(strip_tags(text)).strip())
            case "heading":
                lines.append(piece["text"].upper())
            case "quote":
                quote = f"“{piece['text']}”"
                lines.append(quote + (f"\n— {piece['attribution']}" if piece["attribution"] else ""))
            case "picture":
                lines.append(f"[Picture: {piece['picture']['alt'] or piece['caption']}]")
            case "link":
                lines.append(f"{piece['lead']} {piece['text']}\n{piece['url']}")
    return "\n\n".join(line for line in lines if line)


def _quoted_printable(text: str) -> bytes:
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True)
    return encoded.replace(b"\n", b"\r\n")


class PreparedIssue:
    """An issue ready to personalise: the parts every recipient shares are made here once."""

    def __init__(self, issue: Issue):
        newsletter = issue.newsletter
        self.issue = issue
        self.sender = formataddr(
            (one_line(newsletter.sender_name or settings.WAGTAIL_SITE_NAME), parseaddr(newsletter.from_address)[1])
        )
        self.envelope_sender = parseaddr(newsletter.from_address)[1]
        self.domain = self.envelope_sender.rpartition("@")[2] or "localhost"
        self.html, self.text = issue.rendered_html, issue.rendered_text
        self.tracked = TRACKING in self.html
        self.subject = issue.rendered_subject
        self.reply_to = [newsletter.reply_to] if newsletter.reply_to else []
        self.list_id = f"{one_line(newsletter.name)} <{newsletter.slug}.{self.domain}>"
        self.boundary = "masthead-" + secrets.token_hex(12)
        self.unsubscribe_base = settings.BASE_URL + reverse("newsletters:unsubscribe", kwargs={"token": "T"})[:-2]
        self.preferences_base = settings.BASE_URL + reverse("newsletters:preferences", kwargs={"token": "T"})[:-2]
        headers = [
            ("From", sanitize_address(self.sender, "utf-8")),
            ("Subject", Header(self.subject, "utf-8").encode() if not self.subject.isascii() else self.subject),
            ("MIME-Version", "1.0"),
            ("List-Id", Header(self.list_id, "utf-8").encode() if not self.list_id.isascii() else self.list_id),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated"),
        ]
        if self.reply_to:
            headers.append(("Reply-To", sanitize_address(self.reply_to[0], "utf-8")))
        self.shared_headers = "".join(f"{name}: {value}\r\n" for name, value in headers).encode()

    def personal(self, *, subscriber_id: int, email: str, name: str, delivery_id: int | None) -> dict[str, str]:
        """Each recipient's greeting and signed links (the unsubscribe link names this issue, for its figures)."""
        unsubscribe = services.unsubscribe_token_for(
            subscriber_id=subscriber_id, email=email, newsletter_id=self.issue.newsletter_id, issue_id=self.issue.pk
        )
        preferences = services.preferences_token_for(subscriber_id=subscriber_id, email=email)
        return {
            "greeting": f"Hello {one_line(name)}," if name.strip() else "Hello,",
            "unsubscribe_url": f"{self.unsubscribe_base}{unsubscribe}/",
            "preferences_url": f"{self.preferences_base}{preferences}/",
            "tracking": services.tracking_token(delivery_id=delivery_id) if self.tracked and delivery_id else "0",
        }

    def _fill(self, template: str, personal: dict[str, str], *, escape: bool) -> str:
        greeting = html.escape(personal["greeting"]) if escape else personal["greeting"]
        return (
            template.replace(GREETING, greeting)
            .replace(UNSUBSCRIBE_URL, personal["unsubscribe_url"])
            .replace(PREFERENCES_URL, personal["preferences_url"])
            .replace(TRACKING, personal["tracking"])
        )

    def message_id(self, delivery_id: int) -> str:
        """The same for every try of one delivery: a receiving service that saw it once can tell a retry."""
        return f"<issue-{self.issue.pk}.delivery-{delivery_id}@{self.domain}>"

    def raw(self, *, delivery_id: int, subscriber_id: int, email: str, name: str) -> bytes:
        """One recipient's whole message as the SMTP server reads it (MIME, CRLF line ends)."""
        personal = self.personal(subscriber_id=subscriber_id, email=email, name=name, delivery_id=delivery_id)
        to = sanitize_address((one_line(name), email), "utf-8") if name.strip() or not email.isascii() else email
        boundary = self.boundary.encode()
        return b"".join(
            [
                self.shared_headers,
                f"To: {to}\r\n".encode(),
                f"Date: {formatdate(localtime=False)}\r\n".encode(),
                f"Message-ID: {self.message_id(delivery_id)}\r\n".encode(),
                f"List-Unsubscribe: <{personal['unsubscribe_url']}>\r\n".encode(),
                b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n',
                b"--" + boundary + b"\r\n",
                b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
                _quoted_printable(self._fill(self.text, personal, escape=False)),
                b"\r\n--" + boundary + b"\r\n",
                b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
                _quoted_printable(self._fill(self.html, personal, escape=True)),
                b"\r\n--" + boundary + b"--\r\n",
            ]
        )

    def message(self, *, delivery_id: int | None, subscriber_id: int, email: str, name: str) -> EmailMultiAlternatives:
        """The same email as a Django message, for any backend (an email provider's API, the test send)."""
        personal = self.personal(subscriber_id=subscriber_id, email=email, name=name, delivery_id=delivery_id)
        headers = {
            "List-Unsubscribe": f"<{personal['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
            "Auto-Submitted": "auto-generated",
        }
        if delivery_id is not None:
            headers["Message-ID"] = self.message_id(delivery_id)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self._fill(self.text, personal, escape=False),
            from_email=self.sender,
            to=[sanitize_address((one_line(name), email), "utf-8") if name.strip() else email],
            reply_to=self.reply_to,
            headers=headers,
        )
        message.attach_alternative(self._fill(self.html, personal, escape=True), "text/html")
        return message
