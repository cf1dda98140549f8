"""Choosing k: the sweep callback, its figures, the silhouette plot, worst songs and the tree."""

from __future__ import annotations

import numpy as np
import pytest
from dash import no_update
from scipy.cluster.hierarchy import linkage

from callbacks.choose_k import (
    list_worst_songs,
    run_sweep,
    show_sweep,
    update_dendrogram,
    update_silhouette,
    use_recommended_k,
)
from clustering.features import DEFAULT_FEATURES
from clustering.metrics import nearest_other_cluster
from layouts import ids
from layouts.figures import dendrogram_figure, silhouette_figure, sweep_figure

FEATURES = list(DEFAULT_FEATURES)
FIND_K = ids.TAB_FIND_K


def test_sweep_reports_progress_and_a_recommendation():
    progress = []
    result = run_sweep(progress.append, 1, None, "kmeans", FEATURES, 2, 6)
    assert [row["k"] for row in result["rows"]] == [2, 3, 4, 5, 6]
    assert [p[1] for p in progress if p[1]] == ["0/5", "1/5", "2/5", "3/5", "4/5", "5/5", "5/5"]
    assert progress[-1][0] == 100
    assert 2 <= result["recommended_k"] <= 6 and "elbow" in result["rule"]
    figure, text, disabled, label = show_sweep(result)
    assert f"Recommended k = {result['recommended_k']}" in str(text)
    assert len(figure.data) == 8 and not disabled and label == f"Use k = {result['recommended_k']}"
    assert use_recommended_k(1, result) == result["recommended_k"]


def test_sweep_agglomerative_builds_the_tree_first():
    progress = []
    result = run_sweep(progress.append, 1, None, "agglomerative", FEATURES[:4], 2, 4)
    assert "Ward tree" in progress[0][2]  # no other test builds the tree of these 4 features
    assert [row["k"] for row in result["rows"]] == [2, 3, 4]


@pytest.mark.parametrize(("k_min", "k_max", "message"), [(5, 3, "k range"), (None, 4, "whole numbers"),
                                                          (2, 40, "k range")])
def test_bad_ranges_say_why(k_min, k_max, message):
    progress = []
    assert run_sweep(progress.append, 1, None, "kmeans", FEATURES, k_min, k_max) is no_update
    assert message in progress[-1][2]


def test_empty_sweep_shows_a_prompt():
    figure, text, disabled, _ = show_sweep(None)
    assert disabled and text == ""
    assert disabled and "Find k" in figure.layout.annotations[0].text


def test_sweep_figure_marks_elbow_and_recommendation():
    rows = [{"k": k, "inertia": 100 / k, "silhouette": 0.1 * k, "davies_bouldin": 1.0, "calinski_harabasz": 5.0}
            for k in range(2, 7)]
    figure = sweep_figure(rows, recommended=4, elbow=3)
    stars = [trace for trace in figure.data if trace.marker.symbol == "star"]
    assert len(stars) == 4 and all(list(t.x) == [4] for t in stars)
    assert "knee: k = 3" in [a.text for a in figure.layout.annotations]


def test_silhouette_plot_and_worst_songs():
    figure = update_silhouette(None, 3, "kmeans", FEATURES, None, FIND_K)
    assert len(figure.data) == 3 and sum(len(t.x) for t in figure.data) == 6_000
    table = list_worst_songs(None, None, 3, "kmeans", FEATURES, None, FIND_K)
    assert "whole sample" in str(table) and str(table).count("Tr(") >= 2
    first_trace = figure.data[0]
    selected = {"points": [{"customdata": int(row)} for row in first_trace.customdata[:5]]}
    table = list_worst_songs(selected, None, 3, "kmeans", FEATURES, None, FIND_K)
    assert "5 selected songs" in str(table)
    assert update_silhouette(None, 3, "kmeans", FEATURES, None, ids.TAB_OVERVIEW) is no_update


def test_silhouette_figure_sorts_within_clusters():
    values = np.array([0.5, -0.1, 0.3, 0.9], dtype=np.float32)
    figure = silhouette_figure(values, np.array([0, 0, 1, 1]), np.array([10, 11, 12, 13]), ["A", "B"])
    assert list(figure.data[0].x) == pytest.approx([-0.1, 0.5]) and list(figure.data[0].customdata) == [11, 10]


def test_nearest_other_cluster():
    x = np.array([[0.0], [0.1], [5.0], [5.1], [10.0], [10.1]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    assert nearest_other_cluster(x, labels, np.array([0, 4]), np.arange(6)).tolist() == [1, 1]


def test_dendrogram_cut_and_messages():
    points = np.random.default_rng(0).normal(size=(200, 3))
    tree = linkage(points, "ward")
    figure = dendrogram_figure(tree, 4)
    cut = figure.layout.shapes[0].y0
    heights = np.sort(tree[:, 2])
    assert heights[-4] < cut < heights[-3]
    kmeans_view = update_dendrogram(None, 4, "kmeans", FEATURES, None, FIND_K)
    assert "Agglomerative" in kmeans_view.layout.annotations[0].text
    run_sweep(lambda _: None, 1, None, "agglomerative", FEATURES[:3], 2, 3)
    ward_view = update_dendrogram(None, 3, "agglomerative", FEATURES[:3], None, FIND_K)
    assert ward_view.layout.shapes and "k = 3" in ward_view.layout.annotations[0].text
