"""The PCA scatter of every song: built once per projection, then patched.

What the scatter shows is kept beside it (``store-pca-drawn``: projection, clustering, theme).
Each answer compares that with the resolved view, whatever triggered it: a new projection
(data or features) rebuilds the figure; the same projection gets a Patch of only what changed
(one byte per song for new colours, the template for a new theme).
"""

from __future__ import annotations

import logging

from dash import ClientsideFunction, Dash, Input, Output, Patch, State, html, no_update

from callbacks.common import USER_ERRORS, shown_result
from clustering.engine import ClusterResult, Engine
from clustering.songs import FAMILY_ORDER, families
from clustering.view import View
from layouts import ids
from layouts.figures import (
    category_marker,
    cluster_colours,
    continuous_marker,
    feature_label,
    focus_update,
    format_value,
    highlight_update,
    marker_update,
    pca_figure,
    template_json,
    themed,
)
from services import Services

log = logging.getLogger(__name__)
HOVER_FEATURES = ("energy", "danceability", "acousticness", "speechiness", "tempo")
COLOUR_BY_CLUSTER = "cluster"
COLOUR_BY_FAMILY = "family"


def colour_choice(engine: Engine, colour: str | None) -> str:
    """The colouring asked for, if this catalogue has it; else by cluster."""
    if colour == COLOUR_BY_FAMILY or (colour in engine.catalogue.numeric_columns):
        return colour
    return COLOUR_BY_CLUSTER


def marker_for(engine: Engine, result: ClusterResult, colour: str, focus: list[int]) -> dict:
    """The scatter's marker: cluster colours (some dimmed by the legend), genre family or a number."""
    if colour == COLOUR_BY_FAMILY:
        return category_marker(families(engine.catalogue).cat.codes.to_numpy(), list(FAMILY_ORDER), "genre family")
    if colour != COLOUR_BY_CLUSTER:
        return continuous_marker(engine.catalogue.frame[colour].to_numpy(dtype=float), colour)
    return marker_update(result.labels, result.k, focus)


def wanted_drawing(view: View, engine: Engine, dark: bool, colour: str | None, focus: dict | None,
                   highlight: dict | None) -> dict:
    """Everything the scatter shows, as plain values: what is drawn is compared with it."""
    colour = colour_choice(engine, colour)
    clusters = sorted(int(c) for c in (focus or {}).get("clusters", [])) \
        if focus and focus.get("key") == view.key and colour == COLOUR_BY_CLUSTER else []
    rows = [int(r) for r in (highlight or {}).get("rows", []) if 0 <= int(r) < engine.catalogue.n_songs] \
        if highlight and highlight.get("dataset") == view.dataset else []
    return {"projection": view.projection_key, "labels": view.key, "dark": bool(dark), "colour": colour,
            "focus": clusters, "highlight": rows, "lead": bool((highlight or {}).get("lead")),
            "n": engine.catalogue.n_songs}


def draw_pca(services: Services, view_data: dict | None, dark: bool, active_tab: str | None,
             drawn: dict | None, colour: str | None = COLOUR_BY_CLUSTER, focus: dict | None = None,
             highlight: dict | None = None) -> tuple:
    """(figure or Patch, caption, what is drawn now) for the view; no_update while hidden or refused.

    The same projection gets a Patch of only what changed: one byte a song for new colours, the
    colour scale alone for a legend isolation, a few points for a highlighted song.
    """
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
    now = wanted_drawing(view, engine, dark, colour, focus, highlight)
    drawn = drawn or {}
    if drawn.get("projection") == now["projection"] and drawn.get("n") == now["n"]:
        if drawn == now:
            return no_update, no_update, no_update
        patch = Patch()
        colours_changed = drawn.get("colour") != now["colour"] or (
            now["colour"] == COLOUR_BY_CLUSTER and drawn.get("labels") != now["labels"])
        if colours_changed:
            patch["data"][0]["marker"] = marker_for(engine, result, now["colour"], now["focus"])
        elif now["colour"] == COLOUR_BY_CLUSTER and drawn.get("focus") != now["focus"]:
            patch["data"][0]["marker"]["colorscale"] = focus_update(result.k, now["focus"])["colorscale"]
        if (drawn.get("highlight"), drawn.get("lead")) != (now["highlight"], now["lead"]):
            overlay = highlight_update(engine.projection(view.features).coordinates, now["highlight"], now["lead"])
            for key, value in overlay.items():
                patch["data"][1][key] = value
        if drawn.get("dark") != now["dark"]:
            patch["layout"]["template"] = template_json(now["dark"])
        return patch, no_update, now
    projection = engine.projection(view.features)
    loadings = sorted(projection.loadings.items(), key=lambda item: -abs(item[1][0]))[:3]
    caption = ("PC1 is driven most by " + ", ".join(f"{feature_label(f)} ({w[0]:+.2f})" for f, w in loadings)
               + ". Hover a point for the song, click it for similar songs; Box or Lasso Select in the toolbar "
                 "lists the songs you drag over.")
    figure = pca_figure(projection.coordinates, marker_for(engine, result, now["colour"], now["focus"]),
                        projection.explained_variance, uirevision=view.projection_key,
                        highlight=highlight_update(projection.coordinates, now["highlight"], now["lead"]))
    return themed(figure, now["dark"]), caption, now


