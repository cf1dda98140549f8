"""Callbacks called as plain functions, with Dash's callback context set where they read it."""

from __future__ import annotations

import base64
import io
import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import Patch, no_update

from callbacks.common import run_triggered as triggered
from callbacks.data_source import use_uploaded_csv
from callbacks.export import download_profile, download_songs
from callbacks.pca import hover_song, update_pca
from callbacks.url_state import query_from_view, sync_url, view_from_query
from callbacks.views import (
    update_bars,
    update_heatmap,
    update_insights,
    update_metrics,
    update_overview,
    update_status,
)
from clustering.features import DEFAULT_FEATURES
from data.registry import default_catalogue
from layouts import ids

FEATURES = list(DEFAULT_FEATURES)


def test_views_follow_k_and_name_every_cluster():
    status, legend, polling_off = update_status(None, 5, "kmeans", FEATURES, None)
    assert polling_off
    assert "k = 5" in str(status) and "demo data" in str(status) and len(legend) == 5
    overview = update_overview(None, 5, "kmeans", FEATURES, None, ids.TAB_OVERVIEW)
    assert str(overview).count("cluster-card") == 5
    metrics = update_metrics(None, 5, "kmeans", FEATURES, None, ids.TAB_METRICS)
    assert "Silhouette" in str(metrics) and "sample of" in str(metrics)
    heatmap = update_heatmap(None, 5, "kmeans", FEATURES, None, ids.TAB_VISUALS)
    assert len(heatmap.data[0].y) == 5
    insights = update_insights(None, 5, "kmeans", FEATURES, None, ids.TAB_INSIGHTS)
    assert str(insights).count("cluster-card") == 5


def test_hidden_tabs_are_not_built():
    assert update_overview(None, 5, "kmeans", FEATURES, None, ids.TAB_METRICS) is no_update
    assert update_heatmap(None, 5, "kmeans", FEATURES, None, ids.TAB_OVERVIEW) is no_update


@pytest.mark.parametrize(("k", "features", "message"), [
    (4, ["energy"], "at least two features"),
    (4, [], "at least two features"),
    (4, ["energy", "bogus"], "Unknown feature"),
])
def test_invalid_states_give_a_message(k, features, message):
    status, legend, _ = update_status(None, k, "kmeans", features, None)
    assert message in str(status) and legend is no_update
    assert update_overview(None, k, "kmeans", features, None, ids.TAB_OVERVIEW) is no_update


def test_scatter_is_built_once_then_patched():
    figure, caption = triggered(None, update_pca, None, 4, "kmeans", FEATURES, None)
    assert isinstance(figure, go.Figure) and "PC1" in caption
    patch, caption = triggered(ids.SLIDER_K + ".value", update_pca, None, 6, "kmeans", FEATURES, None)
    assert isinstance(patch, Patch) and caption is no_update
    payload = json.dumps(patch.to_plotly_json())
    # One byte per song (base64: 4/3) plus the colour scale: far below a rebuilt figure.
    assert len(payload) < default_catalogue().n_songs * 1.4 + 2_000
    rebuilt, _ = triggered(ids.CHECKLIST_FEATURES + ".value", update_pca, None, 6, "kmeans", FEATURES[:5], None)
    assert isinstance(rebuilt, go.Figure)


def test_bars_are_visual_only_and_accept_an_empty_choice():
    figure = update_bars(None, 3, "kmeans", FEATURES, None, ["energy", "valence"], ids.TAB_VISUALS)
    assert len(figure.data) == 3
    empty = update_bars(None, 3, "kmeans", FEATURES, None, [], ids.TAB_VISUALS)
    assert "at least one feature" in empty.layout.annotations[0].text


