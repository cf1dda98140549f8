"""The exact Ward tree, built as a job while the page shows the K-Means placeholder.

When the shown view stands in for a tree being built, the status callback starts the tree's
job (one per tree, whichever page or worker asks; :func:`tree_banner_for`) and turns on a poll.
The poll reads the controls, not the resolved view (the view depends on the poll's answer, and
Dash must never see a callback wait on its own results), shows elapsed time against this
machine's calibrated estimate, never past 100%, and once the tree is cached sets
``store-tree-ready``, which makes the view resolve again, to exact Ward.
"""

from __future__ import annotations

import time
from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, no_update

from clustering.view import DEFAULT_DATASET, View
from layouts import ids
from layouts.panels import tree_banner
from services import Services

#: A failed build is not retried by the poll for this long (the banner says why meanwhile).
RETRY_FAILED_AFTER_SECONDS = 60


def tree_banner_for(services: Services, view: View):
    """Start (or find) the tree job of a placeholder view: (banner, poll disabled, tree-ready signal)."""
    engine = services.engine(view.dataset)
    job_id = services.tree_job_id(engine, view.features)
    if engine.has_tree(view.features):
        return None, True, {"tree": job_id}
    status = services.jobs.status(job_id)
    if status is not None and status.state == "failed" and \
            time.time() - (status.finished or 0) < RETRY_FAILED_AFTER_SECONDS:
        failure = dbc.Alert(f"The exact Ward tree could not be built ({status.error}); the K-Means placeholder "
                            "stays. Choose K-Means, or try again in a minute.", color="warning", className="py-2")
        return failure, True, no_update
    if status is None or not status.active:
        status = services.start_tree(view.dataset, view.features)
    if status.state == "done":  # built between the two looks
        return None, True, {"tree": job_id}
    status = replace(status, estimate=status.estimate or view.tree_seconds)
    return tree_banner(status.elapsed(), status.estimate, status.fraction(), engine.catalogue.n_songs), False, \
        no_update


def follow_tree(services: Services, dataset, k, algorithm, features) -> tuple:
    """One poll: (banner, poll disabled, tree-ready signal) for the controls' request."""
    if algorithm != "agglomerative":
        return None, True, no_update
    view = services.engine(dataset or DEFAULT_DATASET).resolve(dataset or DEFAULT_DATASET, algorithm, k, features)
    if view.error:
        return None, True, no_update
    if not view.placeholder:  # the tree exists now; the views follow in a moment
        done = dbc.Alert("The exact Ward tree is built: switching the views to it…", color="info", className="py-2")
        return done, True, {"view": view.key}
    return tree_banner_for(services, view)


def register(app: Dash, services: Services) -> list:
    @app.callback(
        Output(ids.TREE_PROGRESS, "children", allow_duplicate=True),
        Output(ids.INTERVAL_TREE, "disabled", allow_duplicate=True),
        Output(ids.STORE_TREE_READY, "data"),
        Input(ids.INTERVAL_TREE, "n_intervals"),
        State(ids.STORE_DATASET, "data"),
        State(ids.SLIDER_K, "value"),
        State(ids.RADIO_ALGORITHM, "value"),
        State(ids.CHECKLIST_FEATURES, "value"),
        prevent_initial_call=True,
    )
    def poll_tree(_ticks, dataset, k, algorithm, features):
        return follow_tree(services, dataset, k, algorithm, features)

    return [poll_tree]
