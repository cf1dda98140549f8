"""Songs, not only clusters: search, the chosen song and its similar songs, the scatter's selection,
isolating clusters from the legend, and genres against clusters.

The chosen song (or artist) is marked on the scatter through ``store-highlight``: the scatter's
one callback draws it as a Patch of a few points (callbacks/pca.py), never a resend of the songs.
"""

from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, callback_context, dcc, html, no_update

from callbacks.common import USER_ERRORS, shown_result, tab_view
from callbacks.pca import point_row
from clustering.engine import ClusterResult, Engine
from clustering.export import csv_bytes
from clustering.profiles import by_popularity
from clustering.songs import (
    FAMILY_ORDER,
    MIN_QUERY,
    Match,
    Neighbour,
    common_genres,
    decode_selection,
    families,
    fold_query,
    genre_by_cluster,
    genre_rows,
    parse_choice,
    purity,
    selection_profile,
    song_match,
    spread,
)
from clustering.view import View
from layouts import ids
from layouts.figures import (
    cluster_colours,
    empty_figure,
    feature_label,
    format_value,
    genre_cluster_figure,
    spread_figure,
    themed,
)
from layouts.page import SELECTION_HINT, SONG_HINT, colour_options
from layouts.panels import sideways, swatch
from services import Services

log = logging.getLogger(__name__)
SIMILAR_SHOWN = 10
SELECTION_SHOWN = 100  # rows listed in the page; the export has them all
ARTIST_SONGS_SHOWN = 50
HIGHLIGHT_MAX = 2_000  # an artist's songs marked on the scatter (a few KB)
GENRES_OFFERED = 1_000  # genres in the genre picker, the commonest first (it is searchable)
NO_MATCH = "none:"  # the value of the option that says why nothing is listed (never chosen)


# --- search ---------------------------------------------------------------------------------
def option(match: Match, query: str = "") -> dict:
    """A dropdown option; ``search`` carries the query so that the dropdown's own filter (plain
    substring on the label) keeps matches found accent-insensitively."""
    return {"label": match.label, "value": match.value, "search": f"{match.label} {query}"}


def chosen_options(engine: Engine, value: str | None) -> list[dict]:
    """The option of the current choice, so that it stays shown while the options change."""
    choice = parse_choice(value, engine.catalogue.n_songs)
    if choice is None:
        return []
    kind, what = choice
    if kind == "song":
        return [option(song_match(engine.catalogue.songs([what])[0]))]
    rows = engine.search().artist_rows(str(what))
    return [option(Match("artist", f"artist:{what}", f"Artist: {what} · {len(rows):,} songs"))]


def search_options(services: Services, query: str | None, value: str | None, view_data: dict | None) -> dict:
    """The options for what was typed, with the query they answer: the browser shows them only if
    it is still what the search box holds (typing is faster than answers, which may cross)."""
    view = View.from_dict(view_data)
    if view is None:
        return no_update
    try:
        engine = services.engine(view.dataset)
        current = chosen_options(engine, value)
        found = [option(m, query) for m in engine.search().search(query)] if query else []
    except USER_ERRORS:
        return no_update
    if query and not found:  # say why the list is empty, as an option that cannot be chosen
        short = len("".join(fold_query(query))) < MIN_QUERY
        text = "Type at least two letters or digits" if short else f"No song or artist matches “{query}”"
        found = [{"label": text, "value": NO_MATCH, "disabled": True, "search": f"{text} {query}"}]
    return {"query": query or "", "options": found + [o for o in current if o["value"] not in
                                                       {f["value"] for f in found}]}


def clicked_song(services: Services, click: dict | None, view_data: dict | None) -> tuple:
    """A click on the scatter chooses that song, as a search would."""
    points = (click or {}).get("points") or []
    return choose_row(services, point_row(points[0]) if points else None, view_data)


