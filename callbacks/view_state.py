"""The one resolved request, and the status line that says what the views show.

``store-view`` holds the view the controls ask for (resolved once, engine side); every view
reads it, in parallel. A refused request carries the last good view as its ``fallback``, so a
tab opened meanwhile shows what the status line says is still shown. ``store-shown`` holds the
view whose status and legend are on screen. The browser compares the controls with both
(assets/app.js) and, the moment they differ, says "Computing…" and dims the old views; a refused
request keeps them dimmed and labelled with what they still show.
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks.common import displayed, error_alert, shown_result
from callbacks.tree import tree_banner_for
from clustering.view import DEFAULT_DATASET, View
from data.loader import DatasetError
from layouts import ids
from layouts.panels import legend, status_line, status_refused
from services import Services


def resolve_view(services: Services, dataset: str | None, k, algorithm, features, previous: dict | None = None
                 ) -> dict:
    """The controls' request as a resolved view (its error included), for ``store-view``; a
    refused one keeps the last good view (from ``previous``) as its fallback."""
    dataset = dataset or DEFAULT_DATASET
    try:
        view = services.engine(dataset).resolve(dataset, algorithm, k, features)
    except DatasetError as exc:
        view = View(dataset=dataset, fingerprint="", n_songs=0, algorithm=algorithm or "", k=k,
                    features=tuple(features or ()), error=str(exc))
    data = view.to_dict()
    if view.error:
        fallback = displayed(previous)
        if fallback is not None:
            data["fallback"] = fallback
    return data


def show_status(services: Services, view_data: dict | None) -> tuple:
    """Status line and legend of the view, the view now shown, and the tree's banner and poll (on
    while a K-Means placeholder stands in for a Ward tree being built); or why it cannot be shown."""
    view = View.from_dict(view_data)
    if view is None:
        return (no_update,) * 5
    if view.error:
        return status_refused(view.error, View.from_dict(displayed(view_data))), *(no_update,) * 4
    try:
        view, engine, result = shown_result(services, view_data)
        banner = tree_banner_for(services, view)[0] if view.placeholder else None
    except Exception as exc:  # the page says so and stops waiting; the old views stay, dimmed
        return [error_alert(exc)], no_update, view.to_dict() | {"failed": True}, no_update, no_update
    services.shown(view)
    return (status_line(view, engine.catalogue, services.cache.problem), legend(result, view.placeholder, view.key),
            view.to_dict(), banner, not view.placeholder)


def register(app: Dash, services: Services) -> list:
    @app.callback(
        Output(ids.STORE_VIEW, "data"),
        Input(ids.STORE_DATASET, "data"),
        Input(ids.SLIDER_K, "value"),
        Input(ids.RADIO_ALGORITHM, "value"),
        Input(ids.CHECKLIST_FEATURES, "value"),
        Input(ids.STORE_TREE_READY, "data"),
        State(ids.STORE_VIEW, "data"),
    )
    def update_view(dataset, k, algorithm, features, _tree_ready, previous):
        return resolve_view(services, dataset, k, algorithm, features, previous)

    @app.callback(
        Output(ids.STATUS_SHOWN, "children"),
        Output(ids.LEGEND_CLUSTERS, "children"),
        Output(ids.STORE_SHOWN, "data"),
        Output(ids.TREE_PROGRESS, "children"),
        Output(ids.INTERVAL_TREE, "disabled"),
        Input(ids.STORE_VIEW, "data"),
    )
    def update_status(view):
        return show_status(services, view)

    # In the browser: "Computing…" and dimmed views the moment a control moves (assets/app.js).
    # Dash holds a callback while any of its inputs or states is still being computed, so the
    # immediate one reads the controls only; the second compares again when the views arrive.
    feedback = [Output(ids.STATUS_PENDING, "children", allow_duplicate=True),
                Output(ids.STATUS_SHOWN, "className", allow_duplicate=True),
                Output(ids.VIEWS, "className", allow_duplicate=True)]
    controls = [ids.STORE_DATASET, ids.SLIDER_K, ids.RADIO_ALGORITHM, ids.CHECKLIST_FEATURES]
    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="asked"),
        *feedback,
        *(Input(component, prop) for component, prop in zip(controls, ("data", "value", "value", "value"),
                                                            strict=True)),
        State(ids.RADIO_ALGORITHM, "options"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="pending"),
        Output(ids.STATUS_PENDING, "children"),
        Output(ids.STATUS_SHOWN, "className"),
        Output(ids.VIEWS, "className"),
        Input(ids.STORE_VIEW, "data"),
        Input(ids.STORE_SHOWN, "data"),
        *(State(component, prop) for component, prop in zip(controls, ("data", "value", "value", "value"),
                                                            strict=True)),
        State(ids.RADIO_ALGORITHM, "options"),
    )

    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="gate"),
        *(Output(store, "data") for store in ids.TAB_VIEW_STORES.values()),
        Input(ids.STORE_VIEW, "data"),
        Input(ids.TABS_MAIN, "active_tab"),
    )

    return [update_view, update_status]
