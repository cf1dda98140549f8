"""Everything that follows a clustering except the scatter: overview, metrics, heatmap, bars, insights."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, callback, dcc, html, no_update

from callbacks.common import Request, current_result, engine_for, error_alert
from callbacks.tree import ensure_tree_building
from clustering.engine import ALGORITHMS, ClusterResult, Engine
from data.loader import PRIMARY_GENRE, UNKNOWN_GENRE
from layouts import ids
from layouts.figures import (
    bars_figure,
    cluster_colours,
    empty_figure,
    feature_label,
    format_value,
    heatmap_figure,
    sizes_figure,
)

CLUSTER_INPUTS = [
    Input(ids.STORE_DATASET, "data"),
    Input(ids.SLIDER_K, "value"),
    Input(ids.RADIO_ALGORITHM, "value"),
    Input(ids.CHECKLIST_FEATURES, "value"),
    Input(ids.STORE_TREE, "data"),
]


def song_rows(engine: Engine, rows: np.ndarray) -> list[dict]:
    """Title, artist, genre and popularity of some songs, for tables and cards."""
    catalogue = engine.catalogue
    title, artist, popularity = (catalogue.column(r) for r in ("title", "artist", "popularity"))
    out = []
    for row in rows:
        out.append({
            "title": str(title.iloc[row]) if title is not None else f"song {row}",
            "artist": str(artist.iloc[row]) if artist is not None else "",
            "genre": str(catalogue.frame[PRIMARY_GENRE].iloc[row]),
            "popularity": int(popularity.iloc[row]) if popularity is not None else None,
        })
    return out


def legend(result: ClusterResult) -> list:
    colours = cluster_colours(result.k)
    return [html.Span([html.Span(className="swatch", style={"backgroundColor": colours[i]}), f"{i}: {name}"],
                      className="legend-item") for i, name in enumerate(result.names)]


def status_line(result: ClusterResult, engine: Engine) -> list:
    catalogue = engine.catalogue
    parts = [f"{ALGORITHMS[result.algorithm]}, k = {result.k}, on {len(result.features)} features, "
             f"{catalogue.n_songs:,} songs"]
    if catalogue.is_demo:
        parts.append(dbc.Badge("demo data", color="warning", className="ms-2"))
    if result.preview:
        parts.append(dbc.Badge("preview", color="info", className="ms-2"))
    return [html.Div(parts, className="text-muted small mb-2")]


def overview_panel(result: ClusterResult, engine: Engine) -> list:
    summary = engine.catalogue.summary()
    years = f"{summary['years'][0]}-{summary['years'][1]}" if summary["years"] else "-"
    cards = [("Songs", f"{summary['songs']:,}"), ("Artists", f"{summary['artists']:,}" if summary["artists"] else "-"),
             ("Genres", f"{summary['genres']:,}"), ("Years", years)]
    columns = []
    for i, name in enumerate(result.names):
        top = song_rows(engine, result.top_songs[i])
        typical = song_rows(engine, result.representatives[i])
        columns.append(dbc.Col(dbc.Card([
            dbc.CardHeader(html.Span([html.Span(className="swatch", style={"backgroundColor": cluster_colours(
                result.k)[i]}), f"{i}: {name}"])),
            dbc.CardBody([
                html.Div(f"{result.scores.sizes[i]:,} songs ({result.scores.shares[i]:.1%})", className="small mb-2"),
                html.Div("Top songs (most popular)", className="fw-semibold small"),
                html.Ol([html.Li(f"{s['title']} — {s['artist']}") for s in top], className="small ps-3"),
                html.Div("Most representative (nearest the centre)", className="fw-semibold small"),
                html.Ol([html.Li(f"{s['title']} — {s['artist']}") for s in typical], className="small ps-3 mb-0"),
            ]),
        ], className="h-100 cluster-card"), lg=4, md=6, className="mb-3"))
    return [
        dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.Div(label, className="text-muted small"),
                                                html.H4(value, className="mb-0")])), md=3, className="mb-3")
                 for label, value in cards], className="mt-3"),
        html.H5("Cluster distribution"),
        dcc.Graph(figure=sizes_figure(result.scores.sizes, result.names), config={"displayModeBar": False}),
        html.H5("Clusters", className="mt-3"),
        dbc.Row(columns),
    ]


def metric_reading(name: str, value: float) -> str:
    if not np.isfinite(value):
        return "not defined for a single cluster"
    if name == "silhouette":
        if value >= 0.5:
            return "strong structure: songs sit clearly inside their clusters"
        if value >= 0.25:
            return "reasonable structure: clusters are distinct with some overlap"
        if value >= 0.1:
            return "weak structure: clusters overlap a lot, typical for audio features"
        return "little structure: most songs are as close to another cluster as to their own"
    if name == "davies_bouldin":
        return ("clusters are compact and well apart (lower is better)" if value < 1
                else "clusters are spread out relative to their separation (lower is better)")
    return "higher means tighter clusters that are further apart; compare across k, not across datasets"


def metrics_panel(result: ClusterResult, engine: Engine) -> list:
    s = result.scores
    items = [
        ("Silhouette", f"{s.silhouette:.3f}", metric_reading("silhouette", s.silhouette),
         f"on a fixed sample of {s.silhouette_sample_size:,} songs"),
        ("Davies-Bouldin", f"{s.davies_bouldin:.3f}", metric_reading("davies_bouldin", s.davies_bouldin), ""),
        ("Calinski-Harabasz", f"{s.calinski_harabasz:,.0f}", metric_reading("calinski_harabasz", 0.0), ""),
        ("Inertia" if result.algorithm == "kmeans" else "Within-cluster sum of squares", f"{s.inertia:,.0f}",
         "sum of squared distances of songs to their cluster centre (scaled units)", ""),
    ]
    cards = [dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="text-muted small"), html.H4(value, className="mb-1 metric-value"),
        html.Div(reading, className="small"), html.Div(note, className="text-muted small")])), md=6, lg=3,
        className="mb-3") for label, value, reading, note in items]
    table = result.profile.table()
    shown = pd.DataFrame({"cluster": table["cluster"], "name": table["name"],
                          "songs": [f"{n:,}" for n in table["songs"]], "share": [f"{v:.1%}" for v in table["share"]]})
    for feature in result.profile.means.columns:
        shown[feature_label(feature)] = [format_value(feature, float(v)) for v in table[feature]]
    return [dbc.Row(cards, className="mt-3"), html.H5("Cluster summary (mean of each feature)"),
            html.Div(dbc.Table.from_dataframe(shown, striped=True, hover=True, size="sm", id="table-profile"),
                     className="table-responsive small")]


def insights_panel(result: ClusterResult, engine: Engine) -> list:
    z = result.profile.z_scores
    cards = []
    for i, name in enumerate(result.names):
        strongest = z.loc[i].abs().sort_values(ascending=False).index[:4]
        traits = [f"{feature_label(f)} {'above' if z.loc[i, f] > 0 else 'below'} average "
                  f"({format_value(f, result.profile.means.loc[i, f])}, z = {z.loc[i, f]:+.1f})" for f in strongest]
        genres = [(g, share) for g, share in result.genres[i] if g != UNKNOWN_GENRE]
        songs = song_rows(engine, result.top_songs[i][:3])
        cards.append(dbc.Col(dbc.Card([
            dbc.CardHeader(html.Span([html.Span(className="swatch", style={"backgroundColor": cluster_colours(
                result.k)[i]}), f"{i}: {name}"])),
            dbc.CardBody([
                html.P(f"{result.scores.sizes[i]:,} songs ({result.scores.shares[i]:.1%}). What sets it apart:",
                       className="small mb-1"),
                html.Ul([html.Li(t) for t in traits], className="small ps-3"),
                html.Div("Genres: " + (", ".join(f"{g} {s:.0%}" for g, s in genres) or "no genre data"),
                         className="small mb-1"),
                html.Div("Listen to: " + "; ".join(f"{s['title']} ({s['artist']})" for s in songs),
                         className="small"),
            ]),
        ], className="h-100 cluster-card"), md=6, className="mb-3"))
    return [dbc.Row(cards)]


@callback(Output(ids.STATUS, "children"), Output(ids.LEGEND, "children"), Output(ids.INTERVAL_TREE, "disabled"),
          *CLUSTER_INPUTS)
def update_status(dataset_id, k, algorithm, features, _tree_ready):
    """What is shown (or why nothing can be); every failure becomes a message in the page.

    While a preview is shown, the tree poll runs, so the page switches to exact Ward by itself.
    """
    try:
        request = Request.parse(dataset_id, k, algorithm, features)
        result = current_result(request)
        engine = engine_for(dataset_id)
        if result.preview:
            ensure_tree_building(engine, result.features)
        return status_line(result, engine), legend(result), not result.preview
    except Exception as exc:
        return [error_alert(exc)], no_update, True


def tab_view(tab_id: str, build, dataset_id, k, algorithm, features, active_tab):
    """Build a tab's content only while it is shown: hidden tabs cost the browser nothing.

    Switching tabs is an input too, so a tab is brought up to date when it is opened.
    """
    if active_tab != tab_id:
        return no_update
    try:
        result = current_result(Request.parse(dataset_id, k, algorithm, features))
        return build(result, engine_for(dataset_id))
    except Exception:  # update_status already explains it in the page
        return no_update


@callback(Output(ids.OVERVIEW, "children"), *CLUSTER_INPUTS, Input(ids.TABS_MAIN, "active_tab"))
def update_overview(dataset_id, k, algorithm, features, _tree_ready, active_tab):
    return tab_view(ids.TAB_OVERVIEW, overview_panel, dataset_id, k, algorithm, features, active_tab)


@callback(Output(ids.METRICS, "children"), *CLUSTER_INPUTS, Input(ids.TABS_MAIN, "active_tab"))
def update_metrics(dataset_id, k, algorithm, features, _tree_ready, active_tab):
    return tab_view(ids.TAB_METRICS, metrics_panel, dataset_id, k, algorithm, features, active_tab)


@callback(Output(ids.INSIGHTS, "children"), *CLUSTER_INPUTS, Input(ids.TABS_MAIN, "active_tab"))
def update_insights(dataset_id, k, algorithm, features, _tree_ready, active_tab):
    return tab_view(ids.TAB_INSIGHTS, insights_panel, dataset_id, k, algorithm, features, active_tab)


def heatmap_for(result: ClusterResult, _engine: Engine):
    """Cluster means of every numeric column, the clustered features first."""
    profile = result.profile
    shown = [f for f in profile.means.columns if f in result.features] + \
            [f for f in profile.means.columns if f not in result.features]
    return heatmap_figure(profile.means, profile.z_scores, result.names, shown)


@callback(Output(ids.GRAPH_HEATMAP, "figure"), *CLUSTER_INPUTS, Input(ids.TABS_MAIN, "active_tab"))
def update_heatmap(dataset_id, k, algorithm, features, _tree_ready, active_tab):
    return tab_view(ids.TAB_VISUALS, heatmap_for, dataset_id, k, algorithm, features, active_tab)


@callback(Output(ids.GRAPH_BARS, "figure"), *CLUSTER_INPUTS, Input(ids.DROPDOWN_BAR_FEATURES, "value"),
          Input(ids.TABS_MAIN, "active_tab"))
def update_bars(dataset_id, k, algorithm, features, _tree_ready, bar_features, active_tab):
    """Key-feature bars; choosing bar features is visual only and never refits."""
    def build(result: ClusterResult, _engine: Engine):
        chosen = [f for f in (bar_features or []) if f in result.profile.means.columns]
        if not chosen:
            return empty_figure("Choose at least one feature to compare.")
        return bars_figure(result.profile.means, result.profile.z_scores, result.names, chosen)

    return tab_view(ids.TAB_VISUALS, build, dataset_id, k, algorithm, features, active_tab)
