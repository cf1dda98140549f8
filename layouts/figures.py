"""Pure figure builders: arrays and profiles in, ``go.Figure`` out. No Dash, no engine calls."""

from __future__ import annotations

import base64
import html
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


#: Colour of the clusters a person is not looking at (legend isolation): there, but faint.
DIMMED = "rgba(150, 150, 150, 0.12)"
#: Rings around chosen songs: a magenta no cluster has, seen on light and dark backgrounds alike.
HIGHLIGHT_COLOUR = "#e4007c"
#: Continuous colour by a feature: 1 byte a song over the 1st to 99th percentile.
CONTINUOUS_SCALE = "Viridis"


def _discrete_colorscale(colours: list[str]) -> list[list]:
    """A stepped colour scale so that integer code i maps to ``colours[i]`` exactly."""
    n = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def typed_array(values: np.ndarray) -> dict:
    """plotly.js's base64 typed-array form: 1 byte per song for labels instead of ~2 in JSON."""
    array = np.ascontiguousarray(values)
    dtype = {np.dtype("uint8"): "u1", np.dtype("int16"): "i2", np.dtype("float32"): "f4",
             np.dtype("int32"): "i4"}[array.dtype]
    return {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def focus_colours(k: int, focus: list[int] | None = None) -> list[str]:
    """Cluster colours, the clusters outside ``focus`` dimmed (none dimmed without a focus)."""
    colours = cluster_colours(k)
    chosen = {c for c in (focus or []) if 0 <= c < k}
    return [colour if not chosen or i in chosen else DIMMED for i, colour in enumerate(colours)]


def focus_update(k: int, focus: list[int] | None = None) -> dict:
    """Only the colour scale: what isolating clusters sends (no per-song bytes)."""
    return {"colorscale": _discrete_colorscale(focus_colours(k, focus))}


def marker_update(labels: np.ndarray, k: int, focus: list[int] | None = None) -> dict:
    """The scatter's marker colours for a clustering: what a k or algorithm change sends."""
    return {"color": typed_array(labels.astype(np.uint8)), **focus_update(k, focus), "showscale": False,
            "cmin": -0.5, "cmax": k - 0.5, "size": 3, "opacity": 0.75}


#: Genre families' colours: distinct, none near the rings' magenta; the last (unknown) grey.
CATEGORY_COLOURS: tuple[str, ...] = ("#4C78A8", "#F58518", "#54A24B", "#EECA3B", "#E45756", "#72B7B2",
                                     "#9D755D", "#8C6BB1", "#17BECF", "#B5BD61", "#BAB0AC")


def category_marker(codes: np.ndarray, names: list[str], title: str) -> dict:
    """Colours by a category (genre family): one byte a song, the names on a stepped colour bar."""
    n = len(names)
    colours = [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(n - 1)] + [CATEGORY_COLOURS[-1]]
    return {"color": typed_array(codes.astype(np.uint8)), "colorscale": _discrete_colorscale(colours),
            "cmin": -0.5, "cmax": n - 0.5, "showscale": True, "size": 3, "opacity": 0.75,
            "colorbar": {"title": {"text": title}, "tickvals": list(range(n)), "ticktext": names, "len": 0.9}}


def continuous_marker(values: np.ndarray, feature: str) -> dict:
    """Colours by a number (popularity, a feature): 1 byte a song over its 1st-99th percentile, the
    colour bar labelled in the feature's own unit."""
    finite = values[np.isfinite(values)]
    low, high = (np.percentile(finite, [1, 99]) if len(finite) else (0.0, 1.0))
    if high <= low:
        high = low + 1.0
    codes = np.clip(np.round((np.nan_to_num(values, nan=low) - low) / (high - low) * 255), 0, 255)
    ticks = np.linspace(0, 255, 5)
    values = [low + t / 255 * (high - low) for t in ticks]
    # One format for every tick: whole numbers when the range spans ten or more.
    text = [format_value(feature, v) if feature in HEATMAP_UNITS else f"{v:,.0f}" if high - low >= 10
            else f"{v:.2f}" for v in values]
    return {"color": typed_array(codes.astype(np.uint8)), "colorscale": CONTINUOUS_SCALE, "cmin": 0, "cmax": 255,
            "showscale": True, "size": 3, "opacity": 0.75,
            "colorbar": {"title": {"text": feature_label(feature)}, "tickvals": ticks.tolist(), "ticktext": text,
                         "len": 0.9}}


def highlight_update(coordinates: np.ndarray, rows: list[int], lead: bool) -> dict:
    """The overlay trace (data[1]) marking some songs: with ``lead`` the first is the chosen song
    (a large ring) and the rest its neighbours; else all alike (an artist's songs)."""
    points = coordinates[np.asarray(rows, dtype=np.int64)] if rows else np.empty((0, 2), dtype=np.float32)
    sizes = [18 if lead and i == 0 else 10 for i in range(len(rows))]
    widths = [3 if lead and i == 0 else 1.5 for i in range(len(rows))]
    return {"x": [round(float(v), 4) for v in points[:, 0]], "y": [round(float(v), 4) for v in points[:, 1]],
            "customdata": [int(r) for r in rows],
            "marker": {"size": sizes, "symbol": "circle-open", "color": HIGHLIGHT_COLOUR, "line": {"width": widths}}}


#: Hover and spike search stop this many pixels from the pointer: without a limit plotly walks
#: every point on each move where none is near (0.7-1 s at 100k points, 12-22 s at 1M).
HOVER_DISTANCE_PX = 12


def pca_figure(coordinates: np.ndarray, marker: dict, explained: list[float], uirevision: str = "pca",
               highlight: dict | None = None) -> go.Figure:
    """Every song on the first two principal components, one WebGL trace, and an overlay (data[1])
    that marks chosen songs.

    Hover text is not shipped for 95k songs (it would add megabytes); the page asks the server
    for the hovered song instead.
    """
    figure = go.Figure(go.Scattergl(
        x=typed_array(coordinates[:, 0].astype(np.float32)),
        y=typed_array(coordinates[:, 1].astype(np.float32)),
        mode="markers",
        marker=marker,
        hoverinfo="none",
        name="songs",
    ))
    # The overlay is WebGL too: an SVG trace would be drawn under the songs' canvas. Hover and
    # clicks pass through it to the song beneath (the same point of data[0]).
    figure.add_trace(go.Scattergl(mode="markers", hoverinfo="skip", name="chosen", showlegend=False,
                                  unselected={"marker": {"opacity": 1}},  # rings stay through a selection
                                  **(highlight or highlight_update(coordinates, [], False))))
    figure.update_layout(
        xaxis_title=f"PC1 ({explained[0]:.0%} of variance)",
        yaxis_title=f"PC2 ({explained[1]:.0%} of variance)",
        margin={"l": 50, "r": 10, "t": 10, "b": 45},
        height=520,
        uirevision=uirevision,  # zoom survives recolouring, not a new projection
        dragmode="zoom",
        hovermode="closest",
        hoverdistance=HOVER_DISTANCE_PX,
        spikedistance=HOVER_DISTANCE_PX,
        showlegend=False,
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


def genre_cluster_figure(shares: pd.DataFrame, names: list[str], purity: list[tuple[str, float]]) -> go.Figure:
    """Genre groups against clusters: each column is one cluster's make-up (shares summing to 100%),
    its purest group named under it."""
    columns = [f"{i}: {name}<br>{group} {share:.0%}" for i, (name, (group, share))
               in enumerate(zip(names, purity, strict=True))]
    z = shares.to_numpy()
    figure = go.Figure(go.Heatmap(
        z=z, x=columns, y=[str(g) for g in shares.index], text=[[f"{v:.0%}" for v in row] for row in z],
        texttemplate="%{text}", textfont={"size": HEATMAP_TEXT_PX}, colorscale="Blues", zmin=0, zmax=1,
        colorbar={"title": "share of<br>the cluster", "tickformat": ".0%"},
        hovertemplate="%{x}<br>%{y}: %{z:.1%} of the cluster's songs<extra></extra>",
    ))
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=120 + 30 * len(shares),
                         yaxis={"autorange": "reversed"}, xaxis={"side": "top"})
    return figure


def spread_figure(counts: np.ndarray, names: list[str], what: str) -> go.Figure:
    """Where some songs (a genre's, an artist's) fall: how many in each cluster."""
    total = max(int(counts.sum()), 1)
    figure = go.Figure(go.Bar(
        x=[f"{i}: {n}" for i, n in enumerate(names)], y=counts, marker_color=cluster_colours(len(names)),
        text=[f"{c:,} ({c / total:.0%})" for c in counts], textposition="auto",
        hovertemplate="%{x}: %{y:,} songs<extra></extra>",
    ))
    figure.update_layout(height=300, margin={"l": 50, "r": 10, "t": 30, "b": 40}, yaxis_title="songs",
                         title={"text": f"Where {html.escape(what)} fall ({total:,} songs)", "font": {"size": 14}})
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


def silhouette_order(values: np.ndarray, labels: np.ndarray, k: int) -> list[np.ndarray]:
    """Per cluster, the sample's positions sorted by silhouette: trace c's point i is sample
    position ``order[c][i]`` (what a selection on the plot names)."""
    return [members[np.argsort(values[members], kind="stable")]
            for members in (np.flatnonzero(labels == cluster) for cluster in range(k))]


def silhouette_figure(values: np.ndarray, labels: np.ndarray, rows: np.ndarray, names: list[str]) -> go.Figure:
    """Per-song silhouettes of the sample, sorted within each cluster, the mean marked.

    One filled WebGL trace per cluster (not one bar per song), so 10,000 songs stay light. Each
    point carries its song's row in ``customdata`` for box selection.
    """
    colours = cluster_colours(len(names))
    figure = go.Figure()
    offset = 0
    for cluster, (name, order) in enumerate(zip(names, silhouette_order(values, labels, len(names)), strict=True)):
        y = np.arange(offset, offset + len(order))
        # Markers (tiny) make the songs selectable: plotly selects points, never lines. WebGL keeps
        # 10,000 of them light.
        figure.add_trace(go.Scattergl(
            x=values[order], y=y, mode="lines+markers", fill="tozerox", name=f"{cluster}: {name}",
            line={"color": colours[cluster], "width": 1}, marker={"size": 2, "color": colours[cluster]},
            customdata=rows[order], hovertemplate=f"{name}<br>silhouette %{{x:.2f}}<extra></extra>",
        ))
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
