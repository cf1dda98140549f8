"""Callbacks called as plain functions on a fresh app (its own services and cache per test)."""

from __future__ import annotations

import base64
import io
import json
import time

import pandas as pd
import pytest
from dash import Patch, no_update

import clustering.view
from clustering.engine import Engine
from clustering.features import DEFAULT_FEATURES
from layouts import ids
from layouts.figures import template_json

FEATURES = list(DEFAULT_FEATURES)


def resolve(app, k=5, algorithm="kmeans", features=FEATURES, dataset="default") -> dict:
    return app.callbacks["update_view"](dataset, k, algorithm, features, None, None)


def pca(callbacks, view, dark, tab, drawn, colour="cluster", focus=None, highlight=None):
    """The scatter's callback with the song inputs (colour, legend isolation, highlight) at rest."""
    return callbacks["update_pca"](view, dark, colour, focus, highlight, tab, drawn)


def test_views_follow_k_and_name_every_cluster(dash_app):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=5)
    status, legend, shown, banner, poll_off = cb["update_status"](view)
    assert banner is None and poll_off is True
    assert "k = 5, on 10 features" in str(status) and "demo data" in str(status) and len(legend) == 5
    assert shown["key"] == view["key"]
    assert str(cb["update_overview"](view, ids.TAB_OVERVIEW, False)).count("cluster-card") == 5
    metrics = str(cb["update_metrics"](view, ids.TAB_METRICS))
    assert "Silhouette" in metrics and "sample of" in metrics and ids.TABLE_PROFILE in metrics
    heatmap = cb["update_heatmap"](view, ids.TAB_VISUALIZATIONS, False)
    assert len(heatmap["data"][0]["y"]) == 5 and heatmap["layout"]["template"] == template_json(False)
    assert str(cb["update_insights"](view, ids.TAB_INSIGHTS)).count("cluster-card") == 5


def test_hidden_tabs_are_not_built(dash_app):
    view = resolve(dash_app)
    assert dash_app.callbacks["update_overview"](view, ids.TAB_METRICS, False) is no_update
    assert dash_app.callbacks["update_heatmap"](view, ids.TAB_OVERVIEW, False) is no_update
    assert pca(dash_app.callbacks, view, False, ids.TAB_OVERVIEW, None) == (no_update,) * 3


@pytest.mark.parametrize(("features", "message"), [
    (["energy"], "at least two features"),
    ([], "at least two features"),
    (["energy", "bogus"], "Unknown feature"),
])
def test_a_refused_request_says_why_and_keeps_the_old_views(dash_app, features, message):
    cb = dash_app.callbacks
    shown = resolve(dash_app, k=4)
    cb["update_status"](shown)
    refused = cb["update_view"]("default", 4, "kmeans", features, None, shown)
    status, legend, still_shown, *_ = cb["update_status"](refused)
    assert message in str(status) and "still show K-Means, k = 4, on 10 features" in str(status)
    assert legend is no_update and still_shown is no_update
    # The views keep (or, opened now, build) the last good view, k = 4: what the status says is shown.
    assert str(cb["update_overview"](refused, ids.TAB_OVERVIEW, False)).count("cluster-card") == 4
    drawn = pca(cb, shown, False, ids.TAB_VISUALIZATIONS, None)[2]
    assert pca(cb, refused, False, ids.TAB_VISUALIZATIONS, drawn) == (no_update,) * 3
    # A first request refused, with nothing shown before it: nothing to build.
    first = resolve(dash_app, k=4, features=features)
    assert cb["update_overview"](first, ids.TAB_OVERVIEW, False) is no_update
    assert "Nothing to show yet" in str(cb["update_status"](first)[0])


