"""Command line: ``python -m clustering fit|sweep|similar``.

Errors exit non-zero with one line on stderr; progress goes to stderr for work over a second,
so ``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from clustering.cache import ResultCache
from clustering.engine import Engine
from clustering.export import csv_bytes
from clustering.models import ClusteringError
from clustering.songs import MIN_QUERY, fold_query
from clustering.sweep import sweep
from clustering.view import ALGORITHMS, K_DEFAULT, SWEEP_RANGE_DEFAULT
from data import DatasetError, load_catalogue
from settings import Settings

T = TypeVar("T")


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m clustering", description="Cluster songs by audio features.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", help="CSV of songs (default: SONGS_CSV, else the demo catalogue)")
        p.add_argument("--algorithm", choices=list(ALGORITHMS), default="kmeans")
        p.add_argument("--features", help="comma-separated feature columns (default: the ten standard ones)")
        p.add_argument("--seed", type=int, default=settings.seed)
        p.add_argument("--demo-songs", type=int, default=settings.demo_songs, help="size of the demo catalogue")
        p.add_argument("--no-cache", action="store_true", help="do not read or write the disk cache")
        p.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    fit = sub.add_parser("fit", help="cluster at one k")
    common(fit)
    fit.add_argument("--k", type=int, required=True)
    fit.add_argument("--out", help="write the clustered songs (all columns + cluster, cluster_name) as CSV")

    sw = sub.add_parser("sweep", help="all metrics over a range of k, and a recommended k")
    common(sw)
    sw.add_argument("--k-min", type=int, default=SWEEP_RANGE_DEFAULT[0])
    sw.add_argument("--k-max", type=int, default=SWEEP_RANGE_DEFAULT[1])

    sim = sub.add_parser("similar", help="the songs most similar to one song (found by title or artist)")
    common(sim)
    sim.add_argument("--query", required=True, help="words of the song's title and/or artist")
    sim.add_argument("--n", type=int, default=10, help="how many similar songs (default 10)")
    sim.add_argument("--k", type=int, default=K_DEFAULT, help="clusters to name each song's cluster by")
    sim.add_argument("--same-cluster", action="store_true", help="only songs of the query song's cluster")
    return parser


def _with_spinner(label: str, work: Callable[[], T]) -> T:
    """Run ``work``, showing elapsed time on stderr if it takes over a second."""
    done = threading.Event()

    def tick() -> None:
        if done.wait(1.0):
            return
        with tqdm(desc=label, bar_format="{desc}: {elapsed}", file=sys.stderr) as bar:
            while not done.wait(0.5):
                bar.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        return work()
    finally:
        done.set()
        thread.join()


def _engine(args: argparse.Namespace, settings: Settings) -> Engine:
    path = args.data or settings.songs_csv or None
    catalogue = _with_spinner("loading songs", lambda: load_catalogue(path, demo_songs=args.demo_songs))
    cache = ResultCache(None if args.no_cache else settings.cache_dir, settings.cache_size_limit)
    return Engine(catalogue, cache, seed=args.seed, silhouette_sample=settings.silhouette_sample)


def _features(args: argparse.Namespace) -> list[str] | None:
    return [f for f in args.features.split(",") if f.strip()] if args.features else None


def _clean_json(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    return value


def run_fit(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    started = time.perf_counter()
    label = "building the Ward tree of every song" if args.algorithm == "agglomerative" else "clustering"
    result = _with_spinner(label, lambda: engine.cluster(args.algorithm, args.k, _features(args)))
    elapsed = time.perf_counter() - started
    if args.out:
        Path(args.out).write_bytes(csv_bytes(engine.clustered_frame(result)))
    summary = result.summary() | {"data": engine.catalogue.source, "is_demo": engine.catalogue.is_demo,
                                  "cleaning": engine.catalogue.report.to_dict(), "seconds": round(elapsed, 3)}
    if args.json:
        print(json.dumps(_clean_json(summary)))
        return 0
    print(f"{engine.catalogue.source}: {engine.catalogue.n_songs:,} songs"
          + (" (demo data)" if engine.catalogue.is_demo else ""))
    for line in engine.catalogue.report.lines():
        print(f"  {line}")
    s = result.scores
    print(f"{ALGORITHMS[result.algorithm]}, k = {result.k}, features: {', '.join(result.features)}")
    spread = "inertia" if result.algorithm == "kmeans" else "within-cluster sum of squares"
    print(f"  silhouette {s.silhouette:.3f} (sample of {s.silhouette_sample_size:,}), Davies-Bouldin "
          f"{s.davies_bouldin:.3f}, Calinski-Harabasz {s.calinski_harabasz:,.0f}, {spread} {s.inertia:,.0f}")
    for i, (name, size) in enumerate(zip(result.names, s.sizes, strict=True)):
        print(f"  cluster {i}: {name:<40} {size:>8,} songs ({size / len(result.labels):.1%})")
    if args.out:
        print(f"wrote {Path(args.out)}")
    return 0


def run_sweep(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    total = args.k_max - args.k_min + 1
    with tqdm(total=total, desc=f"sweep k={args.k_min}..{args.k_max}", unit="k", file=sys.stderr,
              delay=1.0) as bar:
        result = sweep(engine, args.algorithm, args.k_min, args.k_max, _features(args),
                       on_row=lambda row: bar.update(1))
    if args.json:
        print(json.dumps(_clean_json(result | {"data": engine.catalogue.source,
                                               "is_demo": engine.catalogue.is_demo})))
        return 0
    print(f"{engine.catalogue.source}: {engine.catalogue.n_songs:,} songs, {ALGORITHMS[args.algorithm]}")
    print(f"{'k':>3} {'inertia':>14} {'silhouette':>11} {'Davies-B.':>10} {'Calinski-H.':>12}")
    for row in result["rows"]:
        print(f"{row['k']:>3} {row['inertia']:>14,.0f} {row['silhouette']:>11.3f} {row['davies_bouldin']:>10.3f} "
              f"{row['calinski_harabasz']:>12,.0f}")
    print(f"recommended k = {result['recommended_k']}: {result['rule']}")
    return 0


def run_similar(args: argparse.Namespace, settings: Settings) -> int:
    """The best match of ``--query`` among the songs, and its nearest neighbours."""
    if not 1 <= args.n <= 1000:
        raise ClusteringError("--n must be between 1 and 1000.")
    if len("".join(fold_query(args.query))) < MIN_QUERY:
        raise ClusteringError("--query needs at least two letters or digits.")
    engine = _engine(args, settings)
    songs = [m for m in engine.search().search(args.query, limit=1, artists=0) if m.kind == "song"]
    if not songs:
        raise ClusteringError(f"No song matches {args.query!r} (title or artist).")
    row = int(songs[0].value.removeprefix("song:"))
    matched = len(engine.search().matching_rows(args.query))
    result = _with_spinner("clustering", lambda: engine.cluster(args.algorithm, args.k, _features(args), scored=False))
    neighbours = engine.similar(row, result.features, args.n, within_cluster=result if args.same_cluster else None)
    song_id = engine.catalogue.column("id")

    def describe(song: dict, distance: float) -> dict:
        cluster = int(result.labels[song["row"]])
        return {"id": str(song_id.iloc[song["row"]]) if song_id is not None else str(song["row"] + 1),
                "title": song["title"], "artist": song["artist"], "genre": song["genre"], "cluster": cluster,
                "cluster_name": result.names[cluster], "distance": round(distance, 6)}

    query = describe(engine.catalogue.songs([row])[0], 0.0)
    found = [describe(song, n.distance) | {"similarity": round(n.similarity, 4)}
             for song, n in zip(engine.catalogue.songs([n.row for n in neighbours]), neighbours, strict=True)]
    if args.json:
        print(json.dumps({"query_song": query, "matched_songs": matched, "neighbours": found,
                          "features": list(result.features),
                          "algorithm": result.algorithm, "k": result.k, "same_cluster": args.same_cluster,
                          "data": engine.catalogue.source, "is_demo": engine.catalogue.is_demo}))
        return 0
    if matched > 1:
        print(f"{matched:,} songs match {args.query!r}; the best match (title first, then the most popular):")
    print(f"{query['title']} — {query['artist']} ({query['genre']}), cluster {query['cluster']}: "
          f"{query['cluster_name']}")
    scope = "in its cluster" if args.same_cluster else "of all songs"
    print(f"the {len(found)} most similar {scope} on {len(result.features)} features:")
    for i, song in enumerate(found, 1):
        print(f"{i:>3}. {song['title']} — {song['artist']} ({song['genre']}), cluster {song['cluster']}, "
              f"distance {song['distance']:.3f}, {song['similarity']:.0%} similar")
    return 0


COMMANDS = {"fit": run_fit, "sweep": run_sweep, "similar": run_similar}


def main(argv: Sequence[str] | None = None) -> int:
    settings = Settings.from_env()
    args = _parser(settings).parse_args(argv)
    try:
        return COMMANDS[args.command](args, settings)
    except (DatasetError, ClusteringError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
