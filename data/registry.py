"""Which catalogue a request is about: the default (SONGS_CSV or the demo) or a user's upload.

Uploads are written under the cache directory, named by content hash, so every gunicorn worker
can read them and the browser (its URL) only keeps the short id. Each is parsed once: the worker
that receives it keeps the parsed catalogue beside the CSV (a pickle, written by this app only),
so other workers load it in a fraction of the parse time; within one process, concurrent
requests for one upload wait for a single load. Parsed catalogues are memoized per process by id
(reading is deterministic, so the memo can never disagree between workers).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import pickle
import re
import threading
from collections import OrderedDict
from pathlib import Path

from data import load_catalogue
from data.loader import Catalogue, DatasetError, clean, read_csv_bytes

log = logging.getLogger(__name__)
DEFAULT_ID = "default"
UPLOAD_ID = re.compile(r"^upload-[0-9a-f]{20}$")
#: Parsed uploads kept in memory per process (each is a full table; a 512 MB host keeps few).
UPLOADS_IN_MEMORY = 2


def release_freed_memory() -> None:
    """Hand memory freed by loading back to the OS (glibc keeps it otherwise: about 20 MB here),
    before gunicorn forks workers that would each inherit it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Registry:
    """The catalogues one app serves: its default, and uploads kept under ``uploads_dir``."""

    def __init__(self, songs_csv: str, demo_songs: int, uploads_dir: Path) -> None:
        self.songs_csv = songs_csv
        self.demo_songs = demo_songs
        self.uploads_dir = Path(uploads_dir)
        self._default: Catalogue | None = None
        self._uploads: OrderedDict[str, Catalogue] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}  # one load per upload at a time in this process

    def default(self) -> Catalogue:
        with self._lock:
            if self._default is None:
                self._default = load_catalogue(self.songs_csv or None, demo_songs=self.demo_songs)
                release_freed_memory()
            return self._default

    def get(self, dataset_id: str | None) -> Catalogue:
        """The catalogue for an id from the page; DatasetError says why an id cannot be served."""
        if not dataset_id or dataset_id == DEFAULT_ID:
            return self.default()
        if not UPLOAD_ID.match(dataset_id):
            raise DatasetError(f"There is no catalogue called {dataset_id!r} here.")
        with self._lock:
            if dataset_id in self._uploads:
                self._uploads.move_to_end(dataset_id)
                return self._uploads[dataset_id]
            loading = self._loading.setdefault(dataset_id, threading.Lock())
        with loading:  # concurrent requests for one upload: the first loads it, the others wait for it
            with self._lock:
                if dataset_id in self._uploads:
                    return self._uploads[dataset_id]
            try:
                return self._remember(dataset_id, self._read_upload(dataset_id))
            finally:
                with self._lock:
                    self._loading.pop(dataset_id, None)

    def _remember(self, dataset_id: str, catalogue: Catalogue) -> Catalogue:
        with self._lock:
            self._uploads[dataset_id] = catalogue
            while len(self._uploads) > UPLOADS_IN_MEMORY:
                self._uploads.popitem(last=False)
        return catalogue

    def _read_upload(self, dataset_id: str) -> Catalogue:
        parsed = self.uploads_dir / f"{dataset_id}.pkl"
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            with parsed.open("rb") as handle:
                catalogue = pickle.load(handle)  # written by save_upload of this app, never by a user
            if isinstance(catalogue, Catalogue):
                return catalogue
        path = self.uploads_dir / f"{dataset_id}.csv"
        try:
            raw = path.read_bytes()
            name = (self.uploads_dir / f"{dataset_id}.name").read_text(encoding="utf-8").strip() or "upload.csv"
        except OSError as exc:
            raise DatasetError("The uploaded catalogue of this link is no longer on the server (uploads are "
                               "kept in its cache, which was cleared): upload the file again.") from exc
        return clean(read_csv_bytes(raw, name), name)

    def save_upload(self, raw: bytes, filename: str) -> tuple[str, Catalogue]:
        """Validate an uploaded CSV and keep it; raises DatasetError (nothing is kept) when unusable."""
        name = Path(filename or "upload.csv").name
        catalogue = clean(read_csv_bytes(raw, name), name)
        dataset_id = "upload-" + hashlib.blake2b(raw, digest_size=10).hexdigest()
        try:
            self.uploads_dir.mkdir(parents=True, exist_ok=True)
            (self.uploads_dir / f"{dataset_id}.csv").write_bytes(raw)
            (self.uploads_dir / f"{dataset_id}.name").write_text(name, encoding="utf-8")
            self._keep_parsed(dataset_id, catalogue)
        except OSError as exc:
            raise DatasetError(f"{name} is fine, but the server could not keep it ({exc.strerror or exc}); "
                               "try again later.") from exc
        return dataset_id, self._remember(dataset_id, catalogue)

    def _keep_parsed(self, dataset_id: str, catalogue: Catalogue) -> None:
        """The parsed catalogue beside its CSV, written whole or not at all (a temporary file
        renamed), so another worker never reads half of it."""
        target = self.uploads_dir / f"{dataset_id}.pkl"
        partial = target.with_suffix(f".{os.getpid()}.part")
        with partial.open("wb") as handle:
            pickle.dump(catalogue, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(target)
