"""Clustering models: fast, seeded K-Means and Ward on every song.

K-Means: scikit-learn's ``n_init=10`` runs ten full Lloyd fits; most of that time goes to
fits that end in a worse basin. Here many k-means++ starts are run on a fixed-seed sample
(cheap), the best few basins are refined on all songs with scikit-learn's Lloyd, and the
lowest full-data inertia wins. ``bench/bench_engine.py`` measures speed and inertia against
``KMeans(n_init=10)``.

Ward: an exact Ward tree of every song with ``fastcluster.linkage_vector`` (O(n) memory), cut
at any k with ``fcluster``. No approximation of it is offered: bench/bench_preview.py measured
none that agrees with the exact tree (adjusted Rand index at most 0.48 at 95,837 songs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import fastcluster
import numpy as np
from scipy.cluster.hierarchy import fcluster
from sklearn.cluster import KMeans

# Private helpers of the pinned scikit-learn (see _lloyd); tests/test_models.py fails loudly when
# the installed version is not the one they were checked against.
from sklearn.cluster._kmeans import _kmeans_plusplus, _kmeans_single_lloyd, _tolerance
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from threadpoolctl import threadpool_limits

#: The scikit-learn release whose private K-Means helpers this module calls.
SKLEARN_PRIVATE_API_VERSION = "1.9.1"
SAMPLE_SIZE = 2048
N_STARTS_BASE = 12
N_STARTS_PER_K = 2
SAMPLE_LLOYD_MAX_ITER = 60
REFINE_SHORT_ITER = 3
DISTINCT_BASIN = 1e-3
#: Lloyd stops when centres move less than this share of the data variance, as scikit-learn's
#: default; 1e-3 would be faster but measured up to 0.27% worse inertia here.
FINAL_TOL = 1e-4


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run OpenMP code on one thread: required in a forked process (Dash background jobs).

    GNU OpenMP's thread pool does not survive fork(): a child that starts a parallel region
    the parent had used hangs for ever (seen here in the k sweep). One thread never uses the pool.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


class ClusteringError(ValueError):
    """A clustering request that cannot be met; the message is for a person."""


@dataclass
class KMeansResult:
    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int


def check_k(n_songs: int, k: int) -> None:
    """Refuse a k that cannot give k non-empty clusters with a silhouette (it needs at least one
    cluster of two songs: fewer clusters than songs)."""
    if k < 2:
        raise ClusteringError(f"k must be at least 2 (got {k}).")
    if k > n_songs:
        raise ClusteringError(f"k = {k} is larger than the number of songs ({n_songs:,}); "
                              f"choose k <= {n_songs - 1}.")
    if k == n_songs:
        raise ClusteringError(f"k = {k} needs fewer clusters than songs ({n_songs:,} songs); "
                              f"choose k <= {n_songs - 1}.")


def _lloyd(x: np.ndarray, weights: np.ndarray, centers: np.ndarray, tol: float, max_iter: int = 300):
    """scikit-learn's compiled Lloyd loop, without the estimator's per-fit checks and overhead.

    ``KMeans.fit`` spends about 10 ms on validation per call; this module calls it dozens of
    times per fit, so it uses the same kernel ``KMeans`` uses (pinned scikit-learn version).
    """
    return _kmeans_single_lloyd(x, weights, centers, max_iter=max_iter, tol=tol,
                                n_threads=_openmp_effective_n_threads())


def kmeans(x: np.ndarray, k: int, seed: int = 0, *, n_starts: int | None = None, n_refine: int = 4) -> KMeansResult:
    """K-Means with the quality of ``n_init=10`` at a fraction of its time (see module docstring)."""
    check_k(len(x), k)
    x = np.ascontiguousarray(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    if len(x) <= SAMPLE_SIZE * 4:
        fitted = KMeans(k, n_init=10, random_state=seed, algorithm="lloyd").fit(x)
        return KMeansResult(fitted.labels_, fitted.cluster_centers_, float(fitted.inertia_), int(fitted.n_iter_))
    sample = x[np.sort(rng.choice(len(x), SAMPLE_SIZE, replace=False))]
    sample_weights = np.ones(len(sample))
    sample_norms = np.einsum("ij,ij->i", sample, sample)
    sample_tol = _tolerance(sample, 1e-4)
    n_starts = n_starts or N_STARTS_BASE + N_STARTS_PER_K * k
    centers, inertias = [], []
    for start_seed in rng.integers(0, 2**31 - 1, size=n_starts):
        init = _kmeans_plusplus(sample, k, sample_norms, sample_weights, np.random.RandomState(start_seed))[0]
        _, inertia, start_centers, _ = _lloyd(sample, sample_weights, init, sample_tol, SAMPLE_LLOYD_MAX_ITER)
        centers.append(start_centers)
        inertias.append(inertia)
    order = np.argsort(inertias, kind="stable")
    # Starts that end in the same basin have (nearly) the same inertia: refine distinct basins.
    distinct = [order[0]]
    for index in order[1:]:
        if len(distinct) == n_refine:
            break
        if inertias[index] > inertias[distinct[-1]] * (1 + DISTINCT_BASIN):
            distinct.append(index)
    weights = np.ones(len(x))
    tol = _tolerance(x, FINAL_TOL)
    short = [_lloyd(x, weights, np.ascontiguousarray(centers[i]), tol, REFINE_SHORT_ITER) for i in distinct]
    best_short = min(short, key=lambda result: result[1])
    labels, inertia, best_centers, n_iter = _lloyd(x, weights, best_short[2], tol)
    return KMeansResult(np.asarray(labels, dtype=np.int64), best_centers, float(inertia), int(n_iter))


def ward_tree(x: np.ndarray) -> np.ndarray:
    """The exact Ward linkage matrix of every row, in O(n) memory (fastcluster's NN-chain)."""
    if len(x) < 2:
        raise ClusteringError("Ward needs at least two songs.")
    return fastcluster.linkage_vector(np.ascontiguousarray(x, dtype=np.float64), method="ward")


def cut_tree(linkage: np.ndarray, k: int) -> np.ndarray:
    """Labels 0..k-1 from cutting a Ward tree into k clusters, in milliseconds."""
    check_k(len(linkage) + 1, k)
    return fcluster(linkage, t=k, criterion="maxclust").astype(np.int64) - 1


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 from largest to smallest (ties: lowest old label first).

    Identical requests then give identical numbers, and so identical colours.
    """
    values, counts = np.unique(labels, return_counts=True)
    order = values[np.lexsort((values, -counts))]
    mapping = np.empty(int(values.max()) + 1, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    return mapping[labels]
