"""Choosing k: the sweep as a job (progress, cancel, its results labelled with their settings),
the per-song silhouette plot and the Ward dendrogram.

The sweep's job state is kept in ``store-sweep-job``; a press of Find k or Cancel is recognised by
its click count against the one recorded there (not by which input fired), and one callback owns
the job's outputs, so a click and a poll arriving together cannot start two jobs.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from dash import Dash, Input, Output, State, no_update

from callbacks.common import USER_ERRORS, displayed, tab_view
from clustering.engine import ClusterResult, Engine
from clustering.jobs import ACTIVE
from clustering.metrics import nearest_other_cluster
from clustering.view import View, check_range
from layouts import ids
from layouts.figures import (
    dendrogram_figure,
    empty_figure,
    silhouette_figure,
    silhouette_order,
    sweep_figure,
    themed,
)
from layouts.panels import recommendation, sweep_for_other_settings, worst_songs_table
from security import session_id
from services import Services

log = logging.getLogger(__name__)
WORST_SHOWN = 12
#: A job no process knows of (its state went with a restart or a wiped cache) is given up after
#: this long; polls meanwhile may reach a worker that never heard of it while its own one runs it.
MISSING_JOB_SECONDS = 10.0


def sweep_job(services: Services, find_clicks, cancel_clicks, job: dict | None, view_data: dict | None,
              k_min, k_max) -> tuple:
    """Start, cancel or follow the page's sweep: (job state, sweep result, poll disabled)."""
    job = dict(job or {})
    result = no_update
    if (find_clicks or 0) > job.get("find_clicks", 0):
        job["find_clicks"] = find_clicks
        if job.get("state") not in ACTIVE:
            job, result = _start(services, job, View.from_dict(view_data), k_min, k_max)
    if (cancel_clicks or 0) > job.get("cancel_clicks", 0):
        job["cancel_clicks"] = cancel_clicks
        if job.get("id"):
            services.jobs.cancel(job["id"])
    status = services.jobs.status(job.get("id"))
    if status is None and job.get("state") in ACTIVE:
        missing_since = job.setdefault("missing_since", time.time())
        if time.time() - missing_since > MISSING_JOB_SECONDS:
            job |= {"state": "lost", "message": "The server restarted or lost this sweep's state, so it stopped. "
                                                "Press Find k to run it again."}
    if status is not None:
        job.pop("missing_since", None)
        job |= {"state": status.state, "done": status.done, "total": status.total, "message": status.message,
                "fraction": status.fraction()}
        if status.state == "done" and job.get("delivered") != status.id:
            job["delivered"] = status.id
            result = status.result
    return job, result, job.get("state") not in ACTIVE


def _start(services: Services, job: dict, view: View | None, k_min, k_max) -> tuple[dict, object]:
    base = {key: job[key] for key in ("find_clicks", "cancel_clicks") if key in job}
    try:
        if view is None or view.error:
            raise ValueError(view.error if view else "The page is still loading.")
        low, high = check_range(k_min, k_max, view.n_songs)
        status = services.start_sweep(view.dataset, view.algorithm, view.features, low, high, owner=session_id())
    except (ValueError, *USER_ERRORS) as exc:
        return base | {"state": "refused", "message": f"Cannot run: {exc}"}, no_update
    return base | {"id": status.id, "state": status.state, "done": 0, "total": high - low + 1,
                   "message": "Starting…", "fraction": 0.0}, None  # the old results go: they were for other settings


def sweep_panel(k_min, k_max, view_data: dict | None, job: dict | None) -> tuple:
    """Buttons, controls (the range too: it is the running sweep's while it runs), status and
    progress of the sweep, from its state and the range."""
    job = job or {}
    state = job.get("state")
    done, total = job.get("done", 0), job.get("total", 0)
    if state in ACTIVE:
        value = round(100 * job.get("fraction", 0.0))
        return (True, False, True, True, True, True, job.get("message", ""), value, f"{done}/{total}" if total else "",
                "mt-2")
    view = View.from_dict(view_data)
    problem = None
    try:
        check_range(k_min, k_max, view.n_songs if view and view.ok else None)
    except USER_ERRORS as exc:
        problem = str(exc)
    if problem is None and view is not None and view.error:
        problem = f"Cannot run: {view.error}"
    outcome = {
        "cancelled": f"Cancelled after {done} of {total} values of k: an unfinished sweep is not shown. "
                     "Press Find k to run it again.",
        "failed": f"The sweep stopped: {job.get('message', '')}",
        "lost": job.get("message", ""),
        "refused": job.get("message", ""),
        "done": f"Done: {total} value{'s' if total != 1 else ''} of k.",
    }.get(state, "")
    value = 100 if state == "done" else round(100 * done / total) if total else 0
    label = f"{done}/{total}" + (" cancelled" if state == "cancelled" else "") if total else ""
    progress = "mt-2" if total else "mt-2 d-none"  # no bar before a sweep has run
    return problem is not None, True, False, False, False, False, problem or outcome, value, label, progress


