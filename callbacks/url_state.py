"""The URL and the controls, one callback per direction.

Controls to URL: every change writes ``url-write``, which pushes a history entry and tells no
one (so a late echo of an old URL can never move the controls back). URL to controls: the page's
link when it opens (``url``), and every navigation after that (``store-navigation``): Back and
Forward (set by assets/app.js on popstate), Reset and uploads. One path applies them all, so a
reload, a copied link, Back and Reset agree.

No callback here reads, as a State, anything its own outputs lead to: Dash holds such a callback
until nothing else is pending, and a superseded request can then leave it waiting for ever.
"""

from __future__ import annotations

import time

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, no_update

from clustering.features import default_features
from clustering.view import (
    DEFAULT_DATASET,
    DEFAULT_TAB,
    SWEEP_RANGE_DEFAULT,
    Controls,
    controls_from_link,
    default_controls,
    link_dataset,
)
from data.loader import Catalogue, DatasetError
from layouts import ids
from layouts.page import HIDDEN, bar_features, cleaning_popover, data_source_text, feature_options
from services import Services


def navigation(**request) -> dict:
    """A navigation for ``store-navigation`` (a nonce makes each one new): ``search=`` a URL query
    (Back, Forward), ``reset=True`` (every default, same catalogue and tab) or ``dataset=`` an id
    (an upload: its default features, the same k, algorithm and tab)."""
    return request | {"at": time.time()}


def wanted_controls(services: Services, query: str | None, nav: dict | None, dataset: str | None, k, algorithm,
                    tab) -> tuple[Controls, Catalogue, list[str]]:
    """What a navigation asks for, the catalogue it is about, and what it asked for but cannot have."""
    nav = nav or {"search": query}
    current = dataset or DEFAULT_DATASET
    target = nav.get("dataset") or (current if nav.get("reset") else link_dataset(nav.get("search")))
    refused: list[str] = []
    try:
        catalogue = services.registry.get(target)
    except DatasetError as exc:
        refused.append(f"{exc} Showing the default catalogue instead.")
        target, catalogue = DEFAULT_DATASET, services.registry.default()
    available = catalogue.numeric_columns
    if nav.get("reset"):
        return default_controls(available, target, ids.tab_name(tab) or DEFAULT_TAB), catalogue, refused
    if nav.get("dataset"):
        return Controls(dataset=target, k=k, algorithm=algorithm, features=default_features(available),
                        tab=ids.tab_name(tab) or DEFAULT_TAB), catalogue, refused
    wanted, more = controls_from_link(nav.get("search"), available, target)
    return wanted, catalogue, refused + more


def apply_navigation(services: Services, query: str | None, nav: dict | None, dataset: str | None, k, algorithm,
                     features, tab) -> tuple:
    """Controls from the page's link (``query``) or the latest navigation: every part it names,
    every missing part at its default, and a sentence for each part that cannot be shown. Only
    controls that change are set."""
    wanted, catalogue, refused = wanted_controls(services, query, nav, dataset, k, algorithm, tab)
    new_dataset = wanted.dataset != dataset
    reset = bool(nav and nav.get("reset"))

    def changed(old, new):
        return new if old != new else no_update

    options = feature_options(catalogue) if new_dataset else no_update
    same_features = features is not None and set(features) == set(wanted.features) and not new_dataset
    alert = dbc.Alert(["This link asked for something that cannot be shown: ", " ".join(refused)], color="warning",
                      dismissable=True, className="py-2") if refused else None
    return (
        changed(dataset, wanted.dataset),
        options,
        no_update if same_features else list(wanted.features),
        changed(k, wanted.k),
        changed(algorithm, wanted.algorithm),
        changed(tab, ids.tab_id(wanted.tab)),
        options,
        bar_features(catalogue.numeric_columns) if new_dataset or reset else no_update,
        data_source_text(catalogue) if new_dataset else no_update,
        cleaning_popover(catalogue) if new_dataset else no_update,
        alert,
        (HIDDEN if wanted.dataset == DEFAULT_DATASET else {}) if new_dataset else no_update,
    )


def write_link(search: str | None, dataset: str | None, k, algorithm, features, tab, options) -> str:
    """The URL for the controls, unless the current URL already describes the same view."""
    controls = Controls(dataset=dataset or DEFAULT_DATASET, k=k, algorithm=algorithm, features=tuple(features or ()),
                        tab=ids.tab_name(tab))
    available = [option["value"] for option in options or []]
    if link_dataset(search) == controls.dataset:
        linked, _ = controls_from_link(search, available, controls.dataset)
        if linked.same_view(controls):
            return no_update
    return controls.query()


def register(app: Dash, services: Services) -> list:
    @app.callback(
        Output(ids.STORE_DATASET, "data"),
        Output(ids.CHECKLIST_FEATURES, "options"),
        Output(ids.CHECKLIST_FEATURES, "value"),
        Output(ids.SLIDER_K, "value"),
        Output(ids.RADIO_ALGORITHM, "value"),
        Output(ids.TABS_MAIN, "active_tab"),
        Output(ids.DROPDOWN_BAR_FEATURES, "options"),
        Output(ids.DROPDOWN_BAR_FEATURES, "value"),
        Output(ids.DATA_SOURCE, "children"),
        Output(ids.POPOVER_CLEANING, "children"),
        Output(ids.ALERT_LINK, "children"),
        Output(ids.BUTTON_DEFAULT_DATA, "style"),
        Input(ids.URL, "search"),
        Input(ids.STORE_NAVIGATION, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.SLIDER_K, "value"),
        State(ids.RADIO_ALGORITHM, "value"),
        State(ids.CHECKLIST_FEATURES, "value"),
        State(ids.TABS_MAIN, "active_tab"),
    )
    def url_to_controls(search, nav, dataset, k, algorithm, features, tab):
        # ``url`` keeps the page's opening link; every later navigation comes through the store.
        return apply_navigation(services, search, nav, dataset, k, algorithm, features, tab)

    @app.callback(
        Output(ids.URL_WRITE, "search"),
        Input(ids.STORE_DATASET, "data"),
        Input(ids.SLIDER_K, "value"),
        Input(ids.RADIO_ALGORITHM, "value"),
        Input(ids.CHECKLIST_FEATURES, "value"),
        Input(ids.TABS_MAIN, "active_tab"),
        State(ids.URL_WRITE, "search"),
        State(ids.CHECKLIST_FEATURES, "options"),
    )
    def controls_to_url(dataset, k, algorithm, features, tab, search, options):
        return write_link(search, dataset, k, algorithm, features, tab, options)

    @app.callback(
        Output(ids.STORE_NAVIGATION, "data"),
        Output(ids.INPUT_K_MIN, "value"),
        Output(ids.INPUT_K_MAX, "value"),
        Input(ids.BUTTON_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    def reset(_clicks):
        """Reset: every control of the clustering, the bars and the k range back to their defaults
        (the catalogue and the tab stay where the person is)."""
        return navigation(reset=True), *SWEEP_RANGE_DEFAULT

    @app.callback(Output(ids.STORE_NAVIGATION, "data", allow_duplicate=True),
                  Input(ids.BUTTON_DEFAULT_DATA, "n_clicks"), prevent_initial_call=True)
    def use_default_catalogue(_clicks):
        """From an upload back to the app's own catalogue (k, algorithm and tab stay)."""
        return navigation(dataset=DEFAULT_DATASET)

    return [use_default_catalogue, url_to_controls, controls_to_url, reset]
