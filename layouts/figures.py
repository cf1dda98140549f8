"""Pure figure builders: arrays and profiles in, ``go.Figure`` out. No Dash, no engine calls."""

from __future__ import annotations

import base64
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

#: Fifteen well-separated colours (the k slider goes to 15); cluster i always gets colour i.
PALETTE: tuple[str, ...] = tuple(qualitative.Plotly + qualitative.Dark2[:5])
FEATURE_LABELS: dict[str, str] = {
    "duration_ms": "duration",
    "popularity_songs": "popularity",
    "popularity_artists": "artist popularity",
    "time_signature": "time signature",
}


#: Plotly templates matching the page's light and dark Bootstrap themes (dash-bootstrap-templates).
TEMPLATES: dict[bool, str] = {False: "flatly", True: "flatly_dark"}


@cache
def register_templates() -> None:
    """Register the themes' plotly templates: once per process, when the app is built (Dash refuses
    component libraries imported inside a callback)."""
    from dash_bootstrap_templates import load_figure_template

    load_figure_template(list(TEMPLATES.values()))


@cache
def template_json(dark: bool) -> dict:
    """The theme's plotly template as JSON, built once (validating a template for every figure
    cost about 10 ms a figure, a third of a cached k change)."""
    import plotly.io as pio

    register_templates()
    return pio.templates[TEMPLATES[bool(dark)]].to_plotly_json()


def themed(figure: go.Figure, dark: bool) -> dict:
    """The figure in the page's theme, as the JSON Dash sends (the template set without re-validating)."""
    data = figure.to_plotly_json()
    data["layout"]["template"] = template_json(bool(dark))
    return data


def feature_label(feature: str) -> str:
    return FEATURE_LABELS.get(feature, feature.replace("_", " "))


def format_value(feature: str, value: float) -> str:
    """A feature value in its own unit, as a person reads it."""
    if not np.isfinite(value):
        return "-"
    if feature == "duration_ms":
        seconds = round(value / 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"
    if feature == "tempo":
        return f"{value:.0f} BPM"
    if feature == "loudness":
        return f"{value:.1f} dB"
    if feature in {"followers"}:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}"


#: Units named once in a heatmap column's header, so its cells stay short enough for a phone.
HEATMAP_UNITS = {"tempo": "BPM", "loudness": "dB", "duration_ms": "m:ss"}


def compact_value(feature: str, value: float) -> str:
    """A feature value for a heatmap cell: the unit is in the column header, large counts short
    ("325k"), so 17 columns stay readable in a phone's sideways-scrolling box."""
    if not np.isfinite(value):
        return "-"
    if feature == "duration_ms":
        return format_value(feature, value)
    if feature == "loudness":
        return f"{value:.1f}"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}"


def cluster_colours(k: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(k)]


def _discrete_colorscale(k: int) -> list[list]:
    """A stepped colour scale so that integer label i maps to PALETTE[i] exactly."""
    colours = cluster_colours(k)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / k, colour], [(i + 1) / k, colour]]
    return scale


def typed_array(values: np.ndarray) -> dict:
    """plotly.js's base64 typed-array form: 1 byte per song for labels instead of ~2 in JSON."""
    array = np.ascontiguousarray(values)
    dtype = {np.dtype("uint8"): "u1", np.dtype("int16"): "i2", np.dtype("float32"): "f4"}[array.dtype]
    return {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def marker_update(labels: np.ndarray, k: int) -> dict:
    """The scatter's marker colours for a clustering: what a k or algorithm change sends."""
    return {"color": typed_array(labels.astype(np.uint8)), "colorscale": _discrete_colorscale(k),
            "cmin": -0.5, "cmax": k - 0.5, "size": 3, "opacity": 0.75}


def pca_figure(coordinates: np.ndarray, labels: np.ndarray, k: int, explained: list[float],
               uirevision: str = "pca") -> go.Figure:
    """Every song on the first two principal components, one WebGL trace, coloured by cluster.

    Hover text is not shipped for 95k songs (it would add megabytes); the page asks the server
    for the hovered song instead.
    """
    figure = go.Figure(go.Scattergl(
        x=typed_array(coordinates[:, 0].astype(np.float32)),
        y=typed_array(coordinates[:, 1].astype(np.float32)),
        mode="markers",
        marker=marker_update(labels, k),
        hoverinfo="none",
    ))
    figure.update_layout(
        xaxis_title=f"PC1 ({explained[0]:.0%} of variance)",
        yaxis_title=f"PC2 ({explained[1]:.0%} of variance)",
        margin={"l": 50, "r": 10, "t": 10, "b": 45},
        height=520,
        uirevision=uirevision,  # zoom survives recolouring, not a new projection
        dragmode="zoom",
    )
    return figure


#: Cell text of the heatmap: readable (at least 10 px) even at 1280 x 720 with every column shown.
HEATMAP_TEXT_PX = 11


def heatmap_figure(means: pd.DataFrame, z_scores: pd.DataFrame, names: list[str], features: list[str]) -> go.Figure:
    """Cluster means: colour is the z-score against all songs, the text the value in its unit."""
    z = z_scores[features].to_numpy()
    text = [[compact_value(f, means.loc[i, f]) for f in features] for i in range(len(names))]
    full = [[format_value(f, means.loc[i, f]) for f in features] for i in range(len(names))]
    labels = [f"{i}: {name}" for i, name in enumerate(names)]
    columns = [feature_label(f) + (f" ({HEATMAP_UNITS[f]})" if f in HEATMAP_UNITS else "") for f in features]
    figure = go.Figure(go.Heatmap(
        z=z, x=columns, y=labels, text=text, texttemplate="%{text}", customdata=full,
        textfont={"size": HEATMAP_TEXT_PX},
        colorscale="RdBu", reversescale=True, zmid=0, zmin=-3, zmax=3, colorbar={"title": "z-score"},
        hovertemplate="%{y}<br>%{x}: %{customdata} (z = %{z:.2f})<extra></extra>",
    ))
    figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=140 + 38 * len(names),
                         yaxis={"autorange": "reversed"})  # room above the first row for the toolbar
    return figure


