"""Shared fixtures: the real sample (skipped with a reason when absent), small demo catalogues,
and a fresh cache directory per test."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# Callbacks called as functions use the app's settings: a small demo and a throw-away cache.
os.environ["DEMO_SONGS"] = "6000"
os.environ["SONGS_CSV"] = ""
os.environ["CACHE_DIR"] = tempfile.mkdtemp(prefix="amc-test-cache-")

from clustering.cache import ResultCache  # noqa: E402
from clustering.engine import Engine  # noqa: E402
from data.demo import demo_catalogue  # noqa: E402

SAMPLE_CSV = ROOT.parent / "shared" / "data" / "songs_sample.csv"


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    if not SAMPLE_CSV.exists():
        pytest.skip(f"real sample not found at ../shared/data/{SAMPLE_CSV.name} (kept outside the repo)")
    return SAMPLE_CSV


@pytest.fixture(scope="session")
def small_demo():
    """A 6,000-song demo catalogue: big enough for the sampled K-Means path, quick to cluster."""
    return demo_catalogue(6_000)


@pytest.fixture(scope="session")
def medium_demo():
    return demo_catalogue(30_000)


@pytest.fixture()
def cache(tmp_path) -> ResultCache:
    return ResultCache(tmp_path / "cache")


@pytest.fixture()
def engine(small_demo, cache) -> Engine:
    return Engine(small_demo, cache, seed=42, silhouette_sample=3_000)