def test_the_scatter_is_rebuilt_for_a_new_projection_and_patched_otherwise(dash_app, services):
    def draw(*args):
        return pca(dash_app.callbacks, *args)
    figure, caption, drawn = draw(resolve(dash_app, k=4), False, ids.TAB_VISUALIZATIONS, None)
    assert figure["data"][0]["type"] == "scattergl" and "PC1" in caption
    # New k, same projection: one byte per song (base64: 4/3) and the colour scale, not the figure.
    patch, caption, drawn = draw(resolve(dash_app, k=6), False, ids.TAB_VISUALIZATIONS, drawn)
    assert isinstance(patch, Patch) and caption is no_update
    assert len(json.dumps(patch.to_plotly_json())) < services.registry.default().n_songs * 1.4 + 2_000
    # k and features changed together (a link, Back, Reset): a rebuild, whatever fired first.
    rebuilt, caption, drawn = draw(resolve(dash_app, k=3, features=FEATURES[:4]), False, ids.TAB_VISUALIZATIONS,
                                   drawn)
    assert not isinstance(rebuilt, Patch) and rebuilt["data"] and caption is not no_update
    assert drawn["projection"].endswith(",".join(FEATURES[:4]))
    # The same view again: nothing to send.
    assert draw(resolve(dash_app, k=3, features=FEATURES[:4]), False, ids.TAB_VISUALIZATIONS, drawn) == \
        (no_update,) * 3
    # The theme alone: a Patch of the template, no colours.
    themed, _, drawn = draw(resolve(dash_app, k=3, features=FEATURES[:4]), True, ids.TAB_VISUALIZATIONS, drawn)
    assert isinstance(themed, Patch)
    assert [op["location"] for op in themed.to_plotly_json()["operations"]] == [["layout", "template"]]


def test_visual_only_inputs_never_refit(dash_app, monkeypatch):
    """Bar features, theme and tab switches redraw from the cached clustering: no fit, no projection."""
    cb = dash_app.callbacks
    view = resolve(dash_app, k=5)
    cb["update_status"](view)
    drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, None)[2]
    calls = {"fit": 0, "project": 0}
    real_fit = Engine._fit

    def counted_fit(self, *args):
        calls["fit"] += 1
        return real_fit(self, *args)

    import clustering.engine

    real_project = clustering.engine.project

    def counted_project(*args):
        calls["project"] += 1
        return real_project(*args)

    monkeypatch.setattr(Engine, "_fit", counted_fit)
    monkeypatch.setattr(clustering.engine, "project", counted_project)
    for bars in (["energy"], ["valence", "tempo"], []):
        cb["update_bars"](view, bars, ids.TAB_VISUALIZATIONS, False)
    for dark in (True, False):
        drawn = pca(cb, view, dark, ids.TAB_VISUALIZATIONS, drawn)[2]
        cb["update_heatmap"](view, ids.TAB_VISUALIZATIONS, dark)
    for tab in (ids.TAB_OVERVIEW, ids.TAB_METRICS, ids.TAB_INSIGHTS, ids.TAB_FIND_K):
        for name in ("update_overview", "update_metrics", "update_insights", "update_silhouette"):
            args = (view, tab, False) if name in {"update_overview", "update_silhouette"} else (view, tab)
            cb[name](*args)
    assert calls == {"fit": 0, "project": 0}
    # The same counters do see a real change.
    cb["update_status"](resolve(dash_app, k=7))
    assert calls["fit"] == 1


def test_visual_only_inputs_cannot_reach_the_resolved_view(dash_app):
    """In the callback graph, only the clustering's controls feed ``store-view``; bars, theme and tabs don't."""
    producers = [spec for output, spec in dash_app.callback_map.items() if f"{ids.STORE_VIEW}.data" in output]
    assert len(producers) == 1
    inputs = {item["id"] for item in producers[0]["inputs"]}
    assert inputs == {ids.STORE_DATASET, ids.SLIDER_K, ids.RADIO_ALGORITHM, ids.CHECKLIST_FEATURES,
                      ids.STORE_TREE_READY}


def test_bars_accept_an_empty_choice(dash_app):
    view = resolve(dash_app, k=3)
    bars = dash_app.callbacks["update_bars"](view, ["energy", "valence"], ids.TAB_VISUALIZATIONS, False)
    assert len(bars["data"]) == 3
    empty = dash_app.callbacks["update_bars"](view, [], ids.TAB_VISUALIZATIONS, False)
    assert "at least one feature" in empty["layout"]["annotations"][0]["text"]


