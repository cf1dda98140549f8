from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples, silhouette_score

from clustering.features import DEFAULT_FEATURES, normalise_features, scaled_matrix
from clustering.metrics import inertia, score, silhouette_values, with_silhouette
from clustering.models import ClusteringError
from clustering.profiles import build_profile, name_clusters, representative_rows, top_rows
from clustering.projection import project


def test_sampled_silhouette_is_within_0005_of_full(medium_demo):
    x = scaled_matrix(medium_demo.frame, DEFAULT_FEATURES)[:20_000]
    labels = KMeans(4, n_init=1, random_state=0).fit(x).labels_
    sampled = score(x, labels, sample_size=10_000, seed=42)
    assert sampled.silhouette_sample_size == 10_000
    assert abs(sampled.silhouette - silhouette_score(x, labels)) < 0.005


@pytest.mark.parametrize("block_rows", [7, 1024])
def test_blocked_float32_silhouette_equals_scikit_learn(block_rows):
    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(c, 1.0, size=(300, 6)) for c in (0.0, 2.5, 5.0)] + [rng.normal(9, 1, size=(1, 6))])
    labels = np.repeat([2, 0, 1, 3], [300, 300, 300, 1])  # a singleton cluster too, whose silhouette is 0
    ours = silhouette_values(x * 40.0 + 100.0, labels, block_rows=block_rows)  # large offsets: float32 cancellation
    reference = silhouette_samples(x * 40.0 + 100.0, labels)
    assert np.abs(ours - reference).max() < 1e-5
    assert ours[-1] == 0.0


def test_silhouette_added_later_equals_computed_at_once(small_demo):
    x = scaled_matrix(small_demo.frame, DEFAULT_FEATURES)
    labels = KMeans(4, n_init=1, random_state=0).fit_predict(x)
    at_once = score(x, labels, sample_size=2_000, seed=1)
    later = score(x, labels, sample_size=2_000, seed=1, silhouette=False)
    assert not later.has_silhouette and np.isnan(later.silhouette)
    later = with_silhouette(later, x, labels, sample_size=2_000, seed=1)
    assert later.silhouette == at_once.silhouette and later.has_silhouette
    assert np.array_equal(later.sample_rows, at_once.sample_rows)


def test_scores_sizes_and_inertia():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(8, 1, (30, 2))])
    labels = np.array([0] * 50 + [1] * 30)
    s = score(x, labels, sample_size=1000)
    assert s.sizes == [50, 30] and s.shares == [50 / 80, 30 / 80]
    assert s.silhouette > 0.8 and s.davies_bouldin < 0.3
    fitted = KMeans(2, n_init=3, random_state=0).fit(x)
    assert inertia(x, fitted.labels_) == pytest.approx(fitted.inertia_, rel=1e-6)


def test_feature_choice_is_canonical_and_validated():
    available = ["danceability", "energy", "tempo", "key"]
    assert normalise_features(["tempo", "energy"], available) == ("energy", "tempo")
    assert normalise_features(None, available) == ("danceability", "energy", "tempo")
    with pytest.raises(ClusteringError, match="at least two"):
        normalise_features(["energy"], available)
    with pytest.raises(ClusteringError, match="Unknown feature"):
        normalise_features(["energy", "bogus"], available)


def test_names_follow_the_z_scores():
    z = pd.DataFrame({
        "speechiness": [3.0, -0.3, -0.2, -0.1],
        "energy": [-0.5, 1.0, -1.2, 0.1],
        "danceability": [0.0, 0.8, -0.4, 0.05],
        "acousticness": [0.4, -0.9, 1.3, 0.0],
        "instrumentalness": [0.0, 0.0, 0.0, 0.1],
    })
    names = name_clusters(z)
    assert names[0] == "Spoken word"
    assert names[1] == "Energetic · Danceable"
    assert names[2] == "Acoustic · Calm"
    assert names[3] == "Mainstream"


def test_identical_profiles_get_distinct_names():
    z = pd.DataFrame({"energy": [1.0, 1.0, 1.0], "valence": [0.5, -0.5, 0.5], "tempo": [0.0, 0.0, 0.0]})
    names = name_clusters(z)
    assert len(set(names)) == 3


def test_names_that_differ_only_in_word_order_are_told_apart():
    # "Acoustic · Calm" and "Calm · Acoustic" say the same thing: they must differ in meaning.
    z = pd.DataFrame({"acousticness": [1.4, 1.0], "energy": [-1.0, -1.3], "valence": [0.6, -0.7],
                      "danceability": [-0.6, 0.3]})
    names = name_clusters(z)
    words = [frozenset(name.split(" · ")) for name in names]
    assert len(set(words)) == 2, names


def test_low_danceability_is_not_called_a_tempo():
    names = name_clusters(pd.DataFrame({"danceability": [-1.5, 1.5], "tempo": [0.4, -0.4]}))
    assert not any("tempo" in name.lower() for name in names), names


def test_profile_units_and_z_scores():
    frame = pd.DataFrame({"energy": [0.1, 0.2, 0.9, 1.0], "tempo": [80, 90, 160, 170.0]})
    labels = np.array([0, 0, 1, 1])
    profile = build_profile(frame, ["energy", "tempo"], labels)
    assert profile.means.loc[1, "tempo"] == 165
    assert profile.z_scores.loc[1, "energy"] > 0.9 and profile.z_scores.loc[0, "energy"] < -0.9
    table = profile.table()
    assert list(table.columns[:4]) == ["cluster", "name", "songs", "share"] and table["share"].sum() == 1


def test_representative_and_top_rows():
    x = np.array([[0.0], [1.0], [2.0], [10.0]])
    labels = np.array([0, 0, 0, 1])
    assert representative_rows(x, labels, 0, n=1).tolist() == [1]
    popularity = pd.Series([5, 50, 7, 1])
    assert top_rows(popularity, labels, 0, n=2).tolist() == [1, 2]


def test_projection_is_stable_and_explains_variance(small_demo):
    x = scaled_matrix(small_demo.frame, DEFAULT_FEATURES)
    a, b = project(x, DEFAULT_FEATURES), project(x[::-1].copy(), DEFAULT_FEATURES)
    assert a.coordinates.dtype == np.float32 and a.coordinates.shape == (len(x), 2)
    assert 0 < a.explained_variance[1] <= a.explained_variance[0] < 1
    assert set(a.loadings) == set(DEFAULT_FEATURES)
    # Same data in another order: same axes, same signs.
    assert np.allclose(a.coordinates[::-1], b.coordinates, atol=1e-4)
