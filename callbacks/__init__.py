"""Thin adapters: the resolved view and visual inputs in, engine (cached) results through pure
figure and panel builders out. ``register_callbacks(app, services)`` wires them to one app, so
tests can build fresh apps with settings of their own."""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash

from callbacks import choose_k, data_source, export, pca, songs, theme, tree, url_state, view_state, views
from services import Services


def register_callbacks(app: Dash, services: Services) -> dict[str, Callable]:
    """Register every callback on ``app``; returns them by name (plain functions, for tests)."""
    registered: dict[str, Callable] = {}
    for module in (url_state, view_state, views, pca, songs, tree, choose_k, export, data_source, theme):
        registered |= {function.__name__: function for function in module.register(app, services)}
    return registered
