"""Choosing k: the sweep job through its callback, its figures, the silhouette plot, worst songs and the tree."""

from __future__ import annotations

import base64
import time

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import no_update
from scipy.cluster.hierarchy import linkage

from clustering.features import DEFAULT_FEATURES
from clustering.metrics import nearest_other_cluster
from layouts import ids
from layouts.figures import dendrogram_figure, silhouette_figure, sweep_figure

FEATURES = list(DEFAULT_FEATURES)
FIND_K = ids.TAB_FIND_K


def sweep_to_the_end(app, view: dict, k_min: int, k_max: int) -> tuple[dict, dict]:
    job, result, _ = app.callbacks["run_sweep"](1, None, None, None, view, k_min, k_max)
    deadline = time.monotonic() + 120
    while result is no_update or result is None:
        assert time.monotonic() < deadline and job["state"] in {"queued", "running"}, job
        time.sleep(0.05)
        job, result, _ = app.callbacks["run_sweep"](1, None, 1, job, view, k_min, k_max)
    return job, result


def test_sweep_reports_progress_and_a_recommendation(dash_app):
    view = dash_app.callbacks["update_view"]("default", 4, "kmeans", FEATURES, None, None)
    job, result = sweep_to_the_end(dash_app, view, 2, 6)
    assert [row["k"] for row in result["rows"]] == [2, 3, 4, 5, 6]
    assert (job["done"], job["total"]) == (5, 5)
    assert 2 <= result["recommended_k"] <= 6 and "elbow" in result["rule"]
    figure, text, disabled, label, _ = dash_app.callbacks["show_sweep"](result, view, False)
    figure = go.Figure(figure)
    assert f"Recommended k = {result['recommended_k']}" in str(text)
    assert len(figure.data) == 7 and not disabled and label == f"Use k = {result['recommended_k']}"  # 4 curves, 3 bests
    assert dash_app.callbacks["use_recommended_k"](1, result) == result["recommended_k"]


def test_sweep_agglomerative_builds_the_tree_first(dash_app):
    view = dash_app.callbacks["update_view"]("default", 3, "agglomerative", FEATURES[:4], None, None)
    _, result = sweep_to_the_end(dash_app, view, 2, 4)
    assert [row["k"] for row in result["rows"]] == [2, 3, 4] and result["algorithm"] == "agglomerative"


def test_empty_sweep_shows_a_prompt(dash_app):
    figure, text, disabled, _, use_class = dash_app.callbacks["show_sweep"](None, None, False)
    figure = go.Figure(figure)
    assert disabled and text == "" and "d-none" in use_class  # no button before there is a k to use
    assert "Find k" in figure.layout.annotations[0].text


def test_sweep_figure_marks_elbow_recommendation_and_each_metrics_best():
    rows = [{"k": k, "inertia": 100 / k, "silhouette": 0.1 * k, "davies_bouldin": abs(k - 3) + 1.0,
             "calinski_harabasz": 10.0 - k} for k in range(2, 7)]
    figure = sweep_figure(rows, recommended=4, elbow=3)
    lines = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert len(lines) == 4 and all(shape.x0 == shape.x1 == 4 for shape in lines)  # through every panel
    best = {trace.hovertemplate.split(":")[0]: list(trace.x) for trace in figure.data if trace.mode == "markers+text"}
    assert best == {"best Silhouette": [6], "best Davies-Bouldin": [3], "best Calinski-Harabasz": [2]}
    texts = [a.text for a in figure.layout.annotations]
    assert "knee: k = 3" in texts and "recommended k = 4" in texts


def array(value) -> np.ndarray:
    """A figure's array as plotly sends it: a list, or a base64 typed array."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def test_silhouette_plot_and_worst_songs(dash_app, services):
    cb = dash_app.callbacks
    view = cb["update_view"]("default", 3, "kmeans", FEATURES, None, None)
    figure = cb["update_silhouette"](view, FIND_K, False)
    assert len(figure["data"]) == 3 and sum(len(array(t["x"])) for t in figure["data"]) == 6_000
    table = cb["list_worst_songs"](None, view, FIND_K)
    assert "whole sample" in str(table) and str(table).count("Tr(") >= 2
    # What the browser sends for a drag over WebGL points: trace and index, no customdata.
    points = [(1, i) for i in range(40, 45)] + [(2, 0)]
    selected = {"points": [{"curveNumber": c, "pointIndex": i, "pointNumber": i} for c, i in points]}
    listed = cb["list_worst_songs"](selected, view, FIND_K)
    assert "6 selected songs" in str(listed)
    engine = services.engine("default")
    titles = {engine.catalogue.songs([int(array(figure["data"][c]["customdata"])[i])])[0]["title"] for c, i in points}
    assert {str(row.children[0].children) for row in listed[1].children[1].children.children[1].children} == titles
    assert cb["update_silhouette"](view, ids.TAB_OVERVIEW, False) is no_update


def test_silhouette_figure_sorts_within_clusters():
    values = np.array([0.5, -0.1, 0.3, 0.9], dtype=np.float32)
    figure = silhouette_figure(values, np.array([0, 0, 1, 1]), np.array([10, 11, 12, 13]), ["A", "B"])
    assert list(figure.data[0].x) == pytest.approx([-0.1, 0.5]) and list(figure.data[0].customdata) == [11, 10]


def test_nearest_other_cluster():
    x = np.array([[0.0], [0.1], [5.0], [5.1], [10.0], [10.1]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    assert nearest_other_cluster(x, labels, np.array([0, 4]), np.arange(6)).tolist() == [1, 1]


def test_dendrogram_cut_and_messages(dash_app):
    points = np.random.default_rng(0).normal(size=(200, 3))
    tree = linkage(points, "ward")
    figure = dendrogram_figure(tree, 4)
    cut = figure.layout.shapes[0].y0
    heights = np.sort(tree[:, 2])
    assert heights[-4] < cut < heights[-3]
    cb = dash_app.callbacks
    kmeans = cb["update_view"]("default", 4, "kmeans", FEATURES, None, None)
    kmeans_view = go.Figure(cb["update_dendrogram"](kmeans, FIND_K, False))
    assert "Agglomerative" in kmeans_view.layout.annotations[0].text
    ward = cb["update_view"]("default", 3, "agglomerative", FEATURES[:3], None, None)  # 6,000 songs: exact at once
    ward_view = go.Figure(cb["update_dendrogram"](ward, FIND_K, False))
    assert ward_view.layout.shapes and "k = 3" in ward_view.layout.annotations[0].text
