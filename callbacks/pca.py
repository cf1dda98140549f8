"""The PCA scatter of every song: built once per feature set, recoloured by Patch on k changes."""

from __future__ import annotations

from dash import Input, Output, Patch, State, callback, ctx, html, no_update

from callbacks.common import Request, current_result, engine_for
from callbacks.views import CLUSTER_INPUTS, song_rows
from layouts import ids
from layouts.figures import cluster_colours, empty_figure, feature_label, format_value, marker_update, pca_figure

#: Controls that change only the colours: the browser gets a Patch, not 95k points again.
RECOLOUR_TRIGGERS = {ids.SLIDER_K, ids.RADIO_ALGORITHM, ids.STORE_TREE}
HOVER_FEATURES = ("energy", "danceability", "acousticness", "speechiness", "tempo")


@callback(Output(ids.GRAPH_PCA, "figure"), Output(ids.PCA_CAPTION, "children"), *CLUSTER_INPUTS)
def update_pca(dataset_id, k, algorithm, features, _tree_ready):
    try:
        request = Request.parse(dataset_id, k, algorithm, features)
        result = current_result(request)
    except Exception as exc:
        return empty_figure(str(exc) if len(str(exc)) < 90 else "Nothing to show for this setting."), ""
    if ctx.triggered_id in RECOLOUR_TRIGGERS:
        patch = Patch()
        patch["data"][0]["marker"] = marker_update(result.labels, result.k)
        return patch, no_update
    projection = engine_for(dataset_id).projection(request.features)
    loadings = sorted(projection.loadings.items(), key=lambda item: -abs(item[1][0]))[:3]
    caption = ("PC1 is driven most by " + ", ".join(f"{feature_label(f)} ({w[0]:+.2f})" for f, w in loadings)
               + ". Hover a point for the song.")
    return pca_figure(projection.coordinates, result.labels, result.k, projection.explained_variance), caption


@callback(
    Output(ids.TOOLTIP_PCA, "show"),
    Output(ids.TOOLTIP_PCA, "bbox"),
    Output(ids.TOOLTIP_PCA, "children"),
    Input(ids.GRAPH_PCA, "hoverData"),
    State(ids.STORE_DATASET, "data"),
    State(ids.SLIDER_K, "value"),
    State(ids.RADIO_ALGORITHM, "value"),
    State(ids.CHECKLIST_FEATURES, "value"),
)
def hover_song(hover, dataset_id, k, algorithm, features):
    """The hovered song's title, artist, genre, cluster and key features, fetched on demand."""
    if not hover or not hover.get("points"):
        return False, no_update, no_update
    point = hover["points"][0]
    try:
        result = current_result(Request.parse(dataset_id, k, algorithm, features))
        engine = engine_for(dataset_id)
        row = int(point["pointIndex"])
        song = song_rows(engine, [row])[0]
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
