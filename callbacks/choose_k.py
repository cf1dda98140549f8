"""Choosing k: the sweep as a background job (progress, cancel), the silhouette plot, the tree."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, State, callback, html, no_update

from callbacks.common import USER_ERRORS, Request, engine_for, error_alert
from callbacks.views import CLUSTER_INPUTS, song_rows, tab_view
from clustering.engine import ALGORITHMS, ClusterResult, Engine, estimated_tree_seconds
from clustering.metrics import nearest_other_cluster
from clustering.models import single_threaded
from clustering.sweep import recommend, sweep_rows
from layouts import ids
from layouts.figures import dendrogram_figure, empty_figure, silhouette_figure, sweep_figure
from layouts.page import K_MAX, K_MIN

WORST_SHOWN = 12


def check_range(k_min, k_max) -> tuple[int, int]:
    """The k range as whole numbers within the slider's bounds, or a sentence saying why not."""
    from clustering.models import ClusteringError

    try:
        low, high = int(k_min), int(k_max)
    except (TypeError, ValueError) as exc:
        raise ClusteringError("Enter whole numbers for the k range.") from exc
    if not K_MIN <= low <= high <= K_MAX:
        raise ClusteringError(f"The k range must satisfy {K_MIN} <= from <= to <= {K_MAX} (got {low} to {high}).")
    return low, high


@callback(
    Output(ids.STORE_SWEEP, "data"),
    Input(ids.BUTTON_FIND_K, "n_clicks"),
    State(ids.STORE_DATASET, "data"),
    State(ids.RADIO_ALGORITHM, "value"),
    State(ids.CHECKLIST_FEATURES, "value"),
    State(ids.INPUT_K_MIN, "value"),
    State(ids.INPUT_K_MAX, "value"),
    background=True,
    running=[
        (Output(ids.BUTTON_FIND_K, "disabled"), True, False),
        (Output(ids.BUTTON_CANCEL_SWEEP, "disabled"), False, True),
        (Output(ids.FIELDSET_CONTROLS, "disabled"), True, False),
        (Output(ids.SLIDER_K, "disabled"), True, False),
    ],
    progress=[Output(ids.PROGRESS_SWEEP, "value"), Output(ids.PROGRESS_SWEEP, "label"),
              Output(ids.SWEEP_STATUS, "children")],
    cancel=[Input(ids.BUTTON_CANCEL_SWEEP, "n_clicks")],
    prevent_initial_call=True,
)
def run_sweep(set_progress, _clicks, dataset_id, algorithm, features, k_min, k_max):
    """Fit every k of the range (each fit cached, so a repeat or a second browser is instant)."""
    with single_threaded():  # this runs in a forked process
        return _sweep_job(set_progress, dataset_id, algorithm, features, k_min, k_max)


def _sweep_job(set_progress, dataset_id, algorithm, features, k_min, k_max):
    try:
        low, high = check_range(k_min, k_max)
        request = Request.parse(dataset_id, low, algorithm, features)
        engine = engine_for(dataset_id)
        total = high - low + 1
        if request.algorithm == "agglomerative" and not engine.has_tree(request.features):
            seconds = estimated_tree_seconds(engine.catalogue.n_songs)
            set_progress((0, "", f"Building the exact Ward tree of all {engine.catalogue.n_songs:,} songs first "
                                 f"(about {seconds:.0f} s); then every k is a cut of it."))
            engine.tree(request.features)
        rows = []
        set_progress((0, f"0/{total}", f"{ALGORITHMS[request.algorithm]}: fitting k = {low}..."))
        for row in sweep_rows(engine, request.algorithm, low, high, request.features):
            rows.append(row)
            done = len(rows)
            set_progress((100 * done / total, f"{done}/{total}",
                          f"k = {row.k} done" + (f"; fitting k = {row.k + 1}..." if done < total else "")))
        summary = recommend(rows)
        set_progress((100, f"{total}/{total}", f"Done: {total} values of k."))
        return {"dataset": dataset_id, "algorithm": request.algorithm, "features": list(request.features),
                "rows": [r.to_dict() for r in rows], **summary}
    except USER_ERRORS as exc:
        set_progress((0, "", str(exc)))
        return no_update


