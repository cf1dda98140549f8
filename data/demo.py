"""The demo catalogue: a deterministic, synthetic song table with the public dataset's schema.

Audio features follow per-genre-family Gaussian mixtures fitted on a real sample
(``demo_model.json``, made by ``python -m data.calibrate``); names are plainly synthetic
("Demo Track 004121"); genre tags are real tag names. The same ``n`` and ``seed`` always give
the same table, so cache keys, colours and tests are stable.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from data.loader import Catalogue, clean

MODEL_PATH = Path(__file__).with_name("demo_model.json")
DEMO_SOURCE = "Demo catalogue (synthetic)"
COLUMNS: tuple[str, ...] = (
    "id_songs", "name_song", "popularity_songs", "duration_ms", "explicit", "id_artists",
    "release_date", "danceability", "energy", "key", "loudness", "mode", "speechiness",
    "acousticness", "instrumentalness", "liveness", "valence", "tempo", "time_signature",
    "followers", "genres", "name_artists", "popularity_artists",
)
_ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _inverse(values: np.ndarray, transform: str) -> np.ndarray:
    if transform == "logit":
        return np.clip(1.0 / (1.0 + np.exp(-values)), 0.0, 1.0)
    if transform == "log":
        return np.exp(values)
    if transform == "log1p":
        return np.expm1(values)
    return values


def _ids(rng: np.random.Generator, n: int, length: int = 22) -> np.ndarray:
    """Random base62 ids, like Spotify's, unique by construction of their prefix-free draws."""
    codes = rng.integers(0, len(_ALPHABET), size=(n, length))
    return np.array(["".join(row) for row in _ALPHABET[codes]])


def _draw_discrete(rng: np.random.Generator, counts: dict[str, int], n: int) -> np.ndarray:
    values = np.array([float(k) for k in counts])
    weights = np.array(list(counts.values()), dtype=float)
    return rng.choice(values, size=n, p=weights / weights.sum())


def generate_frame(n: int = 95_837, seed: int = 7) -> pd.DataFrame:
    """A demo song table with ``n`` rows, identical for identical ``n`` and ``seed``."""
    if n < 1:
        raise ValueError("the demo catalogue needs at least one song")
    model = load_model()
    rng = np.random.default_rng(seed)
    families = list(model["families"])
    shares = np.array([model["families"][f]["share"] for f in families])
    family_index = np.sort(rng.choice(len(families), size=n, p=shares / shares.sum()))
    columns = model["columns"]
    transforms = model["transforms"]
    songs_per_artist = float(model["songs_per_artist"])

    parts: list[pd.DataFrame] = []
    artist_offset = 0
    for f_idx, family in enumerate(families):
        count = int((family_index == f_idx).sum())
        if count == 0:
            continue
        spec = model["families"][family]
        mixture = spec["mixture"]
        weights = np.asarray(mixture["weights"])
        component = rng.choice(len(weights), size=count, p=weights / weights.sum())
        latent = np.empty((count, len(columns)))
        for c_idx in range(len(weights)):
            rows = component == c_idx
            latent[rows] = rng.multivariate_normal(
                mixture["means"][c_idx], mixture["covariances"][c_idx], size=int(rows.sum()), method="cholesky"
            )
        values = {}
        for j, (column, transform) in enumerate(zip(columns, transforms, strict=True)):
            low, high = model["ranges"][column]
            values[column] = np.clip(_inverse(latent[:, j], transform), low, high)
        part = pd.DataFrame(values)

        # Artists: each plays one genre tag; artist-level columns are constant per artist.
        n_artists = max(1, round(count / songs_per_artist))
        artist_weights = 1.0 / np.arange(1, n_artists + 1) ** 0.6
        artist = rng.choice(n_artists, size=count, p=artist_weights / artist_weights.sum())
        tags = list(spec["tags"])
        tag_weights = np.array(list(spec["tags"].values()), dtype=float)
        artist_tag = rng.choice(len(tags), size=n_artists, p=tag_weights / tag_weights.sum())
        first_song = pd.Series(np.arange(count)).groupby(artist).first()
        followers = np.zeros(n_artists)
        artist_pop = np.zeros(n_artists)
        followers[first_song.index] = part["followers"].to_numpy()[first_song.to_numpy()]
        artist_pop[first_song.index] = part["popularity_artists"].to_numpy()[first_song.to_numpy()]
        part["followers"] = np.round(followers[artist])
        part["popularity_artists"] = np.round(artist_pop[artist]).astype(int)
        part["artist_number"] = artist + artist_offset
        part["genres"] = [f"['{tags[t]}']" for t in artist_tag[artist]]
        for column in ("key", "mode", "explicit", "time_signature"):
            part[column] = _draw_discrete(rng, spec["discrete"][column], count).astype(int)
        artist_offset += n_artists
        parts.append(part)

    frame = pd.concat(parts, ignore_index=True)
    order = rng.permutation(n)
    frame = frame.iloc[order].reset_index(drop=True)
    n_artists_total = artist_offset
    artist_ids = _ids(rng, n_artists_total)
    width = len(str(n))
    frame["id_songs"] = _ids(rng, n)
    frame["name_song"] = [f"Demo Track {i:0{width}d}" for i in range(1, n + 1)]
    frame["id_artists"] = artist_ids[frame["artist_number"].to_numpy()]
    frame["name_artists"] = [f"Demo Artist {i:05d}" for i in frame["artist_number"].to_numpy() + 1]
    frame["popularity_songs"] = np.round(frame["popularity_songs"]).astype(int)
    frame["duration_ms"] = np.round(frame["duration_ms"]).astype(int)
    frame["release_date"] = np.round(frame["release_year"]).astype(int).astype(str)
    for column in ("danceability", "energy", "speechiness", "acousticness", "instrumentalness",
                   "liveness", "valence"):
        frame[column] = frame[column].round(4)
    frame["loudness"] = frame["loudness"].round(3)
    frame["tempo"] = frame["tempo"].round(3)
    return frame[list(COLUMNS)]


def demo_catalogue(n: int = 95_837, seed: int = 7) -> Catalogue:
    """The demo catalogue, cleaned by the same code path as a user's CSV and labelled as demo."""
    catalogue = clean(generate_frame(n, seed), DEMO_SOURCE, is_demo=True)
    catalogue.report.notes.insert(0, f"synthetic demo data: {n:,} generated songs, seed {seed}")
    return catalogue
