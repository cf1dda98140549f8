"""The page: controls on the left, four tabs on the right. Factory functions, no callbacks."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from clustering.engine import ALGORITHMS
from clustering.features import DEFAULT_FEATURES
from data.loader import Catalogue
from layouts import ids
from layouts.figures import feature_label

K_MIN, K_MAX, K_DEFAULT = 2, 15, 4
DEFAULT_ALGORITHM = "kmeans"
BAR_FEATURES_DEFAULT = ("energy", "danceability", "acousticness", "speechiness", "valence", "instrumentalness")


def loading(child, **kwargs) -> dcc.Loading:
    """A spinner that only appears for work over 200 ms."""
    return dcc.Loading(child, type="default", delay_show=200, **kwargs)


def make_controls(catalogue: Catalogue) -> dbc.Card:
    features = catalogue.numeric_columns
    defaults = [f for f in DEFAULT_FEATURES if f in features]
    return dbc.Card(dbc.CardBody([
        html.H6("Number of clusters (k)", className="control-label"),
        dcc.Slider(id=ids.SLIDER_K, min=K_MIN, max=K_MAX, step=1, value=K_DEFAULT,
                   marks={k: str(k) for k in range(K_MIN, K_MAX + 1)}, updatemode="mouseup"),
        html.H6("Algorithm", className="control-label mt-3"),
        dbc.RadioItems(id=ids.RADIO_ALGORITHM, value=DEFAULT_ALGORITHM,
                       options=[{"label": label, "value": value} for value, label in ALGORITHMS.items()]),
        html.Div([
            html.H6("Features", className="control-label mt-3 mb-0"),
            dbc.Button("Reset", id=ids.BUTTON_RESET, size="sm", color="link", className="p-0 mt-3"),
        ], className="d-flex justify-content-between align-items-end"),
        dbc.Checklist(id=ids.CHECKLIST_FEATURES, value=defaults,
                      options=[{"label": feature_label(f), "value": f} for f in features],
                      className="feature-list"),
        html.Hr(),
        make_data_source(catalogue),
    ]), className="controls-card")


def make_data_source(catalogue: Catalogue) -> html.Div:
    return html.Div([
        html.H6("Data", className="control-label"),
        html.Div(id=ids.DATA_SOURCE, children=data_source_text(catalogue)),
        dbc.Button("Cleaning report", id=ids.BUTTON_CLEANING, size="sm", color="secondary", outline=True,
                   className="mt-2"),
        dbc.Popover(id=ids.POPOVER_CLEANING, target=ids.BUTTON_CLEANING, trigger="legacy", placement="right",
                    children=cleaning_popover(catalogue)),
        dcc.Upload(id=ids.UPLOAD, children=html.Div(["Drop a CSV here or ", html.A("choose a file")]),
                   className="upload-box mt-3", max_size=200 * 1024 * 1024, multiple=False),
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
    bar_options = [{"label": feature_label(f), "value": f} for f in catalogue.numeric_columns]
    bar_default = [f for f in BAR_FEATURES_DEFAULT if f in catalogue.numeric_columns]
    return dbc.Tabs(id=ids.TABS_MAIN, active_tab=ids.TAB_OVERVIEW, children=[
        dbc.Tab(label="Overview", tab_id=ids.TAB_OVERVIEW, children=loading(html.Div(id=ids.OVERVIEW))),
        dbc.Tab(label="Metrics", tab_id=ids.TAB_METRICS, children=loading(html.Div(id=ids.METRICS))),
        dbc.Tab(label="Visualizations", tab_id=ids.TAB_VISUALS, children=[
            html.H5("Every song on its first two principal components", className="mt-3"),
            html.Div(id=ids.LEGEND, className="legend"),
            loading(dcc.Graph(id=ids.GRAPH_PCA, config={"displaylogo": False}, clear_on_unhover=True)),
            dcc.Tooltip(id=ids.TOOLTIP_PCA, direction="right"),
            html.Div(id=ids.PCA_CAPTION, className="text-muted small"),
            html.H5("Cluster profiles", className="mt-4"),
            loading(dcc.Graph(id=ids.GRAPH_HEATMAP, config={"displaylogo": False})),
            html.H5("Key features compared", className="mt-4"),
            dcc.Dropdown(id=ids.DROPDOWN_BAR_FEATURES, options=bar_options, value=bar_default, multi=True,
                         clearable=False),
            loading(dcc.Graph(id=ids.GRAPH_BARS, config={"displaylogo": False})),
        ]),
        dbc.Tab(label="Find k", tab_id=ids.TAB_FIND_K, children=make_find_k()),
        dbc.Tab(label="Insights & Export", tab_id=ids.TAB_INSIGHTS, children=[
            html.Div([
                dbc.Button("Download clustered songs (CSV)", id=ids.BUTTON_DOWNLOAD_SONGS, color="primary",
                           className="me-2"),
                dbc.Button("Download cluster profiles (CSV)", id=ids.BUTTON_DOWNLOAD_PROFILE, color="secondary"),
                dcc.Download(id=ids.DOWNLOAD_SONGS),
                dcc.Download(id=ids.DOWNLOAD_PROFILE),
            ], className="my-3"),
            loading(html.Div(id=ids.INSIGHTS)),
        ]),
    ])


def make_find_k() -> list:
    """The k sweep with progress and cancel, the per-song silhouette plot and the dendrogram."""
    return [
        html.H5("Which k? Every metric over a range of k", className="mt-3"),
        dbc.Row([
            dbc.Col(dbc.InputGroup([dbc.InputGroupText("k from"),
                                    dbc.Input(id=ids.INPUT_K_MIN, type="number", min=K_MIN, max=K_MAX, step=1,
                                              value=2),
                                    dbc.InputGroupText("to"),
                                    dbc.Input(id=ids.INPUT_K_MAX, type="number", min=K_MIN, max=K_MAX, step=1,
                                              value=12)], size="sm"), md=5),
            dbc.Col([
                dbc.Button("Find k", id=ids.BUTTON_FIND_K, color="primary", size="sm", className="me-2"),
                dbc.Button("Cancel", id=ids.BUTTON_CANCEL_SWEEP, color="secondary", size="sm", outline=True,
                           disabled=True),
            ], md=4),
        ], className="g-2 align-items-center"),
        dbc.Progress(id=ids.PROGRESS_SWEEP, value=0, label="", className="mt-2", style={"height": "18px"}),
        html.Div(id=ids.SWEEP_STATUS, className="small text-muted mt-1"),
        dcc.Store(id=ids.STORE_SWEEP),
        html.Div([html.Span(id=ids.RECOMMENDATION, className="me-2"),
                  dbc.Button("Use this k", id=ids.BUTTON_USE_K, size="sm", color="success", disabled=True)],
                 className="my-2"),
        loading(dcc.Graph(id=ids.GRAPH_K_SWEEP, config={"displaylogo": False})),
        html.H5("How well each song fits its cluster", className="mt-4"),
        html.Div("Per-song silhouette on the metric's sample. Drag over a range to list its songs "
                 "(the worst fitting first).", className="small text-muted"),
        loading(dcc.Graph(id=ids.GRAPH_SILHOUETTE, config={"displaylogo": False})),
        html.Div(id=ids.WORST_SONGS, className="small"),
        html.H5("The top of the Ward tree", className="mt-4"),
        loading(dcc.Graph(id=ids.GRAPH_DENDROGRAM, config={"displaylogo": False})),
    ]


def serve_layout(catalogue: Catalogue) -> html.Div:
    """The whole page for one catalogue."""
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.STORE_DATASET, storage_type="session"),
        dcc.Store(id=ids.STORE_TREE),
        dcc.Interval(id=ids.INTERVAL_TREE, interval=1000, disabled=True),
        dbc.Navbar(dbc.Container([
            dbc.NavbarBrand("Amazon Music Clustering"),
            html.Span("group songs by how they sound", className="navbar-text text-white-50"),
        ], fluid=True), color="primary", dark=True, className="mb-3"),
        dbc.Container(dbc.Row([
            dbc.Col(html.Fieldset(make_controls(catalogue), id=ids.FIELDSET_CONTROLS), lg=3, md=4),
            dbc.Col([html.Div(id=ids.STATUS), html.Div(id=ids.TREE_PROGRESS), make_tabs(catalogue)], lg=9, md=8),
        ]), fluid=True),
    ])
