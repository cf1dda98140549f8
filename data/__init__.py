"""Song catalogues: the CSV loader/validator and the embedded demo catalogue."""

from __future__ import annotations

from pathlib import Path

from data.loader import Catalogue, CleaningReport, DatasetError, load_csv


def load_catalogue(path: str | Path | None = None, *, demo_songs: int = 95_837) -> Catalogue:
    """The user's CSV at ``path``, or the demo catalogue when no path is given."""
    if path:
        return load_csv(path)
    from data.demo import demo_catalogue

    return demo_catalogue(demo_songs)


__all__ = ["Catalogue", "CleaningReport", "DatasetError", "load_catalogue", "load_csv"]
