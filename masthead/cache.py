"""The shared cache without Redis: Django's file cache with `add` and `incr` made atomic between processes.

Django's file cache checks and then writes, so two processes counting the same thing (a rate limit, a sign-in
lock-out) can both read 3 and both write 4. Here both steps hold an exclusive lock on one file of the cache's
folder, as Redis's INCR would be one step.
"""

import fcntl
import os
from contextlib import contextmanager

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    @contextmanager
    def _counting(self):
        self._createdir()
        descriptor = os.open(os.path.join(self._dir, "counters.lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def add(self, key, value, timeout=None, version=None):
        with self._counting():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._counting():
            return super().incr(key, delta, version)
