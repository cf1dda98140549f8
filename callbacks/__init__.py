"""Thin adapters: control values in, engine (cached) results through figure builders out.

Importing this package registers every callback with ``dash.callback``.
"""

from callbacks import choose_k, data_source, export, pca, tree, url_state, views  # noqa: F401