def test_hover_shows_the_song(dash_app, services):
    view = resolve(dash_app, k=4)
    hovered = {"points": [{"pointIndex": 7, "bbox": {"x0": 1}}]}
    show, bbox, children = dash_app.callbacks["hover_song"](hovered, view, "cluster")
    frame = services.registry.default().frame
    assert show is True and bbox == {"x0": 1} and frame["name_song"].iloc[7] in str(children)
    assert dash_app.callbacks["hover_song"](None, view, "cluster")[0] is False
    # Coloured by a number, the card leads with that value.
    coloured = str(dash_app.callbacks["hover_song"](hovered, view, "popularity_songs")[2])
    assert f"popularity: {frame['popularity_songs'].iloc[7]:.0f}" in coloured


def test_a_link_sets_every_control_and_says_what_it_refused(dash_app):
    apply = dash_app.callbacks["url_to_controls"]
    out = apply("?k=9&algorithm=agglomerative&features=energy,tempo&tab=insights", None, None, 4, "kmeans",
                FEATURES, ids.TAB_OVERVIEW)
    dataset, _options, features, k, algorithm, tab, *_rest, alert, _back = out
    assert (dataset, features, k, algorithm, tab) == ("default", ["energy", "tempo"], 9, "agglomerative",
                                                      ids.TAB_INSIGHTS)
    assert alert is None
    # Back to the first entry (no query): every control back to its default, even k.
    out = apply("?k=9", {"search": "", "at": 1}, "default", 9, "agglomerative", ["energy", "tempo"], ids.TAB_INSIGHTS)
    assert out[2] == FEATURES and out[3] == 4 and out[4] == "kmeans" and out[5] == ids.TAB_OVERVIEW
    assert out[1] is no_update  # same catalogue: its feature list stays
    refused = apply("?k=99&features=bogus", None, "default", 4, "kmeans", FEATURES, ids.TAB_OVERVIEW)
    assert refused[3] is no_update and "k = 99 is outside" in str(refused[-2]) and "bogus" in str(refused[-2])


def test_controls_write_the_url_only_when_it_describes_another_view(dash_app):
    write = dash_app.callbacks["controls_to_url"]
    options = [{"label": f, "value": f} for f in FEATURES]
    assert write("default", 4, "kmeans", FEATURES, ids.TAB_OVERVIEW, "", options) is no_update  # "/" is the defaults
    query = write("default", 5, "kmeans", FEATURES, ids.TAB_OVERVIEW, "", options)
    assert "k=5" in query and "algorithm=kmeans" in query
    assert write("default", 5, "kmeans", list(reversed(FEATURES)), ids.TAB_OVERVIEW, query, options) is no_update


def test_reset_navigates_to_every_default_and_keeps_the_tab(dash_app):
    navigation, low, high = dash_app.callbacks["reset"](1)
    out = dash_app.callbacks["url_to_controls"]("?k=9", navigation, "default", 9, "agglomerative", ["key", "energy"],
                                                ids.TAB_METRICS)
    assert out[2] == FEATURES and out[3] == 4 and out[4] == "kmeans" and out[5] is no_update
    assert (low, high) == (2, 12) and "energy" in out[7]  # the bars' features too


def test_downloads(dash_app, services):
    view = resolve(dash_app, k=3)
    songs, note = dash_app.callbacks["download_songs"](1, view)
    assert songs["base64"]  # bytes, as written by clustering.export
    frame = pd.read_csv(io.BytesIO(base64.b64decode(songs["content"])))
    assert len(frame) == services.registry.default().n_songs and {"cluster", "cluster_name"} <= set(frame.columns)
    assert "Exported 6,000 songs" in note
    profile, _ = dash_app.callbacks["download_profile"](1, view)
    table = pd.read_csv(io.BytesIO(base64.b64decode(profile["content"])))
    assert list(table["cluster"]) == [0, 1, 2] and table["songs"].sum() == services.registry.default().n_songs
    refused, why = dash_app.callbacks["download_songs"](1, resolve(dash_app, k=3, features=["energy"]))
    assert refused is no_update and "at least two features" in why


