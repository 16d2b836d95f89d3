"""Scheduled publishing and unpublishing, run by the real task worker with no cron job."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Revision

from masthead.newsroom.models import ArticlePage
from masthead.newsroom.tests.factories import ArticlePageFactory
from masthead.tests.helpers import run_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_worker_publishes_a_scheduled_article_when_it_is_due(home, database_tasks):
    article = ArticlePageFactory(live=False, title="Embargoed", slug="embargoed")
    go_live = timezone.now() + timedelta(hours=1)
    article.go_live_at = go_live
    article.save_revision().publish()  # with a future go-live time, Wagtail schedules instead of publishing
    article.refresh_from_db()
    assert not article.live
    queued = DBTaskResult.objects.get(task_path="masthead.newsroom.tasks.publish_scheduled_task")
    assert abs(queued.run_after - go_live) < timedelta(seconds=1)

    early = run_worker()
    assert early.returncode == 0, early.stderr
    article.refresh_from_db()
    assert not article.live, "not before its time"
    assert DBTaskResult.objects.get(pk=queued.pk).status == "READY"

    # An hour passes: move the embargo and the queued run into the past rather than sleep.
    past = timezone.now() - timedelta(seconds=1)
    revision = article.scheduled_revision
    revision.content["go_live_at"] = past.isoformat()
    Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=past, content=revision.content)
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=past)
    due = run_worker()
    assert due.returncode == 0, due.stderr
    article.refresh_from_db()
    assert article.live
    assert DBTaskResult.objects.get(pk=queued.pk).status == "SUCCESSFUL"
    assert ArticlePage.objects.live().filter(slug="embargoed").exists()


def test_worker_unpublishes_an_expired_article(home, database_tasks):
    article = ArticlePageFactory(live=False, title="Short-lived", slug="short-lived")
    expire = timezone.now() + timedelta(seconds=2)
    article.expire_at = expire
    article.save_revision().publish()
    assert ArticlePage.objects.get(pk=article.pk).live
    assert DBTaskResult.objects.filter(task_path="masthead.newsroom.tasks.publish_scheduled_task").exists()
    time.sleep(max(0.0, (expire - timezone.now()).total_seconds()) + 0.5)
    assert run_worker().returncode == 0
    article.refresh_from_db()
    assert not article.live
    assert article.expired


def test_worker_catches_up_on_what_came_due_while_it_was_down(home):
    """With no deferred task queued (the immediate backend), the worker's start-up run publishes."""
    article = ArticlePageFactory(live=False, title="Missed", slug="missed")
    revision = article.save_revision(approved_go_live_at=timezone.now() + timedelta(seconds=1))
    article.refresh_from_db()
    assert article.scheduled_revision == revision
    time.sleep(1.5)
    result = run_worker()
    assert result.returncode == 0, result.stderr
    article.refresh_from_db()
    assert article.live


def test_worker_log_is_quiet_but_shows_every_failure(home, database_tasks):
    from masthead.newsroom.tasks import publish_scheduled_task

    for _ in range(20):
        publish_scheduled_task.enqueue()
    publish_scheduled_task.enqueue("an argument it does not take")  # fails with a TypeError
    result = run_worker()
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Task worker started" in output
    assert "state=SUCCESSFUL" not in output and "state=RUNNING" not in output
    assert output.count("state=FAILED") == 1
    assert "TypeError" in output
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 20
