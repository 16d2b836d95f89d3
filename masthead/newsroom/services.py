"""Operations that change the newsroom's state: the site's structure, the archive, scheduled publishing."""

import io
import logging
from datetime import datetime

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Page, Site, Workflow, WorkflowPage, WorkflowTask

from masthead.newsroom.models import ArticleIndexPage, ArticleYearPage, HomePage

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
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=site_name)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()

    archive = ArticleIndexPage.objects.child_of(home).first()
    if archive is None:
        archive = home.add_child(instance=ArticleIndexPage(title="Articles", slug="articles", show_in_menus=False))
    archive_year_ensure(year=timezone.localdate().year)
    editorial_review_ensure(home=home)
    return home


def editorial_review_ensure(*, home: Page) -> Workflow:
    """The "Editorial review" workflow (Editors approve) on every page of the site, articles first of all.

    It replaces Wagtail's starter "Moderators approval" workflow.
    """
    from django.contrib.auth.models import Group

    workflow, _ = Workflow.objects.get_or_create(name=EDITORIAL_REVIEW)
    if not workflow.workflow_tasks.exists():
        approval = GroupApprovalTask.objects.create(name="Editors approve")
        approval.groups.set(Group.objects.filter(name="Editors"))
        WorkflowTask.objects.create(workflow=workflow, task=approval, sort_order=0)
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    WorkflowPage.objects.exclude(workflow=workflow).filter(page__depth=1).delete()
    Workflow.objects.filter(name="Moderators approval").update(active=False)
    return workflow


def archive_year_ensure(*, year: int) -> ArticleYearPage:
    """The archive's folder for one year, made when first needed."""
    archive = ArticleIndexPage.objects.first()
    if archive is None:
        raise LookupError("The site has no article archive yet: run `masthead setup`.")
    folder = ArticleYearPage.objects.child_of(archive).filter(slug=str(year)).first()
    if folder is None:
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


def scheduled_publishing_run() -> str:
    """Publish the revisions whose time has come and unpublish expired pages (Wagtail's own command)."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()
