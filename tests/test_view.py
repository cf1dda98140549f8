"""The one place that resolves a request: normalised keys, errors in words, links, bounds, ranges."""

from __future__ import annotations

import pytest

from clustering.features import DEFAULT_FEATURES, default_features
from clustering.models import ClusteringError
from clustering.view import (
    K_DEFAULT,
    K_MAX,
    QUICK_TREE_SECONDS,
    Controls,
    View,
    check_range,
    controls_from_link,
    default_controls,
    link_dataset,
    resolve,
)

AVAILABLE = [*DEFAULT_FEATURES, "key", "mode"]


def resolved(algorithm="kmeans", k=4, features=("energy", "valence"), *, tree_ready=False, tree_seconds=60.0,
             n_songs=1000, allow_placeholder=True) -> View:
    return resolve(dataset="default", fingerprint="fp", n_songs=n_songs, available=AVAILABLE, algorithm=algorithm,
                   k=k, features=features, tree_ready=lambda f: tree_ready, tree_seconds=lambda f: tree_seconds,
                   allow_placeholder=allow_placeholder)


def test_feature_order_does_not_change_the_view():
    a, b = resolved(features=("valence", "energy", "tempo")), resolved(features=("tempo", "energy", "valence"))
    assert a == b and a.key == b.key and hash(a) == hash(b)
    assert a.features == ("energy", "valence", "tempo")  # the catalogue's column order
    assert a.projection_key == b.projection_key


def test_k_and_algorithm_change_the_key_but_not_the_projection():
    base = resolved(k=4)
    assert resolved(k=5).key != base.key and resolved(k=5).projection_key == base.projection_key
    assert resolved(features=("energy", "tempo")).projection_key != base.projection_key


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"features": ("energy",)}, "at least two features"),
    ({"features": ()}, "at least two features"),
    ({"features": ("energy", "bogus")}, "Unknown feature(s): bogus"),
    ({"algorithm": "dbscan"}, "Unknown algorithm"),
    ({"k": None}, "Choose a number of clusters"),
    ({"k": 12, "n_songs": 10}, "larger than the number of songs (10)"),
    ({"k": K_MAX + 1}, f"between 2 and {K_MAX}"),
    ({"k": 2.5}, "whole number"),
])
def test_a_request_that_cannot_be_met_says_why(kwargs, message):
    view = resolved(**kwargs)
    assert view.error is not None and message in view.error
    assert not view.ok


def test_ward_without_its_tree_is_a_named_placeholder_only_when_the_tree_is_slow():
    slow = resolved("agglomerative", tree_seconds=40.0)
    assert slow.placeholder and slow.fitted_algorithm == "kmeans" and slow.tree_seconds == 40.0
    quick = resolved("agglomerative", tree_seconds=QUICK_TREE_SECONDS / 2)
    assert not quick.placeholder and quick.fitted_algorithm == "agglomerative"
    assert not resolved("agglomerative", tree_ready=True).placeholder
    assert not resolved("agglomerative", allow_placeholder=False).placeholder  # export, CLI: exact or nothing
    assert slow.key != resolved("agglomerative", tree_ready=True).key  # the switch to exact is a new view


def test_view_survives_the_page_store():
    view = resolved("agglomerative", k=7, features=("tempo", "energy"))
    data = view.to_dict()
    assert data["key"] == view.key and data["label"] == "Agglomerative (Ward), k = 7, on 2 features"
    assert View.from_dict(data) == view
    assert View.from_dict(None) is None


def test_default_features_are_one_rule():
    assert default_controls(AVAILABLE).features == DEFAULT_FEATURES
    assert default_features(["energy", "tempo", "followers"]) == ("energy", "tempo")
    assert default_features(["followers", "popularity"]) == ("followers", "popularity")


def test_a_link_round_trips_and_missing_parts_take_their_defaults():
    controls = Controls(dataset="upload-0123456789abcdef0123", k=7, algorithm="agglomerative",
                        features=("energy", "tempo"), tab="metrics")
    query = controls.query()
    assert link_dataset(query) == controls.dataset
    assert controls_from_link(query, AVAILABLE, controls.dataset) == (controls, [])
    assert controls_from_link("", AVAILABLE) == (default_controls(AVAILABLE), [])
    assert controls_from_link("?k=6", AVAILABLE)[0] == Controls(k=6, features=DEFAULT_FEATURES)
    assert link_dataset("?k=6") == "default" and "data=" not in Controls(features=("a", "b")).query()


def test_a_link_keeps_an_explicit_short_feature_list_so_the_view_can_say_what_is_missing():
    assert controls_from_link("?features=", AVAILABLE)[0].features == ()
    assert controls_from_link("?features=energy", AVAILABLE)[0].features == ("energy",)


@pytest.mark.parametrize(("query", "sentence", "controls"), [
    ("?k=99", "k = 99 is outside 2..15", Controls(features=DEFAULT_FEATURES)),
    ("?k=abc", "not a whole number", Controls(features=DEFAULT_FEATURES)),
    ("?algorithm=dbscan", "Unknown algorithm 'dbscan'", Controls(features=DEFAULT_FEATURES)),
    ("?features=bogus", "no feature bogus; using the default features", Controls(features=DEFAULT_FEATURES)),
    ("?features=energy,bogus,tempo", "no feature bogus.", Controls(features=("energy", "tempo"))),
])
def test_a_link_part_that_cannot_be_used_is_refused_in_words(query, sentence, controls):
    got, refused = controls_from_link(query, AVAILABLE)
    assert got == controls and any(sentence in line for line in refused), refused
    assert got.k == K_DEFAULT


def test_same_view_ignores_feature_order_but_not_the_tab():
    a = Controls(features=("energy", "tempo"), tab="metrics")
    assert a.same_view(Controls(features=("tempo", "energy"), tab="metrics"))
    assert not a.same_view(Controls(features=("tempo", "energy"), tab="overview"))


@pytest.mark.parametrize(("low", "high", "message"), [
    (10, 5, "backwards: 'from' (10) is larger than 'to' (5)"),
    (3, 3, "one value (3)"),
    (1, 20, "between 2 and 15"),
    (None, 12, "both ends"),
    ("", 12, "both ends"),
    (2.5, 6, "whole numbers"),
    ("x", 6, "whole numbers"),
    (2, 12, "larger than the number of songs (8)"),
])
def test_an_invalid_range_says_why(low, high, message):
    with pytest.raises(ClusteringError) as raised:
        check_range(low, high, n_songs=8 if high == 12 and low == 2 else None)
    assert message in str(raised.value)


def test_a_valid_range_is_whole_numbers():
    assert check_range(2, 12) == (2, 12)
    assert check_range(3.0, "5") == (3, 5)
