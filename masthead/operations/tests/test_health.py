"""/healthz and /readyz, and the task queue's state on the administrators' dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.operations.health import queue_figures


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def waiting_task(minutes_ago: int, status="READY", **extra) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        task_path="masthead.newsroom.tasks.nothing",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="database",
        run_after=timezone.now() - timedelta(minutes=minutes_ago),
        status=status,
        **extra,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(minutes=minutes_ago))
    return task


@pytest.mark.django_db
def test_readyz_checks_the_database_cache_and_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert body["checks"]["database"] == body["checks"]["cache"] == "ok"
    assert body["checks"]["queue"] == {
        "waiting": 0,
        "oldest_seconds": 0,
        "running": 0,
        "failed_last_day": 0,
        "behind": False,
    }


@pytest.mark.django_db
def test_queue_figures_tell_a_stopped_worker(settings):
    settings.MASTHEAD_QUEUE_BEHIND_SECONDS = 300
    waiting_task(2)
    waiting_task(12)
    waiting_task(0, status="RUNNING")
    waiting_task(30, status="FAILED", finished_at=timezone.now() - timedelta(hours=2))
    waiting_task(30, status="FAILED", finished_at=timezone.now() - timedelta(days=3))
    figures = queue_figures()
    assert figures["waiting"] == 2 and figures["running"] == 1 and figures["failed_last_day"] == 1
    assert 12 * 60 - 5 <= figures["oldest_seconds"] <= 12 * 60 + 5
    assert figures["behind"] is True


@pytest.mark.django_db
def test_readyz_is_unready_when_the_cache_fails(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"].startswith("failed:")


def test_administrators_see_the_queue_on_the_dashboard(admin_client, home, settings):
    settings.MASTHEAD_QUEUE_BEHIND_SECONDS = 60
    waiting_task(5)
    html = admin_client.get("/admin/").content.decode()
    assert "Background tasks" in html and "1 waiting" in html
    assert "The worker is behind or not running" in html


def test_editors_do_not_see_the_queue(client, make_user):
    editor = make_user("eddie", "Editors")
    client.force_login(editor)
    assert "Background tasks" not in client.get("/admin/").content.decode()