@callback(
    Output(ids.GRAPH_K_SWEEP, "figure"),
    Output(ids.RECOMMENDATION, "children"),
    Output(ids.BUTTON_USE_K, "disabled"),
    Output(ids.BUTTON_USE_K, "children"),
    Input(ids.STORE_SWEEP, "data"),
)
def show_sweep(result):
    if not result or not result.get("rows"):
        return empty_figure("Pick a range and press Find k."), "", True, "Use this k"
    k = result["recommended_k"]
    text = [html.Strong(f"Recommended k = {k}"), f" ({ALGORITHMS[result['algorithm']]}): {result['rule']}. "
            f"Best silhouette at k = {result['best_silhouette_k']}, best Davies-Bouldin at "
            f"k = {result['best_davies_bouldin_k']}."]
    return sweep_figure(result["rows"], k, result.get("elbow_k")), text, False, f"Use k = {k}"


@callback(
    Output(ids.SLIDER_K, "value", allow_duplicate=True),
    Input(ids.BUTTON_USE_K, "n_clicks"),
    State(ids.STORE_SWEEP, "data"),
    prevent_initial_call=True,
)
def use_recommended_k(_clicks, result):
    """One click sets the k slider to the recommended k."""
    if not result or "recommended_k" not in result:
        return no_update
    return int(result["recommended_k"])


def silhouette_for(result: ClusterResult, _engine: Engine):
    scores = result.scores
    if len(scores.sample_values) == 0:
        return empty_figure("No silhouette for a single cluster.")
    return silhouette_figure(scores.sample_values, result.labels[scores.sample_rows], scores.sample_rows,
                             result.names)


@callback(Output(ids.GRAPH_SILHOUETTE, "figure"), *CLUSTER_INPUTS, Input(ids.TABS_MAIN, "active_tab"))
def update_silhouette(dataset_id, k, algorithm, features, _tree_ready, active_tab):
    return tab_view(ids.TAB_FIND_K, silhouette_for, dataset_id, k, algorithm, features, active_tab)


@callback(Output(ids.WORST_SONGS, "children"), Input(ids.GRAPH_SILHOUETTE, "selectedData"), *CLUSTER_INPUTS,
          Input(ids.TABS_MAIN, "active_tab"))
def list_worst_songs(selected, dataset_id, k, algorithm, features, _tree_ready, active_tab):
    """The songs that fit their cluster worst: of the selected range, or of the whole sample."""
    def build(result: ClusterResult, engine: Engine):
        scores = result.scores
        value_of = dict(zip(scores.sample_rows.tolist(), scores.sample_values.tolist(), strict=True))
        picked = [int(p["customdata"]) for p in (selected or {}).get("points", []) if "customdata" in p]
        pool = [row for row in picked if row in value_of] or list(value_of)
        rows = np.array(sorted(pool, key=value_of.get)[:WORST_SHOWN], dtype=np.int64)
        if len(rows) == 0:
            return ""
        nearest = nearest_other_cluster(engine.matrix(result.features), result.labels, rows, scores.sample_rows)
        songs = song_rows(engine, rows)
        header = html.Thead(html.Tr([html.Th(h) for h in ("song", "artist", "silhouette", "cluster",
                                                           "nearest other cluster")]))
        body = html.Tbody([html.Tr([
            html.Td(song["title"]), html.Td(song["artist"]), html.Td(f"{value_of[int(row)]:+.2f}"),
            html.Td(f"{result.labels[row]}: {result.names[result.labels[row]]}"),
            html.Td(f"{other}: {result.names[other]}"),
        ]) for song, row, other in zip(songs, rows, nearest, strict=True)])
        scope = f"{len(pool):,} selected songs" if picked else "the whole sample"
        return [html.Div(f"Worst fitting of {scope}:", className="fw-semibold mt-2"),
                dbc.Table([header, body], size="sm", striped=True, className="mb-0")]

    return tab_view(ids.TAB_FIND_K, build, dataset_id, k, algorithm, features, active_tab)


@callback(Output(ids.GRAPH_DENDROGRAM, "figure"), *CLUSTER_INPUTS, Input(ids.TABS_MAIN, "active_tab"))
def update_dendrogram(dataset_id, k, algorithm, features, _tree_ready, active_tab):
    """The top of the exact Ward tree with the cut for the current k (Agglomerative only)."""
    if active_tab != ids.TAB_FIND_K:
        return no_update
    if algorithm != "agglomerative":
        return empty_figure("Switch the algorithm to Agglomerative (Ward) to see its tree.")
    try:
        request = Request.parse(dataset_id, k, algorithm, features)
        engine = engine_for(dataset_id)
        if not engine.has_tree(request.features):
            return empty_figure("The exact Ward tree is being built; it appears here when done.")
        return dendrogram_figure(engine.tree(request.features), request.k)
    except Exception as exc:
        return empty_figure(str(error_alert(exc).children)[:120])