def choose_row(services: Services, row: int | None, view_data: dict | None) -> tuple:
    """(search value, its options) that make song ``row`` the chosen one."""
    view = View.from_dict(view_data)
    if view is None or row is None:
        return no_update, no_update
    try:
        engine = services.engine(view.dataset)
    except USER_ERRORS:
        return no_update, no_update
    if not 0 <= row < engine.catalogue.n_songs:
        return no_update, no_update
    value = f"song:{row}"
    return value, chosen_options(engine, value)


# --- the chosen song ------------------------------------------------------------------------
def song_link(song: dict) -> html.Button:
    """A song's title that, clicked, makes it the chosen song."""
    return html.Button(song["title"], id={"type": ids.SONG_LINK, "index": song["row"]}, type="button",
                       className="link-button", title="Show this song and its similar songs")


def cluster_label(result: ClusterResult, cluster: int) -> html.Span:
    return html.Span([swatch(cluster_colours(result.k)[cluster]), f"{cluster}: {result.names[cluster]}"],
                     className="text-nowrap")


def neighbours_for(engine: Engine, result: ClusterResult, row: int, same_cluster: bool) -> list[Neighbour]:
    return engine.similar(row, result.features, SIMILAR_SHOWN, within_cluster=result if same_cluster else None)


def similar_table(engine: Engine, result: ClusterResult, neighbours: list[Neighbour]) -> dbc.Table:
    songs = engine.catalogue.songs([n.row for n in neighbours])
    header = html.Thead(html.Tr([html.Th(h) for h in ("#", "song", "artist", "genre", "cluster", "similarity",
                                                      "distance")]))
    body = html.Tbody([html.Tr([
        html.Td(i + 1), html.Td(song_link(song)), html.Td(song["artist"]), html.Td(song["genre"]),
        html.Td(cluster_label(result, int(result.labels[n.row]))),
        html.Td(f"{n.similarity:.0%}", title="1 - distance / the distance of two songs picked at random"),
        html.Td(f"{n.distance:.2f}"),
    ]) for i, (song, n) in enumerate(zip(songs, neighbours, strict=True))])
    return dbc.Table([header, body], id=ids.TABLE_SIMILAR_SONGS, size="sm", striped=True, hover=True,
                     className="mb-0")


def place_in_profile(engine: Engine, result: ClusterResult, row: int) -> dbc.Table:
    """The song's own values beside its cluster's means and the catalogue's, feature by feature."""
    frame = engine.catalogue.frame
    cluster = int(result.labels[row])
    means = result.profile.means
    header = html.Thead(html.Tr([html.Th(h) for h in ("", "this song", f"cluster {cluster}", "all songs")]))
    body = html.Tbody([html.Tr([
        html.Th(feature_label(f), className="fw-normal"), html.Td(format_value(f, float(frame[f].iloc[row]))),
        html.Td(format_value(f, float(means.loc[cluster, f]))), html.Td(format_value(f, float(frame[f].mean()))),
    ]) for f in result.features])
    return dbc.Table([header, body], size="sm", className="mb-0")


def song_panel(engine: Engine, result: ClusterResult, row: int, same_cluster: bool) -> tuple[list, list[int]]:
    song = engine.catalogue.songs([row])[0]
    neighbours = neighbours_for(engine, result, row, same_cluster)
    cluster = int(result.labels[row])
    scope = "in its cluster" if same_cluster else "in the whole catalogue"
    popularity = f" · popularity {song['popularity']}" if song["popularity"] is not None else ""
    children = [
        html.Div([html.Span(song["title"], className="fw-semibold fs-6 me-2"),
                  html.Span(f"{song['artist']} · {song['genre']}{popularity}", className="text-muted")]),
        html.Div(["In cluster ", cluster_label(result, cluster),
                  f" ({result.scores.sizes[cluster]:,} songs). Marked on the scatter with a large ring, its similar "
                  "songs with small ones."], className="mb-2"),
        dbc.Row([
            dbc.Col([html.Div("Where it sits", className="fw-semibold"),
                     sideways(place_in_profile(engine, result, row))], lg=5, className="mb-2"),
            dbc.Col([html.Div(f"The {len(neighbours)} most similar songs {scope} (on the {len(result.features)} "
                              "clustered features)", className="fw-semibold"),
                     sideways(similar_table(engine, result, neighbours))], lg=7),
        ]),
    ]
    return children, [row] + [n.row for n in neighbours]


