"""Long work (exact Ward trees, k sweeps) as jobs: one mechanism, two ways to run them.

A job is a kind ("tree", "sweep") and JSON parameters; its state (queued, running, done,
failed, cancelled, lost), progress, message, result and heartbeat live in the shared result
cache, so any gunicorn worker (or host, with Celery) can report on it, and cancel it, whichever
process runs it. :class:`JobRunner` runs jobs on daemon threads of the process that submits
them (they end with their server; fastcluster, NumPy and scikit-learn release the GIL, so the
worker keeps serving); :class:`CeleryJobRunner` hands the same jobs to Celery workers, which
run them with the same :meth:`JobRunner.execute`. No Dash here.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from clustering.cache import ResultCache

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
#: How often a running job proves it is alive, and how long without a sign before it is "lost"
#: (its process ended: a worker restart, a kill).
HEARTBEAT_SECONDS = 2.0
LOST_AFTER_SECONDS = 30.0
#: Jobs of one kind running at once in one process; more wait their turn (bounded memory and CPU).
DEFAULT_LIMITS = {"tree": 1, "sweep": 2}
#: Jobs of one kind waiting or running that one process accepts; more are refused in words.
DEFAULT_QUEUES = {"tree": 8, "sweep": 4}
#: Ended jobs are forgotten by their process after this long (their state stays in the cache).
FORGET_AFTER_SECONDS = 3600.0


def timing(elapsed: float, estimate: float | None) -> str:
    """Elapsed time against an estimate, in words that never claim more than 100%: "33 s of about
    40 s", or past it, "45 s so far, past the estimate of about 40 s"."""
    if estimate and elapsed <= estimate:
        return f"{math.floor(elapsed)} s of about {math.ceil(estimate)} s"
    if estimate:
        return f"{math.floor(elapsed)} s so far, past the estimate of about {math.ceil(estimate)} s"
    return f"{math.floor(elapsed)} s so far"


class JobCancelled(Exception):
    """Raised inside a job when someone asked to cancel it."""


class JobRefused(ValueError):
    """A job not started: its owner already has one of its kind, or the server is full; the
    message says which, in words."""


@dataclass
class JobStatus:
    """Where a job stands: what the page shows and how it knows the job ended."""

    id: str
    kind: str
    params: dict
    state: str = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    updated: float = field(default_factory=time.time)
    finished: float | None = None
    estimate: float | None = None  # seconds the current step is expected to take (calibrated here)
    result: Any = None
    error: str | None = None
    runner: str | None = None  # host:pid of the process that ran it (a thread here, or a Celery worker)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def elapsed(self, now: float | None = None) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or now or time.time()) - self.started

    def fraction(self, now: float | None = None) -> float:
        """Share done, 0..1: counted steps when there are any, else elapsed time against the
        calibrated estimate, held below 1 until the job really ends (never past 100%)."""
        if self.state == "done":
            return 1.0
        if self.total:
            return min(1.0, self.done / self.total)
        if self.estimate:
            return min(0.99, self.elapsed(now) / self.estimate)
        return 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class Progress:
    """Handed to a job's work: report progress, and learn whether to stop."""

    def __init__(self, runner: JobRunner, job_id: str) -> None:
        self._runner = runner
        self._job_id = job_id
        self._checked = 0.0
        self._cancelled = False

    def update(self, *, done: int | None = None, total: int | None = None, message: str | None = None,
               estimate: float | None = None, restart_clock: bool = False) -> None:
        changes = {name: value for name, value in
                   (("done", done), ("total", total), ("message", message), ("estimate", estimate))
                   if value is not None}
        if restart_clock:
            changes["started"] = time.time()
        self._runner._update(self._job_id, **changes)

    @property
    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._checked > 0.2:
            self._checked = now
            self._cancelled = self._runner.cancel_requested(self._job_id)
        return self._cancelled

    def check(self) -> None:
        """Stop here if the job was cancelled."""
        if self.cancelled:
            raise JobCancelled


Handler = Callable[[dict, Progress], Any]


