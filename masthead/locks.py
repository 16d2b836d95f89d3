"""Short locks that hold across processes: one process renders a page or makes an image's renditions while the
others wait or leave it.

With Redis the lock is the cache's atomic `add` (SET NX). The file cache's `add` checks, then writes, so two
processes can both win it; without Redis a lock is a file created with O_EXCL, which only one can create. A
lock older than its timeout belongs to a process that died holding it and is taken over.
"""

import hashlib
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def lock_acquire(name: str, *, seconds: float, cache_alias: str = "default") -> bool:
    cache = caches[cache_alias]
    if isinstance(cache, RedisCache):
        return cache.add(f"lock:{name}", 1, timeout=max(1, round(seconds)))
    path = _path(name)
    for _ in range(2):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime < seconds:
                    return False
                path.unlink()  # its holder died: take it over
            except FileNotFoundError:
                pass  # released meanwhile: try again
    return False


def lock_held(name: str, *, cache_alias: str = "default") -> bool:
    cache = caches[cache_alias]
    if isinstance(cache, RedisCache):
        return cache.get(f"lock:{name}") is not None
    return _path(name).exists()


def lock_release(name: str, *, cache_alias: str = "default") -> None:
    cache = caches[cache_alias]
    if isinstance(cache, RedisCache):
        cache.delete(f"lock:{name}")
    else:
        _path(name).unlink(missing_ok=True)


def _path(name: str) -> Path:
    folder = Path(settings.MASTHEAD_LOCKS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (hashlib.sha256(name.encode()).hexdigest() + ".lock")
