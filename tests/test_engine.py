from __future__ import annotations

import itertools
import shutil

import numpy as np
import pytest

from clustering.cache import ResultCache
from clustering.engine import Engine
from clustering.models import ClusteringError
from clustering.sweep import knee, recommend, sweep, sweep_rows


def test_kmeans_result_is_cached_and_identical(engine, cache):
    first = engine.cluster("kmeans", 4)
    assert cache.contains(engine._key("cluster", algorithm="kmeans", k=4, features=first.features, seed=42))
    assert engine.is_cached("kmeans", 4, first.features, scored=True)
    other_sample = Engine(engine.catalogue, cache, seed=42, silhouette_sample=500).cluster("kmeans", 4)
    assert other_sample.scores.silhouette_sample_size == 500  # a setting the value depends on is in its key
    again = engine.cluster("kmeans", 4, list(reversed(first.features)))
    assert np.array_equal(first.labels, again.labels)
    assert first.scores.sizes == sorted(first.scores.sizes, reverse=True)
    assert len(first.names) == 4 and len(set(first.names)) == 4


def test_agglomerative_uses_the_exact_tree_of_every_song(engine):
    result = engine.cluster("agglomerative", 3)
    assert result.labels.shape == (engine.catalogue.n_songs,)
    assert engine.has_tree()
    assert "within_cluster_sum_of_squares" in result.summary() and "inertia" not in result.summary()


def test_cache_that_is_gone_or_corrupt_recomputes(small_demo, tmp_path):
    directory = tmp_path / "c"
    engine = Engine(small_demo, ResultCache(directory), silhouette_sample=2_000)
    reference = engine.cluster("kmeans", 3).labels
    shutil.rmtree(directory)
    assert np.array_equal(engine.cluster("kmeans", 3).labels, reference)
    for db in directory.glob("*.db"):
        db.write_bytes(b"this is not sqlite" * 100)
    fresh = Engine(small_demo, ResultCache(directory), silhouette_sample=2_000)
    assert np.array_equal(fresh.cluster("kmeans", 3).labels, reference)


def test_the_tree_estimate_is_calibrated_then_measured(engine):
    features = ("energy", "valence", "tempo")
    calibrated = engine.tree_seconds(features)
    assert 0 < calibrated < 30  # 6,000 songs: well under a second on any machine that runs the tests
    engine.tree(features)
    measured = engine.cache.get(ResultCache.key("tree-rate"))
    assert measured["n"] == engine.catalogue.n_songs
    assert engine.tree_seconds(features) == pytest.approx(measured["rate"] * 6_000**2 * 3)


def test_a_view_is_resolved_and_shown(engine):
    view = engine.resolve("default", "kmeans", 4, ["tempo", "energy", "valence"])
    assert view.ok and view.features == ("energy", "valence", "tempo")
    assert np.array_equal(engine.result(view).labels, engine.cluster("kmeans", 4, view.features).labels)
    refused = engine.resolve("default", "kmeans", 4, ["energy"])
    with pytest.raises(ClusteringError, match="at least two"):
        engine.result(refused)


def test_bad_requests_give_clear_errors(engine):
    with pytest.raises(ClusteringError, match="larger than the number of songs"):
        engine.cluster("kmeans", 10_000)
    with pytest.raises(ClusteringError, match="at least two"):
        engine.cluster("kmeans", 3, ["energy"])
    with pytest.raises(ClusteringError, match="Unknown algorithm"):
        engine.cluster("dbscan", 3)


def test_sweep_rows_and_recommendation(engine):
    seen = []
    result = sweep(engine, "kmeans", 2, 6, on_row=lambda row: seen.append(row.k))
    assert seen == [2, 3, 4, 5, 6]
    inertias = [row["inertia"] for row in result["rows"]]
    assert all(a > b for a, b in itertools.pairwise(inertias))
    assert 2 <= result["recommended_k"] <= 6 and "elbow" in result["rule"]
    with pytest.raises(ClusteringError, match="k range"):
        list(sweep_rows(engine, "kmeans", 5, 3))


def test_knee_and_fallback():
    assert knee([1, 2, 3, 4, 5, 6], [100, 40, 20, 17, 15, 14]) == 3
    assert knee([2, 3], [10, 5]) is None

    class Row:
        def __init__(self, k, inertia, silhouette):
            self.k, self.inertia, self.silhouette = k, inertia, silhouette
            self.davies_bouldin, self.calinski_harabasz = 1.0 / k, float(k)

    straight = [Row(k, 100 - 10 * k, s) for k, s in zip(range(2, 7), [0.1, 0.3, 0.2, 0.1, 0.1], strict=True)]
    assert recommend(straight)["recommended_k"] == 3  # a straight line has no knee: best silhouette


def test_without_a_disk_cache_a_sweep_builds_the_tree_once(small_demo, monkeypatch):
    import clustering.engine as engine_module

    calls = []
    real = engine_module.ward_tree
    monkeypatch.setattr(engine_module, "ward_tree", lambda x: calls.append(1) or real(x))
    engine = Engine(small_demo, ResultCache(None), silhouette_sample=1_000)
    sweep(engine, "agglomerative", 2, 5, ["energy", "valence", "tempo"])
    assert len(calls) == 1
