"""The tabs that follow a clustering, except the scatter: overview, metrics, heatmap, bars, insights.

Each reads the resolved view as the browser hands it to the open tab (``store-view-<tab>``; while
a request is refused, the last good view: what the status line says is still shown) plus its own
visual inputs. Hidden tabs make no request; opening one brings it up to date.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State

from callbacks.common import tab_view
from clustering.engine import ClusterResult
from layouts import ids
from layouts.figures import bars_figure, empty_figure, heatmap_figure, themed
from layouts.panels import insights_panel, metrics_panel, overview_panel
from services import Services


def heatmap_for(result: ClusterResult, dark: bool):
    """Cluster means of every numeric column, the clustered features first."""
    profile = result.profile
    shown = [f for f in profile.means.columns if f in result.features] + \
            [f for f in profile.means.columns if f not in result.features]
    return themed(heatmap_figure(profile.means, profile.z_scores, result.names, shown), dark)


def bars_for(result: ClusterResult, bar_features: list[str] | None, dark: bool):
    """Key-feature bars; choosing bar features is visual only and never refits."""
    chosen = [f for f in (bar_features or []) if f in result.profile.means.columns]
    if not chosen:
        return themed(empty_figure("Choose at least one feature to compare."), dark)
    return themed(bars_figure(result.profile.means, result.profile.z_scores, result.names, chosen), dark)


def register(app: Dash, services: Services) -> list:
    tab = State(ids.TABS_MAIN, "active_tab")
    dark = Input(ids.SWITCH_THEME, "value")
    visuals = Input(ids.STORE_VIEW_VISUALIZATIONS, "data")

    @app.callback(Output(ids.PANEL_OVERVIEW, "children"), Input(ids.STORE_VIEW_OVERVIEW, "data"), tab, dark)
    def update_overview(view_data, active_tab, is_dark):
        return tab_view(services, ids.TAB_OVERVIEW, lambda r, e: overview_panel(r, e.catalogue, is_dark),
                        view_data, active_tab)

    @app.callback(Output(ids.PANEL_METRICS, "children"), Input(ids.STORE_VIEW_METRICS, "data"), tab)
    def update_metrics(view_data, active_tab):
        return tab_view(services, ids.TAB_METRICS, lambda r, e: metrics_panel(r), view_data, active_tab, scored=True)

    @app.callback(Output(ids.PANEL_INSIGHTS, "children"), Input(ids.STORE_VIEW_INSIGHTS, "data"), tab)
    def update_insights(view_data, active_tab):
        return tab_view(services, ids.TAB_INSIGHTS, lambda r, e: insights_panel(r, e.catalogue), view_data,
                        active_tab)

    @app.callback(Output(ids.GRAPH_HEATMAP, "figure"), visuals, tab, dark)
    def update_heatmap(view_data, active_tab, is_dark):
        return tab_view(services, ids.TAB_VISUALIZATIONS, lambda r, e: heatmap_for(r, is_dark), view_data,
                        active_tab)

    @app.callback(Output(ids.GRAPH_BARS, "figure"), visuals, Input(ids.DROPDOWN_BAR_FEATURES, "value"), tab, dark)
    def update_bars(view_data, bar_features, active_tab, is_dark):
        return tab_view(services, ids.TAB_VISUALIZATIONS, lambda r, e: bars_for(r, bar_features, is_dark),
                        view_data, active_tab)

    return [update_overview, update_metrics, update_insights, update_heatmap, update_bars]