def bars_figure(means: pd.DataFrame, z_scores: pd.DataFrame, names: list[str], features: list[str]) -> go.Figure:
    """Chosen key features side by side per cluster, as z-scores so different units compare."""
    colours = cluster_colours(len(names))
    figure = go.Figure()
    for i, name in enumerate(names):
        figure.add_bar(
            name=f"{i}: {name}", x=[feature_label(f) for f in features], y=z_scores.loc[i, features].to_numpy(),
            marker_color=colours[i], customdata=[format_value(f, means.loc[i, f]) for f in features],
            hovertemplate=f"{name}<br>%{{x}}: %{{customdata}} (z = %{{y:.2f}})<extra></extra>",
        )
    figure.update_layout(barmode="group", yaxis_title="z-score (0 = catalogue average)", height=420,
                         margin={"l": 50, "r": 10, "t": 10, "b": 40}, legend={"orientation": "h", "y": -0.15})
    return figure


def sizes_figure(sizes: list[int], names: list[str]) -> go.Figure:
    """Songs per cluster."""
    total = sum(sizes)
    figure = go.Figure(go.Bar(
        x=sizes, y=[f"{i}: {n}" for i, n in enumerate(names)], orientation="h",
        marker_color=cluster_colours(len(names)), text=[f"{s:,} ({s / total:.1%})" for s in sizes],
        textposition="auto", hovertemplate="%{y}: %{x:,} songs<extra></extra>",
    ))
    figure.update_layout(height=80 + 34 * len(names), margin={"l": 10, "r": 10, "t": 10, "b": 30},
                         yaxis={"autorange": "reversed"}, xaxis_title="songs")
    return figure


def empty_figure(message: str) -> go.Figure:
    """A blank figure that says why it is blank."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, font={"size": 14}, x=0.5, y=0.5, xref="paper",
                          yref="paper")
    figure.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, height=300,
                         margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure


def sweep_figure(rows: list[dict], recommended: int | None, elbow: int | None) -> go.Figure:
    """The four metrics against k: the recommended k as a dashed line through every panel, each
    metric's own best k as a marker (they may disagree: that is worth seeing), the knee marked."""
    panels = [("inertia", "Inertia (elbow)", "lower, with diminishing returns", None),
              ("silhouette", "Silhouette", "higher is better", max),
              ("davies_bouldin", "Davies-Bouldin", "lower is better", min),
              ("calinski_harabasz", "Calinski-Harabasz", "higher is better", max)]
    figure = make_subplots(rows=2, cols=2, subplot_titles=[f"{title} ({hint})" for _, title, hint, _ in panels],
                           horizontal_spacing=0.1, vertical_spacing=0.18)
    ks = [row["k"] for row in rows]
    for index, (metric, title, _, best) in enumerate(panels):
        r, c = index // 2 + 1, index % 2 + 1
        values = [row[metric] for row in rows]
        figure.add_scatter(x=ks, y=values, mode="lines+markers", name=title, row=r, col=c, showlegend=False,
                           line={"color": PALETTE[0]},
                           hovertemplate=f"k = %{{x}}<br>{title}: %{{y:,.3f}}<extra></extra>")
        finite = [(v, k) for v, k in zip(values, ks, strict=True) if np.isfinite(v)]
        if best is not None and finite:
            value, k = best(finite)
            figure.add_scatter(x=[k], y=[value], mode="markers+text", row=r, col=c, showlegend=False,
                               marker={"size": 12, "color": PALETTE[2], "symbol": "circle-open", "line": {"width": 3}},
                               text=[f"best: k = {k}"], cliponaxis=False,
                               textposition="bottom right" if best is max else "top right",
                               hovertemplate=f"best {title}: k = {k}<extra></extra>")
        if recommended in ks:
            figure.add_vline(x=recommended, line_dash="dash", line_color=PALETTE[1], row=r, col=c)
        if metric == "inertia" and elbow in ks:
            figure.add_annotation(x=elbow, y=values[ks.index(elbow)], text=f"knee: k = {elbow}", row=r, col=c,
                                  showarrow=True, arrowhead=2, ax=40, ay=-30)
        figure.update_xaxes(title_text="k", dtick=1, row=r, col=c)
    if recommended in ks:
        figure.add_annotation(x=recommended, y=0.97, xref="x", yref="y domain", xanchor="left", yanchor="top",
                              xshift=4, showarrow=False, text=f"recommended k = {recommended}",
                              font={"color": PALETTE[1]})
    figure.update_layout(height=580, margin={"l": 50, "r": 10, "t": 50, "b": 40})
    return figure


