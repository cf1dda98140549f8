"""The page: controls on the left, five tabs on the right. Factory functions, no callbacks.

Bounds and defaults come from clustering.view, the one place that defines them.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from clustering.view import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    K_DEFAULT,
    K_MAX,
    K_MIN,
    SWEEP_RANGE_DEFAULT,
    default_controls,
)
from data.loader import MAX_BYTES, Catalogue
from layouts import ids
from layouts.figures import feature_label
from layouts.panels import sideways

HIDDEN = {"display": "none"}
BAR_FEATURES_DEFAULT = ("energy", "danceability", "acousticness", "speechiness", "valence", "instrumentalness")


def bar_features(available: list[str]) -> list[str]:
    """The features the key-feature bars compare by default."""
    return [f for f in BAR_FEATURES_DEFAULT if f in available] or available[:4]


def feature_options(catalogue: Catalogue) -> list[dict]:
    return [{"label": feature_label(f), "value": f} for f in catalogue.numeric_columns]


def loading(child, **kwargs) -> dcc.Loading:
    """A spinner for work over 200 ms, over the old content dimmed (never blanked)."""
    return dcc.Loading(child, type="default", delay_show=200,
                       overlay_style={"visibility": "visible", "opacity": 0.45}, **kwargs)


def make_controls(catalogue: Catalogue) -> dbc.Card:
    defaults = default_controls(catalogue.numeric_columns)
    return dbc.Card(dbc.CardBody([
        html.H2("Number of clusters (k)", className="control-label"),
        dcc.Slider(id=ids.SLIDER_K, min=K_MIN, max=K_MAX, step=1, value=K_DEFAULT,
                   marks={k: str(k) for k in range(K_MIN, K_MAX + 1)}, updatemode="mouseup"),
        html.H2("Algorithm", className="control-label mt-3"),
        dbc.RadioItems(id=ids.RADIO_ALGORITHM, value=DEFAULT_ALGORITHM,
                       options=[{"label": label, "value": value} for value, label in ALGORITHMS.items()]),
        html.H2("Features", className="control-label mt-3"),
        dbc.Checklist(id=ids.CHECKLIST_FEATURES, value=list(defaults.features), options=feature_options(catalogue),
                      className="feature-list"),
        dbc.Button("Reset to defaults", id=ids.BUTTON_RESET, size="sm", color="secondary", outline=True,
                   className="mt-2", title=f"k = {K_DEFAULT}, {ALGORITHMS[DEFAULT_ALGORITHM]}, the default "
                                           "features, bars and k range"),
        html.Hr(),
        make_data_source(catalogue),
    ]), className="controls-card")


def make_data_source(catalogue: Catalogue) -> html.Div:
    return html.Div([
        html.H2("Data", className="control-label"),
        html.Div(id=ids.DATA_SOURCE, children=data_source_text(catalogue)),
        dbc.Button("Cleaning report", id=ids.BUTTON_CLEANING, size="sm", color="secondary", outline=True,
                   className="mt-2"),
        dbc.Popover(id=ids.POPOVER_CLEANING, target=ids.BUTTON_CLEANING, trigger="legacy", placement="bottom",
                    children=cleaning_popover(catalogue)),
        # No max_size: a file over it would be dropped without a word; the browser checks the size
        # and says why (assets/app.js), and the server refuses larger requests unread.
        dcc.Upload(id=ids.UPLOAD_CSV, children=html.Div(["Drop a CSV here or ", html.A("choose a file"),
                                                         html.Div(f"up to {MAX_BYTES // 2**20} MB",
                                                                  className="small text-muted")]),
                   className="upload-box mt-3", multiple=False),
        dcc.Store(id=ids.STORE_UPLOAD),
        dcc.Store(id=ids.STORE_UPLOAD_LIMIT, data=MAX_BYTES),
        dbc.Button(f"Back to the {'demo' if catalogue.is_demo else 'default'} catalogue", id=ids.BUTTON_DEFAULT_DATA,
                   size="sm", color="link", className="p-0 mt-1", style=HIDDEN),
        html.Div(id=ids.UPLOAD_STATUS, className="small mt-1"),
    ])


def data_source_text(catalogue: Catalogue) -> list:
    summary = catalogue.summary()
    badge = dbc.Badge("demo data", color="warning", className="ms-1") if catalogue.is_demo else None
    return [html.Span(catalogue.source, className="fw-semibold"), badge,
            html.Div(f"{summary['songs']:,} songs", className="text-muted small")]


def cleaning_popover(catalogue: Catalogue) -> list:
    return [dbc.PopoverHeader("Cleaning report"),
            dbc.PopoverBody(html.Ul([html.Li(line) for line in catalogue.report.lines()], className="mb-0 ps-3"))]


def make_tabs(catalogue: Catalogue) -> dbc.Tabs:
    return dbc.Tabs(id=ids.TABS_MAIN, active_tab=ids.TAB_OVERVIEW, children=[
        dbc.Tab(label="Overview", tab_id=ids.TAB_OVERVIEW, children=loading(html.Div(id=ids.PANEL_OVERVIEW))),
        dbc.Tab(label="Metrics", tab_id=ids.TAB_METRICS, children=loading(html.Div(id=ids.PANEL_METRICS))),
        dbc.Tab(label="Visualizations", tab_id=ids.TAB_VISUALIZATIONS, children=make_visualizations(catalogue)),
        dbc.Tab(label="Find k", tab_id=ids.TAB_FIND_K, children=make_find_k()),
        dbc.Tab(label="Insights & Export", tab_id=ids.TAB_INSIGHTS, children=make_insights()),
    ])


def colour_options(catalogue: Catalogue) -> list[dict]:
    """What the scatter can be coloured by: clusters, genre family, popularity, any numeric column."""
    options = [{"label": "cluster", "value": "cluster"}, {"label": "genre family", "value": "family"}]
    popularity = catalogue.roles.get("popularity")
    if popularity in catalogue.numeric_columns:
        options.append({"label": "popularity", "value": popularity})
    options += [{"label": feature_label(f), "value": f} for f in catalogue.numeric_columns if f != popularity]
    return options


def make_song_search(catalogue: Catalogue) -> dbc.Row:
    return dbc.Row([
        dbc.Col(dcc.Dropdown(id=ids.INPUT_SONG_SEARCH, options=[], placeholder="Find a song or an artist…",
                             searchable=True, clearable=True, optionHeight=45, maxHeight=360,
                             # Shown only until the server's answer arrives: an empty answer is an
                             # option that says why.
                             labels={"no_options_found": "Searching…"}),
                md=8, className="mb-2"),
        dbc.Col(dbc.InputGroup([dbc.InputGroupText("Colour by"),
                                dcc.Dropdown(id=ids.DROPDOWN_COLOUR_BY, value="cluster", clearable=False,
                                             options=colour_options(catalogue),
                                             searchable=False, className="flex-grow-1")], size="sm",
                               className="flex-nowrap"), md=4, className="mb-2"),
    ], className="g-2 align-items-center")


def make_song_panel() -> dbc.Card:
    """The chosen song (or artist): where it sits, and its most similar songs."""
    return dbc.Card([
        dbc.CardHeader(html.Div([
            html.Span("Chosen song or artist", className="fw-semibold me-3"),
            dbc.Switch(id=ids.SWITCH_SAME_CLUSTER, label="Similar songs from the same cluster only", value=False,
                       className="mb-0 me-3 small"),
            dbc.Button("Download as playlist (CSV)", id=ids.BUTTON_EXPORT_SIMILAR, size="sm", color="primary",
                       outline=True, disabled=True),
            dcc.Download(id=ids.DOWNLOAD_SIMILAR),
        ], className="d-flex flex-wrap align-items-center gap-1")),
        dbc.CardBody(loading(html.Div(id=ids.PANEL_SONG, className="small", children=SONG_HINT)), className="py-2"),
    ], className="mt-3")


def make_selection_panel() -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader(html.Div([
            html.Span("Selection", className="fw-semibold me-3"),
            dbc.Button("Download the selected songs (CSV)", id=ids.BUTTON_EXPORT_SELECTION, size="sm",
                       color="primary", outline=True, disabled=True),
            dcc.Download(id=ids.DOWNLOAD_SELECTION),
        ], className="d-flex flex-wrap align-items-center gap-1")),
        dbc.CardBody(loading(html.Div(id=ids.PANEL_SELECTION, className="small", children=SELECTION_HINT)),
                     className="py-2"),
    ], className="mt-3")


SONG_HINT = ("Find a song or an artist above, or click a point on the scatter, to see it here with its most "
             "similar songs.")
SELECTION_HINT = ("Choose Box Select or Lasso Select in the scatter's toolbar and drag over songs to list them, "
                  "with how they differ from the whole catalogue.")


def make_visualizations(catalogue: Catalogue) -> list:
    return [
        html.H5("Every song on its first two principal components", className="mt-3"),
        make_song_search(catalogue),
        html.Div(id=ids.LEGEND_CLUSTERS, className="legend"),
        # The tooltip is placed from the hovered point's box, measured from the graph's corner: both
        # sit in one positioned box so that the tooltip lands on the point.
        html.Div([
            loading(dcc.Graph(id=ids.GRAPH_PCA, config={"displaylogo": False}, clear_on_unhover=True)),
            dcc.Tooltip(id=ids.TOOLTIP_PCA, direction="right"),
        ], className="pca-box"),
        html.Div(id=ids.CAPTION_PCA, className="text-muted small"),
        make_song_panel(),
        make_selection_panel(),
        html.H5("Cluster profiles", className="mt-4"),
        # Every feature keeps a readable column: on a phone the heatmap scrolls sideways instead.
        sideways(loading(dcc.Graph(id=ids.GRAPH_HEATMAP, config={"displaylogo": False},
                                   style={"minWidth": "760px"})), "Scroll sideways for every feature →"),
        html.H5("Key features compared", className="mt-4"),
        dcc.Dropdown(id=ids.DROPDOWN_BAR_FEATURES, options=feature_options(catalogue),
                     value=bar_features(catalogue.numeric_columns), multi=True, clearable=False),
        loading(dcc.Graph(id=ids.GRAPH_BARS, config={"displaylogo": False})),
    ]


def make_find_k() -> list:
    """The k sweep with progress and cancel, the per-song silhouette plot and the dendrogram."""
    low, high = SWEEP_RANGE_DEFAULT
    return [
        html.H5("Which k? Every metric over a range of k", className="mt-3"),
        dbc.Row([
            dbc.Col(dbc.InputGroup([dbc.InputGroupText("k from"),
                                    # No min/max/step: the browser would send nothing for 1, 20 or 2.5,
                                    # and the page could not say which end is wrong (check_range does).
                                    dbc.Input(id=ids.INPUT_K_MIN, type="number", value=low, inputmode="numeric"),
                                    dbc.InputGroupText("to"),
                                    dbc.Input(id=ids.INPUT_K_MAX, type="number", value=high, inputmode="numeric")],
                                   size="sm"), md=6),
            dbc.Col([
                dbc.Button("Find k", id=ids.BUTTON_FIND_K, color="primary", size="sm", className="me-2"),
                dbc.Button("Cancel", id=ids.BUTTON_CANCEL_SWEEP, color="secondary", size="sm", outline=True,
                           disabled=True),
            ], md=6),
        ], className="g-2 align-items-center"),
        dbc.Progress(id=ids.PROGRESS_SWEEP, value=0, label="", className="mt-2 d-none", style={"height": "18px"}),
        html.Div(id=ids.SWEEP_STATUS, className="small mt-1", role="status"),
        html.Div([html.Div(id=ids.TEXT_RECOMMENDATION, className="mb-2"),
                  dbc.Button("Use this k", id=ids.BUTTON_USE_K, size="sm", color="success", disabled=True,
                             className="d-none")],
                 className="my-2"),
        loading(dcc.Graph(id=ids.GRAPH_K_SWEEP, config={"displaylogo": False})),
        html.H5("How well each song fits its cluster", className="mt-4"),
        html.Div("Per-song silhouette on the metric's sample. Drag over a range to list its songs "
                 "(the worst fitting first).", className="small text-muted"),
        loading(dcc.Graph(id=ids.GRAPH_SILHOUETTE, config={"displaylogo": False})),
        html.Div(id=ids.TABLE_WORST_SONGS, className="small"),
        html.H5("The top of the Ward tree", className="mt-4"),
        loading(dcc.Graph(id=ids.GRAPH_DENDROGRAM, config={"displaylogo": False})),
    ]


def make_genres() -> list:
    """Genres against clusters, and where one genre's songs fall."""
    return [
        html.H5("Genres across clusters", className="mt-2"),
        html.Div("What each cluster is made of, by genre family; under each cluster its largest family and "
                 "that family's share (how pure the cluster is by genre).", className="small text-muted"),
        sideways(loading(dcc.Graph(id=ids.GRAPH_GENRE_CLUSTER, config={"displaylogo": False},
                                   style={"minWidth": "640px"})), "Scroll sideways for every cluster →"),
        html.Label("Where do the songs of one genre fall?", htmlFor=ids.DROPDOWN_GENRE, className="fw-semibold mt-2"),
        dcc.Dropdown(id=ids.DROPDOWN_GENRE, placeholder="Pick a genre family or a genre…"),
        loading(dcc.Graph(id=ids.GRAPH_GENRE_SPREAD, config={"displaylogo": False})),
    ]


