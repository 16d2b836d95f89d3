"""The demo newsroom: sections, authors, six weeks of stories, pages and settings, all marked as demo content.

Images are drawn here with Pillow, so loading needs no network. Every sentence is the project's own and
says what it is: invented news for a newsroom that does not exist.
"""

import io
import random
from datetime import timedelta

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.models import Page

from masthead.newsroom import services
from masthead.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    Correction,
    HomeEditorsPick,
    HomePage,
    HomeSectionBlock,
    HomeTopStory,
    JobIndexPage,
    JobPostingPage,
    NewsFeedPage,
    NewsroomImage,
    NewsroomSettings,
    OpinionFormField,
    OpinionFormPage,
    SectionPage,
    StandardPage,
    TeamPage,
)

SECTIONS = [
    ("War", "war", [("Analysis", "analysis"), ("Russia's War", "russias-war")]),
    ("National", "national", []),
    ("Human Story", "human-story", []),
    ("Field Report", "field-report", []),
    ("Company News", "company-news", []),
    ("Opinion", "opinion", []),
]

AUTHORS = [
    ("Olena Demo", "Editor-in-Chief", 1),
    ("Marko Sample", "Deputy Editor", 2),
    ("Iryna Placeholder", "Reporter", 10),
    ("Taras Example", "Reporter", 11),
    ("Sofia Fictional", "Reporter", 12),
    ("Dmytro Mockup", "News Editor", 5),
    ("Kateryna Testcase", "Photo Editor", 20),
    ("Andriy Prototype", "Reporter", 13),
    ("Natalia Draftwell", "Opinion Editor", 6),
    ("Guest Contributor", "", 100),
]

PLACES = ["Riverton", "Eastfield", "Northbridge", "Lakeshore", "Hillcrest", "Old Harbour", "Millbrook"]
STORIES = [
    ("council approves new bus lanes after a year of debate", "national", False),
    ("volunteers rebuild the community library damaged in spring storms", "human-story", False),
    ("what the new budget means for schools, explained", "analysis", False),
    ("power restored to most districts after overnight outage", "national", True),
    ("drone debris falls near warehouse, no injuries reported", "russias-war", True),
    ("a day with the rescue crews who work the night shift", "field-report", False),
    ("regional hospital opens a new rehabilitation wing", "national", True),
    ("why the grain corridor matters beyond the harbour", "analysis", False),
    ("local bakery keeps its doors open through every siren", "human-story", False),
    ("air defence intercepts most targets overnight, officials say", "russias-war", True),
    ("newsroom launches a reader advisory panel", "company-news", False),
    ("the case for funding public transport now", "opinion", False),
    ("school year to start on schedule, ministry confirms", "national", True),
    ("mine-clearing teams finish work on farmland near the river", "field-report", True),
    ("families of the missing meet officials in the capital", "war", False),
    ("what a ceasefire proposal would and would not change", "analysis", False),
    ("city announces heating plan for the winter", "national", True),
    ("our reporters win a regional award for investigative work", "company-news", False),
    ("small towns need their own newspapers", "opinion", False),
    ("exchange of prisoners brings dozens home", "russias-war", True),
    ("a teacher who turned a basement into a classroom", "human-story", False),
    ("bridge repairs to close the main road for two weeks", "national", True),
]

PARAGRAPHS = [
    "This is demo content from the Masthead demo newsroom. The people, places and events in it are invented "
    "so that the site has something to show while you try it.",
    "Reporters in the demo newsroom spoke to residents, officials and volunteers over several days. None of "
    "them exists: their words are placeholders written for this sample story.",
    "Editors can change every part of this page in the admin: the headline, the standfirst, the body blocks, "
    "the featured image with its caption and credit, the authors and the tags.",
    "A real newsroom would use this space for the facts of the story, who said them and how they were "
    "checked. The demo keeps the shape of such a story without pretending to be one.",
    "When the article is published, it appears in its section, on the front page and, if it is marked as "
    "a news-feed item, in the News Feed stream that readers follow through the day.",
    "Corrections are logged at the foot of each story with their date, newest first, so readers can see "
    "what changed and when.",
]

QUOTES = [
    ("Every town deserves to know what its council decided last night.", "A demo resident"),
    ("We built this page to show how a quote looks, not to put words in anyone's mouth.", "The demo newsroom"),
]

