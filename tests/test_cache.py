"""The result cache under faults: a locked or unwritable database, a lock whose holder died. Each
must cost a request seconds at most, never hang it (issue "Hold under abuse")."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import threading
import time

from clustering.cache import ResultCache


def finishes(work, seconds: float) -> tuple[bool, object]:
    """Run ``work`` on a thread; (whether it ended within ``seconds``, its value)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), out[0] if out else None


def test_a_locked_database_costs_seconds_not_forever(tmp_path):
    cache = ResultCache(tmp_path / "cache")
    key = cache.key("value", n=1)
    cache.set(key, "kept")
    holder = sqlite3.connect(tmp_path / "cache" / "cache.db", timeout=0, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the database and never lets go
    try:
        ended, value = finishes(lambda: cache.get_or_compute(cache.key("value", n=2), lambda: 42, lock_seconds=60),
                                seconds=15)
        assert ended, "a locked cache hung the request"
        assert value == 42
        ended, _ = finishes(lambda: cache.set(cache.key("value", n=3), 3), seconds=15)
        assert ended
        assert "not kept" in cache.problem
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_failing_cache_is_left_alone_for_a_while_then_tried_again(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path / "cache")
    opened = []
    real_open = cache._connect
    monkeypatch.setattr(cache, "_connect", lambda: opened.append(1) or real_open())
    cache.get(cache.key("x"))
    assert len(opened) == 1
    cache._failed("write", OSError(30, "Read-only file system"))
    for _ in range(100):  # no reopen per call while it is failing: each one cost a syscall storm
        cache.get(cache.key("x"))
    assert len(opened) == 1
    assert "Read-only file system" in cache.problem
    cache._retry_at = time.monotonic() - 1
    cache.set(cache.key("x"), 1)
    assert cache.get(cache.key("x")) == 1
    assert cache.problem == ""


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_lock_whose_holder_died_goes_at_once(tmp_path):
    cache = ResultCache(tmp_path / "cache")
    key = cache.key("cluster", k=4)
    cache._open().add(cache.lock_key(key), {"host": socket.gethostname(), "pid": dead_pid()})  # killed mid-fit
    started = time.monotonic()
    assert cache.get_or_compute(key, lambda: "fitted", lock_seconds=120) == "fitted"
    assert time.monotonic() - started < 2


def test_a_live_holder_is_waited_for_and_its_value_used(tmp_path):
    cache = ResultCache(tmp_path / "cache")
    key = cache.key("tree", n=1)
    computed = []
    first_started = threading.Event()

    def slow():
        first_started.set()
        time.sleep(1.0)
        computed.append("first")
        return "tree"

    first = threading.Thread(target=lambda: cache.get_or_compute(key, slow, lock_seconds=60))
    first.start()
    first_started.wait(5)
    assert cache.get_or_compute(key, lambda: computed.append("second") or "again", lock_seconds=60) == "tree"
    first.join()
    assert computed == ["first"]
