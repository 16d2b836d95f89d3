"""A large synthetic newsroom for measuring Masthead at scale: `masthead corpus --articles 100000`.

It starts from the demo newsroom (loaded first if the database has no articles) and adds older stories until
the newsroom holds `articles` of them: about fifty a day going back in time (100,000 cover five and a half
years), in every section, by a few hundred authors, under several hundred tags, with bodies of 300 to 1,300
words (headings, quotes, pictures, fact boxes, links to earlier stories) and a correction now and then. Every
story says that it is synthetic.

The demo's path publishes each article through Wagtail (a revision, signals, the page tree's locks): about
100 ms an article. Here the rows are written in batches of a thousand instead, as an importer would: pages
with their tree paths worked out in advance, then the articles, bylines, tags, corrections, listings and
the addresses each story shows on (for its first purge).
What that leaves out, and how to add it when wanted: revisions (an article gets its first when an editor
saves it), Wagtail's search index (`masthead update_index`) and its reference index
(`masthead rebuild_references_index`).
"""

import json
import random
import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Locale, Page

from masthead.discovery.selectors import story_listing_paths
from masthead.newsroom import services
from masthead.newsroom.demo import draw_picture, image_create, load_demo, progress
from masthead.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    ArticleTag,
    Author,
    Correction,
    NewsFeedPage,
    NewsroomImage,
    PublicAddresses,
    SectionPage,
)

BATCH = 1000
STORIES_PER_DAY = 50
PICTURES = 24

PLACE_STARTS = ["River", "East", "North", "Lake", "Hill", "Old", "Mill", "Stone", "Green", "Ash", "Oak", "Fair"]
PLACE_STARTS += ["Clear", "Silver", "Red", "West", "South", "High", "Long", "Bright"]
PLACE_ENDS = ["ton", "field", "bridge", "shore", "crest", "harbour", "brook", "ford", "wood", "vale", "port"]
PLACE_ENDS += ["dale", "gate", "mouth", "stead"]
PLACES = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]  # 300 invented towns

TOPICS = ["Energy", "Schools", "Transport", "Health", "Courts", "Culture", "Economy", "Housing", "Weather"]
TOPICS += ["Elections", "Agriculture", "Defence", "Science", "Sport", "Water", "Roads", "Budget", "Refugees"]
TOPICS += ["Heating", "Libraries", "Hospitals", "Ports", "Railways", "Markets", "Volunteers", "Veterans"]
TOPICS += ["Demining", "Reconstruction", "Media", "Technology", "Environment", "Tourism", "Labour", "Pensions"]

THINGS = ["the bus lanes", "the new clinic", "the school repairs", "the harbour crane", "the heating plan"]
THINGS += ["the power lines", "the bridge works", "the grain depot", "the shelter network", "the water mains"]
THINGS += ["the rail timetable", "the market hall", "the youth centre", "the flood barrier", "the city budget"]

HEADLINES = [
    "{place} council votes on {thing}",
    "What {thing} will cost {place}, explained",
    "Work on {thing} in {place} runs {number} weeks late",
    "Residents of {place} question {thing}",
    "{place} opens {thing} after {number} months",
    "Inside the fight over {thing} in {place}",
    "Officials in {place} promise answers on {thing}",
    "Volunteers in {place} step in on {thing}",
    "Why {thing} matters beyond {place}",
    "{place} weighs {number} plans for {thing}",
]

