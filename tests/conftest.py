"""Shared fixtures: the real sample (skipped with a reason when absent, a failure in CI), small
demo catalogues, and a fresh app, services and cache per test that needs them.

Nothing here touches the environment: apps and services are built from explicit settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from clustering.cache import ResultCache  # noqa: E402
from clustering.engine import Engine  # noqa: E402
from data.demo import demo_catalogue  # noqa: E402
from services import Services  # noqa: E402
from settings import Settings  # noqa: E402

SAMPLE_CSV = ROOT.parent / "shared" / "data" / "songs_sample.csv"
TEST_SONGS = 6_000  # big enough for the sampled K-Means path, quick to cluster


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}


def skip_or_fail(reason: str) -> None:
    """Skip a test whose prerequisite is missing, saying why; in CI (``CI`` set) fail instead:
    a CI run that skips tests proves nothing."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: nothing may be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    if not SAMPLE_CSV.exists():
        skip_or_fail(f"real sample not found at ../shared/data/{SAMPLE_CSV.name} (kept outside the repo)")
    return SAMPLE_CSV


@pytest.fixture(scope="session")
def small_demo():
    """A 6,000-song demo catalogue: big enough for the sampled K-Means path, quick to cluster."""
    return demo_catalogue(TEST_SONGS)


@pytest.fixture(scope="session")
def medium_demo():
    return demo_catalogue(30_000)


@pytest.fixture()
def cache(tmp_path) -> ResultCache:
    return ResultCache(tmp_path / "cache")


@pytest.fixture()
def engine(small_demo, cache) -> Engine:
    return Engine(small_demo, cache, seed=42, silhouette_sample=3_000)


@pytest.fixture()
def settings(tmp_path) -> Settings:
    """The app's settings for one test: the small demo catalogue and a cache of its own; no
    background warming (tests that count fits must see only their own)."""
    return Settings(demo_songs=TEST_SONGS, cache_dir=tmp_path / "app-cache", songs_csv="", warm_neighbours=False)


@pytest.fixture()
def services(settings) -> Services:
    return Services.create(settings)


@pytest.fixture()
def dash_app(services):
    """A fresh Dash app over the test's services; ``dash_app.callbacks`` are its callbacks, by name."""
    from app import create_app

    return create_app(services=services)