def silhouette_figure(values: np.ndarray, labels: np.ndarray, rows: np.ndarray, names: list[str]) -> go.Figure:
    """Per-song silhouettes of the sample, sorted within each cluster, the mean marked.

    One filled SVG trace per cluster (not one bar per song), so 10,000 songs stay light. Each
    point carries its song's row in ``customdata`` for box selection.
    """
    colours = cluster_colours(len(names))
    figure = go.Figure()
    offset = 0
    for cluster, name in enumerate(names):
        members = np.flatnonzero(labels == cluster)
        order = members[np.argsort(values[members], kind="stable")]
        y = np.arange(offset, offset + len(order))
        figure.add_scatter(
            x=values[order], y=y, mode="lines", fill="tozerox", name=f"{cluster}: {name}",
            line={"color": colours[cluster], "width": 1}, customdata=rows[order],
            hovertemplate=f"{name}<br>silhouette %{{x:.2f}}<extra></extra>",
        )
        offset += len(order) + max(10, len(values) // 100)
    mean = float(values.mean()) if len(values) else 0.0
    figure.add_vline(x=mean, line_dash="dash", line_color="#444", annotation_text=f"mean {mean:.3f}",
                     annotation_position="top")
    figure.update_layout(xaxis_title="silhouette (-1: belongs elsewhere, 1: fits well)", height=480,
                         yaxis={"showticklabels": False, "title": f"{len(values):,} songs of the sample"},
                         margin={"l": 50, "r": 10, "t": 30, "b": 45}, dragmode="select", selectdirection="v",
                         legend={"orientation": "h", "y": -0.2})
    return figure


def dendrogram_figure(linkage: np.ndarray, k: int, leaves: int = 30) -> go.Figure:
    """The top of a Ward tree (its last ``leaves`` branches), leaves sized by their songs, and the
    cut that gives k clusters."""
    from scipy.cluster.hierarchy import dendrogram

    tree = dendrogram(linkage, truncate_mode="lastp", p=leaves, no_plot=True, count_sort="descending")
    figure = go.Figure()
    for xs, ys in zip(tree["icoord"], tree["dcoord"], strict=True):
        figure.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#5a6b7b", "width": 1.2}, hoverinfo="skip",
                           showlegend=False)
    counts = [int(label.strip("()")) if label.startswith("(") else 1 for label in tree["ivl"]]
    leaf_x = [5 + 10 * i for i in range(len(counts))]
    figure.add_scatter(x=leaf_x, y=[0] * len(counts), mode="markers", showlegend=False,
                       marker={"size": [6 + 24 * np.sqrt(c / max(counts)) for c in counts], "color": PALETTE[0],
                               "opacity": 0.7},
                       customdata=counts, hovertemplate="%{customdata:,} songs under this branch<extra></extra>")
    heights = np.sort(linkage[:, 2])
    if 2 <= k <= len(heights):
        cut = (heights[-k] + heights[-k + 1]) / 2
        figure.add_hline(y=cut, line_dash="dash", line_color=PALETTE[1],
                         annotation_text=f"cut for k = {k}", annotation_position="top right")
    figure.update_layout(height=420, margin={"l": 50, "r": 10, "t": 20, "b": 20}, yaxis_title="Ward merge height",
                         xaxis={"showticklabels": False, "title": f"top {len(counts)} branches of the tree"})
    return figure
