"""The tabs that follow a clustering, except the scatter: overview, metrics, heatmap, bars, insights.

Each reads the resolved view (or, while a request is refused, the last good one: what the status
line says is still shown) plus its own visual inputs, and builds only while its tab is open
(``tab_view``).
"""

from __future__ import annotations

from dash import Dash, Input, Output

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
    view = Input(ids.STORE_VIEW, "data")
    tab = Input(ids.TABS_MAIN, "active_tab")
    dark = Input(ids.SWITCH_THEME, "value")

    @app.callback(Output(ids.PANEL_OVERVIEW, "children"), view, tab, dark)
    def update_overview(view_data, active_tab, is_dark):
        return tab_view(services, ids.TAB_OVERVIEW, lambda r, e: overview_panel(r, e.catalogue, is_dark),
                        view_data, active_tab)

    @app.callback(Output(ids.PANEL_METRICS, "children"), view, tab)
    def update_metrics(view_data, active_tab):
        return tab_view(services, ids.TAB_METRICS, lambda r, e: metrics_panel(r), view_data, active_tab)

    @app.callback(Output(ids.PANEL_INSIGHTS, "children"), view, tab)
    def update_insights(view_data, active_tab):
        return tab_view(services, ids.TAB_INSIGHTS, lambda r, e: insights_panel(r, e.catalogue), view_data,
                        active_tab)

    @app.callback(Output(ids.GRAPH_HEATMAP, "figure"), view, tab, dark)
    def update_heatmap(view_data, active_tab, is_dark):
        return tab_view(services, ids.TAB_VISUALIZATIONS, lambda r, e: heatmap_for(r, is_dark), view_data,
                        active_tab)

    @app.callback(Output(ids.GRAPH_BARS, "figure"), view, Input(ids.DROPDOWN_BAR_FEATURES, "value"), tab, dark)
    def update_bars(view_data, bar_features, active_tab, is_dark):
        return tab_view(services, ids.TAB_VISUALIZATIONS, lambda r, e: bars_for(r, bar_features, is_dark),
                        view_data, active_tab)

    return [update_overview, update_metrics, update_insights, update_heatmap, update_bars]