def artist_panel(engine: Engine, result: ClusterResult, name: str) -> tuple[list, list[int]]:
    rows = engine.search().artist_rows(name)
    counts = np.bincount(result.labels[rows].astype(np.int64), minlength=result.k)
    spans = [c for c in np.argsort(-counts, kind="stable") if counts[c]]
    popularity = engine.catalogue.column("popularity")
    order = by_popularity(popularity, rows)
    songs = engine.catalogue.songs(order[:ARTIST_SONGS_SHOWN])
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("song", "genre", "cluster")])),
        html.Tbody([html.Tr([html.Td(song_link(s)), html.Td(s["genre"]),
                             html.Td(cluster_label(result, int(result.labels[s["row"]])))]) for s in songs]),
    ], size="sm", striped=True, className="mb-0")
    more = f" (the {ARTIST_SONGS_SHOWN} most popular listed)" if len(rows) > ARTIST_SONGS_SHOWN else ""
    children = [
        html.Div([html.Span(name, className="fw-semibold fs-6 me-2"),
                  html.Span(f"{len(rows):,} song{'s' if len(rows) != 1 else ''}{more}", className="text-muted")]),
        html.Div([f"Spans {len(spans)} of {result.k} clusters: "] + [
            html.Span([cluster_label(result, int(c)), f" {counts[c]:,}", "; " if i < len(spans) - 1 else ""])
            for i, c in enumerate(spans)], className="mb-2"),
        sideways(table),
    ]
    marked = order[:HIGHLIGHT_MAX].tolist()
    return children, marked


def song_view(services: Services, value: str | None, same_cluster: bool, view_data: dict | None) -> tuple:
    """(panel, highlight for the scatter, playlist export disabled) for the chosen song or artist."""
    try:
        shown = shown_result(services, view_data)
    except USER_ERRORS:
        return no_update, no_update, no_update
    if shown is None:
        return no_update, no_update, no_update
    view, engine, result = shown
    choice = parse_choice(value, engine.catalogue.n_songs)
    if choice is None:
        return SONG_HINT, {"dataset": view.dataset, "rows": [], "lead": False}, True
    kind, what = choice
    if kind == "song":
        children, rows = song_panel(engine, result, int(what), bool(same_cluster))
    else:
        children, rows = artist_panel(engine, result, str(what))
    return children, {"dataset": view.dataset, "rows": rows, "lead": kind == "song"}, kind != "song"


def playlist(services: Services, value: str | None, same_cluster: bool, view_data: dict | None):
    """The chosen song and its similar songs as a CSV playlist."""
    shown = shown_result(services, view_data)
    choice = parse_choice(value, shown[1].catalogue.n_songs) if shown else None
    if choice is None or choice[0] != "song":
        return no_update
    view, engine, result = shown
    row = int(choice[1])
    neighbours = [Neighbour(row, 0.0, 1.0), *neighbours_for(engine, result, row, bool(same_cluster))]
    songs = engine.catalogue.songs([n.row for n in neighbours])
    frame = pd.DataFrame({
        "position": range(1, len(songs) + 1),
        "title": [s["title"] for s in songs], "artist": [s["artist"] for s in songs],
        "genre": [s["genre"] for s in songs],
        "cluster": [int(result.labels[n.row]) for n in neighbours],
        "cluster_name": [result.names[int(result.labels[n.row])] for n in neighbours],
        "similarity": [round(n.similarity, 4) for n in neighbours],
        "distance": [round(n.distance, 4) for n in neighbours],
    })
    song_id = engine.catalogue.column("id")
    if song_id is not None:
        frame.insert(1, "id", [str(song_id.iloc[n.row]) for n in neighbours])
    return dcc.send_bytes(csv_bytes(frame), f"similar_to_song_{row + 1}_{view.algorithm}_k{view.k}.csv")