def test_hover_shows_the_song():
    show, bbox, children = hover_song({"points": [{"pointIndex": 7, "bbox": {"x0": 1}}]}, None, 4, "kmeans",
                                      FEATURES)
    title = default_catalogue().frame["name_song"].iloc[7]
    assert show is True and bbox == {"x0": 1} and title in str(children)
    assert hover_song(None, None, 4, "kmeans", FEATURES)[0] is False


def test_url_round_trip():
    query = query_from_view(7, "agglomerative", ["energy", "tempo"], ids.TAB_METRICS)
    view = view_from_query(query, FEATURES)
    assert view == {"k": 7, "algorithm": "agglomerative", "features": ["energy", "tempo"], "tab": ids.TAB_METRICS}
    assert view_from_query("?k=99&algorithm=nope&features=bogus&tab=x", FEATURES) == {}


def test_sync_url_sets_controls_from_the_link_and_the_link_from_controls():
    options = [{"label": f, "value": f} for f in FEATURES]
    out = triggered(None, sync_url, "?k=9&tab=insights", 4, "kmeans", FEATURES, ids.TAB_OVERVIEW, None, options)
    assert out[0] == 9 and out[3] == ids.TAB_INSIGHTS and out[4] is no_update
    out = triggered(ids.SLIDER_K + ".value", sync_url, "", 5, "kmeans", FEATURES, ids.TAB_OVERVIEW, None, options)
    assert out[:4] == (no_update,) * 4 and "k=5" in out[4]
    out = triggered(ids.BUTTON_RESET + ".n_clicks", sync_url, "", 5, "kmeans", ["energy", "key"],
                    ids.TAB_OVERVIEW, 1, options)
    assert out[2] == FEATURES


def test_downloads():
    songs = download_songs(1, None, 3, "kmeans", FEATURES)
    frame = pd.read_csv(io.StringIO(songs["content"]))
    assert len(frame) == default_catalogue().n_songs and {"cluster", "cluster_name"} <= set(frame.columns)
    profile = download_profile(1, None, 3, "kmeans", FEATURES)
    table = pd.read_csv(io.StringIO(profile["content"]))
    assert list(table["cluster"]) == [0, 1, 2] and table["songs"].sum() == default_catalogue().n_songs


def _upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def test_upload_switches_the_data_or_explains_why_not():
    bad = use_uploaded_csv(_upload("name,artist\nx,y\n"), "bad.csv")
    assert bad[0] is no_update and "no usable audio-feature columns" in str(bad[1])
    rows = "\n".join(f"s{i},{i / 10:.1f},{(9 - i) / 10:.1f},{100 + i}" for i in range(10))
    good = use_uploaded_csv(_upload("track_id,energy,valence,tempo\n" + rows), "mine.csv")
    dataset_id = good[0]
    assert dataset_id.startswith("upload-") and good[3] == ["energy", "valence", "tempo"]
    status, *_ = update_status(dataset_id, 3, "kmeans", ["energy", "valence", "tempo"], None)
    assert "10 songs" in str(status)
    status, *_ = update_status(dataset_id, 12, "kmeans", ["energy", "valence", "tempo"], None)
    assert "larger than the number of songs" in str(status)


def test_tree_poll_switches_the_views_from_preview_to_exact():
    import time

    from callbacks.tree import poll_tree

    features = FEATURES[:6]
    status, _, polling_off = update_status(None, 3, "agglomerative", features, None)
    assert "preview" in str(status) and polling_off is False  # and the tree is being built
    assert poll_tree(1, "kmeans", None, features) == (no_update, None)
    deadline = time.monotonic() + 60
    ready, banner = poll_tree(1, "agglomerative", None, features)
    while ready is no_update and time.monotonic() < deadline:
        assert "Building the exact Ward tree" in str(banner)
        time.sleep(0.2)
        ready, banner = poll_tree(2, "agglomerative", None, features)
    assert ready == {"dataset": None, "features": features} and banner is None
    status, _, polling_off = update_status(None, 3, "agglomerative", features, ready)
    assert "preview" not in str(status) and polling_off is True
