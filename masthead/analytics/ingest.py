"""Beacons are added up in each web process's memory and written to the counters in batches.

A burst of a thousand views is one transaction every `MASTHEAD_ANALYTICS_FLUSH_SECONDS` (2 by default), not a
thousand writes. A thread in each process writes what has gathered; a process that stops normally writes what
it holds as it exits; one that crashes (or is killed) loses what it accepted since its last write, so at most
the last flush interval's views of that process. If the database refuses a write (busy, unreachable), the
batch is kept and tried again with the next one, up to `PENDING_LIMIT` views; beyond that new views are
dropped (and counted in `dropped`) rather than filling the memory.

With `MASTHEAD_ANALYTICS_FLUSH_SECONDS = 0` no thread is started and views are written only when `flush()` is
called (the tests do, in their own transaction).
"""

import atexit
import logging
import os
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from masthead.analytics import counting
from masthead.analytics.services import View, counts_forget, views_record

log = logging.getLogger(__name__)

PENDING_LIMIT = 200_000


class Tally:
    def __init__(self):
        self.lock = threading.Lock()  # guards `pending`
        self.writing = threading.Lock()  # one flush at a time
        self.pending: list[View] = []
        self.dropped = 0
        self.pid: int | None = None
        self.forgotten_on = None

    def add(self, view: View) -> bool:
        """Keep a view for the next write; False when too many wait already (the database has been refusing)."""
        if self.pid != os.getpid():
            self._start()
        with self.lock:
            if len(self.pending) >= PENDING_LIMIT:
                self.dropped += 1
                return False
            self.pending.append(view)
        return True

    def flush(self) -> int:
        """Write what has gathered; how many views were counted (the others had been counted already today)."""
        with self.writing:
            with self.lock:
                batch, self.pending = self.pending, []
            if not batch:
                return 0
            try:
                counted = views_record(batch)
            except DatabaseError:
                with self.lock:
                    self.pending[:0] = batch[: max(0, PENDING_LIMIT - len(self.pending))]
                raise
            day = counting.today()
            if self.forgotten_on != day:
                counts_forget(today=day)
                self.forgotten_on = day
            return counted

    def _start(self) -> None:
        """Start this process's writer (again after a fork: threads do not survive one)."""
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.pending = []  # a forked child's copy of its parent's views is its parent's to write
        seconds = settings.MASTHEAD_ANALYTICS_FLUSH_SECONDS
        if seconds > 0:
            threading.Thread(target=self._write_every, args=(seconds,), name="analytics-writer", daemon=True).start()
            atexit.register(self._write_at_exit)

    def _write_every(self, seconds: float) -> None:
        stop = threading.Event()
        while not stop.wait(seconds):
            try:
                self.flush()
            except DatabaseError:
                log.warning("Could not write %d page views; trying again in %.0f s", len(self.pending), seconds)
            except Exception:
                log.exception("Writing page views failed")
            finally:
                close_old_connections()

    def _write_at_exit(self) -> None:
        try:
            self.flush()
        except Exception:
            log.exception("Could not write %d page views before stopping", len(self.pending))


tally = Tally()
