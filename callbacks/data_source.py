"""A user's own CSV: validated and kept on the server; the browser keeps only its id."""

from __future__ import annotations

import base64

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, no_update

from clustering.features import DEFAULT_FEATURES
from data.loader import DatasetError
from data.registry import save_upload
from layouts import ids
from layouts.figures import feature_label
from layouts.page import BAR_FEATURES_DEFAULT, cleaning_popover, data_source_text


@callback(
    Output(ids.STORE_DATASET, "data"),
    Output(ids.UPLOAD_STATUS, "children"),
    Output(ids.CHECKLIST_FEATURES, "options"),
    Output(ids.CHECKLIST_FEATURES, "value", allow_duplicate=True),
    Output(ids.DROPDOWN_BAR_FEATURES, "options"),
    Output(ids.DROPDOWN_BAR_FEATURES, "value"),
    Output(ids.DATA_SOURCE, "children"),
    Output(ids.POPOVER_CLEANING, "children"),
    Input(ids.UPLOAD, "contents"),
    State(ids.UPLOAD, "filename"),
    prevent_initial_call=True,
)
def use_uploaded_csv(contents, filename):
    """Switch the page to an uploaded CSV, or say why it cannot be used (keeping the current data)."""
    if not contents:
        return (no_update,) * 8
    try:
        _, encoded = contents.split(",", 1)
        dataset_id, catalogue = save_upload(base64.b64decode(encoded), filename or "upload.csv")
    except (ValueError, DatasetError) as exc:
        message = str(exc) if isinstance(exc, DatasetError) else "The file could not be read as an upload."
        return (no_update, dbc.Alert(message, color="warning", className="p-2 mb-0 small"), *(no_update,) * 6)
    features = catalogue.numeric_columns
    chosen = [f for f in DEFAULT_FEATURES if f in features]
    chosen = chosen if len(chosen) >= 2 else features[:2]
    options = [{"label": feature_label(f), "value": f} for f in features]
    bars = [f for f in BAR_FEATURES_DEFAULT if f in features] or features[:4]
    note = dbc.Alert(f"Using {catalogue.source}: {catalogue.n_songs:,} songs.", color="success",
                     className="p-2 mb-0 small")
    return (dataset_id, note, options, chosen, options, bars, data_source_text(catalogue),
            cleaning_popover(catalogue))
