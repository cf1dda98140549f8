"""Configuration read from the environment, in one place, so deployment never edits code."""

from __future__ import annotations

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError as exc:  # a typo in the environment should say which variable
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from exc


PROJECT_ROOT = Path(__file__).resolve().parent

#: A real CSV to serve instead of the demo catalogue (empty: the demo catalogue).
SONGS_CSV: str = os.environ.get("SONGS_CSV", "").strip()
#: Songs in the generated demo catalogue (the public dataset has 95,837).
DEMO_SONGS: int = _int("DEMO_SONGS", 95_837)
#: Where clustering results are memoized on disk; shared by all gunicorn workers.
CACHE_DIR: Path = Path(os.environ.get("CACHE_DIR", PROJECT_ROOT / ".cache"))
#: Upper bound of the disk cache in bytes (diskcache evicts least recently used beyond it).
CACHE_SIZE_LIMIT: int = _int("CACHE_SIZE_LIMIT", 1 << 30)
#: Seed for every random choice (k-means++ and metric samples), so colours never reshuffle.
SEED: int = _int("SEED", 42)
#: Songs in the fixed-seed silhouette sample.
SILHOUETTE_SAMPLE: int = _int("SILHOUETTE_SAMPLE", 10_000)
#: Dash debug mode: off unless asked for.
DEBUG: bool = os.environ.get("DASH_DEBUG", "").lower() in {"1", "true", "yes"}
PORT: int = _int("PORT", 8050)
