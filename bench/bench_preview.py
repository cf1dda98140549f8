"""What to show while the exact Ward tree is built: each candidate's agreement with exact Ward.

    python -m bench.bench_preview                      # demo catalogue (95,837) and the real sample
    python -m bench.bench_preview --sizes 95837 --repeat 3

For k = 3..8, the adjusted Rand index of each candidate's labels against the cut of the exact
Ward tree of every song, and its time (median of ``--repeat``). Candidates: Ward over weighted
k-means micro-clusters (m = 1,000 and 3,000), exact Ward on a random sample of songs with the
rest given to the nearest sample cluster's centre or nearest sample song, and plain K-Means (the placeholder). Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import KNeighborsClassifier

from clustering.features import DEFAULT_FEATURES, scaled_matrix
from clustering.models import check_k, cut_tree, kmeans, ward_tree
from data import load_catalogue

KS = range(3, 9)
SAMPLE_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "songs_sample.csv"


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


def sample_ward(x: np.ndarray, k: int, seed: int, size: int, *, nearest_song: bool = False) -> np.ndarray:
    """Exact Ward on ``size`` random songs; every song joins the nearest sample cluster's centre
    (or, with ``nearest_song``, the cluster of its nearest sample song)."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), size=min(size, len(x)), replace=False))
    labels = cut_tree(ward_tree(x[rows]), k)
    if nearest_song:
        return KNeighborsClassifier(1).fit(x[rows], labels).predict(x)
    centres = np.stack([x[rows][labels == c].mean(axis=0) for c in range(k)])
    distances = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def candidates(seed: int) -> dict[str, Callable[[np.ndarray, int], np.ndarray]]:
    return {
        "micro-cluster Ward, m = 1,000": lambda x, k: ward_preview(x, k, seed, micro_clusters=1000),
        "micro-cluster Ward, m = 3,000": lambda x, k: ward_preview(x, k, seed, micro_clusters=3000),
        "Ward on 10,000 songs + nearest centre": lambda x, k: sample_ward(x, k, seed, 10_000),
        "Ward on 20,000 songs + nearest centre": lambda x, k: sample_ward(x, k, seed, 20_000),
        "Ward on 20,000 songs + nearest song": lambda x, k: sample_ward(x, k, seed, 20_000, nearest_song=True),
        "K-Means (placeholder)": lambda x, k: kmeans(x, k, seed).labels,
    }


def measure(name: str, x: np.ndarray, repeat: int, seed: int) -> None:
    started = time.perf_counter()
    tree = ward_tree(x)
    tree_seconds = time.perf_counter() - started
    exact = {k: cut_tree(tree, k) for k in KS}
    print(f"\n## {name}: {len(x):,} songs, exact Ward tree {tree_seconds:.1f} s")
    print(f"  {'candidate':<40} {'median s':>9}  " + "  ".join(f"k={k:<4}" for k in KS) + "   min ARI")
    for label, run in candidates(seed).items():
        times, aris = [], []
        for k in KS:
            per_k = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                labels = run(x, k)
                per_k.append(time.perf_counter() - t0)
            times.append(statistics.median(per_k))
            aris.append(adjusted_rand_score(exact[k], labels))
        print(f"  {label:<40} {statistics.median(times):9.2f}  " + "  ".join(f"{a:6.3f}" for a in aris)
              + f"   {min(aris):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[95_837])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for n in args.sizes:
        catalogue = load_catalogue(None, demo_songs=n)
        measure("demo catalogue", scaled_matrix(catalogue.frame, DEFAULT_FEATURES), args.repeat, args.seed)
    if SAMPLE_CSV.exists():
        catalogue = load_catalogue(SAMPLE_CSV)
        features = tuple(f for f in DEFAULT_FEATURES if f in catalogue.numeric_columns)
        measure("real sample", scaled_matrix(catalogue.frame, features), args.repeat, args.seed)
    else:
        print(f"\n(real sample not found at ../shared/data/{SAMPLE_CSV.name}: skipped)")


if __name__ == "__main__":
    main()
