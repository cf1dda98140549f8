"""Quality metrics of a clustering; silhouette on a fixed-seed sample, never on every song.

Full silhouette is O(n^2): 50 s and 1.2 GB at 95k songs. A 10,000-song sample drawn with a
fixed seed lands within a few thousandths of the full value (checked in the tests and bench).
The sample's silhouette is computed here in float32 blocks with BLAS (distances from one matrix
product per block, per-cluster sums by slicing rows sorted by cluster): the same values as
scikit-learn's ``silhouette_samples`` to within 1e-6 per song, several times faster
(``bench/bench_engine.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

#: Rows of distances computed at once: 1,024 x 10,000 float32 is 40 MB, safe on a 512 MB host.
SILHOUETTE_BLOCK_ROWS = 1024


@dataclass
class Scores:
    silhouette: float
    silhouette_sample_size: int
    davies_bouldin: float
    calinski_harabasz: float
    inertia: float
    sizes: list[int]
    shares: list[float]
    # The per-song values behind the mean, for the silhouette plot (rows of the fixed sample).
    sample_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    sample_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False)

    @property
    def has_silhouette(self) -> bool:
        return self.silhouette_sample_size > 0

    def to_dict(self) -> dict:
        """The figures, without the per-song arrays (for JSON)."""
        return {name: getattr(self, name) for name in ("silhouette", "silhouette_sample_size", "davies_bouldin",
                                                         "calinski_harabasz", "inertia", "sizes", "shares")}


def silhouette_sample_index(labels: np.ndarray, sample_size: int, seed: int) -> np.ndarray:
    """The rows the silhouette is computed on: all of them, or a fixed-seed sample stratified by
    cluster (each cluster keeps its share), which removes the between-cluster part of the
    sampling error."""
    n = len(labels)
    if n <= sample_size:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    clusters, counts = np.unique(labels, return_counts=True)
    quotas = np.maximum(1, np.floor(counts * sample_size / n)).astype(int)
    # Hand the rows lost to rounding to the clusters with the largest remainders.
    remainders = counts * sample_size / n - np.floor(counts * sample_size / n)
    for i in np.argsort(-remainders)[: max(0, sample_size - int(quotas.sum()))]:
        quotas[i] += 1
    chosen = [rng.choice(np.flatnonzero(labels == c), size=min(q, cnt), replace=False)
              for c, q, cnt in zip(clusters, quotas, counts, strict=True)]
    return np.sort(np.concatenate(chosen))


def silhouette_values(x: np.ndarray, labels: np.ndarray, block_rows: int = SILHOUETTE_BLOCK_ROWS) -> np.ndarray:
    """Each song's silhouette (b - a) / max(a, b), as scikit-learn defines it (0 for a song alone
    in its cluster), from Euclidean distances computed block by block in float32."""
    order = np.argsort(labels, kind="stable")
    points = np.ascontiguousarray(x[order], dtype=np.float32)
    sorted_labels = labels[order].astype(np.intp)
    n, k = len(points), int(sorted_labels.max()) + 1
    counts = np.bincount(sorted_labels, minlength=k)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    starts = starts[counts > 0]  # reduceat needs strictly increasing starts
    present = np.flatnonzero(counts > 0)
    norms = np.einsum("ij,ij->i", points, points)
    columns = np.ascontiguousarray(points.T)
    sums = np.full((n, k), np.inf)
    for first in range(0, n, block_rows):
        last = min(n, first + block_rows)
        squared = points[first:last] @ columns  # |x|^2 + |y|^2 - 2 x.y, in place
        squared *= -2.0
        squared += norms[first:last, None]
        squared += norms[None, :]
        np.maximum(squared, 0.0, out=squared)
        squared[np.arange(last - first), np.arange(first, last)] = 0.0  # exactly 0 to itself
        np.sqrt(squared, out=squared)
        sums[first:last, present] = np.add.reduceat(squared, starts, axis=1)
    rows = np.arange(n)
    a = sums[rows, sorted_labels] / np.maximum(counts[sorted_labels] - 1, 1)
    mean_other = sums / np.maximum(counts, 1)
    mean_other[rows, sorted_labels] = np.inf
    b = mean_other.min(axis=1)
    values = (b - a) / np.maximum(np.maximum(a, b), np.finfo(np.float64).tiny)
    values[counts[sorted_labels] == 1] = 0.0
    out = np.empty(n)
    out[order] = values
    return out


def per_song_silhouette(
    x: np.ndarray, labels: np.ndarray, sample_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Silhouette of each song in the fixed sample: (row indices, values)."""
    index = silhouette_sample_index(labels, sample_size, seed)
    if len(np.unique(labels[index])) < 2:
        return index, np.zeros(len(index))
    return index, silhouette_values(x[index], labels[index])


def inertia(x: np.ndarray, labels: np.ndarray) -> float:
    """Within-cluster sum of squared distances to each cluster's mean."""
    total = 0.0
    for cluster in np.unique(labels):
        members = x[labels == cluster]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def score(x: np.ndarray, labels: np.ndarray, *, sample_size: int = 10_000, seed: int = 0,
          silhouette: bool = True) -> Scores:
    """All metrics of one clustering of the scaled matrix ``x``; without ``silhouette``, all but
    the silhouette (the one that costs: add it later with :func:`with_silhouette`)."""
    k = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=k)
    several = len(np.unique(labels)) >= 2
    index, values = per_song_silhouette(x, labels, sample_size, seed) if silhouette else (np.zeros(0), np.zeros(0))
    return Scores(
        silhouette=float(values.mean()) if several and silhouette else float("nan"),
        silhouette_sample_size=len(index),
        davies_bouldin=float(davies_bouldin_score(x, labels)) if several else float("nan"),
        calinski_harabasz=float(calinski_harabasz_score(x, labels)) if several else float("nan"),
        inertia=inertia(x, labels),
        sizes=[int(s) for s in sizes],
        shares=[float(s) / len(labels) for s in sizes],
        sample_rows=index.astype(np.int64),
        sample_values=values.astype(np.float32),
    )


def with_silhouette(scores: Scores, x: np.ndarray, labels: np.ndarray, *, sample_size: int, seed: int) -> Scores:
    """``scores`` completed with the silhouette of the fixed sample."""
    index, values = per_song_silhouette(x, labels, sample_size, seed)
    several = len(np.unique(labels)) >= 2
    return replace(scores, silhouette=float(values.mean()) if several else float("nan"),
                   silhouette_sample_size=len(index), sample_rows=index.astype(np.int64),
                   sample_values=values.astype(np.float32))


def nearest_other_cluster(x: np.ndarray, labels: np.ndarray, rows: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """For each of ``rows``, the other cluster whose ``reference`` songs are nearest on average.

    This is the cluster behind the silhouette's b: where a badly fitting song would rather be.
    """
    k = int(labels.max()) + 1
    ref_labels = labels[reference]
    out = np.empty(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        distance = np.sqrt(((x[reference] - x[row]) ** 2).sum(axis=1))
        sums = np.bincount(ref_labels, weights=distance, minlength=k)
        counts = np.bincount(ref_labels, minlength=k)
        mean = np.divide(sums, counts, out=np.full(k, np.inf), where=counts > 0)
        mean[labels[row]] = np.inf
        out[i] = int(np.argmin(mean))
    return out
