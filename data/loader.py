"""Load, validate and clean a song catalogue from CSV.

Every row that is dropped is counted under a reason in a :class:`CleaningReport`, so the UI
and the CLI can say exactly what happened to the user's file. Every failure is a
:class:`DatasetError` whose message is a sentence a person understands.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

#: Audio features the public dataset carries, in its column order.
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
    "time_signature",
)
#: Features that are shares between 0 and 1.
SHARE_FEATURES: frozenset[str] = frozenset(
    {"danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness", "valence"}
)
#: Header spellings seen in public song datasets, mapped to the canonical audio feature name.
FEATURE_ALIASES: dict[str, str] = {"duration": "duration_ms", "timesignature": "time_signature"}
#: Roles of descriptive columns and the header spellings that fill them, best first.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id_songs", "track_id", "song_id", "id", "spotify_id", "uri"),
    "title": ("name_song", "track_name", "song_name", "title", "song", "name", "track"),
    "artist": ("name_artists", "artists", "artist", "artist_name", "artist_names", "artists_name"),
    "genre": ("genres", "genre", "track_genre", "playlist_genre", "primary_genre"),
    "popularity": ("popularity_songs", "track_popularity", "popularity", "song_popularity"),
    "release": ("release_date", "year", "release_year", "album_release_date"),
}
#: Derived columns the loader adds (never part of the user's original columns).
PRIMARY_GENRE = "primary_genre"
UNKNOWN_GENRE = "unknown"

#: The one size limit of a CSV: page uploads, SONGS_CSV and the CLI alike.
MAX_BYTES = 200 * 1024 * 1024
#: Columns read from a file's header; more is not a song table (checked before parsing).
MAX_COLUMNS = 1_000
#: Fewest songs a catalogue can be clustered with: k = 2 needs more songs than clusters.
MIN_SONGS = 3
#: A feature value beyond this magnitude is no measurement (1e308 overflows the scaling).
ABSURD_VALUE = 1e15
#: Longest genre name kept (a cell can hold kilobytes of anything).
MAX_GENRE_CHARS = 100
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


class DatasetError(ValueError):
    """A catalogue cannot be used; the message says why in plain words."""


@dataclass
class CleaningReport:
    """What cleaning did to the file: rows in, rows dropped per reason, rows out."""

    rows_in: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    rows_out: int = 0
    notes: list[str] = field(default_factory=list)

    def drop(self, reason: str, count: int) -> None:
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(count)

    def lines(self) -> list[str]:
        """Human-readable summary lines, shared by the CLI and the page."""
        out = [f"{self.rows_in:,} rows read"]
        out += [f"{n:,} dropped: {reason}" for reason, n in self.dropped.items()]
        out.append(f"{self.rows_out:,} songs kept")
        return out + self.notes

    def to_dict(self) -> dict:
        return {"rows_in": self.rows_in, "dropped": dict(self.dropped), "rows_out": self.rows_out,
                "notes": list(self.notes)}


@dataclass
class Catalogue:
    """A cleaned song table plus what the rest of the app needs to know about it."""

    frame: pd.DataFrame
    original_columns: list[str]
    roles: dict[str, str]
    numeric_columns: list[str]
    report: CleaningReport
    source: str
    is_demo: bool = False
    fingerprint: str = ""

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = fingerprint(self.frame)

    @property
    def n_songs(self) -> int:
        return len(self.frame)

    def column(self, role: str) -> pd.Series | None:
        """The column that plays ``role`` (title, artist, ...), or None if the file has none."""
        name = self.roles.get(role)
        return self.frame[name] if name else None

    @cached_property
    def _summary(self) -> dict:
        """Computed once: a catalogue never changes after cleaning."""
        artist = self.column("artist")
        release = self.column("release")
        years = None
        if release is not None:
            parsed = pd.to_numeric(release.astype(str).str[:4], errors="coerce").dropna()
            if len(parsed):
                years = (int(parsed.min()), int(parsed.max()))
        genres = self.frame[PRIMARY_GENRE]
        return {
            "source": self.source,
            "is_demo": self.is_demo,
            "songs": self.n_songs,
            "artists": int(artist.nunique()) if artist is not None else None,
            "genres": int(genres[genres != UNKNOWN_GENRE].nunique()),
            "years": years,
        }

    def summary(self) -> dict:
        """Songs, artists, genres and years: the dataset card on the page and in the CLI."""
        return dict(self._summary)

    def songs(self, rows) -> list[dict]:
        """Title, artist, genre and popularity of some songs (by row), for tables and cards."""
        title, artist, popularity = (self.column(role) for role in ("title", "artist", "popularity"))
        genres = self.frame[PRIMARY_GENRE]
        return [{
            "row": int(row),
            "title": str(title.iloc[row]) if title is not None else f"song {int(row) + 1}",
            "artist": str(artist.iloc[row]) if artist is not None else "",
            "genre": str(genres.iloc[row]),
            "popularity": int(popularity.iloc[row]) if popularity is not None else None,
        } for row in rows]


def fingerprint(frame: pd.DataFrame) -> str:
    """A short content hash of the whole table, text columns included: the cache key of everything
    computed from it (genre mixes and song lists depend on the text too)."""
    columns = sorted(map(str, frame.columns))
    hashed = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy()
    digest = hashlib.blake2b(hashed.tobytes(), digest_size=10)
    digest.update(",".join(columns).encode())
    return digest.hexdigest()


def _normalise_header(name: object) -> str:
    text = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")
    return text


def _decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise DatasetError(f"{source} is empty: there are no rows to cluster.")
    if b"\x00" in raw[:65536]:
        raise DatasetError(f"{source} is not a CSV text file (it contains binary data).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DatasetError(f"{source} could not be read as text: save it as UTF-8 CSV and try again.")


def read_csv_bytes(raw: bytes, source: str) -> pd.DataFrame:
    """Parse CSV bytes into a frame, turning every parser failure into a DatasetError."""
    if len(raw) > MAX_BYTES:
        raise DatasetError(f"{source} is larger than {MAX_BYTES // 2**20} MB; split it or sample it first.")
    text = _decode(raw, source)
    end = text.find("\n")
    header = text if end < 0 else text[:end]
    separator = _delimiter(header)
    if header.count(separator) + 1 > MAX_COLUMNS:
        raise DatasetError(f"{source} has {header.count(separator) + 1:,} columns in its header; a song table has "
                           f"at most {MAX_COLUMNS:,}. Check that it is the right file.")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator)
    except pd.errors.EmptyDataError as exc:
        raise DatasetError(f"{source} is empty: there are no rows to cluster.") from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DatasetError(f"{source} is not a well-formed CSV file ({_first_line(exc)}).") from exc
    if frame.shape[1] < 2:
        raise DatasetError(f"{source} does not look like a CSV table: it has a single column.")
    if frame.empty:
        raise DatasetError(f"{source} has a header but no rows: there are no songs to cluster.")
    return frame


def _delimiter(header: str) -> str:
    """Comma, unless the header plainly uses semicolons, tabs or pipes (common in Excel exports)."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def load_csv(path: str | Path) -> Catalogue:
    """Read, validate and clean the CSV at ``path``."""
    path = Path(path)
    source = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DatasetError(f"No file at {path}: check the path (SONGS_CSV or --data).") from exc
    except IsADirectoryError as exc:
        raise DatasetError(f"{path} is a folder, not a CSV file.") from exc
    except OSError as exc:
        raise DatasetError(f"{path} could not be read ({exc.strerror or exc}).") from exc
    return clean(read_csv_bytes(raw, source), source)


