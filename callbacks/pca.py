"""The PCA scatter of every song: built once per projection, then patched.

What the scatter shows is kept beside it (``store-pca-drawn``: projection, clustering, theme).
Each answer compares that with the resolved view, whatever triggered it: a new projection
(data or features) rebuilds the figure; the same projection gets a Patch of only what changed
(one byte per song for new colours, the template for a new theme).
"""

from __future__ import annotations

import logging

from dash import Dash, Input, Output, Patch, State, html, no_update

from callbacks.common import USER_ERRORS, shown_result
from layouts import ids
from layouts.figures import (
    cluster_colours,
    feature_label,
    format_value,
    marker_update,
    pca_figure,
    template_json,
    themed,
)
from services import Services

log = logging.getLogger(__name__)
HOVER_FEATURES = ("energy", "danceability", "acousticness", "speechiness", "tempo")


def draw_pca(services: Services, view_data: dict | None, dark: bool, active_tab: str | None,
             drawn: dict | None) -> tuple:
    """(figure or Patch, caption, what is drawn now) for the view; no_update while hidden or refused."""
    if active_tab != ids.TAB_VISUALIZATIONS:
        return no_update, no_update, no_update
    try:
        shown = shown_result(services, view_data)
    except Exception as exc:  # the status line explains it; the old scatter stays, dimmed
        if not isinstance(exc, USER_ERRORS):
            log.exception("scatter could not be built")
        return no_update, no_update, no_update
    if shown is None:
        return no_update, no_update, no_update
    view, engine, result = shown
    now = {"projection": view.projection_key, "labels": view.key, "dark": bool(dark)}
    drawn = drawn or {}
    if drawn.get("projection") == now["projection"]:
        if drawn == now:
            return no_update, no_update, no_update
        patch = Patch()
        if drawn.get("labels") != now["labels"]:
            patch["data"][0]["marker"] = marker_update(result.labels, result.k)
        if drawn.get("dark") != now["dark"]:
            patch["layout"]["template"] = template_json(now["dark"])
        return patch, no_update, now
    projection = engine.projection(view.features)
    loadings = sorted(projection.loadings.items(), key=lambda item: -abs(item[1][0]))[:3]
    caption = ("PC1 is driven most by " + ", ".join(f"{feature_label(f)} ({w[0]:+.2f})" for f, w in loadings)
               + ". Hover a point for the song.")
    figure = pca_figure(projection.coordinates, result.labels, result.k, projection.explained_variance,
                        uirevision=view.projection_key)
    return themed(figure, now["dark"]), caption, now


def hover_card(services: Services, hover: dict | None, view_data: dict | None) -> tuple:
    """The hovered song's title, artist, genre, cluster and key features, fetched on demand."""
    if not hover or not hover.get("points"):
        return False, no_update, no_update
    point = hover["points"][0]
    try:
        shown = shown_result(services, view_data)
        if shown is None:
            return False, no_update, no_update
        _view, engine, result = shown
        row = int(point["pointIndex"])
        song = engine.catalogue.songs([row])[0]
    except Exception:
        return False, no_update, no_update
    cluster = int(result.labels[row])
    frame = engine.catalogue.frame
    details = [f"{feature_label(f)}: {format_value(f, float(frame[f].iloc[row]))}" for f in HOVER_FEATURES
               if f in frame.columns]
    children = html.Div([
        html.Div(song["title"], className="fw-semibold"),
        html.Div(f"{song['artist']} · {song['genre']}", className="small"),
        html.Div([html.Span(className="swatch", style={"backgroundColor": cluster_colours(result.k)[cluster]}),
                  f"{cluster}: {result.names[cluster]}"], className="small"),
        html.Div(" · ".join(details), className="small text-muted"),
    ], className="song-tooltip")
    return True, point.get("bbox"), children


def register(app: Dash, services: Services) -> list:
    @app.callback(
        Output(ids.GRAPH_PCA, "figure"),
        Output(ids.CAPTION_PCA, "children"),
        Output(ids.STORE_PCA_DRAWN, "data"),
        Input(ids.STORE_VIEW_VISUALIZATIONS, "data"),
        Input(ids.SWITCH_THEME, "value"),
        State(ids.TABS_MAIN, "active_tab"),
        State(ids.STORE_PCA_DRAWN, "data"),
    )
    def update_pca(view, dark, active_tab, drawn):
        return draw_pca(services, view, dark, active_tab, drawn)

    @app.callback(
        Output(ids.TOOLTIP_PCA, "show"),
        Output(ids.TOOLTIP_PCA, "bbox"),
        Output(ids.TOOLTIP_PCA, "children"),
        Input(ids.GRAPH_PCA, "hoverData"),
        State(ids.STORE_VIEW, "data"),
    )
    def hover_song(hover, view):
        return hover_card(services, hover, view)

    return [update_pca, hover_song]