def make_insights() -> list:
    return [
        html.Div([
            dbc.Button("Download clustered songs (CSV)", id=ids.BUTTON_DOWNLOAD_SONGS, color="primary",
                       className="me-2 mb-2"),
            dbc.Button("Download cluster profiles (CSV)", id=ids.BUTTON_DOWNLOAD_PROFILE, color="secondary",
                       className="mb-2"),
            dcc.Download(id=ids.DOWNLOAD_SONGS),
            dcc.Download(id=ids.DOWNLOAD_PROFILE),
            html.Div(id=ids.EXPORT_STATUS, className="small", role="status"),
        ], className="my-3"),
        *make_genres(),
        html.H5("What sets each cluster apart", className="mt-4"),
        loading(html.Div(id=ids.PANEL_INSIGHTS)),
    ]


def make_state() -> list:
    """The URL (read by one component, written by another), navigation, stores and polls: no visible parts."""
    return [
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Location(id=ids.URL_WRITE, refresh=False),
        dcc.Store(id=ids.STORE_NAVIGATION),
        dcc.Store(id=ids.STORE_DATASET),
        dcc.Store(id=ids.STORE_VIEW),
        *(dcc.Store(id=store) for store in ids.TAB_VIEW_STORES.values()),
        dcc.Store(id=ids.STORE_SHOWN),
        dcc.Store(id=ids.STORE_PCA_DRAWN),
        dcc.Store(id=ids.STORE_SONG_MATCHES),
        dcc.Store(id=ids.STORE_HIGHLIGHT),
        dcc.Store(id=ids.STORE_SELECTION),
        dcc.Store(id=ids.STORE_FOCUS),
        dcc.Store(id=ids.STORE_TREE_READY),
        dcc.Store(id=ids.STORE_SWEEP),
        dcc.Store(id=ids.STORE_SWEEP_JOB),
        dcc.Interval(id=ids.INTERVAL_TREE, interval=1000, disabled=True),
        dcc.Interval(id=ids.INTERVAL_SWEEP, interval=700, disabled=True),
    ]


