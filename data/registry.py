"""Which catalogue a request is about: the default (SONGS_CSV or the demo) or a user's upload.

Uploads are written under the cache directory, named by content hash, so every gunicorn worker
can read them and the browser only keeps the short id. Parsed catalogues are memoized per
process by id (reading is deterministic, so the memo can never disagree between workers).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import settings
from data import load_catalogue
from data.loader import Catalogue, DatasetError, clean, read_csv_bytes

DEFAULT_ID = "default"
_UPLOAD_ID = re.compile(r"^upload-[0-9a-f]{20}$")


def uploads_dir() -> Path:
    return settings.CACHE_DIR / "uploads"


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    catalogue = load_catalogue(settings.SONGS_CSV or None, demo_songs=settings.DEMO_SONGS)
    release_freed_memory()
    return catalogue


def release_freed_memory() -> None:
    """Hand memory freed by loading back to the OS (glibc keeps it otherwise: about 20 MB here),
    before gunicorn forks workers that would each inherit it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@lru_cache(maxsize=2)
def _uploaded(dataset_id: str) -> Catalogue:
    path = uploads_dir() / f"{dataset_id}.csv"
    try:
        raw = path.read_bytes()
        name = (uploads_dir() / f"{dataset_id}.name").read_text(encoding="utf-8").strip() or "upload.csv"
    except OSError as exc:
        raise DatasetError("The uploaded file is no longer on the server (its cache was cleared): "
                           "upload it again.") from exc
    return clean(read_csv_bytes(raw, name), name)


def catalogue_for(dataset_id: str | None) -> Catalogue:
    """The catalogue for a dataset id kept in the browser; unknown ids fall back to the default."""
    if dataset_id and _UPLOAD_ID.match(dataset_id):
        return _uploaded(dataset_id)
    return default_catalogue()


def save_upload(raw: bytes, filename: str) -> tuple[str, Catalogue]:
    """Validate an uploaded CSV and keep it; raises DatasetError (nothing is kept) when unusable."""
    name = Path(filename or "upload.csv").name
    catalogue = clean(read_csv_bytes(raw, name), name)
    dataset_id = "upload-" + hashlib.blake2b(raw, digest_size=10).hexdigest()
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{dataset_id}.csv").write_bytes(raw)
    (folder / f"{dataset_id}.name").write_text(name, encoding="utf-8")
    return dataset_id, catalogue