# --- the selection --------------------------------------------------------------------------
def selected_rows(engine: Engine, view: View, selection: dict | None) -> tuple[np.ndarray | None, str]:
    """The selected rows, or None and why there are none to list."""
    if not selection or not selection.get("bits"):
        return None, SELECTION_HINT
    if selection.get("projection") != view.projection_key:
        return None, "That selection was drawn on another picture of the songs (the features changed): select again."
    try:
        rows = decode_selection(selection["bits"], engine.catalogue.n_songs)
    except ValueError:
        return None, "That selection no longer matches the songs shown: select again."
    if len(rows) == 0:
        return None, "No songs in the selection: drag over some points."
    return rows, ""


def selection_panel(engine: Engine, result: ClusterResult, rows: np.ndarray) -> list:
    catalogue = engine.catalogue
    popularity = catalogue.column("popularity")
    order = by_popularity(popularity, rows)
    listed = catalogue.songs(order[:SELECTION_SHOWN])
    counts = np.bincount(result.labels[rows].astype(np.int64), minlength=result.k)
    profile = selection_profile(catalogue.frame, list(result.features), rows)
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("song", "artist", "genre", "cluster")])),
        html.Tbody([html.Tr([html.Td(song_link(s)), html.Td(s["artist"]), html.Td(s["genre"]),
                             html.Td(cluster_label(result, int(result.labels[s["row"]])))]) for s in listed]),
    ], id=ids.TABLE_SELECTION, size="sm", striped=True, hover=True, className="mb-0")
    against = dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("", "selection", "all songs", "difference")])),
        html.Tbody([html.Tr([
            html.Th(feature_label(f), className="fw-normal"), html.Td(format_value(f, profile.loc[f, "selection"])),
            html.Td(format_value(f, profile.loc[f, "catalogue"])),
            html.Td(f"{profile.loc[f, 'z']:+.1f} SD", className="text-nowrap"),
        ]) for f in profile.index]),
    ], size="sm", className="mb-0")
    shown = f"the {len(listed):,} {'most popular' if popularity is not None else 'first'} listed"
    return [
        html.Div([html.Span(f"{len(rows):,} songs selected", className="fw-semibold me-2", **{"data-count": len(rows)}),
                  html.Span(f"({shown}; the download has them all). By cluster: " if len(rows) > len(listed)
                            else "By cluster: ", className="text-muted"),
                  *[html.Span([cluster_label(result, c), f" {counts[c]:,}  "]) for c in range(result.k) if counts[c]]],
                 className="mb-2"),
        dbc.Row([dbc.Col([html.Div("The selection against the catalogue", className="fw-semibold"),
                          sideways(against)], lg=5, className="mb-2"),
                 dbc.Col([html.Div("Songs", className="fw-semibold"),
                          html.Div(sideways(table), className="selection-list")], lg=7)]),
    ]


def selection_view(services: Services, selection: dict | None, view_data: dict | None) -> tuple:
    try:
        shown = shown_result(services, view_data)
    except USER_ERRORS:
        return no_update, no_update
    if shown is None:
        return no_update, no_update
    view, engine, result = shown
    rows, why = selected_rows(engine, view, selection)
    if rows is None:
        return why, True
    return selection_panel(engine, result, rows), False


def selection_export(services: Services, selection: dict | None, view_data: dict | None):
    shown = shown_result(services, view_data)
    if shown is None:
        return no_update
    view, engine, result = shown
    rows, _ = selected_rows(engine, view, selection)
    if rows is None:
        return no_update
    frame = engine.clustered_frame(result).iloc[rows]
    return dcc.send_bytes(csv_bytes(frame), f"selection_{len(rows)}_songs_{view.algorithm}_k{view.k}.csv")


# --- genres ---------------------------------------------------------------------------------
def song_count(count: int) -> str:
    return f"{count:,} song{'' if count == 1 else 's'}"


