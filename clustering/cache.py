"""On-disk memo of pure computations, shared by every gunicorn worker (diskcache is process-safe).

Keys are normalised primitives (dataset fingerprint, algorithm, k, canonical feature tuple,
seed) plus a version, so a code change that alters results can invalidate old entries. A cache
that is missing, deleted or corrupt never fails a request: the value is recomputed.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import diskcache

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Bump when the engine's results change, so stale entries are not served.
CACHE_VERSION = 4
_CACHE_ERRORS = (sqlite3.Error, OSError, EOFError, ValueError, TypeError, AttributeError, ImportError,
                 KeyError, IndexError)


class ResultCache:
    """A size-bounded disk memo with a per-key lock, so two workers never build one tree twice."""

    def __init__(self, directory: str | Path | None, size_limit: int = 1 << 30) -> None:
        self.directory = Path(directory) if directory else None
        self.size_limit = size_limit
        self._cache: diskcache.Cache | None = None
        self._lock = threading.Lock()

    def _open(self) -> diskcache.Cache | None:
        if self.directory is None:
            return None
        with self._lock:
            if self._cache is None or not self.directory.exists():
                try:
                    self.directory.mkdir(parents=True, exist_ok=True)
                    self._cache = diskcache.Cache(str(self.directory), size_limit=self.size_limit)
                except _CACHE_ERRORS as exc:
                    log.warning("cache unavailable at %s: %s", self.directory, exc)
                    self._cache = None
            return self._cache

    @staticmethod
    def key(namespace: str, **parts: Any) -> tuple:
        """A normalised key: keyword parts sorted by name, tuples for sequences."""
        normal = tuple((name, tuple(v) if isinstance(v, (list, tuple)) else v) for name, v in sorted(parts.items()))
        return (namespace, CACHE_VERSION, *normal)

    def get(self, key: tuple) -> Any | None:
        cache = self._open()
        if cache is None:
            return None
        try:
            return cache.get(key, default=None, retry=True)
        except _CACHE_ERRORS as exc:
            log.warning("cache read failed, recomputing: %s", exc)
            self._reset()
            return None

    def set(self, key: tuple, value: Any) -> None:
        cache = self._open()
        if cache is None:
            return
        try:
            cache.set(key, value, retry=True)
        except _CACHE_ERRORS as exc:
            log.warning("cache write failed, result not kept: %s", exc)
            self._reset()

    def _reset(self) -> None:
        with self._lock:
            if self._cache is not None:
                with contextlib.suppress(*_CACHE_ERRORS):
                    self._cache.close()
            self._cache = None

    def get_or_compute(self, key: tuple, compute: Callable[[], T], *, lock_seconds: float | None = None) -> T:
        """The cached value of ``key``, computing and storing it on a miss.

        With ``lock_seconds``, concurrent callers of one key (other workers too) wait for the
        first one's result instead of computing it again; a lock whose holder died expires.
        """
        value = self.get(key)
        if value is not None:
            return value
        cache = self._open()
        lock = None
        if lock_seconds and cache is not None:
            lock = diskcache.Lock(cache, ("lock", *key), expire=lock_seconds)
            try:
                lock.acquire()
            except _CACHE_ERRORS as exc:
                log.warning("cache lock failed, computing without it: %s", exc)
                lock = None
        try:
            value = self.get(key) if lock is not None else None
            if value is None:
                value = compute()
                self.set(key, value)
        finally:
            if lock is not None:
                with contextlib.suppress(*_CACHE_ERRORS):
                    lock.release()
        return value

    def contains(self, key: tuple) -> bool:
        cache = self._open()
        try:
            return cache is not None and key in cache
        except _CACHE_ERRORS:
            return False

    def clear(self) -> None:
        cache = self._open()
        if cache is not None:
            cache.clear()
