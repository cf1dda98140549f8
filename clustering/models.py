"""Clustering models: fast, seeded K-Means and Ward on every song.

K-Means: scikit-learn's ``n_init=10`` runs ten full Lloyd fits; most of that time goes to
fits that end in a worse basin. Here many k-means++ starts are run on a fixed-seed sample
(cheap), the best few basins are refined on all songs with scikit-learn's Lloyd, and the
lowest full-data inertia wins. ``bench/bench_engine.py`` measures speed and inertia against
``KMeans(n_init=10)``.

Ward: an exact Ward tree of every song with ``fastcluster.linkage_vector`` (O(n) memory), cut
at any k with ``fcluster``; and a fast approximate preview, Ward over size-weighted k-means
micro-clusters, for the time the exact tree is being built.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import fastcluster
import numpy as np
from scipy.cluster.hierarchy import fcluster
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.cluster._kmeans import _kmeans_plusplus, _kmeans_single_lloyd, _tolerance
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from threadpoolctl import threadpool_limits

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
    """Refuse a k that cannot give k non-empty clusters."""
    if k < 2:
        raise ClusteringError(f"k must be at least 2 (got {k}).")
    if k > n_songs:
        raise ClusteringError(f"k = {k} is larger than the number of songs ({n_songs:,}); choose k <= {n_songs}.")


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


def weighted_ward(centers: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Ward linkage of points that stand for ``weights`` songs each (nearest-neighbour chain).

    fastcluster and scipy assume every point weighs one song; micro-clusters do not, and
    unweighted Ward on centroids is clearly worse (see MEASURED.md). Returns a scipy-style
    linkage matrix (merges sorted by height, column 3 counting leaves) over ``len(centers)`` leaves.
    """
    m = len(centers)
    cent = np.array(centers, dtype=np.float64)
    size = np.array(weights, dtype=np.float64)
    leaves = np.ones(m, dtype=np.int64)
    active = np.ones(m, dtype=bool)
    merges: list[tuple[int, int, float, int]] = []

    def cost_to_all(i: int) -> np.ndarray:
        diff = cent - cent[i]
        cost = (size * size[i] / (size + size[i])) * np.einsum("ij,ij->i", diff, diff)
        cost[~active] = np.inf
        cost[i] = np.inf
        return cost

    chain: list[int] = []
    while len(merges) < m - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        while True:
            a = chain[-1]
            cost = cost_to_all(a)
            b = int(np.argmin(cost))
            if len(chain) > 1 and cost[chain[-2]] <= cost[b]:
                b = chain[-2]
                break
            chain.append(b)
        del chain[-2:]
        merged = size[a] + size[b]
        merges.append((a, b, float(np.sqrt(2.0 * cost[b])), int(leaves[a] + leaves[b])))
        cent[a] = (size[a] * cent[a] + size[b] * cent[b]) / merged
        size[a] = merged
        leaves[a] += leaves[b]
        active[b] = False

    # NN-chain finds merges out of height order; replay them sorted, as scipy expects.
    linkage = np.zeros((m - 1, 4))
    node_of_slot = np.arange(m)
    for step, index in enumerate(np.argsort([h for _, _, h, _ in merges], kind="stable")):
        a, b, height, n_leaves = merges[index]
        left, right = sorted((node_of_slot[a], node_of_slot[b]))
        linkage[step] = (left, right, height, n_leaves)
        node_of_slot[a] = m + step
    return linkage


def ward_preview(x: np.ndarray, k: int, seed: int = 0, micro_clusters: int = 1000) -> np.ndarray:
    """Approximate Ward labels for every song in about a second: Ward over weighted micro-clusters."""
    check_k(len(x), k)
    m = min(micro_clusters, len(x))
    if m <= k or len(x) <= micro_clusters:
        return cut_tree(ward_tree(x), k)
    micro = MiniBatchKMeans(m, random_state=seed, n_init=1, batch_size=4096, max_iter=20).fit(x)
    weights = np.bincount(micro.labels_, minlength=m)
    used = np.flatnonzero(weights)
    linkage = weighted_ward(micro.cluster_centers_[used], weights[used])
    micro_labels = cut_tree(linkage, min(k, len(used)))
    lookup = np.full(m, -1)
    lookup[used] = micro_labels
    return lookup[micro.labels_]


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 from largest to smallest (ties: lowest old label first).

    Identical requests then give identical numbers, and so identical colours.
    """
    values, counts = np.unique(labels, return_counts=True)
    order = values[np.lexsort((values, -counts))]
    mapping = np.empty(int(values.max()) + 1, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    return mapping[labels]
