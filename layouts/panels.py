"""Pure panel factories: results and catalogues in, Dash components out. No callbacks, no engine calls."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html

from clustering.engine import ClusterResult
from clustering.jobs import timing
from clustering.view import ALGORITHMS, View
from data.loader import UNKNOWN_GENRE, Catalogue
from layouts import ids
from layouts.figures import cluster_colours, feature_label, format_value, sizes_figure, themed

PLACEHOLDER_NOTE = "K-Means clusters stand in until the exact Ward tree is built"


def swatch(colour: str) -> html.Span:
    return html.Span(className="swatch", style={"backgroundColor": colour})


def status_line(view: View, catalogue: Catalogue, problem: str = "") -> list:
    """What the views show: algorithm, k, features, songs, and whether it is demo data or a
    placeholder; and ``problem``, a server-side fault the person should know of (a cache that
    cannot keep results)."""
    parts: list = [f"{view.describe()}, {catalogue.n_songs:,} songs"]
    if catalogue.is_demo:
        parts.append(dbc.Badge("demo data", color="warning", className="ms-2"))
    if view.placeholder:
        parts.append(dbc.Badge("K-Means placeholder", color="info", className="ms-2",
                               title=PLACEHOLDER_NOTE))
    line = html.Div(parts, className="text-muted small mb-2")
    return [line, html.Div(problem, className="small text-warning-emphasis mb-2")] if problem else [line]


def status_refused(message: str, shown: View | None) -> list:
    """Why the controls' request cannot be shown, and what the (dimmed) views still show."""
    if shown is None:
        return [dbc.Alert([html.Strong("Nothing to show yet: "), message], color="warning", className="py-2 mb-2")]
    still = (f" The views below still show {shown.describe()} (dimmed) until the controls ask for something "
             "that can be shown.")
    return [dbc.Alert([html.Strong("Not updated: "), message, still], color="warning", className="py-2 mb-2")]


def legend(result: ClusterResult, placeholder: bool = False, key: str = "") -> list:
    """One button per cluster: a click isolates it on the scatter (the others dimmed), a second
    click brings them back; ``key`` names the clustering the buttons belong to."""
    colours = cluster_colours(result.k)
    items = [html.Button([swatch(colours[i]), f"{i}: {name}"], className="legend-item", type="button",
                         id={"type": ids.LEGEND_ITEM, "index": i, "view": key},
                         title="Show this cluster alone on the scatter (click again for all)")
             for i, name in enumerate(result.names)]
    if placeholder:
        items.insert(0, html.Span("K-Means placeholder until the exact Ward tree is built:",
                                  className="legend-note text-muted"))
    return items


def _card_header(result: ClusterResult, i: int) -> dbc.CardHeader:
    return dbc.CardHeader(html.Span([swatch(cluster_colours(result.k)[i]), f"{i}: {result.names[i]}"]))


def overview_panel(result: ClusterResult, catalogue: Catalogue, dark: bool = False) -> list:
    summary = catalogue.summary()
    years = f"{summary['years'][0]}-{summary['years'][1]}" if summary["years"] else "-"
    cards = [("Songs", f"{summary['songs']:,}"), ("Artists", f"{summary['artists']:,}" if summary["artists"] else "-"),
             ("Genres", f"{summary['genres']:,}"), ("Years", years)]
    columns = []
    for i in range(result.k):
        top = catalogue.songs(result.top_songs[i])
        typical = catalogue.songs(result.representatives[i])
        columns.append(dbc.Col(dbc.Card([
            _card_header(result, i),
            dbc.CardBody([
                html.Div(f"{result.scores.sizes[i]:,} songs ({result.scores.shares[i]:.1%})", className="small mb-2"),
                html.Div("Top songs (most popular)" if catalogue.column("popularity") is not None
                         else "First songs in the file (it has no popularity column)", className="fw-semibold small"),
                html.Ol([html.Li(f"{s['title']} — {s['artist']}") for s in top], className="small ps-3"),
                html.Div("Most representative (nearest the centre)", className="fw-semibold small"),
                html.Ol([html.Li(f"{s['title']} — {s['artist']}") for s in typical], className="small ps-3 mb-0"),
            ]),
        ], className="h-100 cluster-card"), lg=4, md=6, className="mb-3"))
    return [
        dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.Div(label, className="text-muted small"),
                                                html.H4(value, className="mb-0")])), xs=6, md=3, className="mb-3")
                 for label, value in cards], className="mt-3"),
        html.H5("Cluster distribution"),
        dcc.Graph(figure=themed(sizes_figure(result.scores.sizes, result.names), dark),
                  config={"displayModeBar": False}),
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


