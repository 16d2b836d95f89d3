"""Operations that change the newsroom's state: the site's structure, the archive, scheduled publishing,
purging changed pages from the caches, and the opinion form's email to the editors."""

import io
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.apps import apps as django_apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Page, Site, Workflow, WorkflowPage, WorkflowTask

from masthead import http_cache, outbox
from masthead.locks import lock_acquire, lock_release
from masthead.newsroom import selectors, serving
from masthead.newsroom.models import (
    ArticleIndexPage,
    ArticleListing,
    ArticlePage,
    ArticleTag,
    ArticleYearPage,
    HomePage,
    NewsroomImage,
    NewsroomSettings,
    OpinionFormPage,
    OpinionSubmission,
    PublicAddresses,
    SectionPage,
)

log = logging.getLogger(__name__)

EDITORIAL_REVIEW = "Editorial review"


@transaction.atomic
def site_structure_ensure(*, site_name: str, hostname: str = "localhost", port: int = 80) -> HomePage:
    """The home page, the article archive and this year's folder, the default site and the review workflow.

    Safe to run again: what exists is kept. Wagtail's placeholder "Welcome" page is replaced.
    """
    home = HomePage.objects.first()
    root = Page.get_first_root_node()
    if home is None:
        placeholder = Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore")
        for page in placeholder:
            Site.objects.filter(root_page=page).delete()
            page.delete()
        home = root.add_child(instance=HomePage(title=site_name, slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=site_name
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    from django.apps import apps

    from masthead.newsroom.serving import CACHED_SETTINGS

    for label in CACHED_SETTINGS:  # made now, not by a reader's request
        apps.get_model(label).for_site(site)

    archive = ArticleIndexPage.objects.child_of(home).first()
    if archive is None:
        archive = home.add_child(instance=ArticleIndexPage(title="Articles", slug="articles", show_in_menus=False))
    archive_year_ensure(year=timezone.localdate().year)
    reporters_grant(archive=archive)
    editorial_review_ensure(home=home)
    return home


REPORTERS_PAGE_PERMISSIONS = ["add_page", "change_page"]


def reporters_grant(*, archive: Page) -> None:
    """Reporters write and edit in the article archive and nowhere else: not the front page, the sections or the
    site's other pages (Editors and Administrators hold theirs on the whole tree)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group, _ = Group.objects.get_or_create(name="Reporters")
    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=REPORTERS_PAGE_PERMISSIONS
    )
    GroupPagePermission.objects.filter(group=group).exclude(page=archive).delete()
    for permission in permissions:
        GroupPagePermission.objects.get_or_create(group=group, page=archive, permission=permission)


def editorial_review_ensure(*, home: Page) -> Workflow:
    """The "Editorial review" workflow (Editors or Administrators approve) on every page of the site, articles
    first of all.

    It replaces Wagtail's starter "Moderators approval" workflow.
    """
    from django.contrib.auth.models import Group

    workflow, _ = Workflow.objects.get_or_create(name=EDITORIAL_REVIEW)
    if not workflow.workflow_tasks.exists():
        approval = GroupApprovalTask.objects.create(name="Editors approve")
        WorkflowTask.objects.create(workflow=workflow, task=approval, sort_order=0)
    # Administrators approve too: they may publish anything, and must not be the one group that cannot.
    for approval in GroupApprovalTask.objects.filter(name="Editors approve"):
        approval.groups.add(*Group.objects.filter(name__in=["Editors", "Administrators"]))
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    WorkflowPage.objects.exclude(workflow=workflow).filter(page__depth=1).delete()
    Workflow.objects.filter(name="Moderators approval").update(active=False)
    return workflow


def archive_year_ensure(*, year: int) -> ArticleYearPage:
    """The archive's folder for one year, made when first needed."""
    folder = selectors.year_folder(year=year)
    if folder is None:
        archive = ArticleIndexPage.objects.first()
        if archive is None:
            raise LookupError("The site has no article archive yet: run `masthead setup`.")
        folder = archive.add_child(instance=ArticleYearPage(title=str(year), slug=str(year)))
    return folder


def scheduled_publishing_queue(*, at: datetime) -> None:
    """Ask the worker to run scheduled publishing at `at` (once the current transaction commits)."""
    from masthead.newsroom.tasks import publish_scheduled_task

    if not publish_scheduled_task.get_backend().supports_defer:
        log.info("The task backend cannot defer work; scheduled pages wait for `masthead worker` to start.")
        return
    run_after = max(at, timezone.now())
    transaction.on_commit(lambda: publish_scheduled_task.using(run_after=run_after).enqueue())


def pages_changed() -> None:
    """Something the pages show changed (a page published, unpublished, moved or deleted; an author; a picture):
    `pages_version` moves on, so every cache keyed by it (menus, routes, rails, story cards, the layout's
    pieces, articles' published content) is made again, and Last-Modified moves to now."""
    NewsroomSettings.objects.update(pages_version=F("pages_version") + 1, pages_changed_at=timezone.now())
    serving.serving_cache_expire()


LISTING_CHUNK = 2000


def article_listings_update(*, article_ids: Iterable[int] | None = None, models=None) -> int:
    """Make the listing rows (models.listings) of these articles, or of every article, from what is live now;
    an article that is not live gets none. Returns the number of rows made.

    `models` is an app registry: a migration passes its historical one, so this is the one place that knows
    which listings an article shows in: all stories; the News Feed if it is in it; its section and every
    section above; each of its tags; each of its authors.
    """
    get = (models or django_apps).get_model
    article_model, listing = get("newsroom", "ArticlePage"), get("newsroom", "ArticleListing")
    tag_links, bylines = get("newsroom", "ArticleTag"), get("newsroom", "ArticleAuthor")
    kind = ArticleListing.Kind
    section_paths = dict(get("newsroom", "SectionPage").objects.values_list("pk", "path"))
    section_at = {path: pk for pk, path in section_paths.items()}

    def sections_above(section_id) -> list[int]:
        path = section_paths.get(section_id, "")
        return [
            section_at[path[:end]]
            for end in range(Page.steplen, len(path) + 1, Page.steplen)
            if path[:end] in section_at
        ]

    if article_ids is None:
        listing.objects.all().delete()
        ids = list(article_model.objects.filter(live=True).order_by("pk").values_list("pk", flat=True))
    else:
        ids = list(article_ids)
    made = 0
    for start in range(0, len(ids), LISTING_CHUNK):
        chunk = ids[start : start + LISTING_CHUNK]
        if article_ids is not None:
            listing.objects.filter(article_id__in=chunk).delete()
        live = article_model.objects.filter(pk__in=chunk, live=True)
        tags, authors = defaultdict(list), defaultdict(list)
        for article_id, tag_id in tag_links.objects.filter(content_object_id__in=chunk).values_list(
            "content_object_id", "tag_id"
        ):
            tags[article_id].append(tag_id)
        for article_id, author_id in bylines.objects.filter(article_id__in=chunk).values_list(
            "article_id", "author_id"
        ):
            authors[article_id].append(author_id)
        rows = []
        for pk, section_id, news_feed, first, last in live.values_list(
            "pk", "section_id", "news_feed", "first_published_at", "last_published_at"
        ):
            places = [(kind.ALL, 0)]
            places += [(kind.NEWS_FEED, 0)] if news_feed else []
            places += [(kind.SECTION, key) for key in sections_above(section_id)]
            places += [(kind.TAG, key) for key in set(tags[pk])]
            places += [(kind.AUTHOR, key) for key in set(authors[pk])]
            at = first or last or timezone.now()
            rows += [listing(kind=k, key=key, published_at=at, article_id=pk) for k, key in places]
        listing.objects.bulk_create(rows, batch_size=1000)
        made += len(rows)
    return made


def section_listings_update(*, section: Page) -> None:
    """A section moved: its articles (and those of the sections below it) now list under other sections."""
    sections = SectionPage.objects.descendant_of(section, inclusive=True).values("pk")
    article_listings_update(article_ids=ArticlePage.objects.filter(section__in=sections).values_list("pk", flat=True))


def listing_gone(*, kind: int, key: int) -> None:
    """A section, tag or author was deleted: its listing goes with it."""
    ArticleListing.objects.filter(kind=kind, key=key).delete()


def pages_purge(*, paths: set[str]) -> None:
    """Once the change is committed: out of the app's page cache at once, and out of the front caches
    (settings.WAGTAILFRONTENDCACHE: Varnish, nginx, Cloudflare…) by a background task."""

    def purge():
        http_cache.page_cache_purge(paths)
        if settings.WAGTAILFRONTENDCACHE:
            from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

            purge_urls_from_cache([settings.BASE_URL + path for path in sorted(paths)])

    if paths:
        transaction.on_commit(purge)


def page_shown(*, page: Page) -> None:
    """A page was published or moved: purge where it shows now and where it showed before, and remember now."""
    stored = PublicAddresses.objects.filter(page_id=page.pk).values_list("paths", flat=True).first() or []
    now = selectors.page_addresses(page=page)
    PublicAddresses.objects.update_or_create(page_id=page.pk, defaults={"paths": sorted(now)})
    pages_purge(paths=now | set(stored))


def page_hidden(*, page: Page) -> None:
    """A page was unpublished or is being deleted: purge everywhere it showed."""
    stored = PublicAddresses.objects.filter(page_id=page.pk).values_list("paths", flat=True).first() or []
    PublicAddresses.objects.filter(page_id=page.pk).delete()
    pages_purge(paths=selectors.page_addresses(page=page) | set(stored))


def layout_changed() -> None:
    """Something many pages carry changed (the settings' menus or promo bar, a page the menus may link moved or
    went away, an author, an edited picture): the whole page cache goes; front caches follow within
    `MASTHEAD_CACHE_SECONDS`."""
    transaction.on_commit(http_cache.page_cache_clear)


def image_renditions_queue(*, image_id: int) -> None:
    from masthead.newsroom.tasks import image_renditions_task

    transaction.on_commit(lambda: image_renditions_task.enqueue(image_id))


def image_renditions_make(*, image_id: int) -> str:
    """Make every rendition the pages show of one image (RENDITION_SETS) and list them on its row, once: a
    second run finds them listed, and a run while another worker is making them leaves it to that one."""
    from masthead.newsroom.models.images import RENDITION_SETS

    image = NewsroomImage.objects.filter(pk=image_id).first()
    if image is None:
        return "gone"
    if image.renditions_complete:
        return "already made"
    source = image.renditions_source()
    lock = f"renditions:{image_id}|{source}"
    if not lock_acquire(lock, seconds=600):
        return "being made by another worker"
    try:
        # Made from this file already: only the sets added since (the site icon's), and the pictures stay shown.
        made = dict(image.renditions_made) if image.renditions_ready else {"source": source}
        for name, formats in RENDITION_SETS.items():
            if name in made:
                continue
            made[name] = {}
            for fmt, specs in formats.items():
                renditions = image.get_renditions(*specs)
                made[name][fmt] = [
                    [renditions[spec].url, renditions[spec].width, renditions[spec].height] for spec in specs
                ]
        NewsroomImage.objects.filter(pk=image_id).update(renditions_made=made)
        pages_changed()  # cards rendered without the picture are made again
    finally:
        lock_release(lock)
    return "made"


def images_renditions_resume() -> int:
    """Queue every image whose renditions are not made (run when a worker starts)."""
    owed = [image.pk for image in NewsroomImage.objects.all() if not image.renditions_complete]
    for image_id in owed:
        image_renditions_queue(image_id=image_id)
    return len(owed)


def tasks_orphaned_requeue(*, lease_seconds: int) -> int:
    """Put tasks still RUNNING a lease after their claim back in the queue: their worker is gone."""
    from django_tasks_db.models import DBTaskResult

    expired = timezone.now() - timedelta(seconds=lease_seconds)
    count = DBTaskResult.objects.running().filter(started_at__lt=expired).update(status="READY")
    if count:
        log.warning("Requeued %s task(s) whose worker stopped before finishing them.", count)
    return count


def scheduled_publishing_run() -> str:
    """Publish the revisions whose time has come and unpublish expired pages (Wagtail's own command)."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()


# The opinion form's email. The reader's request only stores the submission; a task sends the email, claiming the
# row first (pending|failed -> sending) so that two runs of the task never send it twice. A claim older than the
# task lease belongs to a worker that died mid-send, and may be taken over.

EMAIL_MAX_ATTEMPTS = 8
Status = OpinionSubmission.EmailStatus


def opinion_submission_store(*, page: OpinionFormPage, form) -> OpinionSubmission:
    """Keep what the reader sent and queue the email to the editors once the row is committed."""
    submission = OpinionSubmission.objects.create(page=page, form_data=form.cleaned_data)
    transaction.on_commit(lambda: opinion_email_queue(submission_id=submission.pk))
    return submission


def opinion_email_queue(*, submission_id: int, delay: timedelta | None = None) -> None:
    from masthead.newsroom.tasks import opinion_email_task

    outbox.enqueue(opinion_email_task, delay=delay, submission_id=submission_id)


def opinion_email_message(*, submission: OpinionSubmission) -> EmailMessage:
    page = submission.page.specific
    lines, reply_to = [], []
    for field in page.get_form_fields():
        value = submission.form_data.get(field.clean_name, "")
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        lines.append(f"{field.label}: {value}")
        if field.field_type == "email" and value and not reply_to:
            reply_to = [value]
    submitted = timezone.localtime(submission.submit_time).strftime("%Y-%m-%d %H:%M %Z")
    body = "\n".join([*lines, "", f"Submitted {submitted} on {page.full_url or page.url_path}"])
    return EmailMessage(
        subject=page.subject or f"New submission: {page.title}",
        body=body,
        from_email=page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=page.recipients(),
        reply_to=reply_to,
    )


def opinion_email_send(*, submission_id: int) -> str:
    """Send one submission's email to the editors; returns the submission's email status afterwards."""
    claimed = outbox.claim(OpinionSubmission.objects.filter(pk=submission_id), prefix="email_")
    submission = OpinionSubmission.objects.select_related("page").filter(pk=submission_id).first()
    if submission is None:
        return "deleted"
    if not claimed:
        return submission.email_status  # sent already, or another worker is sending it

    return outbox.send(
        OpinionSubmission.objects.filter(pk=submission_id),
        lambda: opinion_email_message(submission=submission),
        label=f"Opinion submission {submission_id}",
        attempts=submission.email_attempts,
        max_attempts=EMAIL_MAX_ATTEMPTS,
        retry=lambda delay: opinion_email_queue(submission_id=submission_id, delay=delay),
        prefix="email_",
        sent_field="emailed_at",
    )


def opinion_emails_resume() -> int:
    """Queue every email still owed (run when a worker starts: a queue entry may have been lost)."""
    owed = OpinionSubmission.objects.filter(email_status__in=[Status.PENDING, Status.FAILED, Status.SENDING])
    ids = list(owed.values_list("pk", flat=True))
    for submission_id in ids:
        opinion_email_queue(submission_id=submission_id)
    return len(ids)


def _tag_redirect(*, old_slug: str, new_slug: str) -> None:
    """/tag/<old>/ answers with a permanent redirect to /tag/<new>/ (Wagtail's redirects, which the admin lists)."""
    from django.urls import reverse
    from wagtail.contrib.redirects.models import Redirect

    old_path, new_path = reverse("tag", kwargs={"slug": old_slug}), reverse("tag", kwargs={"slug": new_slug})
    Redirect.objects.filter(redirect_link=old_path).update(redirect_link=new_path)  # earlier merges follow
    Redirect.objects.filter(old_path=Redirect.normalise_path(new_path)).delete()  # the new address is live
    Redirect.objects.update_or_create(
        old_path=Redirect.normalise_path(old_path),
        site=None,
        defaults={"redirect_link": new_path, "is_permanent": True},
    )


def tag_name_problem(*, name: str, tag=None) -> str | None:
    """Why `name` (spaces already collapsed) cannot be this tag's name, or None."""
    from taggit.models import Tag

    if not name:
        return "A tag needs a name."
    if Tag.objects.filter(name__iexact=name).exclude(pk=getattr(tag, "pk", None)).exists():
        return f"A tag named “{name}” exists already: merge the two instead."
    return None


@transaction.atomic
def tag_rename(*, tag, name: str) -> None:
    """A new name (and address) for a tag; its old address redirects to the new one."""
    from taggit.models import Tag

    from masthead.newsroom.slugs import slug_from

    name = " ".join(name.split())
    if problem := tag_name_problem(name=name, tag=tag):
        raise ValueError(problem)
    old_slug = tag.slug
    new_slug = slug_from(name) or old_slug
    if new_slug != old_slug and Tag.objects.filter(slug=new_slug).exclude(pk=tag.pk).exists():
        new_slug = f"{new_slug}-{tag.pk}"
    tag.name, tag.slug = name, new_slug
    tag.save(update_fields=["name", "slug"])
    if new_slug != old_slug:
        _tag_redirect(old_slug=old_slug, new_slug=new_slug)
    _tags_changed(paths={f"/tag/{old_slug}/", f"/tag/{new_slug}/"})


@transaction.atomic
def tags_merge(*, sources, target) -> int:
    """Fold tags into `target`: their articles carry `target` instead (once), their addresses redirect to its
    page, their revisions name it (so an old draft published later does not bring them back), and they go.
    Returns the number of articles that changed."""
    from wagtail.models import Revision

    sources = [tag for tag in sources if tag.pk != target.pk]
    source_ids = {tag.pk for tag in sources}
    if not source_ids:
        return 0
    links = ArticleTag.objects.filter(tag_id__in=source_ids)
    article_ids = set(links.values_list("content_object_id", flat=True))
    has_target = set(
        ArticleTag.objects.filter(tag=target, content_object_id__in=article_ids).values_list(
            "content_object_id", flat=True
        )
    )
    links.filter(content_object_id__in=has_target).delete()
    links.update(tag=target)
    # Keep one link per article (an article tagged with two of the sources).
    seen = set()
    for link_id, article_id in (
        ArticleTag.objects.filter(tag=target, content_object_id__in=article_ids)
        .order_by("pk")
        .values_list("pk", "content_object_id")
    ):
        if article_id in seen:
            ArticleTag.objects.filter(pk=link_id).delete()
        seen.add(article_id)

    for revision in Revision.page_revisions.filter(object_id__in=[str(pk) for pk in article_ids]).iterator():
        items = revision.content.get("tagged_items") or []
        if any(item.get("tag") in source_ids for item in items):
            kept, tagged = [], set()
            for item in items:
                tag_id = target.pk if item.get("tag") in source_ids else item.get("tag")
                if tag_id not in tagged:
                    kept.append({**item, "tag": tag_id})
                    tagged.add(tag_id)
            revision.content["tagged_items"] = kept
            revision.save(update_fields=["content"])

    paths = {f"/tag/{target.slug}/"}
    for tag in sources:
        _tag_redirect(old_slug=tag.slug, new_slug=target.slug)
        paths.add(f"/tag/{tag.slug}/")
        listing_gone(kind=ArticleListing.Kind.TAG, key=tag.pk)
        tag.delete()
    article_listings_update(article_ids=article_ids)
    _tags_changed(paths=paths)
    return len(article_ids)


def _tags_changed(*, paths: set[str]) -> None:
    """Articles show their tags' names and links: every cached page may name the old one."""
    pages_changed()
    layout_changed()
    pages_purge(paths=paths)