def _upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def test_an_upload_is_navigated_to_or_explained(dash_app):
    cb = dash_app.callbacks
    nav, note = cb["use_uploaded_csv"]({"contents": _upload("name,artist\nx,y\n"), "filename": "bad.csv"})
    assert nav is no_update and "no usable audio-feature columns" in str(note)
    rows = "\n".join(f"s{i},{i / 10:.1f},{(9 - i) / 10:.1f},{100 + i}" for i in range(10))
    nav, note = cb["use_uploaded_csv"]({"contents": _upload("track_id,energy,valence,tempo\n" + rows),
                                         "filename": "mine.csv"})
    assert nav["dataset"].startswith("upload-") and "mine.csv" in str(note)
    dataset, options, features, k, algorithm, tab, *_ = cb["url_to_controls"]("", nav, "default", 12, "kmeans",
                                                                              FEATURES, ids.TAB_METRICS)
    assert dataset == nav["dataset"] and features == ["energy", "valence", "tempo"] and len(options) == 3
    assert (k, algorithm, tab) == (no_update,) * 3  # the person's k, algorithm and tab stay
    status, *_ = cb["update_status"](cb["update_view"](dataset, 3, "kmeans", features, None, None))
    assert "10 songs" in str(status)
    status, *_ = cb["update_status"](cb["update_view"](dataset, 12, "kmeans", features, None, None))
    assert "larger than the number of songs" in str(status)


def test_a_link_to_an_upload_that_is_gone_says_so_and_shows_the_default(dash_app):
    out = dash_app.callbacks["url_to_controls"]("?data=upload-00000000000000000000&k=5", None, None, 4, "kmeans",
                                                FEATURES, ids.TAB_OVERVIEW)
    assert out[0] == "default" and out[3] == 5 and "no longer on the server" in str(out[-2])


def test_ward_shows_the_placeholder_until_its_tree_job_is_done(dash_app, monkeypatch):
    monkeypatch.setattr(clustering.view, "QUICK_TREE_SECONDS", 0.0)  # every tree counts as slow
    cb = dash_app.callbacks
    features = FEATURES[:6]
    view = resolve(dash_app, k=3, algorithm="agglomerative", features=features)
    assert view["placeholder"]
    status, legend, _, banner, poll_off = cb["update_status"](view)
    assert "K-Means placeholder" in str(status) and "placeholder" in str(legend[0])
    assert poll_off is False and ("Building the exact Ward tree" in str(banner) or banner is None)
    deadline = time.monotonic() + 60
    banner, disabled, ready = cb["poll_tree"](1, "default", 3, "agglomerative", features)
    while ready is no_update and time.monotonic() < deadline:
        assert "Building the exact Ward tree" in str(banner) and disabled is False
        time.sleep(0.2)
        banner, disabled, ready = cb["poll_tree"](2, "default", 3, "agglomerative", features)
    assert "built: switching the views" in str(banner) and disabled is True and ready
    exact = cb["update_view"]("default", 3, "agglomerative", features, ready, None)
    assert not exact["placeholder"] and exact["key"] != view["key"]
    assert "placeholder" not in str(cb["update_status"](exact)[0])
    assert "cut for k = 3" in json.dumps(cb["update_dendrogram"](exact, ids.TAB_FIND_K, False))


def test_export_waits_for_the_exact_tree(dash_app, monkeypatch):
    monkeypatch.setattr(clustering.view, "QUICK_TREE_SECONDS", 0.0)
    view = resolve(dash_app, k=3, algorithm="agglomerative", features=FEATURES[:5])
    download, why = dash_app.callbacks["download_songs"](1, view)
    assert download is no_update and "still being built" in why


def test_a_sweep_runs_and_its_results_are_labelled_when_the_settings_change(dash_app):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=4, features=FEATURES[:4])
    job, result, poll_off = cb["run_sweep"](1, None, None, None, view, 2, 5)
    assert result is None and poll_off is False  # old results cleared at the start
    deadline = time.monotonic() + 60
    while result is no_update or result is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
        job, result, poll_off = cb["run_sweep"](1, None, 1, job, view, 2, 5)
    assert job["state"] == "done" and poll_off is True and [row["k"] for row in result["rows"]] == [2, 3, 4, 5]
    _figure, text, use_disabled, label, use_class = cb["show_sweep"](result, view, False)
    assert "d-none" not in use_class
    assert use_disabled is False and label == f"Use k = {result['recommended_k']}" and "other settings" not in str(text)
    other = resolve(dash_app, k=4, features=FEATURES[:5])
    _, text, use_disabled, _, _ = cb["show_sweep"](result, other, False)
    assert use_disabled is True and "other settings" in str(text) and "4 features" in str(text)
    state = cb["show_sweep_state"](2, 5, view, job)
    assert state[:6] == (False, True, False, False, False, False) and "Done: 4 values of k" in state[6]


