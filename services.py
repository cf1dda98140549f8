"""The app's long-lived parts for one configuration: catalogues, the result cache, engines and the
long jobs (exact Ward trees, k sweeps). Built from :class:`Settings` by the Dash app, the CLI and
Celery workers alike; no Dash here.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clustering.cache import ResultCache
from clustering.engine import Engine
from clustering.jobs import CeleryJobRunner, JobRunner, JobStatus, Progress, timing
from clustering.models import ClusteringError
from clustering.sweep import SweepRow, sweep
from clustering.view import ALGORITHMS, View
from clustering.warm import Warmer
from data.registry import Registry, release_freed_memory
from settings import Settings

#: The spare store of job states (used while the cache cannot keep them) stays small.
SPARE_SIZE_LIMIT = 64 * 2**20


def spare_directory(cache_dir: Path) -> Path:
    """A directory in the host's temporary space, one per cache directory and user, that every
    worker of one app finds (job states go there while the cache cannot keep them)."""
    digest = hashlib.blake2b(str(Path(cache_dir).resolve()).encode(), digest_size=8).hexdigest()
    return Path(tempfile.gettempdir()) / f"amc-jobs-{os.getuid()}-{digest}"


@dataclass
class Services:
    settings: Settings
    registry: Registry
    cache: ResultCache
    jobs: JobRunner
    celery: Any = None  # the Celery app when REDIS_URL is set: `celery -A app:celery_app worker`
    warmer: Warmer | None = None  # fits the neighbours of a shown k while the process is idle
    in_flight: int = 0  # requests this process is serving now
    _flight: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _searchable: set[str] = field(default_factory=set, repr=False)  # catalogues whose search is built

    @classmethod
    def create(cls, settings: Settings) -> Services:
        cache = ResultCache(settings.cache_dir, settings.cache_size_limit)
        registry = Registry(settings.songs_csv, settings.demo_songs, settings.cache_dir / "uploads")
        spare = ResultCache(spare_directory(settings.cache_dir), SPARE_SIZE_LIMIT)
        services = cls(settings=settings, registry=registry, cache=cache, jobs=JobRunner(cache, spare=spare))
        if settings.redis_url:
            services.celery = _celery_app(settings.redis_url, services)
            services.jobs = CeleryJobRunner(cache, None, services.celery, spare=spare)
        services.jobs.handlers.update({"tree": services._run_tree, "sweep": services._run_sweep})
        if settings.warm_neighbours:
            services.warmer = Warmer(services.engine, services.idle)
        return services

    # --- requests and warming ---------------------------------------------------------------
    def request_started(self) -> None:
        with self._flight:
            self.in_flight += 1

    def request_ended(self) -> None:
        with self._flight:
            self.in_flight = max(0, self.in_flight - 1)

    def idle(self) -> bool:
        return self.in_flight == 0

    def shown(self, view: View) -> None:
        """A view reached the page: warm the other values of k around it, and build the song search
        of its catalogue now (0.2 s at 100k songs, 2.7 s at 1M) rather than on the first keystroke."""
        if self.warmer is not None and view.ok:
            self.warmer.ask(view.dataset, view.fitted_algorithm, view.features, view.k)
        if view.ok and view.fingerprint not in self._searchable:
            self._searchable.add(view.fingerprint)
            engine = self.engine(view.dataset)
            threading.Thread(target=self._build_search, args=(engine,), name="song-search", daemon=True).start()

    def _build_search(self, engine: Engine, patience: float = 10.0) -> None:
        """Build a catalogue's song search once the page's own requests are answered (or after
        ``patience`` seconds), so that it never slows the first views."""
        deadline = time.monotonic() + patience
        while not self.idle() and time.monotonic() < deadline:
            time.sleep(0.1)
        engine.search()

    def engine(self, dataset_id: str | None) -> Engine:
        """An engine over a dataset's catalogue; cheap to build, results live in the cache."""
        return Engine(self.registry.get(dataset_id), self.cache, seed=self.settings.seed,
                      silhouette_sample=self.settings.silhouette_sample)

    # --- jobs -------------------------------------------------------------------------------
    @staticmethod
    def tree_job_id(engine: Engine, features: tuple[str, ...]) -> str:
        """One id per tree, so every page and worker waits for the same build."""
        digest = hashlib.blake2b(",".join(features).encode(), digest_size=6).hexdigest()
        return f"tree-{engine.catalogue.fingerprint}-{digest}"

    def start_tree(self, dataset_id: str, features) -> JobStatus:
        engine = self.engine(dataset_id)
        chosen = engine.features(features)
        return self.jobs.submit("tree", {"dataset": dataset_id, "features": list(chosen)},
                                job_id=self.tree_job_id(engine, chosen))

    def start_sweep(self, dataset_id: str, algorithm: str, features, k_min: int, k_max: int,
                    owner: str | None = None) -> JobStatus:
        """A sweep for one browser (``owner``): one at a time each, a bounded number per process."""
        return self.jobs.submit("sweep", {"dataset": dataset_id, "algorithm": algorithm, "features": list(features),
                                          "k_min": int(k_min), "k_max": int(k_max)}, owner=owner)

    def _run_tree(self, params: dict, progress: Progress) -> dict:
        engine = self.engine(params["dataset"])
        features = engine.features(params["features"])
        if engine.has_tree(features):
            return {"built": False}
        estimate = engine.tree_seconds(features)
        progress.update(estimate=estimate, restart_clock=True,
                        message=f"Building the exact Ward tree of all {engine.catalogue.n_songs:,} songs.")
        engine.tree(features)
        release_freed_memory()  # fastcluster's working memory, freed, goes back to the OS (a small host)
        return {"built": True}

    def _run_sweep(self, params: dict, progress: Progress) -> dict:
        engine = self.engine(params["dataset"])
        algorithm, features = params["algorithm"], engine.features(params["features"])
        low, high = int(params["k_min"]), int(params["k_max"])
        total = high - low + 1
        if algorithm == "agglomerative" and not engine.has_tree(features):
            self._wait_for_tree(params["dataset"], engine, features, progress)
        progress.check()
        progress.update(done=0, total=total, message=f"{ALGORITHMS[algorithm]}: fitting k = {low}…")

        def on_row(row: SweepRow) -> None:
            done = row.k - low + 1
            progress.update(done=done, message=f"k = {row.k} done" + (f"; fitting k = {row.k + 1}…"
                                                                        if done < total else "."))
            if done < total:
                progress.check()

        result = sweep(engine, algorithm, low, high, features, on_row=on_row)
        return result | {"dataset": params["dataset"], "fingerprint": engine.catalogue.fingerprint,
                         "k_min": low, "k_max": high}

    def _wait_for_tree(self, dataset_id: str, engine: Engine, features: tuple[str, ...], progress: Progress) -> None:
        """A Ward sweep cuts the exact tree: wait for its one build (cancellable while waiting)."""
        status = self.start_tree(dataset_id, features)
        while status is not None and status.active:
            progress.check()
            progress.update(message=f"Building the exact Ward tree of all {engine.catalogue.n_songs:,} songs first "
                                    f"({timing(status.elapsed(), status.estimate)}); then every k is a cut of it.")
            time.sleep(0.5)
            status = self.jobs.status(status.id)
        if status is None or status.state != "done":
            reason = status.message if status is not None else "its job disappeared"
            raise ClusteringError(f"The exact Ward tree could not be built: {reason}")


def _celery_app(redis_url: str, services: Services):
    """Celery on Redis for several hosts; its worker runs jobs on threads, never forked children
    (OpenMP and SQLite do not survive fork)."""
    try:
        from celery import Celery
    except ImportError as exc:
        raise SystemExit("REDIS_URL is set but Celery is not installed: "
                         "pip install -r requirements-celery.txt") from exc
    celery = Celery("amc", broker=redis_url, backend=redis_url)
    celery.conf.update(worker_pool="threads", worker_concurrency=2, task_acks_late=False,
                       broker_connection_retry_on_startup=True)

    @celery.task(name="amc.run_job")
    def run_job(job_id: str) -> str:
        status = services.jobs.execute(job_id)
        return status.state if status is not None else "missing"

    return celery
