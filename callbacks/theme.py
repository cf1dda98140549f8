"""Light or dark: the page's Bootstrap colour mode, set in the browser (figures follow through
their own callbacks, which take the switch as an input and use the matching template)."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input

from layouts import ids
from services import Services


def register(app: Dash, _services: Services) -> list:
    app.clientside_callback(ClientsideFunction(namespace="amc", function_name="theme"),
                            Input(ids.SWITCH_THEME, "value"))
    return []
