"""Downloads: the clustered songs (all original columns + cluster + name) and the profile table,
written safe for spreadsheets (clustering.export)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, no_update

from callbacks.common import USER_ERRORS, error_alert, shown_result
from clustering.export import csv_bytes
from clustering.view import View
from layouts import ids
from services import Services


def _refusal(view: View | None) -> str | None:
    """Why the current view cannot be exported, in a sentence; None when it can."""
    if view is None:
        return "The page is still loading."
    if view.error:
        return f"Nothing to export: {view.error}"
    if view.placeholder:
        return ("The exact Ward tree is still being built: export once it is done (the K-Means placeholder "
                "shown meanwhile is not Ward's clustering).")
    return None


def export(services: Services, view_data: dict | None, what: str) -> tuple:
    """(download, status) for the songs ("songs") or the profile table ("profile") of the view."""
    refusal = _refusal(View.from_dict(view_data))
    if refusal:
        return no_update, refusal
    try:
        view, engine, result = shown_result(services, view_data)
    except Exception as exc:
        return no_update, error_alert(exc) if not isinstance(exc, USER_ERRORS) else str(exc)
    stem = f"songs_{view.algorithm}_k{view.k}"
    if what == "songs":
        frame = engine.clustered_frame(result)
        return dcc.send_bytes(csv_bytes(frame), f"{stem}.csv"), \
            f"Exported {len(frame):,} songs ({view.describe()})."
    table = result.profile.table()
    return dcc.send_bytes(csv_bytes(table), f"{stem}_profile.csv"), \
        f"Exported the profiles of {view.k} clusters ({view.describe()})."


def register(app: Dash, services: Services) -> list:
    @app.callback(Output(ids.DOWNLOAD_SONGS, "data"), Output(ids.EXPORT_STATUS, "children"),
                  Input(ids.BUTTON_DOWNLOAD_SONGS, "n_clicks"), State(ids.STORE_VIEW, "data"),
                  prevent_initial_call=True)
    def download_songs(_clicks, view):
        return export(services, view, "songs")

    @app.callback(Output(ids.DOWNLOAD_PROFILE, "data"), Output(ids.EXPORT_STATUS, "children", allow_duplicate=True),
                  Input(ids.BUTTON_DOWNLOAD_PROFILE, "n_clicks"), State(ids.STORE_VIEW, "data"),
                  prevent_initial_call=True)
    def download_profile(_clicks, view):
        return export(services, view, "profile")

    return [download_songs, download_profile]