PALETTES = [
    ((18, 52, 86), (214, 160, 62)),
    ((40, 70, 50), (200, 210, 160)),
    ((90, 30, 40), (240, 190, 150)),
    ((30, 30, 60), (120, 160, 230)),
    ((70, 60, 50), (230, 220, 200)),
    ((20, 80, 90), (250, 230, 120)),
]


def draw_picture(seed: int, size=(1600, 1000)) -> bytes:
    """A landscape-ish picture drawn from a seed: a sky gradient, hills and a sun."""
    rng = random.Random(seed)
    top, bottom = PALETTES[seed % len(PALETTES)]
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    width, height = size
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    sun = rng.randint(200, width - 200), rng.randint(120, height // 2)
    draw.ellipse([sun[0] - 90, sun[1] - 90, sun[0] + 90, sun[1] + 90], fill=(255, 236, 180))
    for layer in range(3):
        base = height * (0.55 + 0.12 * layer)
        points = (
            [(0, height)] + [(x, base - rng.randint(0, 160)) for x in range(0, width + 200, 200)] + [(width, height)]
        )
        shade = 40 + 30 * layer
        draw.polygon(points, fill=(shade, shade + 20, shade + 10))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82)
    return out.getvalue()


def draw_portrait(seed: int, initials: str) -> bytes:
    top, bottom = PALETTES[seed % len(PALETTES)]
    picture = PILImage.new("RGB", (400, 400), top)
    draw = ImageDraw.Draw(picture)
    draw.ellipse([120, 70, 280, 230], fill=bottom)
    draw.ellipse([60, 240, 340, 520], fill=bottom)
    draw.text((20, 20), initials, fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def image_create(title: str, data: bytes, caption: str, credit: str) -> NewsroomImage:
    return NewsroomImage.objects.create(
        title=title, caption=caption, credit=credit, file=ImageFile(io.BytesIO(data), name=f"{slugify(title)}.jpg")
    )


def progress(done: int, total: int, label: str, out) -> None:
    if out is None:
        return
    width = 30
    filled = int(width * done / total)
    out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label:<40}")
    if done == total:
        out.write("\n")
    out.flush()


def _publish(page: Page, at) -> None:
    page.save_revision().publish()
    Page.objects.filter(pk=page.pk).update(first_published_at=at, last_published_at=at, latest_revision_created_at=at)
    services.article_listings_update(article_ids=[page.pk])  # listed under the back-dated time


def _body(rng: random.Random, image: NewsroomImage, related: ArticlePage | None) -> list:
    paragraphs = rng.sample(PARAGRAPHS, 4)
    body = [("paragraph", f"<p>{paragraphs[0]}</p>"), ("paragraph", f"<p>{paragraphs[1]}</p>")]
    text, attribution = rng.choice(QUOTES)
    body.append(("quote", {"text": text, "attribution": attribution}))
    body.append(("heading", {"text": "What happens next", "level": "h2"}))
    body.append(("paragraph", f"<p>{paragraphs[2]}</p>"))
    if rng.random() < 0.4:
        body.append(("image", {"image": image, "caption": "", "credit": "", "alt": ""}))
    if rng.random() < 0.3:
        body.append(
            (
                "fact_box",
                {"title": "About this demo", "body": "<ul><li>Invented story</li><li>Invented people</li></ul>"},
            )
        )
    if related is not None:
        body.append(("related_story", {"article": related, "note": ""}))
    body.append(("paragraph", f"<p>{paragraphs[3]}</p>"))
    return body


def demo_headline(n: int) -> tuple[str, str]:
    """The n-th demo story's headline and its slug, unique for every n.

    Place and story cycle with coprime periods (7, 22), so headlines repeat only after 154 stories; later
    ones say which part they are, and the slug keeps that suffix whole however long the headline is.
    """
    place = PLACES[n % len(PLACES)]
    story = STORIES[n % len(STORIES)][0]
    headline = f"{place}: {story[0].upper()}{story[1:]}"
    part = n // (len(PLACES) * len(STORIES)) + 1
    if part == 1:
        return headline, slugify(headline)[:80].rstrip("-")
    return f"{headline} (part {part})", f"{slugify(headline)[:70].rstrip('-')}-part-{part}"


