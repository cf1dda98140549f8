"""Pure figure builders: arrays and profiles in, ``go.Figure`` out. No Dash, no engine calls."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

#: Fifteen well-separated colours (the k slider goes to 15); cluster i always gets colour i.
PALETTE: tuple[str, ...] = tuple(qualitative.Plotly + qualitative.Dark2[:5])
FEATURE_LABELS: dict[str, str] = {
    "duration_ms": "duration",
    "popularity_songs": "popularity",
    "popularity_artists": "artist popularity",
    "time_signature": "time signature",
}


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


def pca_figure(coordinates: np.ndarray, labels: np.ndarray, k: int, explained: list[float]) -> go.Figure:
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
        uirevision="pca",
        dragmode="zoom",
    )
    return figure


def heatmap_figure(means: pd.DataFrame, z_scores: pd.DataFrame, names: list[str], features: list[str]) -> go.Figure:
    """Cluster means: colour is the z-score against all songs, the text the value in its unit."""
    z = z_scores[features].to_numpy()
    text = [[format_value(f, means.loc[i, f]) for f in features] for i in range(len(names))]
    labels = [f"{i}: {name}" for i, name in enumerate(names)]
    figure = go.Figure(go.Heatmap(
        z=z, x=[feature_label(f) for f in features], y=labels, text=text, texttemplate="%{text}",
        colorscale="RdBu", reversescale=True, zmid=0, zmin=-3, zmax=3, colorbar={"title": "z-score"},
        hovertemplate="%{y}<br>%{x}: %{text} (z = %{z:.2f})<extra></extra>",
    ))
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=120 + 38 * len(names),
                         yaxis={"autorange": "reversed"})
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
