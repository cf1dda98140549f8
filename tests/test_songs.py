"""Songs: search, exact neighbours, selections, genres; their callbacks and the ``similar`` command."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from dash import Patch, no_update
from sklearn.metrics import pairwise_distances

from clustering.songs import (
    FAMILY_ORDER,
    UNKNOWN_FAMILY,
    decode_selection,
    families,
    genre_by_cluster,
    genre_rows,
    parse_choice,
    purity,
    selection_profile,
    spread,
)
from data.loader import clean, read_csv_bytes
from layouts import ids
from tests.test_callbacks import pca, resolve
from tests.test_cli import run
from tests.test_hostile import songs_csv


def catalogue_of(titles: list[str], artists: list[str], genres: list[str] | None = None):
    text = songs_csv(len(titles))
    frame = pd.read_csv(pd.io.common.StringIO(text))
    frame["name_song"] = titles
    frame["name_artists"] = artists
    if genres is not None:
        frame["genres"] = [f"['{g}']" for g in genres]
    return clean(read_csv_bytes(frame.to_csv(index=False).encode(), "t.csv"), "t.csv")


def test_search_ignores_accents_and_case_and_needs_every_word():
    catalogue = catalogue_of(["Crazy in Love", "Déjà Vu", "Love Story", "Halo", "Café del Mar"],
                             ["Beyoncé", "Beyoncé", "Taylor Swift", "Beyoncé", "Energy 52"])
    from clustering.songs import SongSearch

    search = SongSearch(catalogue)
    hits = search.search("beyonce")
    assert hits[0].kind == "artist" and hits[0].label.startswith("Artist: Beyoncé · 3 songs")
    assert {h.label.split(" — ")[0] for h in hits if h.kind == "song"} == {"Crazy in Love", "Déjà Vu", "Halo"}
    assert [h.label.split(" — ")[0] for h in search.search("DEJA vu") if h.kind == "song"] == ["Déjà Vu"]
    # Every word must occur, in the title or the artist.
    assert [h.label.split(" — ")[0] for h in search.search("love beyonce") if h.kind == "song"] == ["Crazy in Love"]
    # Titles that start with the query come first.
    assert next(h.label.split(" — ")[0] for h in search.search("love") if h.kind == "song") == "Love Story"
    assert search.search("c") == [] and search.search("zzz") == []
    assert list(search.artist_rows("Beyoncé")) == [0, 1, 3]


def test_search_folds_letters_unicode_does_not_decompose_and_narrows_as_one_types():
    catalogue = catalogue_of(["Bítlavinafélagið", "Øresund", "Straße", "Łódź", "Other"], ["a", "b", "c", "d", "e"])
    from clustering.songs import SongSearch

    search = SongSearch(catalogue)
    for query, title in (("bitlavinafelagid", "Bítlavinafélagið"), ("oresund", "Øresund"), ("strasse", "Straße"),
                         ("lodz", "Łódź")):
        assert [h.label.split(" — ")[0] for h in search.search(query)] == [title], query
    # A longer query searches within the last one's matches, with the same answer as from scratch.
    assert search.matching_rows("st").tolist() == [2] and search.matching_rows("str").tolist() == [2]
    assert search.matching_rows("stra x").tolist() == [] and SongSearch(catalogue).matching_rows("o").tolist() == []


def test_an_empty_answer_says_why_in_an_option_that_cannot_be_chosen(dash_app):
    view = resolve(dash_app, k=4)
    short = dash_app.callbacks["update_song_options"]("d", None, view)["options"]
    assert short[0]["disabled"] and "at least two" in short[0]["label"]
    none = dash_app.callbacks["update_song_options"]("no such song", None, view)["options"]
    assert none[0]["disabled"] and "No song or artist matches" in none[0]["label"]
    assert parse_choice(none[0]["value"], 10) is None


def test_copies_of_a_song_are_listed_once(engine):
    features = engine.features()
    nearest = engine.similar(10, features, 3)
    # Give the nearest neighbour the query's own title and artist, and the second the third's.
    text = engine.search().text.copy()
    text.iloc[nearest[0].row] = text.iloc[10]
    text.iloc[nearest[1].row] = text.iloc[nearest[2].row]
    found = engine.neighbours(features).similar(10, 3, same_song=text)
    assert nearest[0].row not in [n.row for n in found]
    assert len({text.iloc[n.row] for n in found}) == 3 and len(found) == 3


def test_a_song_under_several_ids_is_offered_once():
    catalogue = catalogue_of(["Danska lagið", "Danska lagið", "Other"], ["Bítlavinafélagið"] * 2 + ["x"])
    from clustering.songs import SongSearch

    songs = [h for h in SongSearch(catalogue).search("danska") if h.kind == "song"]
    assert [h.label.split(" — ")[0] for h in songs] == ["Danska lagið"]


def test_search_choices_are_parsed_strictly():
    assert parse_choice("song:3", 10) == ("song", 3)
    assert parse_choice("artist:A: B", 10) == ("artist", "A: B")
    for bad in (None, "", "song:10", "song:-1", "song:x", "genre:rock", "artist:"):
        assert parse_choice(bad, 10) is None


def test_neighbours_are_the_exact_nearest_songs(engine):
    features = engine.features()
    x = engine.matrix(features)
    distances = pairwise_distances(x[[123]], x)[0]
    distances[123] = np.inf
    expected = np.argsort(distances, kind="stable")[:10]
    found = engine.similar(123, features, 10)
    assert [n.row for n in found] == expected.tolist()
    assert [n.distance for n in found] == pytest.approx(distances[expected].tolist(), abs=1e-9)
    assert all(0 <= n.similarity <= 1 for n in found) and found[0].similarity >= found[-1].similarity
    # Within the song's cluster only.
    result = engine.cluster("kmeans", 4)
    inside = engine.similar(123, features, 10, within_cluster=result)
    members = np.flatnonzero(result.labels == result.labels[123])
    own = members[members != 123]
    assert [n.row for n in inside] == own[np.argsort(distances[own], kind="stable")[:10]].tolist()
    with pytest.raises(Exception, match="No song number"):
        engine.similar(10**9, features)


def test_a_selection_bitmap_decodes_to_its_rows():
    rows = np.array([0, 5, 8, 9999])
    bits = np.zeros(10_000, dtype=np.uint8)
    bits[rows] = 1
    encoded = base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode()
    assert decode_selection(encoded, 10_000).tolist() == rows.tolist()
    with pytest.raises(ValueError):
        decode_selection(encoded, 20_000)


def test_selection_profile_compares_with_the_catalogue():
    frame = pd.DataFrame({"energy": [0.0, 0.0, 1.0, 1.0]})
    profile = selection_profile(frame, ["energy"], np.array([2, 3]))
    assert profile.loc["energy"].tolist() == [1.0, 0.5, 1.0]


def test_genre_shares_purity_and_where_a_genre_falls():
    catalogue = catalogue_of([f"s{i}" for i in range(6)], ["a"] * 6,
                             ["hard rock", "punk", "deep house", "hard rock", "unknown", "jazz"])
    groups = families(catalogue)
    assert list(groups.cat.categories) == list(FAMILY_ORDER)
    labels = np.array([0, 0, 1, 1, 1, 1])
    shares = genre_by_cluster(groups, labels, 2)
    assert shares.sum(axis=0).tolist() == pytest.approx([1.0, 1.0])
    assert shares.loc["rock", 0] == 1.0 and shares.loc["rock", 1] == 0.25
    assert purity(shares)[0] == ("rock", 1.0)
    # Unknown genres never make a cluster "pure".
    assert purity(shares)[1][0] != UNKNOWN_FAMILY
    label, rows = genre_rows(catalogue, "family:rock")
    assert label == "the rock family" and spread(rows, labels, 2).tolist() == [2, 1]
    assert genre_rows(catalogue, "genre:jazz")[1].tolist() == [5]


def test_choosing_a_song_marks_it_with_a_patch_of_a_few_points(dash_app, services):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=4)
    cb["update_status"](view)
    matches = cb["update_song_options"]("demo track 0100", None, view)
    options = matches["options"]
    assert matches["query"] == "demo track 0100" and options[0]["value"] == "song:99"
    assert "demo track 0100" in options[0]["search"]
    panel, highlight, disabled, switch_disabled = cb["show_song"]("song:99", False, view)
    assert ids.TABLE_SIMILAR_SONGS in str(panel) and disabled is False and switch_disabled is False
    assert highlight["rows"][0] == 99 and len(highlight["rows"]) == 11
    drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, None)[2]
    patch, _, drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, drawn, highlight=highlight)
    assert isinstance(patch, Patch)
    size = len(json.dumps(patch.to_plotly_json()))
    assert size < 10_000, size  # the bar: a highlight sends at most 10 KB
    coordinates = services.engine("default").projection(view["features"]).coordinates
    operations = patch.to_plotly_json()["operations"]
    x_values = next(op["params"]["value"] for op in operations if op["location"] == ["data", 1, "x"])
    assert x_values[0] == pytest.approx(float(coordinates[99, 0]), abs=1e-3)
    # A click on a point chooses its song; nothing chosen says how to choose.
    value, chosen = cb["choose_clicked_song"]({"points": [{"curveNumber": 0, "pointIndex": 5}]}, view)
    assert value == "song:5" and chosen[0]["value"] == "song:5"
    # A song's title in a table is a link to that song.
    assert f"'index': {highlight['rows'][1]}" in str(panel) and ids.SONG_LINK in str(panel)
    assert "Find a song" in str(cb["show_song"](None, False, view)[0])


def test_legend_isolation_and_colour_by_send_no_positions(dash_app):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=4)
    _, _, drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, None)
    focus = {"key": view["key"], "clusters": [2]}
    patch, _, drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, drawn, focus=focus)
    operations = patch.to_plotly_json()["operations"]
    assert [op["location"] for op in operations] == [["data", 0, "marker", "colorscale"]]
    assert len(json.dumps(operations)) < 1_000
    # An isolation made for another clustering is ignored.
    stale = {"key": "another", "clusters": [1]}
    patch, _, drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, drawn, focus=stale)
    assert [op["location"] for op in patch.to_plotly_json()["operations"]] == [["data", 0, "marker", "colorscale"]]
    assert drawn["focus"] == []
    # Colour by genre family or a feature: one byte a song, the colour key shown.
    for colour in ("family", "energy"):
        patch, _, drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, drawn, colour=colour)
        marker = patch.to_plotly_json()["operations"][0]["params"]["value"]
        assert marker["showscale"] is True and marker["color"]["dtype"] == "u1"
    # A colouring this catalogue does not have falls back to clusters.
    patch, _, drawn = pca(cb, view, False, ids.TAB_VISUALIZATIONS, drawn, colour="no such column")
    assert drawn["colour"] == "cluster"


def test_the_selection_is_listed_profiled_and_exported(dash_app, services):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=3)
    n = services.engine("default").catalogue.n_songs
    rows = np.arange(0, n, 40)
    bits = np.zeros(n, dtype=np.uint8)
    bits[rows] = 1
    selection = {"bits": base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode(),
                 "projection": f"{view['fingerprint']}:{','.join(view['features'])}"}
    panel, disabled = cb["show_selection"](selection, view)
    assert f"{len(rows):,} songs selected" in str(panel) and ids.TABLE_SELECTION in str(panel) and disabled is False
    download = cb["download_selection"](1, selection, view)
    exported = pd.read_csv(pd.io.common.BytesIO(base64.b64decode(download["content"])))
    assert len(exported) == len(rows) and "cluster_name" in exported.columns
    # Drawn on another picture (the features changed since): select again, said in words.
    moved = selection | {"projection": "other"}
    assert "select again" in str(cb["show_selection"](moved, view)[0])
    assert cb["download_selection"](1, moved, view) is no_update


def test_genre_views_follow_the_clustering(dash_app):
    cb = dash_app.callbacks
    view = resolve(dash_app, k=5)
    figure = cb["update_genres"](view, ids.TAB_INSIGHTS, False)
    assert len(figure["data"][0]["x"]) == 5
    spread_figure = cb["update_genre_spread"](view, "family:rock", ids.TAB_INSIGHTS, False)
    assert "rock family" in spread_figure["layout"]["title"]["text"]
    assert cb["update_genres"](view, ids.TAB_OVERVIEW, False) is no_update


def test_cli_similar_prints_the_song_and_its_neighbours(tmp_path):
    done = run("similar", "--demo-songs", "3000", "--query", "demo track 0042", "--n", "5", "--json",
               cache_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["query_song"]["title"] == "Demo Track 0042" and len(result["neighbours"]) == 5
    for song in [result["query_song"], *result["neighbours"]]:
        assert {"id", "title", "artist", "genre", "cluster", "distance"} <= set(song)
    distances = [song["distance"] for song in result["neighbours"]]
    assert distances == sorted(distances) and distances[0] > 0
    missing = run("similar", "--demo-songs", "3000", "--query", "no such song anywhere", cache_dir=tmp_path)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "No song matches" in missing.stderr
