"""The view lives in the URL query (k, algorithm, features, tab): a copied link reopens it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dash import Input, Output, State, callback, ctx, no_update

from clustering.engine import ALGORITHMS
from clustering.features import DEFAULT_FEATURES
from layouts import ids
from layouts.page import K_MAX, K_MIN

TABS = {"overview": ids.TAB_OVERVIEW, "metrics": ids.TAB_METRICS, "visualizations": ids.TAB_VISUALS,
        "find-k": ids.TAB_FIND_K, "insights": ids.TAB_INSIGHTS}


def query_from_view(k, algorithm, features, tab) -> str:
    tab_name = next((name for name, tab_id in TABS.items() if tab_id == tab), "overview")
    return "?" + urlencode({"k": k, "algorithm": algorithm, "features": ",".join(features or []),
                            "tab": tab_name})


def view_from_query(search: str | None, available: list[str]) -> dict:
    """Values for the controls from a query string; anything invalid is left out (no_update)."""
    params = {key: values[-1] for key, values in parse_qs((search or "").lstrip("?")).items()}
    view = {}
    try:
        k = int(params.get("k", ""))
        if K_MIN <= k <= K_MAX:
            view["k"] = k
    except ValueError:
        pass
    if params.get("algorithm") in ALGORITHMS:
        view["algorithm"] = params["algorithm"]
    if "features" in params:
        chosen = [f for f in params["features"].split(",") if f in available]
        if chosen:
            view["features"] = chosen
    if params.get("tab") in TABS:
        view["tab"] = TABS[params["tab"]]
    return view


@callback(
    Output(ids.SLIDER_K, "value"),
    Output(ids.RADIO_ALGORITHM, "value"),
    Output(ids.CHECKLIST_FEATURES, "value"),
    Output(ids.TABS_MAIN, "active_tab"),
    Output(ids.URL, "search"),
    Input(ids.URL, "search"),
    Input(ids.SLIDER_K, "value"),
    Input(ids.RADIO_ALGORITHM, "value"),
    Input(ids.CHECKLIST_FEATURES, "value"),
    Input(ids.TABS_MAIN, "active_tab"),
    Input(ids.BUTTON_RESET, "n_clicks"),
    State(ids.CHECKLIST_FEATURES, "options"),
)
def sync_url(search, k, algorithm, features, tab, _reset, feature_options):
    """URL -> controls when the page opens; controls -> URL after every change; reset features."""
    available = [option["value"] for option in feature_options or []]
    trigger = ctx.triggered_id
    if trigger == ids.BUTTON_RESET:
        defaults = [f for f in DEFAULT_FEATURES if f in available] or available[:2]
        return no_update, no_update, defaults, no_update, query_from_view(k, algorithm, defaults, tab)
    if trigger in (None, ids.URL):
        view = view_from_query(search, available)
        if not view:
            return no_update, no_update, no_update, no_update, no_update
        return (view.get("k", no_update), view.get("algorithm", no_update), view.get("features", no_update),
                view.get("tab", no_update), no_update)
    return no_update, no_update, no_update, no_update, query_from_view(k, algorithm, features, tab)