@transaction.atomic
def load_demo(*, articles: int = 44, seed: int = 2025, out=None) -> HomePage:
    """Build the demo newsroom on top of the site's structure. Refuses to run twice."""
    rng = random.Random(seed)
    home = services.site_structure_ensure(site_name=settings.WAGTAIL_SITE_NAME)
    if ArticlePage.objects.exists() or Author.objects.exists():
        raise RuntimeError("The database already has articles or authors; the demo loads into an empty newsroom.")
    home.title = "Masthead Demo Newsroom"
    home.save_revision().publish()
    total = 4 + articles
    step = 0

    sections: dict[str, SectionPage] = {}
    for title, slug, children in SECTIONS:
        section = home.add_child(
            instance=SectionPage(title=title, slug=slug, intro=f"Demo stories filed under {title}.")
        )
        sections[slug] = section
        for child_title, child_slug in children:
            sections[child_slug] = section.add_child(
                instance=SectionPage(title=child_title, slug=child_slug, intro=f"Demo stories: {child_title}.")
            )
    step += 1
    progress(step, total, "sections", out)

    authors = []
    for index, (name, role, order) in enumerate(AUTHORS):
        initials = "".join(part[0] for part in name.split())
        photo = image_create(
            f"Portrait of {name}", draw_portrait(index, initials), f"{name}, demo portrait.", "Masthead demo"
        )
        authors.append(
            Author.objects.create(
                name=name,
                slug=slugify(name),
                role=role,
                team_order=order,
                is_staff_member=bool(role),
                photo=photo,
                bio=f"{name} is a made-up member of the Masthead demo newsroom"
                + (f" ({role.lower()})." if role else "."),
                website="https://example.org/" if index % 3 == 0 else "",
            )
        )
    step += 1
    progress(step, total, "authors", out)

    pictures = [
        image_create(
            f"Demo picture {n + 1}",
            draw_picture(seed + n),
            f"A drawn landscape standing in for a news photo, number {n + 1}.",
            "Masthead demo illustration",
        )
        for n in range(12)
    ]
    for image in NewsroomImage.objects.all():
        # What the worker does for an upload; done here so the demo shows its pictures at once.
        services.image_renditions_make(image_id=image.pk)
    step += 1
    progress(step, total, "images", out)

    now = timezone.now()
    folder_by_year = {}
    made: list[ArticlePage] = []
    for n in range(articles):
        place = PLACES[n % len(PLACES)]
        story, section_slug, news = STORIES[n % len(STORIES)]
        title, slug = demo_headline(n)
        published = now - timedelta(hours=16 * (articles - n) + rng.randint(0, 10))
        year = timezone.localtime(published).year
        folder = folder_by_year.get(year) or folder_by_year.setdefault(year, services.archive_year_ensure(year=year))
        image = pictures[n % len(pictures)]
        article = ArticlePage(
            title=title,
            slug=slug,
            standfirst=f"Demo story from {place}, invented to show the site: {story.split(',')[0]}.",
            section=sections[section_slug],
            featured_image=image,
            news_feed=news,
            body=_body(rng, pictures[(n + 5) % len(pictures)], made[-1] if made and rng.random() < 0.5 else None),
            search_description=f"A demo story from the Masthead demo newsroom about {place}.",
        )
        folder.add_child(instance=article)
        writers = rng.sample(authors[:9], 2 if n % 5 == 0 else 1)
        for order, writer in enumerate(writers):
            ArticleAuthor.objects.create(article=article, author=writer, sort_order=order)
        article.tags.add("Demo", place, sections[section_slug].title)
        if news:
            article.tags.add("News Feed")
        if n % 7 == 3:
            Correction.objects.create(
                article=article,
                date=timezone.localtime(published + timedelta(days=1)).date(),
                text="An earlier version of this demo story misspelled a made-up name.",
            )
            if n % 14 == 3:
                Correction.objects.create(
                    article=article,
                    date=timezone.localtime(published + timedelta(days=2)).date(),
                    text="A demo date in the third paragraph has been fixed.",
                )
        _publish(article, published)
        made.append(article)
        step += 1
        progress(step, total, f"article {n + 1}", out)

    _build_pages(home, authors)
    newest = sorted(made, key=lambda a: a.pk, reverse=True)
    home.lead_story = newest[1] if len(newest) > 1 else newest[0]
    home.save()
    for order, article in enumerate(newest[2:6]):
        HomeTopStory.objects.create(home=home, article=article, sort_order=order)
    older = newest[6:] or newest
    for order, article in enumerate(rng.sample(older, min(5, len(older)))):
        HomeEditorsPick.objects.create(home=home, article=article, sort_order=order)
    for order, slug in enumerate(["war", "national", "human-story", "opinion"]):
        HomeSectionBlock.objects.create(home=home, section=sections[slug], sort_order=order)
    home.save_revision().publish()
    _settings(home, sections)
    _newsletters(newest[:4])
    _discussion(home.lead_story)
    step += 1
    progress(step, total, "pages and settings", out)
    return home


