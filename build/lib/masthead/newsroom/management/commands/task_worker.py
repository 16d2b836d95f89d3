"""The task worker: django-tasks-db's `db_worker`, with leases on claimed tasks and a quiet log.

A task whose worker died (killed, out of memory, the machine restarted) would stay RUNNING for ever; here a
task still RUNNING a lease (MASTHEAD_TASK_LEASE_SECONDS) after its claim is put back in the queue, at start
and then periodically, and the next worker runs it again. Every task is safe to run twice.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from masthead.newsroom import services

log = logging.getLogger("masthead.worker")


def lease_keeper(*, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            services.tasks_orphaned_requeue(lease_seconds=settings.MASTHEAD_TASK_LEASE_SECONDS)
        except Exception:
            log.exception("Could not requeue orphaned tasks; trying again in %.0f s", every)
        finally:
            close_old_connections()
    connection.close()


class Command(DBWorkerCommand):
    help = "Run background tasks, taking over tasks orphaned by a dead worker."

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity <= 1:
            # A line per task would bury everything else; failures are logged at ERROR and still show.
            logging.getLogger(TASKS_LOGGER).setLevel(logging.WARNING)
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)

    def handle(self, *args, **options):
        lease = settings.MASTHEAD_TASK_LEASE_SECONDS
        requeued = services.tasks_orphaned_requeue(lease_seconds=lease)
        if requeued:
            self.stderr.write(f"Requeued {requeued} task(s) left running by a worker that stopped.")
        stop = threading.Event()
        keeper = threading.Thread(
            target=lease_keeper, kwargs={"stop": stop, "every": max(1.0, min(lease / 3, 60.0))}, daemon=True
        )
        keeper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