def _find_role(columns: dict[str, str], role: str, taken: set[str]) -> str | None:
    for alias in ROLE_ALIASES[role]:
        original = columns.get(alias)
        if original is not None and original not in taken:
            return original
    return None


def parse_genres(value: object) -> list[str]:
    """Turn a genre cell (``"['salsa', 'merengue']"``, ``"pop; rock"`` or ``"pop"``) into a list."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        # A list as Python writes it. Read with a regular expression, never evaluated: a cell
        # like "[1+1+...]" sends ast.literal_eval into deep recursion.
        quoted = [single or double for single, double in _QUOTED.findall(text)]
        parts = quoted if quoted else text[1:-1].split(",")
    else:
        parts = re.split(r"[;,|]", text)
    return [part.strip()[:MAX_GENRE_CHARS] for part in parts if part.strip()]


def clean(frame: pd.DataFrame, source: str, *, is_demo: bool = False) -> Catalogue:
    """Validate columns and clean rows; every dropped row is counted under its reason."""
    report = CleaningReport(rows_in=len(frame))
    original_columns = [str(c) for c in frame.columns]
    frame = frame.copy()
    frame.columns = original_columns
    by_normal: dict[str, str] = {}
    for name in original_columns:
        by_normal.setdefault(_normalise_header(name), name)

    # Audio features, by canonical name; a file's own spelling is renamed to the canonical one.
    renames: dict[str, str] = {}
    for normal, original in by_normal.items():
        canonical = FEATURE_ALIASES.get(normal.replace("_", ""), FEATURE_ALIASES.get(normal, normal))
        if (canonical in AUDIO_FEATURES and canonical not in renames.values() and original != canonical
                and canonical not in original_columns):
            renames[original] = canonical
    if renames:
        frame = frame.rename(columns=renames)
        original_columns = [renames.get(c, c) for c in original_columns]
        by_normal = {_normalise_header(c): c for c in original_columns}
    features = [f for f in AUDIO_FEATURES if f in frame.columns]

    taken: set[str] = set(features)
    roles: dict[str, str] = {}
    for role in ROLE_ALIASES:
        found = _find_role(by_normal, role, taken)
        if found is not None:
            roles[role] = found
            taken.add(found)

    for name in features:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    usable = [f for f in features if frame[f].notna().any()]
    if len(usable) < 2 <= len(features):
        raise DatasetError(
            f"{source} has the feature columns {', '.join(features)}, but fewer than two of them hold "
            "numbers: check the decimal separator and the column contents."
        )
    if len(usable) < 2:
        seen = ", ".join(original_columns[:8]) + ("..." if len(original_columns) > 8 else "")
        raise DatasetError(
            f"{source} has no usable audio-feature columns: at least two of "
            f"{', '.join(AUDIO_FEATURES)} are needed (found columns: {seen})."
        )
    features = usable

    missing = frame[features].isna().any(axis=1)
    report.drop("missing or non-numeric feature value", int(missing.sum()))
    frame = frame[~missing]

    absurd = ~_plausible(frame[features]).all(axis=1)
    report.drop(f"infinite or absurdly large value (beyond {ABSURD_VALUE:.0e})", int(absurd.sum()))
    frame = frame[~absurd]

    impossible = np.zeros(len(frame), dtype=bool)
    for name in features:
        values = frame[name].to_numpy()
        if name in SHARE_FEATURES:
            impossible |= (values < 0) | (values > 1)
        elif name in {"tempo", "duration_ms"}:
            impossible |= values < 0
    report.drop("impossible value (share outside 0-1, negative tempo or duration)", int(impossible.sum()))
    frame = frame[~impossible]

    if "id" in roles:
        duplicated = frame[roles["id"]].duplicated() & frame[roles["id"]].notna()
        report.drop("duplicate song id", int(duplicated.sum()))
        frame = frame[~duplicated]

    if frame.empty:
        raise DatasetError(f"{source} has no rows left after cleaning: " + "; ".join(report.lines()[1:-1]))
    if len(frame) < MIN_SONGS:
        raise DatasetError(f"{source} has {len(frame)} song{'s' if len(frame) > 1 else ''} left after cleaning; "
                           f"clustering needs at least {MIN_SONGS} songs (k = 2 needs more songs than clusters).")

    frame = frame.reset_index(drop=True)
    # Other numeric columns (popularity, followers, ...) may be clustered on too.
    numeric = list(features)
    for name in original_columns:
        if name in numeric or name in roles.values():
            continue
        column = frame[name]
        if (pd.api.types.is_numeric_dtype(column) and column.notna().all() and column.nunique() > 1
                and _plausible(column).all()):
            numeric.append(name)
    if "popularity" in roles and roles["popularity"] not in numeric:
        pop = pd.to_numeric(frame[roles["popularity"]], errors="coerce")
        if pop.notna().all() and _plausible(pop).all():
            frame[roles["popularity"]] = pop
            numeric.append(roles["popularity"])

    if "genre" in roles:
        genre_lists = frame[roles["genre"]].map(parse_genres)
        frame[PRIMARY_GENRE] = genre_lists.map(lambda g: g[0] if g else UNKNOWN_GENRE)
        unknown = int((frame[PRIMARY_GENRE] == UNKNOWN_GENRE).sum())
        if unknown:
            report.notes.append(f"{unknown:,} songs have no genre tag (shown as '{UNKNOWN_GENRE}')")
    else:
        frame[PRIMARY_GENRE] = UNKNOWN_GENRE
        report.notes.append("no genre column: genre insights are unavailable")

    report.rows_out = len(frame)
    return Catalogue(frame=compact_text(frame), original_columns=original_columns, roles=roles,
                     numeric_columns=numeric, report=report, source=source, is_demo=is_demo)


def _plausible(values: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """True where a number is finite and within the magnitude a measurement can have."""
    return values.astype("float64").abs() <= ABSURD_VALUE  # False for inf and NaN too


def compact_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Store repetitive text columns (artists, genres, dates) as categories: one string per
    distinct value instead of one per song, which matters on a 512 MB host."""
    for name in frame.columns:
        column = frame[name]
        if (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)) \
                and column.nunique(dropna=False) <= len(column) // 2:
            frame[name] = column.astype("category")
    return frame