def _build_pages(home: HomePage, authors: list[Author]) -> None:
    home.add_child(instance=NewsFeedPage(title="News Feed", slug="news", intro="Short demo news, newest first."))
    home.add_child(
        instance=TeamPage(title="Team", slug="team", intro="<p>The invented people of the demo newsroom.</p>")
    )
    for title, slug, text in [
        ("About", "about", "Masthead Demo Newsroom is a sample site that shows what Masthead can do."),
        ("Advertising", "advertising", "A real newsroom would describe its advertising options here."),
        ("Contacts", "contacts", "Write to the demo newsroom at newsroom@example.org (not a real mailbox)."),
        ("Join the Team", "join-the-team", "The demo newsroom is not hiring; see Jobs for sample postings."),
    ]:
        home.add_child(
            instance=StandardPage(title=title, slug=slug, intro=text, body=f"<p>{text} This is demo content.</p>")
        )
    jobs = home.add_child(instance=JobIndexPage(title="Jobs", slug="jobs", intro="<p>Sample job postings.</p>"))
    for title, kind in [("Night news editor (demo)", "full-time"), ("Freelance photographer (demo)", "freelance")]:
        jobs.add_child(
            instance=JobPostingPage(
                title=title,
                employment_type=kind,
                location="Remote",
                summary="A sample posting in the demo newsroom.",
                body="<p>This posting is demo content and no one will read applications.</p>",
                apply_email="jobs@example.org",
                closes_on=timezone.localdate() + timedelta(days=30),
            )
        )
    form = OpinionFormPage(
        title="Submit an Opinion",
        slug="submit-an-opinion",
        intro="<p>Send the demo newsroom your opinion piece. Submissions are stored and emailed to the editors.</p>",
        thank_you_text="<p>Thank you. The editors will read your piece.</p>",
        to_address="",  # the newsroom's editors (MASTHEAD_EDITORS_EMAIL)
        from_address="newsroom@localhost",
        subject="New opinion submission",
    )
    home.add_child(instance=form)
    for order, (label, field_type, required) in enumerate(
        [
            ("Your name", "singleline", True),
            ("Email", "email", True),
            ("Headline", "singleline", True),
            ("Your piece", "multiline", True),
            ("About you", "singleline", False),
        ]
    ):
        OpinionFormField.objects.create(
            page=form, label=label, field_type=field_type, required=required, sort_order=order
        )
    form.save_revision().publish()


NEWSLETTERS = [
    ("Morning Briefing", "morning-briefing", "daily", "The night's news and the day ahead, before breakfast."),
    ("The Week in Analysis", "week-in-analysis", "weekly", "Our analysts explain the week's biggest stories."),
    ("Newsroom Notes", "newsroom-notes", "occasional", "How the demo newsroom works, and what it plans next."),
]


def _newsletters(stories: list[ArticlePage]) -> None:
    """The demo's newsletters, and a draft digest of the newest stories for editors to preview and try."""
    from masthead.newsletters.models import Issue, IssueStory, Newsletter

    letters = []
    for order, (name, slug, cadence, description) in enumerate(NEWSLETTERS):
        letter, _ = Newsletter.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "cadence": cadence,
                "description": f"{description} (Demo content.)",
                "sort_order": order,
            },
        )
        letters.append(letter)
    if stories and not Issue.objects.exists():
        issue = Issue.objects.create(
            newsletter=letters[0],
            kind=Issue.Kind.DIGEST,
            intro="Good morning. Here is what happened overnight in the demo newsroom.",
        )
        IssueStory.objects.bulk_create(
            IssueStory(issue=issue, article=article, sort_order=order) for order, article in enumerate(stories)
        )


DEMO_COMMENTS = [
    ("Mykola D.", "Thank you for following this story. Is there a way for families to contact the investigators?"),
    ("Sarah L.", "The map in the second section helped me understand where this happened."),
    ("Olha P.", "Families can write to the ombudsman's office; their address is on its website."),
]


