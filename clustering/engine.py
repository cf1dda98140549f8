"""The engine's front door: cached fits, projections, trees and profiles for one catalogue.

Callers (CLI, Dash callbacks, benchmarks) go through :class:`Engine`; it normalises every
request, memoizes the pure computations on disk and returns plain results. No Dash here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from clustering.cache import ResultCache
from clustering.features import normalise_features, scaled_matrix
from clustering.metrics import Scores, score, with_silhouette
from clustering.models import ClusteringError, check_k, cut_tree, kmeans, relabel_by_size, ward_tree
from clustering.profiles import Profile, build_profile, genre_mix, representative_rows, top_rows
from clustering.projection import Projection, project
from clustering.songs import Neighbour, SongNeighbours, SongSearch, song_neighbours, song_search
from clustering.view import ALGORITHMS, View, resolve
from data.loader import PRIMARY_GENRE, Catalogue

#: How long a lock on one clustering may be held before others compute it themselves.
CLUSTER_LOCK_SECONDS = 120
#: The exact Ward tree's time grows with n^2 x features. Its rate is calibrated on this machine
#: by timing trees of CALIBRATION_SONGS songs, then replaced by the rate of each real build.
CALIBRATION_SONGS = 3_000
CALIBRATION_RUNS = 3
#: Per doubling of n beyond the calibration size, the rate grows by this share (memory no longer
#: in cache; measured here: 5.6e-9 s per pair at 2,000-8,000 songs, 6.3e-9 at 32,000, 6.7e-9 at
#: 95,837, ten features).
RATE_GROWTH_PER_DOUBLING = 0.045
_calibrated_rate: list[float] = []  # seconds per song pair per feature, timed once per process


@dataclass
class ClusterResult:
    """One clustering: labels numbered by size (0 = largest), its scores and its profile."""

    algorithm: str
    k: int
    features: tuple[str, ...]
    seed: int
    labels: np.ndarray
    scores: Scores
    profile: Profile
    # Per cluster, computed once with the fit so that pages served from the cache stay cheap:
    representatives: list[list[int]] = field(default_factory=list)  # rows nearest the centroid
    top_songs: list[list[int]] = field(default_factory=list)  # rows of the most popular songs
    genres: list[list[tuple[str, float]]] = field(default_factory=list)  # commonest genres, shares

    @property
    def names(self) -> list[str]:
        return self.profile.names

    def summary(self) -> dict:
        """The JSON the CLI prints for ``fit --json``."""
        out = {"n_songs": len(self.labels), "features": list(self.features), "algorithm": self.algorithm,
               "k": self.k, "seed": self.seed, **self.scores.to_dict(), "names": self.names}
        if self.algorithm != "kmeans":
            out.pop("inertia")
            out["within_cluster_sum_of_squares"] = self.scores.inertia
        return out


def check_algorithm(algorithm: str) -> str:
    algorithm = (algorithm or "").strip().lower()
    if algorithm not in ALGORITHMS:
        raise ClusteringError(f"Unknown algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS)}.")
    return algorithm


class Engine:
    """Clustering of one catalogue, memoized in ``cache`` by the catalogue's fingerprint."""

    def __init__(self, catalogue: Catalogue, cache: ResultCache | None = None, *, seed: int = 42,
                 silhouette_sample: int = 10_000) -> None:
        self.catalogue = catalogue
        self.cache = cache or ResultCache(None)
        self.seed = seed
        self.silhouette_sample = silhouette_sample
        # Trees this engine has used: without a disk cache (CLI --no-cache, benchmarks), a sweep
        # would otherwise rebuild the same tree for every k.
        self._trees: dict[tuple[str, ...], np.ndarray] = {}

    # --- inputs -----------------------------------------------------------------------------
    def features(self, requested=None) -> tuple[str, ...]:
        return normalise_features(requested, self.catalogue.numeric_columns)

    def matrix(self, features: tuple[str, ...]) -> np.ndarray:
        return scaled_matrix(self.catalogue.frame, features)

    def _key(self, namespace: str, **parts) -> tuple:
        return self.cache.key(namespace, fingerprint=self.catalogue.fingerprint, **parts)

    # --- computations -----------------------------------------------------------------------
    def projection(self, requested=None) -> Projection:
        features = self.features(requested)
        key = self._key("pca", features=features, seed=self.seed)
        return self.cache.get_or_compute(key, lambda: project(self.matrix(features), features, self.seed))

    def tree_key(self, features: tuple[str, ...]) -> tuple:
        return self._key("ward-tree", features=features)

    def has_tree(self, requested=None) -> bool:
        features = self.features(requested)
        return features in self._trees or self.cache.contains(self.tree_key(features))

    def tree(self, requested=None) -> np.ndarray:
        """The exact Ward tree of every song for a feature set (built once, then cached)."""
        features = self.features(requested)
        if features not in self._trees:
            # A builder that died leaves its lock behind; it expires well after a normal build would end.
            lock_seconds = max(120.0, 3 * self.tree_seconds(features))
            self._trees[features] = self.cache.get_or_compute(
                self.tree_key(features), lambda: self._build_tree(features), lock_seconds=lock_seconds)
        return self._trees[features]

    def _build_tree(self, features: tuple[str, ...]) -> np.ndarray:
        x = self.matrix(features)
        started = time.perf_counter()
        tree = ward_tree(x)
        rate = (time.perf_counter() - started) / (len(x) ** 2 * x.shape[1])
        self.cache.set(ResultCache.key("tree-rate"), {"rate": rate, "n": len(x)})
        return tree

    def tree_seconds(self, requested=None) -> float:
        """How long the exact Ward tree of every song takes on this machine: from the last real
        build's rate at a similar size, else from trees of 3,000 songs timed here (the fastest of
        three, so a moment of load does not inflate it; shared by every worker through the cache)."""
        features = self.features(requested)
        n, d = self.catalogue.n_songs, len(features)
        measured = self.cache.get(ResultCache.key("tree-rate"))
        if isinstance(measured, dict) and abs(math.log2(max(n, 2) / max(measured.get("n", 1), 2))) < 1:
            return float(measured["rate"]) * n * n * d
        if not _calibrated_rate:
            stored = self.cache.get(ResultCache.key("tree-calibration"))
            _calibrated_rate.append(stored if isinstance(stored, float) else self._calibrate_tree(features))
        growth = 1 + RATE_GROWTH_PER_DOUBLING * max(0.0, math.log2(n / CALIBRATION_SONGS))
        return _calibrated_rate[0] * growth * n * n * d

    def _calibrate_tree(self, features: tuple[str, ...]) -> float:
        """Seconds per song pair per feature of the exact tree on this machine (the app does this
        once, at start-up, so no request waits for it)."""
        x = self.matrix(features)
        rows = np.sort(np.random.default_rng(self.seed).choice(len(x), size=min(len(x), CALIBRATION_SONGS),
                                                               replace=False))
        timings = []
        for _ in range(CALIBRATION_RUNS):
            started = time.perf_counter()
            ward_tree(x[rows])
            timings.append(time.perf_counter() - started)
        rate = min(timings) / (len(rows) ** 2 * x.shape[1])
        self.cache.set(ResultCache.key("tree-calibration"), rate)
        return rate

    def resolve(self, dataset: str, algorithm, k, requested, *, allow_placeholder: bool = True) -> View:
        """The request's :class:`View`: normalised, with its error if it cannot be met."""
        catalogue = self.catalogue
        return resolve(dataset=dataset, fingerprint=catalogue.fingerprint, n_songs=catalogue.n_songs,
                       available=catalogue.numeric_columns, algorithm=algorithm, k=k, features=requested,
                       tree_ready=self.has_tree, tree_seconds=self.tree_seconds,
                       allow_placeholder=allow_placeholder)

    def result(self, view: View, *, scored: bool = True) -> ClusterResult:
        """The clustering a view shows (K-Means while it stands in for a Ward tree being built);
        ``scored=False`` for views that show no silhouette: they need not wait for it."""
        if view.error:
            raise ClusteringError(view.error)
        return self.cluster(view.fitted_algorithm, view.k, view.features, scored=scored)

    def cluster(self, algorithm: str, k: int, requested=None, *, scored: bool = True) -> ClusterResult:
        """Fit (or fetch) one clustering; Agglomerative cuts the exact tree (built if need be).

        Labels, profile, songs and the cheap scores come first, cached on their own; the
        sampled silhouette (the costly score) is a second cached step, added when ``scored``.
        """
        algorithm = check_algorithm(algorithm)
        features = self.features(requested)
        k = int(k)
        check_k(self.catalogue.n_songs, k)
        labels_key, silhouette_key = self._cluster_keys(algorithm, k, features)
        result = self.cache.get_or_compute(labels_key, lambda: self._fit(algorithm, k, features),
                                           lock_seconds=CLUSTER_LOCK_SECONDS)
        if not scored or result.scores.has_silhouette:
            return result
        scores = self.cache.get_or_compute(silhouette_key, lambda: with_silhouette(
            result.scores, self.matrix(features), result.labels, sample_size=self.silhouette_sample, seed=self.seed),
            lock_seconds=CLUSTER_LOCK_SECONDS)
        return replace(result, scores=scores)

    def is_cached(self, algorithm: str, k: int, requested=None, *, scored: bool = False) -> bool:
        """Whether a clustering (and, with ``scored``, its silhouette) is in the cache already."""
        labels_key, silhouette_key = self._cluster_keys(algorithm, int(k), self.features(requested))
        return self.cache.contains(labels_key) and (not scored or self.cache.contains(silhouette_key))

    def _cluster_keys(self, algorithm: str, k: int, features: tuple[str, ...]) -> tuple[tuple, tuple]:
        """The cache keys of a clustering's two steps: labels (and all but the silhouette), silhouette."""
        parts = {"algorithm": algorithm, "k": k, "features": features, "seed": self.seed}
        return self._key("cluster", **parts), self._key("silhouette", **parts, sample=self.silhouette_sample)

    def clustered_frame(self, result: ClusterResult) -> pd.DataFrame:
        """The user's own columns plus ``cluster`` and ``cluster_name``: the export format."""
        frame = self.catalogue.frame[self.catalogue.original_columns].copy()
        frame["cluster"] = result.labels
        frame["cluster_name"] = np.asarray(result.names, dtype=object)[result.labels]
        return frame

    # --- songs ------------------------------------------------------------------------------
    def search(self) -> SongSearch:
        """Type-ahead over the catalogue's titles and artists (built once per process)."""
        return song_search(self.catalogue)

    def neighbours(self, requested=None) -> SongNeighbours:
        """Exact nearest neighbours in the scaled space of a feature set (kept per process)."""
        features = self.features(requested)
        return song_neighbours(self.catalogue, features, lambda: self.matrix(features), self.seed)

    def similar(self, row: int, requested=None, n: int = 10, *, within_cluster: ClusterResult | None = None
                ) -> list[Neighbour]:
        """The ``n`` songs nearest ``row`` in the features' space, each listed once (a song's copies
        under other ids, same title and artist, are skipped); with ``within_cluster``, only songs of
        the row's own cluster in that clustering."""
        if not 0 <= int(row) < self.catalogue.n_songs:
            raise ClusteringError(f"No song number {row} in this catalogue.")
        within = None
        if within_cluster is not None:
            within = np.flatnonzero(within_cluster.labels == within_cluster.labels[row])
        return self.neighbours(requested).similar(int(row), n, within, same_song=self.search().text)

    def _fit(self, algorithm: str, k: int, features: tuple[str, ...]) -> ClusterResult:
        x = self.matrix(features)
        labels = relabel_by_size(kmeans(x, k, self.seed).labels if algorithm == "kmeans"
                                 else cut_tree(self.tree(features), k))
        if labels.max() + 1 < k:
            raise ClusteringError(
                f"Only {labels.max() + 1} distinct clusters exist for k = {k}: the songs have too few "
                "distinct feature values; choose a smaller k or more features."
            )
        labels = labels.astype(np.int16)
        scores = score(x, labels, sample_size=self.silhouette_sample, seed=self.seed, silhouette=False)
        profile = build_profile(self.catalogue.frame, self.catalogue.numeric_columns, labels)
        popularity = self.catalogue.column("popularity")
        genres = self.catalogue.frame[PRIMARY_GENRE]
        return ClusterResult(
            algorithm=algorithm, k=k, features=features, seed=self.seed, labels=labels, scores=scores,
            profile=profile,
            representatives=[representative_rows(x, labels, c).tolist() for c in range(k)],
            top_songs=[top_rows(popularity, labels, c).tolist() for c in range(k)],
            genres=[genre_mix(genres, labels, c) for c in range(k)],
        )
