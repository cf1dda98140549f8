"""Downloads: the clustered songs (all original columns + cluster + name) and the profile table."""

from __future__ import annotations

from dash import Input, Output, State, callback, dcc, no_update

from callbacks.common import Request, current_result, engine_for
from layouts import ids

STATES = [State(ids.STORE_DATASET, "data"), State(ids.SLIDER_K, "value"), State(ids.RADIO_ALGORITHM, "value"),
          State(ids.CHECKLIST_FEATURES, "value")]


def _file_stem(request: Request) -> str:
    return f"songs_{request.algorithm}_k{request.k}"


@callback(Output(ids.DOWNLOAD_SONGS, "data"), Input(ids.BUTTON_DOWNLOAD_SONGS, "n_clicks"), *STATES,
          prevent_initial_call=True)
def download_songs(_clicks, dataset_id, k, algorithm, features):
    try:
        request = Request.parse(dataset_id, k, algorithm, features)
        result = current_result(request)
        frame = engine_for(dataset_id).clustered_frame(result)
    except Exception:
        return no_update
    return dcc.send_data_frame(frame.to_csv, f"{_file_stem(request)}.csv", index=False)


@callback(Output(ids.DOWNLOAD_PROFILE, "data"), Input(ids.BUTTON_DOWNLOAD_PROFILE, "n_clicks"), *STATES,
          prevent_initial_call=True)
def download_profile(_clicks, dataset_id, k, algorithm, features):
    try:
        request = Request.parse(dataset_id, k, algorithm, features)
        table = current_result(request).profile.table()
    except Exception:
        return no_update
    return dcc.send_data_frame(table.to_csv, f"{_file_stem(request)}_profile.csv", index=False)
