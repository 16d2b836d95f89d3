"""Health for load balancers and monitors, and the task queue's state for the admin.

- `/healthz`: the process answers (no database, nothing else): for a supervisor deciding whether to restart it.
- `/readyz`: the database, the cache and the task queue answer: for a load balancer deciding whether to send it
  readers. 200 with what it checked, or 503 naming what failed. A worker that has fallen behind does not make
  the web process unready (readers can still be served) but shows as `"queue": {"behind": true}`.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def queue_figures(now=None) -> dict:
    """Tasks waiting to run now, the age of the oldest in seconds, tasks running, and tasks failed in the last day."""
    now = now or timezone.now()
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.aggregate(first=Min("enqueued_at"))["first"]
    age = max(0, int((now - oldest).total_seconds())) if oldest else 0
    return {
        "waiting": waiting.count(),
        "oldest_seconds": age,
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "failed_last_day": DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=now - timedelta(days=1)
        ).count(),
        "behind": age > settings.MASTHEAD_QUEUE_BEHIND_SECONDS,
    }


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    checks, failed = {}, []
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 (any failure means "not ready"; said in the answer)
        checks["database"] = f"failed: {type(error).__name__}"
        failed.append("database")
    try:
        cache = caches["default"]
        cache.set("readyz", 1, 10)
        if cache.get("readyz") != 1:
            raise RuntimeError("the value written was not read back")
        checks["cache"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"failed: {type(error).__name__}"
        failed.append("cache")
    if "database" not in failed:
        try:
            checks["queue"] = queue_figures()
        except Exception as error:  # noqa: BLE001
            checks["queue"] = f"failed: {type(error).__name__}"
            failed.append("queue")
    checks["milliseconds"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": "unready" if failed else "ready", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)
