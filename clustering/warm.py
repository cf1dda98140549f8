"""Warm before asked: after a k is shown, fit the other values of k in the background, nearest
first (k+1, k-1, k+2, ...), through the same cache, so the next slider step is served warm.

One daemon thread per process does it, only while the process serves no request (it waits for
idleness before each fit, and a newer request replaces the plan at once). Labels come first for
every k; the silhouette, which only the Metrics and Find k views show, follows for the nearest
ones. Other workers fitting the same k wait for one result (the cache's per-key lock). No Dash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from clustering.engine import Engine
from clustering.view import K_MAX, K_MIN

log = logging.getLogger(__name__)

#: Values of k whose silhouette is warmed too, on each side of the shown k.
SCORED_NEIGHBOURS = 1
#: Fits remembered in ``Warmer.fitted`` (a long-lived process must not grow a list for ever).
FITS_KEPT = 100
#: How often the warmer looks whether the process is idle again.
IDLE_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Target:
    dataset: str
    algorithm: str  # the algorithm that is fitted (K-Means while it stands in for a Ward tree)
    features: tuple[str, ...]
    k: int


class Warmer:
    """Fits the neighbours of the last shown view while ``idle()`` says no request is served."""

    def __init__(self, engine_for: Callable[[str], Engine], idle: Callable[[], bool]) -> None:
        self._engine_for = engine_for
        self._idle = idle
        self._target: Target | None = None
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.fitted: list[tuple[int, bool]] = []  # (k, scored) of its latest fits (at most FITS_KEPT), for tests

    def ask(self, dataset: str, algorithm: str, features: tuple[str, ...], k: int) -> None:
        """A view was shown: warm around it (replacing any older plan)."""
        with self._lock:
            self._target = Target(dataset, algorithm, tuple(features), int(k))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="warm-neighbours", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            target = self._target
            try:
                self._warm(target)
            except Exception:  # warming is a courtesy: a failure costs the next request its cache
                log.exception("warming around %s failed", target)

    def _pending(self, target: Target | None) -> list[tuple[int, bool]]:
        """What is left to warm around ``target``: (k, scored) not in the cache yet."""
        if target is None:
            return []
        engine = self._engine_for(target.dataset)
        if target.algorithm == "agglomerative" and not engine.has_tree(target.features):
            return []  # cuts are cheap only once the exact tree exists; its build is a job of its own
        return [(k, scored) for k, scored in plan(target.k, min(K_MAX, engine.catalogue.n_songs - 1))
                if not engine.is_cached(target.algorithm, k, target.features, scored=scored)]

    def _warm(self, target: Target) -> None:
        engine = self._engine_for(target.dataset)
        for k, scored in self._pending(target):
            while not self._idle():
                if self._target is not target:
                    return
                time.sleep(IDLE_POLL_SECONDS)
            if self._target is not target:
                return  # a newer view: its neighbours first
            engine.cluster(target.algorithm, k, target.features, scored=scored)  # cached if another worker did it
            self.fitted.append((k, scored))
            del self.fitted[:-FITS_KEPT]

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the warmer has nothing left to do (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._wake.is_set() and not self._pending(self._target):
                return True
            time.sleep(0.05)
        return False


def plan(k: int, k_max: int, k_min: int = K_MIN) -> Iterator[tuple[int, bool]]:
    """(k, scored) to warm around a shown k: the labels of the next slider steps (k+1, k-1)
    first, then the shown k's silhouette (for Metrics), the labels of every other k nearest
    first, and the silhouettes of the nearest neighbours."""
    others = sorted((value for value in range(k_min, k_max + 1) if value != k), key=lambda v: (abs(v - k), -v))
    for value in others[:2]:
        yield value, False
    yield k, True
    for value in others[2:]:
        yield value, False
    for value in others:
        if abs(value - k) <= SCORED_NEIGHBOURS:
            yield value, True