def genre_options(engine: Engine) -> list[dict]:
    """Genre families first, then the commonest genres, each with its song count."""
    counts = families(engine.catalogue).value_counts()
    options = [{"label": f"{family} (family) · {song_count(int(counts.get(family, 0)))}", "value": f"family:{family}"}
               for family in FAMILY_ORDER if counts.get(family, 0)]
    options += [{"label": f"{genre} · {song_count(count)}", "value": f"genre:{genre}"}
                for genre, count in common_genres(engine.catalogue, GENRES_OFFERED)]
    return options


def genre_figure(result: ClusterResult, engine: Engine, dark: bool):
    shares = genre_by_cluster(families(engine.catalogue), result.labels, result.k)
    shares = shares.loc[shares.max(axis=1) > 0]
    return themed(genre_cluster_figure(shares, result.names, purity(shares)), dark)


def genre_spread(result: ClusterResult, engine: Engine, choice: str | None, dark: bool):
    if not choice:
        return themed(empty_figure("Pick a genre or a genre family above to see which clusters hold its songs."),
                      dark)
    label, rows = genre_rows(engine.catalogue, choice)
    if len(rows) == 0:
        return themed(empty_figure(f"No songs of {label or 'that genre'} in this catalogue."), dark)
    return themed(spread_figure(spread(rows, result.labels, result.k), result.names, f"the songs of {label}"),
                  dark)


def catalogue_controls(services: Services, dataset: str | None) -> tuple:
    """A new catalogue (or Reset): its colourings and genres; no song chosen, colour by cluster."""
    try:
        engine = services.engine(dataset)
    except USER_ERRORS:
        return (no_update,) * 5
    return colour_options(engine.catalogue), "cluster", None, genre_options(engine), None


