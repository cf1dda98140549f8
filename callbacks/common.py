"""What every callback shares: the view a page asks for, its result, and in-page errors."""

from __future__ import annotations

import logging
from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import no_update

from clustering.engine import ClusterResult, Engine
from clustering.models import ClusteringError
from clustering.view import View
from data.loader import DatasetError
from services import Services

log = logging.getLogger(__name__)
USER_ERRORS = (ClusteringError, DatasetError)
Build = Callable[[ClusterResult, Engine], object]


def displayed(view_data: dict | None) -> dict | None:
    """The view the page shows for ``store-view``: the request, or while it is refused, the last
    good one (its fallback); None when there is none."""
    if not view_data:
        return None
    return view_data.get("fallback") if view_data.get("error") else view_data


def shown_result(services: Services, view_data: dict | None, *, scored: bool = False
                 ) -> tuple[View, Engine, ClusterResult] | None:
    """The view the page shows (``displayed``) and its clustering, or None when there is nothing to
    show (no view yet, or a refused request with nothing before it: the status line says why).
    Only views that show the silhouette ask for it (``scored``): the others never wait for it."""
    view = View.from_dict(displayed(view_data))
    if view is None or view.error:
        return None
    engine = services.engine(view.dataset)
    return view, engine, engine.result(view, scored=scored)


def error_alert(exc: Exception) -> dbc.Alert:
    """A message in the page for anything a callback could not do; never a traceback."""
    if isinstance(exc, USER_ERRORS):
        return dbc.Alert(str(exc), color="warning", className="my-2", dismissable=True)
    log.exception("callback failed")
    return dbc.Alert("Something went wrong while computing this view; the error was logged. "
                     "Try another setting or reload the page.", color="danger", className="my-2", dismissable=True)


def tab_view(services: Services, tab_id: str, build: Build, view_data: dict | None, active_tab: str | None, *,
             scored: bool = False):
    """``build(result, engine)`` for the view, only while ``tab_id`` is the open tab (hidden tabs
    cost nothing; opening one brings it up to date). A refused request, or a failure, leaves the
    old content in place: the page dims it and the status line says why."""
    if active_tab != tab_id:
        return no_update
    try:
        shown = shown_result(services, view_data, scored=scored)
        return no_update if shown is None else build(shown[2], shown[1])
    except USER_ERRORS:  # the status line says why (a catalogue gone, a k too large)
        return no_update
    except Exception:
        log.exception("view %s could not be built", tab_id)
        return no_update