def test_a_sweep_with_an_invalid_range_says_why_and_cannot_start(dash_app):
    view = resolve(dash_app)
    state = dash_app.callbacks["show_sweep_state"](10, 5, view, None)
    assert state[0] is True and "backwards" in state[6]
    job, result, _ = dash_app.callbacks["run_sweep"](1, None, None, None, view, 10, 5)
    assert job["state"] == "refused" and "backwards" in job["message"] and result is no_update


def test_a_cancelled_sweep_says_so(dash_app):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=4, features=FEATURES[:3])
    job, _, _ = cb["run_sweep"](1, None, None, None, view, 2, 15)
    running = cb["show_sweep_state"](-1, 4, view, job)  # the range belongs to the running sweep: locked, no error
    assert running[4] is True and running[5] is True and "-1" not in str(running[6])
    job, result, poll_off = cb["run_sweep"](1, 1, 1, job, view, 2, 15)
    deadline = time.monotonic() + 30
    while not poll_off:
        assert time.monotonic() < deadline
        time.sleep(0.1)
        job, result, poll_off = cb["run_sweep"](1, 1, 2, job, view, 2, 15)
    assert job["state"] == "cancelled" and result is no_update
    state = cb["show_sweep_state"](2, 15, view, job)
    assert state[0] is False and "Cancelled after" in state[6] and state[2] is False


def test_ids_are_named_like_their_strings():
    names = {name: value for name, value in vars(ids).items() if name.isupper() and isinstance(value, str)}
    assert names, "no ids found"
    for name, value in names.items():
        assert name == value.upper().replace("-", "_"), f"{name} = {value!r}"
    assert len(set(names.values())) == len(names)


def test_every_id_in_the_layout_comes_from_ids(dash_app):
    import dash

    found: set[str] = set()

    def walk(component) -> None:
        if isinstance(component, dash.development.base_component.Component):
            if isinstance(getattr(component, "id", None), str):
                found.add(component.id)
            children = getattr(component, "children", None)
            for child in children if isinstance(children, list) else [children]:
                walk(child)

    walk(dash_app.layout)
    known = {value for name, value in vars(ids).items() if name.isupper() and isinstance(value, str)}
    assert len(found) > 40 and found - known == set()


def _graph(app) -> list[tuple[str, set[str], set[str], set[str]]]:
    """(outputs key, inputs, states, outputs) of every callback, props as 'id.prop'."""
    callbacks = []
    for key, spec in app.callback_map.items():
        outputs = {part.split("@")[0] for part in key.strip(".").split("...")}
        inputs = {f"{item['id']}.{item['property']}" for item in spec["inputs"]}
        states = {f"{item['id']}.{item['property']}" for item in spec.get("state", [])}
        callbacks.append((key, inputs, states, outputs))
    return callbacks


def test_no_callback_waits_on_its_own_results(dash_app):
    """Dash holds a callback while any of its inputs or states may still change because of a
    pending callback, its own included; such a callback then waits on itself, and a superseded
    request can leave it (and all after it) waiting for ever. The graph must have no such loop."""
    graph = _graph(dash_app)
    assert len(graph) > 20
    for key, inputs, states, outputs in graph:
        touched, frontier = set(outputs), set(outputs)
        while frontier:
            frontier = {out for _, ins, _, outs in graph if ins & frontier for out in outs} - touched
            touched |= frontier
        waits_on_itself = ((inputs | states) - outputs) & touched
        assert not waits_on_itself, f"{key} reads {sorted(waits_on_itself)}, which its own outputs lead to"


