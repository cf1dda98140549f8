"""Sweep k over a range: every metric per k and a recommended k with a rule stated in words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from kneed import KneeLocator

from clustering.engine import Engine
from clustering.view import check_range

RULE = ("the elbow of the inertia curve (Kneedle knee detection); if the curve has no clear "
        "knee, the k with the highest silhouette")


@dataclass
class SweepRow:
    k: int
    inertia: float
    silhouette: float
    davies_bouldin: float
    calinski_harabasz: float
    sizes: list[int]
    names: list[str]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def sweep_rows(engine: Engine, algorithm: str, k_min: int = 2, k_max: int = 12, features=None) -> Iterator[SweepRow]:
    """Yield one row per k, in order, so callers can show progress as they go."""
    k_min, k_max = check_range(k_min, k_max, engine.catalogue.n_songs)
    for k in range(k_min, k_max + 1):
        result = engine.cluster(algorithm, k, features)
        s = result.scores
        yield SweepRow(k=k, inertia=s.inertia, silhouette=s.silhouette, davies_bouldin=s.davies_bouldin,
                       calinski_harabasz=s.calinski_harabasz, sizes=s.sizes, names=result.names)


def knee(ks: list[int], inertias: list[float]) -> int | None:
    """The knee of a decreasing, convex inertia curve, or None when there is none."""
    if len(ks) < 3:
        return None
    found = KneeLocator(ks, inertias, curve="convex", direction="decreasing").knee
    return int(found) if found is not None else None


def recommend(rows: list[SweepRow]) -> dict:
    """The recommended k and why: elbow first, best silhouette as the fallback."""
    ks = [r.k for r in rows]
    elbow = knee(ks, [r.inertia for r in rows])
    silhouettes = np.array([r.silhouette for r in rows])
    best_silhouette = ks[int(np.nanargmax(silhouettes))] if np.isfinite(silhouettes).any() else ks[0]
    recommended = elbow if elbow is not None else best_silhouette
    return {
        "recommended_k": recommended,
        "rule": RULE,
        "elbow_k": elbow,
        "best_silhouette_k": best_silhouette,
        "best_davies_bouldin_k": ks[int(np.nanargmin([r.davies_bouldin for r in rows]))],
        "best_calinski_harabasz_k": ks[int(np.nanargmax([r.calinski_harabasz for r in rows]))],
    }


def sweep(engine: Engine, algorithm: str, k_min: int = 2, k_max: int = 12, features=None,
          on_row: Callable[[SweepRow], None] | None = None) -> dict:
    """Run the whole sweep; ``on_row`` is called after each k (progress)."""
    rows = []
    for row in sweep_rows(engine, algorithm, k_min, k_max, features):
        rows.append(row)
        if on_row:
            on_row(row)
    return {"algorithm": algorithm, "features": list(engine.features(features)),
            "n_songs": engine.catalogue.n_songs, "rows": [r.to_dict() for r in rows], **recommend(rows)}
