"""Engine benchmark: prints figures, asserts nothing (not part of the test run).

    python -m bench.bench_engine                      # 95,837 and 1,000,000 demo songs
    python -m bench.bench_engine --sizes 95837 --repeat 3

Every figure stands beside its baseline: scikit-learn ``KMeans(n_init=10)`` for the fit and
silhouette on every song for the sampled silhouette. Baselines that cannot finish on this
machine (full silhouette and the exact Ward tree at 1,000,000 songs are O(n^2) in time) are
skipped unless ``--all`` is given, and the table says so.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn import config_context
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_samples, silhouette_score

from clustering.cache import ResultCache
from clustering.engine import Engine
from clustering.features import DEFAULT_FEATURES, scaled_matrix
from clustering.metrics import score, silhouette_sample_index, silhouette_values
from clustering.models import cut_tree, kmeans, ward_tree
from clustering.projection import project
from clustering.sweep import sweep
from data.demo import demo_catalogue

FULL_LIMIT = 150_000  # above this, O(n^2) baselines are skipped unless --all


def timed(work: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def row(name: str, ours: float | None, base: float | None, note: str = "") -> None:
    ours_text = f"{ours:9.3f} s" if ours is not None else f"{'-':>11}"
    base_text = f"{base:9.3f} s" if base is not None else f"{'-':>11}"
    ratio = f"{base / ours:7.1f}x" if ours and base else f"{'':>8}"
    print(f"  {name:<34} {ours_text} {base_text} {ratio}  {note}")


PARTS = ("kmeans", "scores", "pca", "ward", "sweep")


def bench_size(n: int, repeat: int, run_all: bool, seeds: int, parts: frozenset[str] = frozenset(PARTS)) -> None:
    started = time.perf_counter()
    catalogue = demo_catalogue(n)
    print(f"\n## {n:,} demo songs (generated in {time.perf_counter() - started:.1f} s)")
    print(f"  {'work':<34} {'ours':>11} {'baseline':>11} {'speedup':>8}  notes")
    x = scaled_matrix(catalogue.frame, DEFAULT_FEATURES)
    full_ok = run_all or n <= FULL_LIMIT

    worst, worst_k, ratios, slowest = 0.0, 0, [], float("inf")
    for k in range(2, 13) if "kmeans" in parts else ():
        ours_t, ours = timed(lambda k=k: kmeans(x, k, seed=42), repeat)
        base_t, base = timed(lambda k=k: KMeans(k, n_init=10, random_state=42).fit(x), repeat)
        seed_ratios = [ours.inertia / base.inertia_ - 1]
        for seed in range(1, seeds):
            other = KMeans(k, n_init=10, random_state=seed).fit(x).inertia_
            seed_ratios.append(kmeans(x, k, seed=seed).inertia / other - 1)
        if max(seed_ratios) > worst:
            worst, worst_k = max(seed_ratios), k
        ratios += seed_ratios
        slowest = min(slowest, base_t / ours_t)
        row(f"K-Means fit k={k}", ours_t, base_t,
            f"inertia vs n_init=10 (same seed): {seed_ratios[0]:+.2%}"
            + (f", median over {seeds} seeds {statistics.median(seed_ratios):+.2%}" if seeds > 1 else ""))
    if ratios:
        print(f"  K-Means k=2..12: slowest speedup {slowest:.1f}x; inertia vs n_init=10 median "
              f"{statistics.median(ratios):+.3%}, worst {worst:+.2%} at k={worst_k} ({len(ratios)} fits)")

    labels = kmeans(x, 4, seed=42).labels
    if "scores" in parts:
        bench_scores(x, labels, repeat, full_ok)
    if "pca" in parts:
        pca_t, _ = timed(lambda: project(x, DEFAULT_FEATURES), repeat)
        row("PCA to 2-D", pca_t, None)
    if "ward" in parts:
        bench_ward(x, full_ok)
    if "sweep" in parts:
        bench_sweeps(catalogue, x, full_ok)


def bench_scores(x: np.ndarray, labels: np.ndarray, repeat: int, full_ok: bool) -> None:
    sample_t, sampled = timed(lambda: score(x, labels, sample_size=10_000, seed=42), repeat)
    if full_ok:
        full_t, full = timed(lambda: silhouette_score(x, labels), 1)
        row("silhouette (10k sample vs all)", sample_t, full_t,
            f"{sampled.silhouette:.4f} vs {full:.4f} (diff {sampled.silhouette - full:+.4f})")
    else:
        row("silhouette (10k sample)", sample_t, None, f"{sampled.silhouette:.4f}; full: skipped (O(n^2))")

    # The sample's silhouette: blocked float32 BLAS (ours) against scikit-learn's silhouette_samples
    # on the same 10,000 songs, in the same run.
    index = silhouette_sample_index(labels, 10_000, 42)
    blas_t, blas = timed(lambda: silhouette_values(x[index], labels[index]), max(repeat, 5))
    with config_context(working_memory=64):
        sk_t, sk = timed(lambda: silhouette_samples(x[index], labels[index]), max(repeat, 5))
    row("silhouette of the 10k sample", blas_t, sk_t,
        f"vs scikit-learn silhouette_samples: max difference per song {np.abs(blas - sk).max():.1e}")
    split_t, _ = timed(lambda: score(x, labels, sample_size=10_000, seed=42, silhouette=False), repeat)
    row("scores without the silhouette", split_t, sample_t, "what the first views of a new k wait for")


def bench_ward(x: np.ndarray, full_ok: bool) -> None:
    if full_ok:
        tree_t, tree = timed(lambda: ward_tree(x), 1)
        cut_t, _ = timed(lambda: cut_tree(tree, 4), 3)
        row("Ward tree, every song (fastcluster)", tree_t, None, "exact; built once per feature set")
        row("cut the tree at k=4", cut_t, None)
        # What the page shows while the tree builds: K-Means at the same k, named as such.
        aris = [adjusted_rand_score(kmeans(x, k, seed=42).labels, cut_tree(tree, k)) for k in (3, 4, 6)]
        row("K-Means placeholder vs exact Ward", None, None,
            "ARI at k=3/4/6: " + "/".join(f"{a:.2f}" for a in aris) + " (bench_preview: no approximation does better)")
    else:
        row("Ward tree, every song", None, None, "skipped (O(n^2) time)")


def bench_sweeps(catalogue, x: np.ndarray, full_ok: bool) -> None:
    engine = Engine(catalogue, ResultCache(None), seed=42)
    sweep_t, result = timed(lambda: sweep(engine, "kmeans", 2, 12), 1)
    peers = None
    note = f"recommended k={result['recommended_k']}"
    if full_ok:
        # The peers' way: n_init=10 and silhouette on every song, per k. Measured for one k, the
        # fits measured above; the table says it is a sum of measured parts.
        one_full = timed(lambda: silhouette_score(x, kmeans(x, 6, seed=1).labels), 1)[0]
        fits = sum(timed(lambda k=k: KMeans(k, n_init=10, random_state=42).fit(x), 1)[0] for k in range(2, 13))
        peers = fits + 11 * one_full
        note += f"; baseline = 11 n_init=10 fits ({fits:.1f} s) + 11 x full silhouette ({one_full:.1f} s each)"
    row("sweep k=2..12, K-Means", sweep_t, peers, note)
    if full_ok:
        ward_t, ward = timed(lambda: sweep(engine, "agglomerative", 2, 12), 1)
        row("sweep k=2..12, Agglomerative", ward_t, peers,
            f"recommended k={ward['recommended_k']}; exact Ward tree built once, then 11 cuts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="95837,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3, help="seeds for the inertia comparison")
    parser.add_argument("--all", action="store_true", help="also run O(n^2) baselines on large sizes")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"which figures (of {', '.join(PARTS)})")
    args = parser.parse_args()
    print("# Engine benchmark (medians; machine: see README)")
    for n in (int(s) for s in args.sizes.split(",")):
        bench_size(n, args.repeat, args.all, args.seeds, frozenset(args.parts.split(",")))


if __name__ == "__main__":
    main()