def sweep_view(result: dict | None, view_data: dict | None, dark: bool) -> tuple:
    """The sweep's charts and recommendation; labelled, and "Use k" off, when the controls now ask
    for other settings than the sweep's."""
    if not result or not result.get("rows"):
        return themed(empty_figure("Pick a range and press Find k."), dark), "", True, "Use this k", "d-none"
    view = View.from_dict(view_data)
    current = view is not None and view.ok and (result.get("fingerprint"), result["algorithm"],
                                                 tuple(result["features"])) == (view.fingerprint, view.algorithm,
                                                                                view.features)
    k = result["recommended_k"]
    text = recommendation(result)
    if not current and view is not None:
        text = [sweep_for_other_settings(result, view), *text]
    figure = themed(sweep_figure(result["rows"], k, result.get("elbow_k")), dark)
    return figure, text, not current, f"Use k = {k}", ""


def silhouette_for(result: ClusterResult, dark: bool):
    scores = result.scores
    if len(scores.sample_values) == 0:
        return themed(empty_figure("No silhouette for a single cluster."), dark)
    return themed(silhouette_figure(scores.sample_values, result.labels[scores.sample_rows], scores.sample_rows,
                                    result.names), dark)


def selected_sample_rows(result: ClusterResult, selected: dict | None) -> list[int]:
    """The songs (rows) a selection on the silhouette plot covers. The browser names points by trace
    and index only (plotly drops WebGL points' customdata from selection events); the plot's order
    is rebuilt here to name their songs."""
    scores = result.scores
    order = silhouette_order(scores.sample_values, result.labels[scores.sample_rows], result.k)
    rows = []
    for point in (selected or {}).get("points", []):
        curve, index = point.get("curveNumber"), point.get("pointIndex")
        if isinstance(curve, int) and isinstance(index, int) and 0 <= curve < len(order) \
                and 0 <= index < len(order[curve]):
            rows.append(int(scores.sample_rows[order[curve][index]]))
    return rows


def worst_songs(result: ClusterResult, engine: Engine, selected):
    """The songs that fit their cluster worst: of the selected range, or of the whole sample."""
    scores = result.scores
    value_of = dict(zip(scores.sample_rows.tolist(), scores.sample_values.tolist(), strict=True))
    picked = selected_sample_rows(result, selected)
    pool = [row for row in picked if row in value_of] or list(value_of)
    rows = np.array(sorted(pool, key=value_of.get)[:WORST_SHOWN], dtype=np.int64)
    if len(rows) == 0:
        return ""
    nearest = nearest_other_cluster(engine.matrix(result.features), result.labels, rows, scores.sample_rows)
    scope = f"{len(pool):,} selected songs" if picked else "the whole sample"
    return worst_songs_table(engine.catalogue.songs(rows), [value_of[int(r)] for r in rows],
                             [int(result.labels[r]) for r in rows], [int(n) for n in nearest], result.names, scope)


def dendrogram_view(services: Services, view_data, active_tab, dark):
    """The top of the exact Ward tree with the cut for the current k (Agglomerative only)."""
    if active_tab != ids.TAB_FIND_K:
        return no_update
    view = View.from_dict(displayed(view_data))
    if view is None:
        return no_update
    if view.algorithm != "agglomerative":
        return themed(empty_figure("Switch the algorithm to Agglomerative (Ward) to see its tree."), dark)
    if view.placeholder:
        return themed(empty_figure("The exact Ward tree is being built; it appears here when done."), dark)
    engine = services.engine(view.dataset)
    return themed(dendrogram_figure(engine.tree(view.features), view.k), dark)


