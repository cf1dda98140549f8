from __future__ import annotations

import numpy as np
import pytest
import sklearn
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from bench.bench_preview import ward_preview, weighted_ward
from clustering.features import DEFAULT_FEATURES, scaled_matrix
from clustering.models import (
    SKLEARN_PRIVATE_API_VERSION,
    ClusteringError,
    check_k,
    cut_tree,
    kmeans,
    relabel_by_size,
    ward_tree,
)
from settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def x(medium_demo):
    return scaled_matrix(medium_demo.frame, DEFAULT_FEATURES)


@pytest.mark.parametrize("k", [2, 3, 4, 8])
def test_kmeans_matches_sklearn_n_init_10(x, k):
    ours = kmeans(x, k, seed=42)
    reference = KMeans(k, n_init=10, random_state=42).fit(x)
    assert ours.inertia <= reference.inertia_ * 1.005
    assert len(np.unique(ours.labels)) == k
    assert ours.labels.shape == (len(x),)


def test_kmeans_is_deterministic(x):
    a, b = kmeans(x, 5, seed=7), kmeans(x, 5, seed=7)
    assert np.array_equal(a.labels, b.labels) and a.inertia == b.inertia


def test_check_k():
    with pytest.raises(ClusteringError, match="at least 2"):
        check_k(10, 1)
    with pytest.raises(ClusteringError, match="larger than the number of songs"):
        check_k(10, 11)
    with pytest.raises(ClusteringError, match="fewer clusters than songs"):
        check_k(10, 10)
    check_k(10, 9)


def test_ward_tree_equals_scipy_exact_ward():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(600, 4))
    ours = ward_tree(points)
    reference = linkage(points, "ward")
    assert np.allclose(ours[:, 2], reference[:, 2])
    for k in (2, 3, 7):
        labels = cut_tree(ours, k)
        assert len(np.unique(labels)) == k
        assert adjusted_rand_score(labels, cut_tree(reference, k)) == 1.0


def test_private_kmeans_helpers_belong_to_the_pinned_scikit_learn():
    """clustering.models calls scikit-learn's private K-Means helpers for speed: they may change in
    any release, so a different scikit-learn must fail here, loudly, before anything else."""
    pinned = next(line.split("==")[1].strip() for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("scikit-learn=="))
    assert sklearn.__version__ == pinned == SKLEARN_PRIVATE_API_VERSION, (
        f"scikit-learn {sklearn.__version__} is installed, requirements pin {pinned}, and the private "
        f"K-Means helpers were checked against {SKLEARN_PRIVATE_API_VERSION}: check _kmeans_single_lloyd, "
        "_kmeans_plusplus and _tolerance in sklearn/cluster/_kmeans.py, then update the constant")


def test_weighted_ward_equals_ward_on_repeated_points():
    """The measured micro-cluster candidate (bench/bench_preview.py) is exact on repeated points."""
    rng = np.random.default_rng(1)
    points = rng.normal(size=(60, 3))
    weights = rng.integers(1, 4, size=60)
    expanded = np.repeat(points, weights, axis=0)
    # Merges inside a group of identical points cost 0; the rest must be the same heights.
    reference = np.sort(linkage(expanded, "ward")[:, 2])[-59:]
    assert np.allclose(weighted_ward(points, weights)[:, 2], reference)


def test_ward_preview_labels_every_song(x):
    labels = ward_preview(x[:8000], 4, seed=0)
    assert labels.shape == (8000,) and set(np.unique(labels)) == {0, 1, 2, 3}


def test_relabel_by_size_orders_largest_first():
    labels = np.array([2, 2, 2, 0, 1, 1])
    assert relabel_by_size(labels).tolist() == [0, 0, 0, 2, 1, 1]
    tied = np.array([1, 1, 0, 0])
    assert relabel_by_size(tied).tolist() == [1, 1, 0, 0]