class JobRunner:
    """Runs jobs on daemon threads here; their state is in ``cache`` for every process to read."""

    def __init__(self, cache: ResultCache, handlers: dict[str, Handler] | None = None, *,
                 limits: dict[str, int] | None = None, queues: dict[str, int] | None = None,
                 lost_after: float = LOST_AFTER_SECONDS, spare: ResultCache | None = None) -> None:
        self.cache = cache
        # Where job states go while ``cache`` cannot keep them (read-only, full, deleted): a
        # small store in the host's temporary directory, so every worker still sees every job.
        self.spare = spare
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.lost_after = lost_after
        self._slots = {kind: threading.BoundedSemaphore(n) for kind, n in (limits or DEFAULT_LIMITS).items()}
        self.queues = dict(DEFAULT_QUEUES if queues is None else queues)
        self._local: dict[str, JobStatus] = {}  # this process's copy: read when the cache cannot be
        self._local_cancel: set[str] = set()
        self._lock = threading.Lock()
        self._write = threading.Lock()  # one read-modify-write of a job's state at a time (job, heartbeat)

    # --- state ------------------------------------------------------------------------------
    @staticmethod
    def _key(job_id: str) -> tuple:
        return ResultCache.key("job", id=job_id)

    def _put(self, key: tuple, value: Any) -> None:
        """Keep a job's state in the cache and, always, in the spare store: a cache directory deleted
        under running workers can leave each worker writing a different database without an error,
        and the page's polls go to any worker (a sweep was reported lost while it ran)."""
        self.cache.set(key, value)
        if self.spare is not None:
            self.spare.set(key, value)

    def _get(self, key: tuple) -> list:
        """The values kept under ``key``: in the cache and, when there is one, the spare store."""
        stores = [self.cache] if self.spare is None else [self.cache, self.spare]
        return [value for value in (store.get(key) for store in stores) if value is not None]

    def _save(self, status: JobStatus) -> None:
        with self._lock:
            self._local[status.id] = status
        self._put(self._key(status.id), status.to_dict())

    def _load(self, job_id: str) -> JobStatus | None:
        """The newest known state of a job: from the cache, the spare store or this process."""
        found = []
        for stored in self._get(self._key(job_id)):
            if isinstance(stored, dict):
                with contextlib.suppress(TypeError):
                    found.append(JobStatus(**stored))
        with self._lock:
            if job_id in self._local:
                found.append(self._local[job_id])
        return max(found, key=lambda status: status.updated, default=None)

    def _update(self, job_id: str, **changes) -> JobStatus | None:
        with self._write:
            status = self._load(job_id)
            if status is None:
                return None
            status = replace(status, updated=time.time(), **changes)
            self._save(status)
            return status

    def status(self, job_id: str | None) -> JobStatus | None:
        """The job's state; a running job whose heartbeat stopped is reported as lost."""
        if not job_id:
            return None
        status = self._load(job_id)
        if status is not None and status.state == "running" and time.time() - status.updated > self.lost_after:
            status = replace(status, state="lost", finished=time.time(),
                             message="The job stopped: the server process running it ended. Start it again.")
            self._save(status)
        return status

    # --- control ----------------------------------------------------------------------------
    def submit(self, kind: str, params: dict, *, job_id: str | None = None, owner: str | None = None) -> JobStatus:
        """Start a job, or return the active one with the same ``job_id`` (one tree build per tree).

        An ``owner`` (a browser's session) has one active job of a kind at a time, and this
        process accepts ``queues[kind]`` at most; beyond either, :class:`JobRefused` says why.
        """
        if kind not in self.handlers:
            raise ValueError(f"unknown job kind {kind!r}")
        job_id = job_id or f"{kind}-{uuid.uuid4().hex}"
        existing = self.status(job_id)
        if existing is not None and existing.active:
            return existing
        owner_key = ResultCache.key("job-owner", kind=kind, owner=owner) if owner else None
        if owner_key is not None:
            for previous in self._get(owner_key):
                running = self.status(previous)
                if running is not None and running.active:
                    raise JobRefused(f"Your previous {kind} is still running (perhaps in another tab): "
                                     "wait for it or cancel it first.")
        limit = self.queues.get(kind)
        if limit is not None and self._active_here(kind) >= limit:
            raise JobRefused(f"The server is already running {limit} jobs of this kind; try again in a minute.")
        status = JobStatus(id=job_id, kind=kind, params=dict(params), message="Waiting to start…")
        self._save(status)
        if owner_key is not None:
            self._put(owner_key, job_id)
        self._launch(job_id)
        return status

    def _active_here(self, kind: str) -> int:
        """Jobs of ``kind`` this process submitted that have not ended; ended ones are forgotten
        after a while, so the memo stays small."""
        now = time.time()
        with self._lock:
            for job_id, status in list(self._local.items()):
                if not status.active and now - status.updated > FORGET_AFTER_SECONDS:
                    del self._local[job_id]
            known = [job_id for job_id, status in self._local.items() if status.kind == kind]
        return sum(1 for job_id in known if (status := self.status(job_id)) is not None and status.active)

    def cancel(self, job_id: str) -> None:
        with self._lock:
            self._local_cancel.add(job_id)
        self._put(ResultCache.key("job-cancel", id=job_id), True)
        status = self._load(job_id)
        if status is not None and status.state == "queued":
            self._update(job_id, state="cancelled", finished=time.time(), message="Cancelled before it started.")

    def cancel_requested(self, job_id: str) -> bool:
        with self._lock:
            if job_id in self._local_cancel:
                return True
        return any(self._get(ResultCache.key("job-cancel", id=job_id)))

    def _launch(self, job_id: str) -> None:
        threading.Thread(target=self.execute, args=(job_id,), name=f"job-{job_id[:24]}", daemon=True).start()

    # --- running ----------------------------------------------------------------------------
    def execute(self, job_id: str) -> JobStatus | None:
        """Run a submitted job here, to its end: done, failed or cancelled, never left running."""
        status = self._load(job_id)
        if status is None or status.state != "queued":
            return status
        slot = self._slots.get(status.kind) or threading.BoundedSemaphore(1)
        while not slot.acquire(timeout=HEARTBEAT_SECONDS):
            if self.cancel_requested(job_id):
                return self._update(job_id, state="cancelled", finished=time.time(), message="Cancelled.")
            self._update(job_id, message="Waiting for another job of its kind to finish…")
        stop_heartbeat = threading.Event()
        try:
            if self.cancel_requested(job_id):
                return self._update(job_id, state="cancelled", finished=time.time(), message="Cancelled.")
            self._update(job_id, state="running", started=time.time(), message="Started.",
                         runner=f"{socket.gethostname()}:{os.getpid()}")
            threading.Thread(target=self._heartbeat, args=(job_id, stop_heartbeat), daemon=True).start()
            try:
                result = self.handlers[status.kind](status.params, Progress(self, job_id))
            except JobCancelled:
                return self._update(job_id, state="cancelled", finished=time.time(), message="Cancelled.")
            except Exception as exc:  # a job never dies silently: its state says what went wrong
                from clustering.models import ClusteringError
                from data.loader import DatasetError

                if not isinstance(exc, (ClusteringError, DatasetError)):
                    log.exception("job %s failed", job_id)
                return self._update(job_id, state="failed", finished=time.time(),
                                    error=str(exc) or type(exc).__name__, message=str(exc) or type(exc).__name__)
            return self._update(job_id, state="done", finished=time.time(), result=result)
        finally:
            stop_heartbeat.set()
            slot.release()

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            self._update(job_id)

    def wait(self, job_id: str, timeout: float = 600.0, poll: float = 0.1) -> JobStatus | None:
        """Block until the job ends (tests, CLI)."""
        deadline = time.monotonic() + timeout
        status = self.status(job_id)
        while status is not None and status.active and time.monotonic() < deadline:
            time.sleep(poll)
            status = self.status(job_id)
        return status


class CeleryJobRunner(JobRunner):
    """The same jobs on Celery workers (``REDIS_URL``): submit sends the job's id; the worker runs
    :meth:`JobRunner.execute`, with state in the cache both sides share."""

    def __init__(self, cache: ResultCache, handlers: dict[str, Handler] | None, celery_app, **kwargs) -> None:
        super().__init__(cache, handlers, **kwargs)
        self.celery = celery_app

    def _launch(self, job_id: str) -> None:
        self.celery.send_task("amc.run_job", args=[job_id])