def register(app: Dash, services: Services) -> list:
    visuals = State(ids.STORE_VIEW_VISUALIZATIONS, "data")

    @app.callback(Output(ids.STORE_SONG_MATCHES, "data"), Input(ids.INPUT_SONG_SEARCH, "search_value"),
                  State(ids.INPUT_SONG_SEARCH, "value"), State(ids.STORE_VIEW, "data"), prevent_initial_call=True)
    def update_song_options(query, value, view):
        return search_options(services, query, value, view)

    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="matches"),
        Output(ids.INPUT_SONG_SEARCH, "options"),
        Input(ids.STORE_SONG_MATCHES, "data"), State(ids.INPUT_SONG_SEARCH, "search_value"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.INPUT_SONG_SEARCH, "value"),
                  Output(ids.INPUT_SONG_SEARCH, "options", allow_duplicate=True),
                  Input(ids.GRAPH_PCA, "clickData"), State(ids.STORE_VIEW, "data"), prevent_initial_call=True)
    def choose_clicked_song(click, view):
        return clicked_song(services, click, view)

    @app.callback(Output(ids.INPUT_SONG_SEARCH, "value", allow_duplicate=True),
                  Output(ids.INPUT_SONG_SEARCH, "options", allow_duplicate=True),
                  Input({"type": ids.SONG_LINK, "index": ALL}, "n_clicks"), State(ids.STORE_VIEW, "data"),
                  prevent_initial_call=True)
    def go_to_song(_clicks, view):
        """A song's title clicked in a table: it becomes the chosen song (new tables only render)."""
        clicked = [t for t in callback_context.triggered if t.get("value")]
        if len(clicked) != 1 or not isinstance(callback_context.triggered_id, dict):
            return no_update, no_update
        return choose_row(services, int(callback_context.triggered_id["index"]), view)

    @app.callback(Output(ids.PANEL_SONG, "children"), Output(ids.STORE_HIGHLIGHT, "data"),
                  Output(ids.BUTTON_EXPORT_SIMILAR, "disabled"), Output(ids.SWITCH_SAME_CLUSTER, "disabled"),
                  Input(ids.INPUT_SONG_SEARCH, "value"), Input(ids.SWITCH_SAME_CLUSTER, "value"),
                  Input(ids.STORE_VIEW_VISUALIZATIONS, "data"))
    def show_song(value, same_cluster, view):
        try:
            panel, highlight, no_playlist = song_view(services, value, same_cluster, view)
        except Exception:
            log.exception("song panel failed")
            return no_update, no_update, no_update, no_update
        return panel, highlight, no_playlist, no_playlist  # the switch and the playlist are a song's

    @app.callback(Output(ids.DOWNLOAD_SIMILAR, "data"), Input(ids.BUTTON_EXPORT_SIMILAR, "n_clicks"),
                  State(ids.INPUT_SONG_SEARCH, "value"), State(ids.SWITCH_SAME_CLUSTER, "value"), visuals,
                  prevent_initial_call=True)
    def download_similar(_clicks, value, same_cluster, view):
        return playlist(services, value, same_cluster, view)

    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="selection"),
        Output(ids.STORE_SELECTION, "data"),
        Input(ids.GRAPH_PCA, "selectedData"), State(ids.STORE_PCA_DRAWN, "data"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.PANEL_SELECTION, "children"), Output(ids.BUTTON_EXPORT_SELECTION, "disabled"),
                  Input(ids.STORE_SELECTION, "data"), Input(ids.STORE_VIEW_VISUALIZATIONS, "data"),
                  prevent_initial_call=True)
    def show_selection(selection, view):
        try:
            return selection_view(services, selection, view)
        except Exception:
            log.exception("selection failed")
            return no_update, no_update

    @app.callback(Output(ids.DOWNLOAD_SELECTION, "data"), Input(ids.BUTTON_EXPORT_SELECTION, "n_clicks"),
                  State(ids.STORE_SELECTION, "data"), visuals, prevent_initial_call=True)
    def download_selection(_clicks, selection, view):
        return selection_export(services, selection, view)

    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="focus"),
        Output(ids.STORE_FOCUS, "data"),
        Output({"type": ids.LEGEND_ITEM, "index": ALL, "view": ALL}, "className"),
        Output(ids.DROPDOWN_COLOUR_BY, "value", allow_duplicate=True),
        Input({"type": ids.LEGEND_ITEM, "index": ALL, "view": ALL}, "n_clicks"),
        Input(ids.DROPDOWN_COLOUR_BY, "value"),
        State(ids.STORE_FOCUS, "data"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.DROPDOWN_COLOUR_BY, "options"), Output(ids.DROPDOWN_COLOUR_BY, "value"),
                  Output(ids.INPUT_SONG_SEARCH, "value", allow_duplicate=True), Output(ids.DROPDOWN_GENRE, "options"),
                  Output(ids.DROPDOWN_GENRE, "value"),
                  Input(ids.STORE_DATASET, "data"), Input(ids.BUTTON_RESET, "n_clicks"),
                  prevent_initial_call="initial_duplicate")
    def new_catalogue(dataset, _reset):
        return catalogue_controls(services, dataset)

    tab = State(ids.TABS_MAIN, "active_tab")
    dark = Input(ids.SWITCH_THEME, "value")

    @app.callback(Output(ids.GRAPH_GENRE_CLUSTER, "figure"), Input(ids.STORE_VIEW_INSIGHTS, "data"), tab, dark)
    def update_genres(view, active_tab, is_dark):
        return tab_view(services, ids.TAB_INSIGHTS, lambda r, e: genre_figure(r, e, is_dark), view, active_tab)

    @app.callback(Output(ids.GRAPH_GENRE_SPREAD, "figure"), Input(ids.STORE_VIEW_INSIGHTS, "data"),
                  Input(ids.DROPDOWN_GENRE, "value"), tab, dark)
    def update_genre_spread(view, choice, active_tab, is_dark):
        return tab_view(services, ids.TAB_INSIGHTS, lambda r, e: genre_spread(r, e, choice, is_dark), view,
                        active_tab)

    return [update_song_options, choose_clicked_song, go_to_song, show_song, download_similar, show_selection,
            download_selection, new_catalogue, update_genres, update_genre_spread]

