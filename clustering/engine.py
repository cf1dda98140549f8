"""The engine's front door: cached fits, projections, trees and profiles for one catalogue.

Callers (CLI, Dash callbacks, benchmarks) go through :class:`Engine`; it normalises every
request, memoizes the pure computations on disk and returns plain results. No Dash here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from clustering.cache import ResultCache
from clustering.features import normalise_features, scaled_matrix
from clustering.metrics import Scores, score
from clustering.models import ClusteringError, check_k, cut_tree, kmeans, relabel_by_size, ward_preview, ward_tree
from clustering.profiles import Profile, build_profile, genre_mix, representative_rows, top_rows
from clustering.projection import Projection, project
from data.loader import PRIMARY_GENRE, Catalogue

ALGORITHMS: dict[str, str] = {"kmeans": "K-Means", "agglomerative": "Agglomerative (Ward)"}
#: fastcluster's Ward time grows with n^2; measured here: about 40 s for 95,837 songs.
TREE_SECONDS_PER_SONG_SQUARED = 4.4e-9
#: How long a lock on one clustering may be held before others compute it themselves.
CLUSTER_LOCK_SECONDS = 120


def estimated_tree_seconds(n_songs: int) -> float:
    """Rough time to build the exact Ward tree: shown as progress, and bounds the build lock."""
    return max(1.0, TREE_SECONDS_PER_SONG_SQUARED * n_songs**2)


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
    preview: bool = False  # True: approximate Ward while the exact tree is not built yet
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
               "k": self.k, "seed": self.seed, **self.scores.to_dict(), "names": self.names,
               "preview": self.preview}
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
        return self.cache.contains(self.tree_key(self.features(requested)))

    def tree(self, requested=None) -> np.ndarray:
        """The exact Ward tree of every song for a feature set (built once, then cached)."""
        features = self.features(requested)
        if features not in self._trees:
            # A builder that died leaves its lock behind; it expires well after a normal build would end.
            lock_seconds = max(120.0, 3 * estimated_tree_seconds(self.catalogue.n_songs))
            self._trees[features] = self.cache.get_or_compute(
                self.tree_key(features), lambda: ward_tree(self.matrix(features)), lock_seconds=lock_seconds)
        return self._trees[features]

    def cluster(self, algorithm: str, k: int, requested=None, *, preview: bool = False) -> ClusterResult:
        """Fit (or fetch) one clustering. ``preview`` asks for fast approximate Ward."""
        algorithm = check_algorithm(algorithm)
        features = self.features(requested)
        k = int(k)
        check_k(self.catalogue.n_songs, k)
        preview = preview and algorithm == "agglomerative"
        key = self._key("cluster", algorithm=algorithm, k=k, features=features, seed=self.seed, preview=preview)
        return self.cache.get_or_compute(key, lambda: self._fit(algorithm, k, features, preview),
                                         lock_seconds=CLUSTER_LOCK_SECONDS)

    def clustered_frame(self, result: ClusterResult) -> pd.DataFrame:
        """The user's own columns plus ``cluster`` and ``cluster_name``: the export format."""
        frame = self.catalogue.frame[self.catalogue.original_columns].copy()
        frame["cluster"] = result.labels
        frame["cluster_name"] = np.asarray(result.names, dtype=object)[result.labels]
        return frame

    def _fit(self, algorithm: str, k: int, features: tuple[str, ...], preview: bool) -> ClusterResult:
        x = self.matrix(features)
        if algorithm == "kmeans":
            labels = kmeans(x, k, self.seed).labels
        elif preview:
            labels = ward_preview(x, k, self.seed)
        else:
            labels = cut_tree(self.tree(features), k)
        labels = relabel_by_size(labels)
        if labels.max() + 1 < k:
            raise ClusteringError(
                f"Only {labels.max() + 1} distinct clusters exist for k = {k}: the songs have too few "
                "distinct feature values; choose a smaller k or more features."
            )
        labels = labels.astype(np.int16)
        scores = score(x, labels, sample_size=self.silhouette_sample, seed=self.seed)
        profile = build_profile(self.catalogue.frame, self.catalogue.numeric_columns, labels)
        popularity = self.catalogue.column("popularity")
        genres = self.catalogue.frame[PRIMARY_GENRE]
        return ClusterResult(
            algorithm=algorithm, k=k, features=features, seed=self.seed, labels=labels, scores=scores,
            profile=profile, preview=preview,
            representatives=[representative_rows(x, labels, c).tolist() for c in range(k)],
            top_songs=[top_rows(popularity, labels, c).tolist() for c in range(k)],
            genres=[genre_mix(genres, labels, c) for c in range(k)],
        )
