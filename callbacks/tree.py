"""Building the exact Ward tree of every song while the page stays usable.

Until the tree exists the page shows the fast preview (Ward over weighted micro-clusters). The
tree is built on a thread of the worker that first needs it: fastcluster releases the GIL, so
the worker keeps serving, and nothing is forked (forking a threaded worker that is busy in
SQLite or OpenMP can leave the child hung, which a Dash background job did here). The disk
cache's lock makes the other workers wait for that build instead of repeating it, and the
build's start time is kept in the cache, so every worker's poll can show the same progress.
A cheap poll, on while a preview is shown, sets ``store-tree-ready`` once the tree is cached.
"""

from __future__ import annotations

import logging
import threading
import time

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update

from callbacks.common import engine_for
from clustering.engine import Engine, estimated_tree_seconds
from clustering.models import ClusteringError
from layouts import ids

log = logging.getLogger(__name__)
_building: set[tuple] = set()  # tree keys this process is building now (process-local, not user state)
_building_lock = threading.Lock()


def _status_key(engine: Engine, features: tuple[str, ...]) -> tuple:
    return engine.cache.key("tree-build", fingerprint=engine.catalogue.fingerprint, features=features)


def ensure_tree_building(engine: Engine, features: tuple[str, ...]) -> None:
    """Start building the tree of ``features`` on a thread, unless it exists or is under way here."""
    key = engine.tree_key(features)
    with _building_lock:
        if key in _building or engine.has_tree(features):
            return
        _building.add(key)
    status_key = _status_key(engine, features)
    if not isinstance(engine.cache.get(status_key), dict):
        engine.cache.set(status_key, {"started": time.time(), "error": None})

    def build() -> None:
        try:
            engine.tree(features)
        except Exception as exc:  # shown in the page by the poll
            log.exception("Ward tree build failed")
            engine.cache.set(status_key, {"started": time.time(), "error": str(exc) or type(exc).__name__})
        finally:
            with _building_lock:
                _building.discard(key)

    threading.Thread(target=build, name="ward-tree", daemon=True).start()


def progress_banner(elapsed: float, estimate: float, n_songs: int) -> dbc.Alert:
    share = min(95, int(100 * elapsed / estimate))
    return dbc.Alert([
        html.Div(f"Building the exact Ward tree of all {n_songs:,} songs: {elapsed:.0f} s of about "
                 f"{estimate:.0f} s. Showing a fast preview until then; the page stays usable.",
                 className="small mb-1"),
        dbc.Progress(value=share, striped=True, animated=True, style={"height": "6px"}),
    ], color="info", className="py-2")


@callback(
    Output(ids.STORE_TREE, "data"),
    Output(ids.TREE_PROGRESS, "children"),
    Input(ids.INTERVAL_TREE, "n_intervals"),
    Input(ids.RADIO_ALGORITHM, "value"),
    State(ids.STORE_DATASET, "data"),
    State(ids.CHECKLIST_FEATURES, "value"),
)
def poll_tree(_ticks, algorithm, dataset_id, features):
    """Show the build's progress, and tell the views when the tree they wait for is cached."""
    if algorithm != "agglomerative" or not features or len(features) < 2:
        return no_update, None
    try:
        engine = engine_for(dataset_id)
        chosen = engine.features(features)
        if engine.has_tree(chosen):
            return {"dataset": dataset_id, "features": list(chosen)}, None
        ensure_tree_building(engine, chosen)
        status = engine.cache.get(_status_key(engine, chosen)) or {}
    except (ClusteringError, ValueError):
        return no_update, None
    if status.get("error"):
        return no_update, dbc.Alert(f"The exact Ward tree could not be built ({status['error']}); the preview "
                                    "stays.", color="warning", className="py-2")
    elapsed = time.time() - status.get("started", time.time())
    return no_update, progress_banner(elapsed, estimated_tree_seconds(engine.catalogue.n_songs),
                                      engine.catalogue.n_songs)