def test_hidden_tabs_show_the_last_shown_view_while_a_request_is_refused(dash_app):
    """Opened while a request is refused, a tab shows what the status line says is shown."""
    cb = dash_app.callbacks
    shown = resolve(dash_app, k=6)
    refused = cb["update_view"]("default", 6, "kmeans", ["energy"], None, shown)
    assert refused["fallback"]["key"] == shown["key"]
    again = cb["update_view"]("default", 6, "kmeans", [], None, refused)  # refused twice: same fallback
    assert again["fallback"]["key"] == shown["key"]
    assert cb["update_status"](again)[2] is no_update and "k = 6, on 10 features" in str(cb["update_status"](again)[0])
    assert str(cb["update_overview"](again, ids.TAB_OVERVIEW, False)).count("cluster-card") == 6


def test_a_link_back_to_the_default_catalogue_after_an_upload(dash_app):
    cb = dash_app.callbacks
    rows = "\n".join(f"s{i},{i / 10:.1f},{(9 - i) / 10:.1f},{100 + i}" for i in range(10))
    nav, _ = cb["use_uploaded_csv"]({"contents": _upload("track_id,energy,valence,tempo\n" + rows),
                                         "filename": "mine.csv"})
    upload = cb["url_to_controls"]("", nav, "default", 5, "kmeans", FEATURES, ids.TAB_METRICS)
    assert upload[-1] == {}  # the way back is offered
    back = cb["url_to_controls"]("", cb["use_default_catalogue"](1), upload[0], 5, "kmeans", upload[2],
                                 ids.TAB_METRICS)
    assert back[0] == "default" and back[2] == FEATURES and back[-1] == {"display": "none"}


def test_labels_first_the_silhouette_only_for_views_that_show_it(dash_app, services, monkeypatch):
    """A new k: the status, scatter, overview, heatmap and bars never wait for the silhouette;
    the Metrics tab asks for it (a second cached step), once."""
    import clustering.engine as engine_module

    silhouettes = []
    real = engine_module.with_silhouette
    monkeypatch.setattr(engine_module, "with_silhouette", lambda *a, **k: silhouettes.append(1) or real(*a, **k))
    cb = dash_app.callbacks
    view = resolve(dash_app, k=7)
    cb["update_status"](view)
    pca(cb, view, False, ids.TAB_VISUALIZATIONS, None)
    cb["update_heatmap"](view, ids.TAB_VISUALIZATIONS, False)
    cb["update_bars"](view, ["energy"], ids.TAB_VISUALIZATIONS, False)
    cb["update_overview"](view, ids.TAB_OVERVIEW, False)
    cb["update_insights"](view, ids.TAB_INSIGHTS)
    engine = services.engine("default")
    assert silhouettes == [] and engine.is_cached("kmeans", 7, FEATURES)
    assert not engine.is_cached("kmeans", 7, FEATURES, scored=True)
    panel = cb["update_metrics"](view, ids.TAB_METRICS)
    assert "Silhouette" in str(panel) and "nan" not in str(panel)
    cb["update_silhouette"](view, ids.TAB_FIND_K, False)
    assert silhouettes == [1] and engine.is_cached("kmeans", 7, FEATURES, scored=True)


def test_after_a_k_is_shown_its_neighbours_are_warmed_while_idle(settings):
    """The next slider step is served from the cache: the warmer fits k+1 and k-1 (then the rest)
    once the process is idle, and waits while it serves a request."""
    from dataclasses import replace as replace_settings

    from app import create_app
    from services import Services

    services = Services.create(replace_settings(settings, warm_neighbours=True))
    app = create_app(services=services)
    services.request_started()  # a request in flight: nothing is warmed meanwhile
    app.callbacks["update_status"](resolve(app, k=6))
    time.sleep(0.5)
    assert services.warmer.fitted == []
    services.request_ended()
    assert services.warmer.wait_idle(timeout=120)
    engine = services.engine("default")
    assert services.warmer.fitted[:3] == [(7, False), (5, False), (6, True)]
    assert all(engine.is_cached("kmeans", k, FEATURES) for k in range(2, 16))
    assert engine.is_cached("kmeans", 7, FEATURES, scored=True) and engine.is_cached("kmeans", 5, FEATURES, scored=True)