def make_navbar() -> dbc.Navbar:
    return dbc.Navbar(dbc.Container([
        html.Div([dbc.NavbarBrand("Amazon Music Clustering", className="me-2"),
                  html.Span("group songs by how they sound",
                            className="navbar-text text-white-50 d-none d-md-inline")]),
        dbc.Switch(id=ids.SWITCH_THEME, label="Dark", value=False, persistence=True, persistence_type="local",
                   className="text-white mb-0", label_class_name="text-white"),
    ], fluid=True, className="d-flex justify-content-between"), color="primary", dark=True, className="mb-3")


def serve_layout(catalogue: Catalogue) -> html.Div:
    """The whole page for the app's default catalogue (a link or an upload can switch it)."""
    return html.Div([
        *make_state(),
        make_navbar(),
        dbc.Container(dbc.Row([
            dbc.Col(html.Fieldset(make_controls(catalogue), id=ids.FIELDSET_CONTROLS), lg=3, md=4,
                    className="controls-column mb-3"),
            dbc.Col([
                html.Div(id=ids.ALERT_LINK),
                html.Div([html.Div(id=ids.STATUS_PENDING), html.Div(id=ids.STATUS_SHOWN)], id=ids.STATUS_AREA,
                         role="status", **{"aria-live": "polite"}),
                html.Div(id=ids.TREE_PROGRESS),
                html.Div(make_tabs(catalogue), id=ids.VIEWS),
            ], lg=9, md=8),
        ]), fluid=True),
    ])
