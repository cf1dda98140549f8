"""Configuration read from the environment, in one place, so deployment never edits code.

``Settings.from_env()`` reads it when an app, the CLI or a Celery worker is built, never at
import, so tests build apps with settings of their own.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError as exc:  # a typo in the environment should say which variable
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    #: A real CSV to serve instead of the demo catalogue (empty: the demo catalogue).
    songs_csv: str = ""
    #: Songs in the generated demo catalogue (the public dataset has 95,837).
    demo_songs: int = 95_837
    #: Where results, uploads and job states are kept on disk; shared by all gunicorn workers.
    cache_dir: Path = field(default_factory=lambda: PROJECT_ROOT / ".cache")
    #: Upper bound of the disk cache in bytes (diskcache evicts least recently used beyond it).
    cache_size_limit: int = 1 << 30
    #: Seed for every random choice (k-means++ and metric samples), so colours never reshuffle.
    seed: int = 42
    #: Songs in the fixed-seed silhouette sample.
    silhouette_sample: int = 10_000
    #: Dash debug mode: off unless asked for.
    debug: bool = False
    port: int = 8050
    #: With a Redis URL, long jobs (Ward trees, k sweeps) run on Celery workers instead of threads.
    redis_url: str = ""
    #: After a k is shown, fit the other values of k in the background while the worker is idle.
    warm_neighbours: bool = True
    #: Signs each browser's session cookie. Required in production (where ``DYNO`` is set, as on
    #: Heroku): every dyno and every restart must share it. Elsewhere, when unset, one is made and
    #: kept in the cache directory.
    secret_key: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        if env.get("DYNO") and not env.get("SECRET_KEY", "").strip():
            raise SystemExit("SECRET_KEY must be set in production (DYNO is set): a long random string, the same "
                             "for every dyno, e.g. from: python -c 'import secrets; print(secrets.token_hex(32))'")
        return cls(
            songs_csv=env.get("SONGS_CSV", "").strip(),
            demo_songs=_int(env, "DEMO_SONGS", 95_837),
            cache_dir=Path(env.get("CACHE_DIR", "").strip() or PROJECT_ROOT / ".cache"),
            cache_size_limit=_int(env, "CACHE_SIZE_LIMIT", 1 << 30),
            seed=_int(env, "SEED", 42),
            silhouette_sample=_int(env, "SILHOUETTE_SAMPLE", 10_000),
            debug=env.get("DASH_DEBUG", "").lower() in {"1", "true", "yes"},
            port=_int(env, "PORT", 8050),
            redis_url=env.get("REDIS_URL", "").strip(),
            secret_key=env.get("SECRET_KEY", "").strip(),
            warm_neighbours=env.get("WARM_NEIGHBOURS", "1").lower() not in {"0", "false", "no", "off"},
        )

    def session_secret(self) -> str:
        """``secret_key``, or one made once and kept in the cache directory (development, tests),
        so that restarts keep open pages' sessions; a fresh one per start if it cannot be kept."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.cache_dir) / "secret_key"
        try:
            return path.read_text(encoding="ascii").strip() or _new_secret(path)
        except OSError:
            return _new_secret(path)


def _new_secret(path: Path) -> str:
    secret = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secret, encoding="ascii")
    except OSError:
        pass  # kept for this process only: sessions end at the next restart
    return secret
