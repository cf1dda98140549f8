"""On-disk memo of pure computations, shared by every gunicorn worker (diskcache is process-safe).

Keys are normalised primitives (dataset fingerprint, algorithm, k, canonical feature tuple,
seed) plus a version, so a code change that alters results can invalidate old entries. A cache
that is missing, deleted, corrupt, locked or read-only never fails or stalls a request: a call
waits for SQLite at most ``BUSY_SECONDS``, a failing cache is left alone for
``RETRY_AFTER_SECONDS`` while requests compute without it, and :attr:`ResultCache.problem` says
so in words for the page.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import diskcache

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Bump when the engine's results change, so stale entries are not served.
CACHE_VERSION = 6
_CACHE_ERRORS = (sqlite3.Error, OSError, EOFError, ValueError, TypeError, AttributeError, ImportError,
                 KeyError, IndexError, diskcache.Timeout)
#: Longest wait for another process's hold on the database before a call gives up on the cache.
BUSY_SECONDS = 2.0
#: After a failure the cache is left alone this long (requests compute without it), then tried again.
RETRY_AFTER_SECONDS = 30.0
#: How often a caller waiting for another's computation looks for its result.
LOCK_POLL_SECONDS = 0.05


def process_alive(host: str, pid: int) -> bool:
    """Whether the process holding a lock may still be running (a holder on another host is
    assumed alive: only its lock's expiry can free it)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed worker not yet reaped by its master is a zombie: dead for our purpose
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class ResultCache:
    """A size-bounded disk memo with a per-key lock, so two workers never build one tree twice."""

    def __init__(self, directory: str | Path | None, size_limit: int = 1 << 30) -> None:
        self.directory = Path(directory) if directory else None
        self.size_limit = size_limit
        self._cache: diskcache.Cache | None = None
        self._lock = threading.Lock()
        self._retry_at = 0.0  # monotonic time before which a failed cache is not tried again
        self._problem = ""

    @property
    def problem(self) -> str:
        """Why results are not being kept, in words for the page; empty while the cache works."""
        return self._problem

    def _connect(self) -> diskcache.Cache:
        self.directory.mkdir(parents=True, exist_ok=True)
        return diskcache.Cache(str(self.directory), size_limit=self.size_limit, timeout=BUSY_SECONDS)

    def _open(self) -> diskcache.Cache | None:
        if self.directory is None:
            return None
        with self._lock:
            if time.monotonic() < self._retry_at:
                return None
            if self._cache is None or not self.directory.exists():
                try:
                    self._cache = self._connect()
                except _CACHE_ERRORS as exc:
                    self._failed_locked("open", exc)
            return self._cache

    def _failed(self, action: str, exc: BaseException) -> None:
        with self._lock:
            self._failed_locked(action, exc)

    def _failed_locked(self, action: str, exc: BaseException) -> None:
        """Leave the cache alone for a while: every request computes without it meanwhile."""
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if not self._problem:
            log.warning("cache %s failed at %s (%s); computing without it for %.0f s",
                        action, self.directory, reason, RETRY_AFTER_SECONDS)
        self._problem = (f"Results are not kept: the cache cannot be used ({reason}). Everything still works; "
                         "views are recomputed when asked for again.")
        self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS
        if self._cache is not None:
            with contextlib.suppress(*_CACHE_ERRORS):
                self._cache.close()
        self._cache = None

    @staticmethod
    def key(namespace: str, **parts: Any) -> tuple:
        """A normalised key: keyword parts sorted by name, tuples for sequences."""
        normal = tuple((name, tuple(v) if isinstance(v, (list, tuple)) else v) for name, v in sorted(parts.items()))
        return (namespace, CACHE_VERSION, *normal)

    @staticmethod
    def lock_key(key: tuple) -> tuple:
        return ("lock", *key)

    def get(self, key: tuple) -> Any | None:
        cache = self._open()
        if cache is None:
            return None
        try:
            return cache.get(key, default=None)
        except _CACHE_ERRORS as exc:
            self._failed("read", exc)
            return None

    def set(self, key: tuple, value: Any) -> None:
        cache = self._open()
        if cache is None:
            return
        try:
            cache.set(key, value)
        except _CACHE_ERRORS as exc:
            self._failed("write", exc)
            return
        self._problem = ""

    def get_or_compute(self, key: tuple, compute: Callable[[], T], *, lock_seconds: float | None = None) -> T:
        """The cached value of ``key``, computing and storing it on a miss.

        With ``lock_seconds``, concurrent callers of one key (other workers too) wait for the
        first one's result instead of computing it again, for at most ``lock_seconds``; a lock
        whose holder died (a killed worker) goes at once.
        """
        value = self.get(key)
        if value is not None:
            return value
        held, value = self._acquire(key, lock_seconds) if lock_seconds else (None, None)
        if value is not None:
            return value  # computed by the lock's holder while this caller waited
        try:
            value = self.get(key) if held else None
            if value is None:
                value = compute()
                self.set(key, value)
        finally:
            if held:
                self._release(key, held)
        return value

    def _acquire(self, key: tuple, seconds: float) -> tuple[dict | None, Any]:
        """Hold ``key``'s lock: (this holder's record, None) when held, (None, value) when another
        holder computed it meanwhile, (None, None) when there is no lock (the cache failed, or
        the wait ran out: compute without it)."""
        me = {"host": socket.gethostname(), "pid": os.getpid(), "token": uuid.uuid4().hex}
        lock = self.lock_key(key)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            cache = self._open()
            if cache is None:
                return None, None
            try:
                if cache.add(lock, me, expire=seconds):
                    return me, None
                holder = cache.get(lock)
                if isinstance(holder, dict) and not process_alive(holder.get("host", ""), holder.get("pid", 0)):
                    with cache.transact():
                        if cache.get(lock) == holder:
                            cache.delete(lock)
                            log.info("cache lock of dead process %s freed", holder.get("pid"))
                    continue
            except _CACHE_ERRORS as exc:
                self._failed("lock", exc)
                return None, None
            time.sleep(LOCK_POLL_SECONDS)
            value = self.get(key)
            if value is not None:
                return None, value
        log.warning("waited %.0f s for another computation of %s; computing it here", seconds, key[:2])
        return None, None

    def _release(self, key: tuple, me: dict) -> None:
        cache = self._open()
        if cache is None:
            return
        with contextlib.suppress(*_CACHE_ERRORS), cache.transact():
            if cache.get(self.lock_key(key)) == me:
                cache.delete(self.lock_key(key))

    def contains(self, key: tuple) -> bool:
        cache = self._open()
        try:
            return cache is not None and key in cache
        except _CACHE_ERRORS as exc:
            self._failed("read", exc)
            return False

    def clear(self) -> None:
        cache = self._open()
        if cache is not None:
            cache.clear()