def point_row(point: dict) -> int | None:
    """The song (row) of a hovered or clicked point: its index on the songs' trace (the overlay of
    chosen songs lets hover and clicks through to the song beneath)."""
    if point.get("curveNumber", 0) == 0 and isinstance(point.get("pointIndex"), int):
        return int(point["pointIndex"])
    return None


def hover_card(services: Services, hover: dict | None, view_data: dict | None,
               colour: str | None = COLOUR_BY_CLUSTER) -> tuple:
    """The hovered song's title, artist, genre, cluster and key features, fetched on demand; and,
    when the scatter is coloured by something else, that value first."""
    if not hover or not hover.get("points"):
        return False, no_update, no_update
    point = hover["points"][0]
    try:
        shown = shown_result(services, view_data)
        if shown is None:
            return False, no_update, no_update
        _view, engine, result = shown
        row = point_row(point)
        if row is None or not 0 <= row < engine.catalogue.n_songs:
            return False, no_update, no_update
        song = engine.catalogue.songs([row])[0]
    except Exception:
        return False, no_update, no_update
    cluster = int(result.labels[row])
    frame = engine.catalogue.frame
    details = [f"{feature_label(f)}: {format_value(f, float(frame[f].iloc[row]))}" for f in HOVER_FEATURES
               if f in frame.columns]
    colour = colour_choice(engine, colour)
    coloured = None
    if colour == COLOUR_BY_FAMILY:
        coloured = f"genre family: {families(engine.catalogue).iloc[row]}"
    elif colour != COLOUR_BY_CLUSTER:
        coloured = f"{feature_label(colour)}: {format_value(colour, float(frame[colour].iloc[row]))}"
    children = html.Div([
        html.Div(coloured, className="small fw-semibold") if coloured else None,
        html.Div(song["title"], className="fw-semibold"),
        html.Div(f"{song['artist']} · {song['genre']}", className="small"),
        html.Div([html.Span(className="swatch", style={"backgroundColor": cluster_colours(result.k)[cluster]}),
                  f"{cluster}: {result.names[cluster]}"], className="small"),
        html.Div(" · ".join(details), className="small text-muted"),
        html.Div("Click for similar songs", className="small text-muted fst-italic"),
    ], className="song-tooltip")
    return True, point.get("bbox"), children


def register(app: Dash, services: Services) -> list:
    @app.callback(
        Output(ids.GRAPH_PCA, "figure"),
        Output(ids.CAPTION_PCA, "children"),
        Output(ids.STORE_PCA_DRAWN, "data"),
        Input(ids.STORE_VIEW_VISUALIZATIONS, "data"),
        Input(ids.SWITCH_THEME, "value"),
        Input(ids.DROPDOWN_COLOUR_BY, "value"),
        Input(ids.STORE_FOCUS, "data"),
        Input(ids.STORE_HIGHLIGHT, "data"),
        State(ids.TABS_MAIN, "active_tab"),
        State(ids.STORE_PCA_DRAWN, "data"),
    )
    def update_pca(view, dark, colour, focus, highlight, active_tab, drawn):
        return draw_pca(services, view, dark, active_tab, drawn, colour, focus, highlight)

    @app.callback(
        Output(ids.TOOLTIP_PCA, "show"),
        Output(ids.TOOLTIP_PCA, "bbox"),
        Output(ids.TOOLTIP_PCA, "children"),
        Input(ids.GRAPH_PCA, "hoverData"),
        State(ids.STORE_VIEW, "data"),
        State(ids.DROPDOWN_COLOUR_BY, "value"),
    )
    def hover_song(hover, view, colour):
        return hover_card(services, hover, view, colour)

    # The tooltip opens towards the wider side of the graph, so it stays on screen.
    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="tooltipSide"),
        Output(ids.TOOLTIP_PCA, "direction"),
        Input(ids.GRAPH_PCA, "hoverData"),
        prevent_initial_call=True,
    )

    return [update_pca, hover_song]