SENTENCES = [
    "Officials in {place} said on {weekday} that {thing} would be finished by {month}.",
    "About {number} residents came to the meeting, more than the hall could seat.",
    "The plan has been discussed since {month}, when the first estimate was published.",
    "Several people who spoke at the meeting asked who would pay for {thing}.",
    "A spokesperson for the regional administration said the figures would be checked again.",
    "Engineers told the council that {number} of the old parts could not be reused.",
    "Shop owners along the main street said the works had cut their takings by half.",
    "The council's own report, released on {weekday}, lists {number} open questions.",
    "Teachers in {place} said the changes would reach pupils before the winter.",
    "The decision follows a year of delays blamed on shortages of materials and workers.",
    "Neighbouring towns are watching the outcome, since they face the same choice.",
    "None of the officials who spoke would say when the next vote might be held.",
    "Local volunteers have kept a record of every delay and publish it each week.",
    "The money comes partly from the national budget and partly from foreign partners.",
    "Critics say {thing} has been planned without asking the people who will use it.",
    "Supporters answer that waiting any longer would cost the town far more.",
    "By {month}, the first results should be visible to anyone who walks past.",
    "The mayor of {place} declined to comment before the council had voted.",
    "Reporters visited the site on {weekday} and found work going on at one end only.",
    "A similar project in a neighbouring region took {number} months longer than planned.",
]
QUOTES = [
    "We were promised {thing} two winters ago, and we are still waiting.",
    "Nobody here is against the plan; we only want to know when it will be done.",
    "Every week of delay costs us customers who do not come back.",
    "The numbers have changed three times, and each time they went up.",
]
SUBHEADS = ["What happens next", "Who pays", "The timeline", "What residents say", "How we got here"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
MONTHS += ["November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST_NAMES = ["Olha", "Petro", "Yulia", "Bohdan", "Halyna", "Ivan", "Larysa", "Roman", "Oksana", "Serhii"]
FIRST_NAMES += ["Mariia", "Yurii", "Tetiana", "Oleh", "Vira", "Maksym", "Daryna", "Artem", "Zoia", "Denys"]
SURNAMES = ["Sampleton", "Fillerko", "Mockenko", "Testchuk", "Draftiuk", "Loremenko", "Ipsumska", "Stubenko"]
SURNAMES += ["Dummiak", "Fixturova", "Seedenko", "Corpusiuk", "Synthenko", "Proxiuk", "Templova"]

SYNTHETIC_BIO = " is an invented reporter of Masthead's synthetic test newsroom."
SYNTHETIC = (
    "This story is synthetic: Masthead's corpus generator wrote it so that a large test newsroom has "
    "something to show. The places, people and numbers in it are invented."
)


def build_corpus(*, articles: int, seed: int = 2026, pictures: int = PICTURES, out=None) -> int:
    """Bring the newsroom to `articles` live stories (the demo's first); returns how many were added."""
    rng = random.Random(seed)
    if not ArticlePage.objects.exists():
        load_demo(articles=min(44, articles), seed=seed, out=out)
    wanted = articles - ArticlePage.objects.count()
    if wanted <= 0:
        return 0
    maker = _ArticleMaker(rng, wanted, pictures)
    made = 0
    while made < wanted:
        count = min(BATCH, wanted - made)
        with transaction.atomic():
            ids = maker.batch(count)
            services.article_listings_update(article_ids=ids)
        made += count
        progress(made, wanted, f"{made} stories", out)
    _analyze()
    services.pages_changed()
    transaction.on_commit(caches["pages"].clear)
    return made


class _ArticleMaker:
    """Writes the stories, newest first, going back in time from the oldest story already there."""

    def __init__(self, rng: random.Random, wanted: int, pictures: int):
        self.rng = rng
        oldest = ArticlePage.objects.order_by("first_published_at").values_list("first_published_at", flat=True)
        self.at = oldest.first() or timezone.now()
        self.sections = list(SectionPage.objects.order_by("path"))
        self.section_weights = [1 + 4 * (section.depth == 3) for section in self.sections]
        _authors(max(4, (ArticlePage.objects.count() + wanted) // 1000))
        self.authors = list(Author.objects.order_by("pk").values_list("pk", flat=True))
        self.author_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(self.authors))]
        _pictures(rng, pictures)
        self.pictures = list(NewsroomImage.objects.exclude(title__startswith="Portrait").values_list("pk", flat=True))
        self.tags: dict[str, int] = dict(Tag.objects.values_list("name", "pk"))
        self.addresses = _Addresses(self.sections)
        self.slugs = set(Page.objects.values_list("slug", flat=True))
        self.recent: list[int] = list(ArticlePage.objects.values_list("pk", flat=True)[:50])
        self.folders: dict[int, dict] = {}
        self.content_type = ContentType.objects.get_for_model(ArticlePage)
        self.locale = Locale.get_default()
        self.serial = 0

    def batch(self, count: int) -> list[int]:
        stories = [self._story() for _ in range(count)]
        pages = Page.objects.bulk_create([story["page"] for story in stories])
        for folder in self.folders.values():
            if folder["added"]:
                Page.objects.filter(pk=folder["pk"]).update(numchild=F("numchild") + folder["added"])
                folder["added"] = 0
        articles = []
        for story, page in zip(stories, pages, strict=True):
            articles.append(ArticlePage(page_ptr_id=page.pk, **story["article"]))
        fields = ArticlePage._meta.local_concrete_fields
        for start in range(0, len(articles), 200):
            ArticlePage._base_manager._insert(articles[start : start + 200], fields=fields)
        ids = [page.pk for page in pages]
        self._links(stories, ids)
        self.recent = (ids[:50] + self.recent)[:50]
        return ids

    def _story(self) -> dict:
        rng = self.rng
        self.serial += 1
        self.at -= timedelta(minutes=rng.uniform(0.2, 1.8) * 24 * 60 / STORIES_PER_DAY)
        place = rng.choice(PLACES)
        words = {
            "place": place,
            "thing": rng.choice(THINGS),
            "number": rng.randint(2, 40),
            "month": rng.choice(MONTHS),
            "weekday": rng.choice(WEEKDAYS),
        }
        title = rng.choice(HEADLINES).format(**words)
        title = title[0].upper() + title[1:]
        slug = base = slugify(title)[:70].rstrip("-")
        suffix = 1
        while slug in self.slugs:
            suffix += 1
            slug = f"{base}-{suffix}"
        self.slugs.add(slug)
        section = rng.choices(self.sections, self.section_weights)[0]
        folder = self._folder(timezone.localtime(self.at).year)
        folder["last"] += 1
        folder["added"] += 1
        page = Page(
            content_type=self.content_type,
            locale=self.locale,
            translation_key=uuid.uuid4(),
            path=Page._get_path(folder["path"], folder["depth"] + 1, folder["last"]),
            depth=folder["depth"] + 1,
            numchild=0,
            title=title,
            draft_title=title,
            slug=slug,
            url_path=f"{folder['url_path']}{slug}/",
            live=True,
            has_unpublished_changes=False,
            first_published_at=self.at,
            last_published_at=self.at,
            latest_revision_created_at=self.at,
            search_description=f"A synthetic story about {words['thing']} in {place}.",
        )
        topics = rng.sample(TOPICS, rng.choice((1, 1, 2, 3)))
        tags = [place, *topics] + ([f"{topics[0]} {self.at.year}"] if rng.random() < 0.3 else [])
        news_feed = rng.random() < 0.35
        article = {
            "standfirst": f"A synthetic story from {place} about {words['thing']}, written to fill a test newsroom.",
            "section_id": section.pk,
            "featured_image_id": rng.choice(self.pictures),
            "featured_image_alt": "",
            "body": json.dumps(self._body(words)),
            "news_feed": news_feed,
            "updated_at": None,
        }
        authors = rng.choices(self.authors, self.author_weights, k=2 if rng.random() < 0.2 else 1)
        return {"page": page, "article": article, "authors": list(dict.fromkeys(authors)), "tags": tags}

    def _body(self, words: dict) -> list[dict]:
        rng = self.rng

        def block(kind, value):
            return {"type": kind, "value": value, "id": str(uuid.uuid4())}

        def paragraph():
            return " ".join(s.format(**words) for s in rng.sample(SENTENCES, rng.randint(2, 4)))

        body = [block("paragraph", f"<p>{SYNTHETIC}</p>")]
        for n in range(rng.randint(6, 30)):  # about 42 words a paragraph: 300 to 1,300 words in all
            body.append(block("paragraph", f"<p>{paragraph()}</p>"))
            if n == 2:
                body.append(block("quote", {"text": rng.choice(QUOTES).format(**words), "attribution": "A resident"}))
            elif n == 4:
                body.append(block("heading", {"text": rng.choice(SUBHEADS), "level": "h2"}))
            elif n == 5 and rng.random() < 0.4:
                picture = {"image": rng.choice(self.pictures), "caption": "", "credit": "", "alt": ""}
                body.append(block("image", picture))
            elif n == 6 and rng.random() < 0.2:
                facts = "".join(f"<li>{s.format(**words)}</li>" for s in rng.sample(SENTENCES, 3))
                body.append(block("fact_box", {"title": "Key facts", "body": f"<ul>{facts}</ul>"}))
        if self.recent and rng.random() < 0.2:
            body.append(block("related_story", {"article": rng.choice(self.recent), "note": ""}))
        return body

    def _folder(self, year: int) -> dict:
        if year not in self.folders:
            folder = services.archive_year_ensure(year=year)
            last = Page.objects.filter(path__startswith=folder.path, depth=folder.depth + 1).order_by("-path")
            last_path = last.values_list("path", flat=True).first()
            self.folders[year] = {
                "pk": folder.pk,
                "path": folder.path,
                "depth": folder.depth,
                "url_path": folder.url_path,
                "last": Page._str2int(last_path[-Page.steplen :]) if last_path else 0,
                "added": 0,
            }
        return self.folders[year]

    def _links(self, stories: list[dict], ids: list[int]) -> None:
        new_tags = {name for story in stories for name in story["tags"]} - self.tags.keys()
        if new_tags:
            Tag.objects.bulk_create([Tag(name=name, slug=_tag_slug(name)) for name in sorted(new_tags)])
            made = Tag.objects.filter(name__in=new_tags).values_list("name", "pk", "slug")
            self.tags.update((name, pk) for name, pk, _ in made)
            self.addresses.tags.update((name, slug) for name, _, slug in made)
        bylines, tag_links, corrections, addresses = [], [], [], []
        for story, pk in zip(stories, ids, strict=True):
            addresses.append(PublicAddresses(page_id=pk, paths=self.addresses.of(story, pk)))
            bylines += [ArticleAuthor(article_id=pk, author_id=a, sort_order=n) for n, a in enumerate(story["authors"])]
            tag_links += [ArticleTag(content_object_id=pk, tag_id=self.tags[name]) for name in set(story["tags"])]
            if self.rng.random() < 0.03:
                date = timezone.localtime(story["page"].first_published_at).date() + timedelta(days=1)
                corrections.append(Correction(article_id=pk, date=date, text="An earlier version misspelled a name."))
        ArticleAuthor.objects.bulk_create(bylines, batch_size=BATCH)
        ArticleTag.objects.bulk_create(tag_links, batch_size=BATCH)
        Correction.objects.bulk_create(corrections)
        PublicAddresses.objects.bulk_create(addresses, batch_size=BATCH)


class _Addresses:
    """Where each new story shows (what `selectors.page_addresses` would say, worked out once per section, tag
    and author instead of four queries a story), remembered as publishing would (`services.page_shown`): its
    first edit then purges the pages that showed it before."""

    def __init__(self, sections: list[SectionPage]):
        self.sections = {
            section.pk: [above.slug for above in SectionPage.objects.ancestor_of(section, inclusive=True).live()]
            for section in sections
        }
        news_feed = NewsFeedPage.objects.live().first()
        self.news_feed = news_feed.get_url_parts()[2] if news_feed else None
        self.tags = dict(Tag.objects.values_list("name", "slug"))
        self.authors = dict(Author.objects.values_list("pk", "slug"))

    def of(self, story: dict, pk: int) -> list[str]:
        sections = self.sections[story["article"]["section_id"]]
        tags = [self.tags[name] for name in set(story["tags"])]
        authors = [self.authors[author] for author in story["authors"]]
        paths = {"/", f"/{story['page'].slug}/", *(f"/{slug}/" for slug in sections)}
        paths.update(reverse("tag", kwargs={"slug": slug}) for slug in tags)
        paths.update(reverse("author", kwargs={"slug": slug}) for slug in authors)
        if story["article"]["news_feed"] and self.news_feed:
            paths.add(self.news_feed)
        paths |= story_listing_paths(article_id=pk, sections=sections, tags=tags, authors=authors)
        return sorted(paths)


def _tag_slug(name: str) -> str:
    return slugify(name)[:100] or f"tag-{uuid.uuid4().hex[:8]}"


def _authors(count: int) -> None:
    """Synthetic reporters, until there are `count` of them."""
    count -= Author.objects.filter(bio__endswith=SYNTHETIC_BIO).count()
    portraits = list(NewsroomImage.objects.filter(title__startswith="Portrait").values_list("pk", flat=True))
    taken = set(Author.objects.values_list("slug", flat=True))
    authors, first = [], Author.objects.count()
    for n in range(first, first + max(0, count)):
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {SURNAMES[(n // len(FIRST_NAMES) + n) % len(SURNAMES)]}"
        slug = slugify(name)
        if slug in taken:
            name, slug = f"{name} {n}", f"{slug}-{n}"
        taken.add(slug)
        authors.append(
            Author(
                name=name,
                slug=slug,
                role="Reporter",
                is_staff_member=False,  # a team page of a hundred invented reporters helps no one
                photo_id=portraits[n % len(portraits)] if portraits else None,
                bio=f"{name}{SYNTHETIC_BIO}",
            )
        )
    Author.objects.bulk_create(authors)


def _pictures(rng: random.Random, count: int) -> None:
    """Synthetic pictures (drawn, with their renditions), until there are `count` of them."""
    for n in range(NewsroomImage.objects.filter(title__startswith="Synthetic picture").count(), count):
        image = image_create(
            f"Synthetic picture {n + 1}",
            draw_picture(rng.randint(0, 10_000)),
            f"A drawn landscape standing in for a news photo in the synthetic newsroom, number {n + 1}.",
            "Masthead corpus illustration",
        )
        services.image_renditions_make(image_id=image.pk)


def _analyze() -> None:
    """Fresh statistics, so the query planners know the tables' new sizes (PostgreSQL: and the visibility map,
    which lets it answer a listing from the index alone)."""
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # not in a transaction
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
