"""Would a nearest-neighbour-chain Ward in NumPy (float32, vectorised over every active cluster
per step, BLAS on both cores) beat fastcluster? Prints both on growing samples of the demo
catalogue, and whether their cuts agree (adjusted Rand index at k = 2..15).

    python -m bench.bench_ward_chain                  # 5,000 / 10,000 / 20,000 songs

The issue "Live means live" asks to adopt such a build only if it is at least 2x faster with the
same merges; this prints the measured ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.metrics import adjusted_rand_score

from clustering.features import DEFAULT_FEATURES, scaled_matrix
from clustering.models import cut_tree, ward_tree
from data.demo import demo_catalogue


def nn_chain_ward(x: np.ndarray) -> np.ndarray:
    """Exact Ward by the nearest-neighbour chain on centroids and sizes (Ward's distance between
    clusters a and b is sqrt(2 n_a n_b / (n_a + n_b)) |c_a - c_b|); a SciPy-style linkage."""
    n = len(x)
    centroids = np.array(x, dtype=np.float64)
    sizes = np.ones(n)
    active = np.ones(n, dtype=bool)
    ids = np.arange(n)  # linkage id of each slot
    merges = []
    chain: list[int] = []
    while len(merges) < n - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        top = chain[-1]
        diff = centroids - centroids[top]
        squared = np.einsum("ij,ij->i", diff, diff) * (2 * sizes * sizes[top] / (sizes + sizes[top]))
        squared[~active] = np.inf
        squared[top] = np.inf
        if len(chain) > 1:
            previous = chain[-2]
            squared[previous] = np.nextafter(squared[previous], -np.inf)  # ties go back down the chain
        nearest = int(np.argmin(squared))
        if len(chain) > 1 and nearest == chain[-2]:
            chain.pop()
            chain.pop()
            a, b = sorted((top, nearest))
            total = sizes[a] + sizes[b]
            merges.append((ids[a], ids[b], float(np.sqrt(squared[nearest])), total))
            centroids[a] = (centroids[a] * sizes[a] + centroids[b] * sizes[b]) / total
            sizes[a] = total
            active[b] = False
            ids[a] = n + len(merges) - 1
        else:
            chain.append(nearest)
    # NN-chain finds merges out of order: sort them by height and renumber, as SciPy does.
    order = np.argsort([m[2] for m in merges], kind="stable")
    renumber = {}
    linkage = np.zeros((n - 1, 4))
    for row, index in enumerate(order):
        a, b, height, size = merges[index]
        a, b = renumber.get(a, a), renumber.get(b, b)
        linkage[row] = (min(a, b), max(a, b), height, size)
        renumber[n + index] = n + row
    return linkage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalogue = demo_catalogue(95_837)
    x = scaled_matrix(catalogue.frame, tuple(DEFAULT_FEATURES))
    rng = np.random.default_rng(0)
    print("# Exact Ward: NumPy nearest-neighbour chain against fastcluster (medians)")
    for n in (int(s) for s in args.sizes.split(",")):
        sample = x[np.sort(rng.choice(len(x), size=n, replace=False))]
        fast, chain = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            reference = ward_tree(sample)
            fast.append(time.perf_counter() - started)
            started = time.perf_counter()
            ours = nn_chain_ward(sample)
            chain.append(time.perf_counter() - started)
        aris = [adjusted_rand_score(cut_tree(reference, k), cut_tree(ours, k)) for k in range(2, 16)]
        fast_t, chain_t = statistics.median(fast), statistics.median(chain)
        print(f"  {n:>7,} songs: fastcluster {fast_t:7.2f} s, NN-chain {chain_t:7.2f} s "
              f"({fast_t / chain_t:.2f}x as fast); ARI of cuts k=2..15: min {min(aris):.4f}")


if __name__ == "__main__":
    main()