def sideways(child, hint: str = "Scroll sideways for more columns →") -> html.Div:
    """Something wide that scrolls sideways inside its box, with a hint shown when it does
    (assets/app.js marks the box when its content is wider than it)."""
    return html.Div([
        html.Div(hint, className="scroll-hint small text-muted"),
        html.Div(child, className="table-responsive small"),
    ], className="scroll-box")


def metrics_panel(result: ClusterResult) -> list:
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
            sideways(dbc.Table.from_dataframe(shown, striped=True, hover=True, size="sm",
                                                     id=ids.TABLE_PROFILE))]


def insights_panel(result: ClusterResult, catalogue: Catalogue) -> list:
    z = result.profile.z_scores
    cards = []
    for i in range(result.k):
        strongest = z.loc[i].abs().sort_values(ascending=False).index[:4]
        traits = [f"{feature_label(f)} {'above' if z.loc[i, f] > 0 else 'below'} average "
                  f"({format_value(f, result.profile.means.loc[i, f])}, z = {z.loc[i, f]:+.1f})" for f in strongest]
        genres = [(g, share) for g, share in result.genres[i] if g != UNKNOWN_GENRE]
        songs = catalogue.songs(result.top_songs[i][:3])
        cards.append(dbc.Col(dbc.Card([
            _card_header(result, i),
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


def worst_songs_table(songs: list[dict], values: list[float], clusters: list[int], nearest: list[int],
                      names: list[str], scope: str) -> list:
    """The songs that fit their cluster worst, and where each would rather be."""
    header = html.Thead(html.Tr([html.Th(h) for h in ("song", "artist", "silhouette", "cluster",
                                                       "nearest other cluster")]))
    body = html.Tbody([html.Tr([
        html.Td(song["title"]), html.Td(song["artist"]), html.Td(f"{value:+.2f}"),
        html.Td(f"{cluster}: {names[cluster]}"), html.Td(f"{other}: {names[other]}"),
    ]) for song, value, cluster, other in zip(songs, values, clusters, nearest, strict=True)])
    return [html.Div(f"Worst fitting of {scope}:", className="fw-semibold mt-2"),
            sideways(dbc.Table([header, body], size="sm", striped=True, className="mb-0"))]


def tree_banner(elapsed: float, estimate: float | None, fraction: float, n_songs: int) -> dbc.Alert:
    """The exact tree's build: time against this machine's calibrated estimate, never past 100%."""
    late = " (this build is slower than the estimate; it ends on its own)" if estimate and elapsed > estimate else ""
    return dbc.Alert([
        html.Div(f"Building the exact Ward tree of all {n_songs:,} songs: {timing(elapsed, estimate)}{late}. "
                 "Until then the views show "
                 "K-Means clusters at the same k, named as such; the page stays usable.", className="small mb-1"),
        dbc.Progress(value=round(100 * min(fraction, 1.0)), striped=True, animated=True, style={"height": "6px"}),
    ], color="info", className="py-2")


def recommendation(result: dict) -> list:
    k = result["recommended_k"]
    return [html.Strong(f"Recommended k = {k}"),
            f" ({ALGORITHMS[result['algorithm']]} on {len(result['features'])} features, k = {result['k_min']}.."
            f"{result['k_max']}): {result['rule']}. Best silhouette at k = {result['best_silhouette_k']}, "
            f"best Davies-Bouldin at k = {result['best_davies_bouldin_k']}."]


def sweep_for_other_settings(result: dict, view: View) -> html.Div:
    """A sweep whose settings the controls no longer ask for is labelled, not passed off as current."""
    what = (f"{ALGORITHMS[result['algorithm']]} on {len(result['features'])} features "
            f"({', '.join(feature_label(f) for f in result['features'])})")
    if result.get("fingerprint") != view.fingerprint:
        what += " of another catalogue"
    return html.Div([
        html.Strong("These results are for other settings: "),
        f"{what}; the controls now ask for {ALGORITHMS.get(view.algorithm, view.algorithm)} on "
        f"{len(view.features)} features. Press Find k to sweep the current settings.",
    ], className="alert alert-secondary py-2 small mb-2")
