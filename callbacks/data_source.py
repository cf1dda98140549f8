"""A user's own CSV: validated and kept on the server; the page then navigates to it (``data=``
in the URL, through the one navigation path), so a reload, Back and a copied link show the same
catalogue, features and views."""

from __future__ import annotations

import base64
import binascii

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks.url_state import navigation
from data.loader import DatasetError
from layouts import ids
from services import Services


def upload(services: Services, contents: str | None, filename: str | None) -> tuple:
    """(navigation to the uploaded catalogue, note) or (no change, why the file cannot be used)."""
    if not contents:
        return no_update, no_update
    try:
        _, encoded = contents.split(",", 1)
        dataset_id, catalogue = services.registry.save_upload(base64.b64decode(encoded), filename or "upload.csv")
    except (ValueError, binascii.Error, DatasetError) as exc:
        message = str(exc) if isinstance(exc, DatasetError) else "The file could not be read as an upload."
        return no_update, dbc.Alert(message, color="warning", className="p-2 mb-0 small")
    note = dbc.Alert(f"Using {catalogue.source}: {catalogue.n_songs:,} songs. Its link reopens it.", color="success",
                     className="p-2 mb-0 small")
    return navigation(dataset=dataset_id), note


def register(app: Dash, services: Services) -> list:
    app.clientside_callback(
        ClientsideFunction(namespace="amc", function_name="upload"),
        Output(ids.STORE_UPLOAD, "data"),
        Output(ids.UPLOAD_STATUS, "children"),
        Input(ids.UPLOAD_CSV, "contents"),
        State(ids.UPLOAD_CSV, "filename"),
        State(ids.STORE_UPLOAD_LIMIT, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.STORE_NAVIGATION, "data", allow_duplicate=True),
        Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
        Input(ids.STORE_UPLOAD, "data"),
        prevent_initial_call=True,
    )
    def use_uploaded_csv(chosen):
        chosen = chosen or {}
        return upload(services, chosen.get("contents"), chosen.get("filename"))

    return [use_uploaded_csv]
