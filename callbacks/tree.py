"""Building the exact Ward tree of every song in the background, with progress.

Until the tree exists the page shows the fast preview (Ward over weighted micro-clusters). The
job writes to its own store: Dash holds back every callback whose input is the output of a
callback still running, so if the views listened to the job they would freeze for its whole
duration. Instead a cheap poll, on while a preview is shown, sets ``store-tree-ready`` once the
tree is in the cache, and every view switches to the exact clustering.
"""

from __future__ import annotations

import threading
import time

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update

from callbacks.common import engine_for
from clustering.engine import estimated_tree_seconds
from clustering.models import ClusteringError
from layouts import ids


def progress_banner(elapsed: float, estimate: float, n_songs: int) -> dbc.Alert:
    share = min(95, int(100 * elapsed / estimate))
    return dbc.Alert([
        html.Div(f"Building the exact Ward tree of all {n_songs:,} songs: {elapsed:.0f} s of about "
                 f"{estimate:.0f} s. Showing a fast preview until then; the page stays usable.",
                 className="small mb-1"),
        dbc.Progress(value=share, striped=True, animated=True, style={"height": "6px"}),
    ], color="info", className="py-2")


@callback(
    Output(ids.STORE_TREE_JOB, "data"),
    Input(ids.STORE_DATASET, "data"),
    Input(ids.RADIO_ALGORITHM, "value"),
    Input(ids.CHECKLIST_FEATURES, "value"),
    background=True,
    progress=[Output(ids.TREE_PROGRESS, "children")],
    running=[(Output(ids.TREE_PROGRESS, "hidden"), False, True)],
)
def build_tree(set_progress, dataset_id, algorithm, features):
    """Build (once per feature set, cached on disk) the tree the Agglomerative view cuts."""
    if algorithm != "agglomerative" or not features or len(features) < 2:
        return no_update
    try:
        engine = engine_for(dataset_id)
        chosen = engine.features(features)
    except (ClusteringError, ValueError):
        return no_update
    ready = {"dataset": dataset_id, "features": list(chosen)}
    if engine.has_tree(chosen):
        return ready
    estimate = estimated_tree_seconds(engine.catalogue.n_songs)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            engine.tree(chosen)
        except BaseException as exc:  # reported below, in the page
            failure.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    started = time.perf_counter()
    worker.start()
    while worker.is_alive():
        set_progress(progress_banner(time.perf_counter() - started, estimate, engine.catalogue.n_songs))
        worker.join(1.0)
    set_progress(None)
    if failure:
        set_progress(dbc.Alert(f"The exact Ward tree could not be built ({failure[0]}); the preview stays.",
                               color="warning"))
        return no_update
    return ready


@callback(
    Output(ids.STORE_TREE, "data"),
    Input(ids.INTERVAL_TREE, "n_intervals"),
    State(ids.STORE_DATASET, "data"),
    State(ids.RADIO_ALGORITHM, "value"),
    State(ids.CHECKLIST_FEATURES, "value"),
    prevent_initial_call=True,
)
def poll_tree(_ticks, dataset_id, algorithm, features):
    """Tell the views when the exact tree they wait for is in the cache."""
    if algorithm != "agglomerative" or not features or len(features) < 2:
        return no_update
    try:
        engine = engine_for(dataset_id)
        chosen = engine.features(features)
        return {"dataset": dataset_id, "features": list(chosen)} if engine.has_tree(chosen) else no_update
    except (ClusteringError, ValueError):
        return no_update