def register(app: Dash, services: Services) -> list:
    @app.callback(
        Output(ids.STORE_SWEEP_JOB, "data"),
        Output(ids.STORE_SWEEP, "data"),
        Output(ids.INTERVAL_SWEEP, "disabled"),
        Input(ids.BUTTON_FIND_K, "n_clicks"),
        Input(ids.BUTTON_CANCEL_SWEEP, "n_clicks"),
        Input(ids.INTERVAL_SWEEP, "n_intervals"),
        State(ids.STORE_SWEEP_JOB, "data"),
        State(ids.STORE_VIEW, "data"),
        State(ids.INPUT_K_MIN, "value"),
        State(ids.INPUT_K_MAX, "value"),
        prevent_initial_call=True,
    )
    def run_sweep(find_clicks, cancel_clicks, _ticks, job, view, k_min, k_max):
        return sweep_job(services, find_clicks, cancel_clicks, job, view, k_min, k_max)

    @app.callback(
        Output(ids.BUTTON_FIND_K, "disabled"),
        Output(ids.BUTTON_CANCEL_SWEEP, "disabled"),
        Output(ids.FIELDSET_CONTROLS, "disabled"),
        Output(ids.SLIDER_K, "disabled"),
        Output(ids.INPUT_K_MIN, "disabled"),
        Output(ids.INPUT_K_MAX, "disabled"),
        Output(ids.SWEEP_STATUS, "children"),
        Output(ids.PROGRESS_SWEEP, "value"),
        Output(ids.PROGRESS_SWEEP, "label"),
        Output(ids.PROGRESS_SWEEP, "className"),
        Input(ids.INPUT_K_MIN, "value"),
        Input(ids.INPUT_K_MAX, "value"),
        Input(ids.STORE_VIEW_FIND_K, "data"),
        Input(ids.STORE_SWEEP_JOB, "data"),
    )
    def show_sweep_state(k_min, k_max, view, job):
        return sweep_panel(k_min, k_max, view, job)

    @app.callback(
        Output(ids.GRAPH_K_SWEEP, "figure"),
        Output(ids.TEXT_RECOMMENDATION, "children"),
        Output(ids.BUTTON_USE_K, "disabled"),
        Output(ids.BUTTON_USE_K, "children"),
        Output(ids.BUTTON_USE_K, "className"),
        Input(ids.STORE_SWEEP, "data"),
        Input(ids.STORE_VIEW_FIND_K, "data"),
        Input(ids.SWITCH_THEME, "value"),
    )
    def show_sweep(result, view, dark):
        return sweep_view(result, view, dark)

    @app.callback(
        Output(ids.SLIDER_K, "value", allow_duplicate=True),
        Input(ids.BUTTON_USE_K, "n_clicks"),
        State(ids.STORE_SWEEP, "data"),
        prevent_initial_call=True,
    )
    def use_recommended_k(_clicks, result):
        """One click sets the k slider to the recommended k."""
        return int(result["recommended_k"]) if result and "recommended_k" in result else no_update

    @app.callback(Output(ids.GRAPH_SILHOUETTE, "figure"), Input(ids.STORE_VIEW_FIND_K, "data"),
                  State(ids.TABS_MAIN, "active_tab"), Input(ids.SWITCH_THEME, "value"))
    def update_silhouette(view, active_tab, dark):
        return tab_view(services, ids.TAB_FIND_K, lambda r, e: silhouette_for(r, dark), view, active_tab,
                        scored=True)

    @app.callback(Output(ids.TABLE_WORST_SONGS, "children"), Input(ids.GRAPH_SILHOUETTE, "selectedData"),
                  Input(ids.STORE_VIEW_FIND_K, "data"), State(ids.TABS_MAIN, "active_tab"))
    def list_worst_songs(selected, view, active_tab):
        return tab_view(services, ids.TAB_FIND_K, lambda r, e: worst_songs(r, e, selected), view, active_tab,
                        scored=True)

    @app.callback(Output(ids.GRAPH_DENDROGRAM, "figure"), Input(ids.STORE_VIEW_FIND_K, "data"),
                  State(ids.TABS_MAIN, "active_tab"), Input(ids.SWITCH_THEME, "value"))
    def update_dendrogram(view, active_tab, dark):
        try:
            return dendrogram_view(services, view, active_tab, dark)
        except USER_ERRORS:  # the status line says why
            return no_update
        except Exception:  # the page keeps the old picture; the log says why
            log.exception("dendrogram failed")
            return no_update

    return [run_sweep, show_sweep_state, show_sweep, use_recommended_k, update_silhouette, list_worst_songs,
            update_dendrogram]