def _discussion(article: ArticlePage) -> None:
    """Three demo members talk under the lead story; a fourth's first comment waits in the moderation queue.
    Their addresses end in .invalid: no email can reach them."""
    from allauth.account.models import EmailAddress

    from masthead.comments.models import Comment, Like
    from masthead.comments.services import discussion_recount
    from masthead.members.models import User

    if Comment.objects.exists():
        return
    members = []
    for name in [*(name for name, _ in DEMO_COMMENTS), "New Reader"]:
        email = f"{name.split()[0].lower()}@demo-members.invalid"
        member = User.objects.create_user(f"member-demo-{len(members)}", email=email, display_name=name)
        member.set_unusable_password()
        member.save()
        EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
        members.append(member)
    now = timezone.now()
    first = Comment.objects.create(
        article=article, member=members[0], body=DEMO_COMMENTS[0][1], like_count=2, created_at=now - timedelta(hours=3)
    )
    second = Comment.objects.create(
        article=article, member=members[1], body=DEMO_COMMENTS[1][1], like_count=1, created_at=now - timedelta(hours=2)
    )
    Like.objects.bulk_create(
        [
            Like(comment=first, member=members[1]),
            Like(comment=first, member=members[2]),
            Like(comment=second, member=members[0]),
        ]
    )
    Comment.objects.create(
        article=article, member=members[2], body=DEMO_COMMENTS[2][1], parent=first, created_at=now - timedelta(hours=1)
    )
    Comment.objects.create(
        article=article,
        member=members[3],
        status=Comment.Status.HELD,
        held_reason="more links than allowed",
        body="Great deals at http://a.example http://b.example http://c.example",
    )
    discussion_recount(article_id=article.pk)


def _settings(home: HomePage, sections: dict[str, SectionPage]) -> None:
    pages = {page.slug: page for page in Page.objects.child_of(home)}

    def link(label, page=None, url=""):
        return {"label": label, "page": page, "url": url}

    more = [
        link("About", pages["about"]),
        link("Join the Team", pages["join-the-team"]),
        link("Team", pages["team"]),
        link("Advertising", pages["advertising"]),
        link("Jobs", pages["jobs"]),
    ]
    primary = [
        ("link", link("News Feed", pages["news"])),
        (
            "group",
            {
                "label": "War",
                "page": sections["war"],
                "links": [link("Analysis", sections["analysis"]), link("Russia's War", sections["russias-war"])],
            },
        ),
        *[
            ("link", link(sections[s].title, sections[s]))
            for s in ["national", "human-story", "field-report", "company-news"]
        ],
        ("group", {"label": "More", "links": more}),
    ]
    footer = [
        (
            "group",
            {
                "label": "Sections",
                "links": [
                    link(sections[s].title, sections[s])
                    for s in ["war", "national", "human-story", "field-report", "company-news", "opinion"]
                ],
            },
        ),
        (
            "group",
            {
                "label": "More",
                "links": [
                    link("About", pages["about"]),
                    link("Advertising", pages["advertising"]),
                    link("Jobs", pages["jobs"]),
                    link("Team", pages["team"]),
                    link("Contacts", pages["contacts"]),
                    link("Submit an Opinion", pages["submit-an-opinion"]),
                    link("Newsletters", url="/newsletters/"),
                    link("Store", url="https://example.org/store"),
                ],
            },
        ),
    ]
    site = home.get_site()
    site.site_name = "Masthead Demo Newsroom"
    site.save()
    newsroom_settings = NewsroomSettings.for_site(site)
    newsroom_settings.tagline = "Demo content: an invented newsroom for trying Masthead"
    newsroom_settings.promo_text = "Demo documentary"
    newsroom_settings.promo_subtitle = "A sample promo bar: editors set its text, link and dates."
    newsroom_settings.promo_url = "https://example.org/documentary"
    newsroom_settings.promo_button = "Watch now"
    newsroom_settings.promo_starts_at = timezone.now() - timedelta(days=1)
    newsroom_settings.promo_ends_at = timezone.now() + timedelta(days=60)
    newsroom_settings.primary_menu = primary
    newsroom_settings.footer_menu = footer
    newsroom_settings.social_links = [
        ("link", {"network": n, "url": f"https://example.org/{n}"}) for n in ["x", "facebook", "youtube", "telegram"]
    ]
    newsroom_settings.store_url = "https://example.org/store"
    newsroom_settings.save()
