"""Songs, not only clusters: search, similar songs, selections and genres. No Dash here.

Structures that depend only on a catalogue (the search text, genre families) or on a catalogue
and a feature set (the neighbour index) are built once per process and kept in a small memo
keyed by the catalogue's fingerprint: engines are built per request, catalogues live on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from data.families import FAMILIES, family_of
from data.loader import PRIMARY_GENRE, UNKNOWN_GENRE, Catalogue

T = TypeVar("T")
#: Catalogues whose derived structures stay in memory (each a few MB at 100k songs).
MEMO_CATALOGUES = 3
#: Random song pairs whose median distance gives a neighbour's distance a scale.
REFERENCE_PAIRS = 20_000
#: A query shorter than this lists nothing: two letters already narrow 100k titles to a page.
MIN_QUERY = 2
#: Recent queries' matches kept per process: a longer query searches only within them.
RECENT_QUERIES = 4
#: A query matching more songs than this ranks only its most popular ones (typing narrows it).
RANK_POOL = 5_000
UNKNOWN_FAMILY = "unknown"
#: Genre families in a fixed order (colours and rows keep their place across views).
FAMILY_ORDER: tuple[str, ...] = (*FAMILIES, UNKNOWN_FAMILY)

_memo: OrderedDict[str, dict] = OrderedDict()
_memo_lock = threading.Lock()


def memo(catalogue: Catalogue, key: object, build: Callable[[], T]) -> T:
    """``build()`` once per catalogue and key in this process (the last few catalogues kept)."""
    with _memo_lock:
        entry = _memo.setdefault(catalogue.fingerprint, {})
        _memo.move_to_end(catalogue.fingerprint)
        while len(_memo) > MEMO_CATALOGUES:
            _memo.popitem(last=False)
        if key in entry:
            return entry[key]
    value = build()
    with _memo_lock:
        return _memo.setdefault(catalogue.fingerprint, {}).setdefault(key, value)


#: Latin letters that Unicode does not decompose into a base letter and an accent.
UNDECOMPOSED = str.maketrans({"ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ø": "o", "Ø": "o", "æ": "ae",
                              "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ł": "l", "Ł": "l", "đ": "d",
                              "Đ": "d", "ı": "i", "ħ": "h"})


def fold(text: pd.Series) -> pd.Series:
    """Text for matching: accents stripped (é -> e, ð -> d, any script kept), case folded."""
    return (text.astype(str).str.translate(UNDECOMPOSED).str.normalize("NFKD")
            .str.replace(r"[\u0300-\u036f]", "", regex=True).str.casefold())


def fold_query(query: str) -> list[str]:
    return fold(pd.Series([query or ""])).iloc[0].split()


# --- search ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """One search hit: a song (``value`` "song:ROW") or an artist (``value`` "artist:NAME")."""

    kind: str
    value: str
    label: str


class Matcher:
    """Rows of a folded text column that hold every word of a query. Typing extends the last
    query, so a query that extends a recent one searches only the rows that one matched."""

    def __init__(self, text: pd.Series) -> None:
        self.text = text
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # query -> rows (4 bytes a match)
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop the recent queries' matches (a benchmark's fresh start)."""
        with self._lock:
            self._recent.clear()

    def rows(self, words: list[str]) -> np.ndarray:
        key = " ".join(words)
        with self._lock:
            earlier = max((k for k in self._recent if key.startswith(k)), key=len, default=None)
            rows = self._recent[earlier] if earlier is not None else None
        ordered = sorted(words, key=len, reverse=True)  # the longest word first: it keeps the fewest
        if rows is None:
            rows = np.flatnonzero(self.text.str.contains(ordered[0], regex=False).to_numpy()).astype(np.uint32)
            ordered = ordered[1:]
        for word in ordered:
            if len(rows) == 0:
                break
            rows = rows[self.text.iloc[rows].str.contains(word, regex=False).to_numpy()]
        with self._lock:
            self._recent[key] = rows
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_QUERIES:
                self._recent.popitem(last=False)
        return rows.astype(np.int64)


class SongSearch:
    """Type-ahead over titles and artists: every word of the query must occur (accent- and
    case-insensitive); titles that start with the query first, then the most popular."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        n = catalogue.n_songs
        title = catalogue.column("title")
        artist = catalogue.column("artist")
        titles = fold(title) if title is not None else pd.Series([""] * n, dtype=str)
        self.artist_names = artist.astype(str) if artist is not None else None
        folded_artists = fold(artist) if artist is not None else pd.Series([""] * n, dtype=str)
        # One folded string a song, title first (so "starts with" is a title prefix): about 85
        # bytes a song, the only per-song text kept.
        self.text = titles + " " + folded_artists
        self.songs = Matcher(self.text)
        popularity = catalogue.column("popularity")
        self.popularity = (popularity.to_numpy(dtype=float) if popularity is not None else np.zeros(n))
        if artist is not None:
            counts = self.artist_names.value_counts()
            self.artists = pd.DataFrame({"name": counts.index.astype(str), "songs": counts.to_numpy()})
            self.artists["folded"] = fold(self.artists["name"]).to_numpy()
        else:
            self.artists = pd.DataFrame({"name": [], "songs": [], "folded": []})
        self.artist_matcher = Matcher(self.artists["folded"].astype(str))

    def search(self, query: str, limit: int = 12, artists: int = 3) -> list[Match]:
        words = fold_query(query)
        if len("".join(words)) < MIN_QUERY:
            return []
        matches: list[Match] = []
        if len(self.artists) and artists:
            found = self.artist_matcher.rows(words)[:artists]  # artists are ordered by song count
            for name, songs in self.artists.iloc[found][["name", "songs"]].itertuples(index=False):
                matches.append(Match("artist", f"artist:{name}",
                                     f"Artist: {name} · {songs:,} song{'s' if songs != 1 else ''}"))
        rows = self.songs.rows(words)
        if len(rows) > RANK_POOL:  # a broad query: rank only its most popular songs
            rows = rows[np.argpartition(-self.popularity[rows], RANK_POOL)[:RANK_POOL]]
        if len(rows):
            starts = self.text.iloc[rows].str.startswith(" ".join(words)).to_numpy()
            order = rows[np.lexsort((rows, -self.popularity[rows], ~starts))]
            # One option per song: its copies under other ids (same title and artist) are left out.
            first = ~self.text.iloc[order[:limit * 4]].duplicated().to_numpy()
            for song in self.catalogue.songs(order[:limit * 4][first][:limit]):
                matches.append(song_match(song))
        return matches

    def matching_rows(self, query: str) -> np.ndarray:
        """Every song whose title and artist hold every word of ``query``."""
        words = fold_query(query)
        return self.songs.rows(words) if len("".join(words)) >= MIN_QUERY else np.empty(0, dtype=np.int64)

    def artist_rows(self, name: str) -> np.ndarray:
        if self.artist_names is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero((self.artist_names == name).to_numpy())


def song_match(song: dict) -> Match:
    artist = f" — {song['artist']}" if song["artist"] else ""
    return Match("song", f"song:{song['row']}", f"{song['title']}{artist} ({song['genre']})")


def song_search(catalogue: Catalogue) -> SongSearch:
    return memo(catalogue, "search", lambda: SongSearch(catalogue))


def parse_choice(value: str | None, n_songs: int) -> tuple[str, str | int] | None:
    """("song", row) or ("artist", name) from a search value; None for anything else."""
    if not value or ":" not in value:
        return None
    kind, _, rest = value.partition(":")
    if kind == "song" and rest.isdigit() and int(rest) < n_songs:
        return "song", int(rest)
    if kind == "artist" and rest:
        return "artist", rest
    return None


# --- similar songs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Neighbour:
    row: int
    distance: float
    similarity: float  # 1 - distance / the median distance of two random songs (0 when further)


class SongNeighbours:
    """Exact nearest neighbours in the scaled space of one feature set (scikit-learn's brute-force
    ``NearestNeighbors``: nothing to build, 2 ms a query at 100k songs, 20 ms at 1M, where a
    k-d tree would first take 2.3 s to build)."""

    def __init__(self, x: np.ndarray, seed: int = 0) -> None:
        self.x = x
        self.index = NearestNeighbors(algorithm="brute").fit(x)
        rng = np.random.default_rng(seed)
        a, b = rng.integers(0, len(x), size=(2, REFERENCE_PAIRS))
        keep = a != b
        pairs = np.linalg.norm(x[a[keep]] - x[b[keep]], axis=1)
        #: How far apart two songs picked at random are (the median): the scale of "similar".
        self.typical_distance = float(np.median(pairs)) if len(pairs) else 1.0

    def similarity(self, distances: np.ndarray) -> np.ndarray:
        """1 at distance 0, 0 at (or beyond) the distance of two random songs: a share a person reads
        ("87% similar") where raw distances in standard deviations say little."""
        return np.clip(1.0 - np.asarray(distances) / max(self.typical_distance, 1e-12), 0.0, 1.0)

    def similar(self, row: int, n: int = 10, within: np.ndarray | None = None,
                same_song: pd.Series | None = None) -> list[Neighbour]:
        """The ``n`` songs nearest ``row`` (itself excluded), among all songs or the rows ``within``.
        ``same_song`` (a key per row, such as title and artist) skips copies of the song, and of
        songs already listed: catalogues hold one recording under several ids."""
        query = self.x[row:row + 1]
        if within is None:
            index, candidates = self.index, None
        else:
            candidates = np.asarray(within, dtype=np.int64)
            index = NearestNeighbors(algorithm="brute").fit(self.x[candidates])
        wanted = min((2 * n + 1) if same_song is not None else n + 1, index.n_samples_fit_)
        if wanted == 0:
            return []
        distances, found = index.kneighbors(query, n_neighbors=wanted)
        rows = found[0] if candidates is None else candidates[found[0]]
        seen = {same_song.iloc[row]} if same_song is not None else set()
        pairs = []
        for r, d in zip(rows, distances[0], strict=True):
            key = same_song.iloc[int(r)] if same_song is not None else None
            if r == row or (key is not None and key in seen):
                continue
            seen.add(key)
            pairs.append((int(r), float(d)))
        pairs = pairs[:n]
        similarity = self.similarity(np.array([d for _, d in pairs]))
        return [Neighbour(r, d, float(s)) for (r, d), s in zip(pairs, similarity, strict=True)]


def song_neighbours(catalogue: Catalogue, features: tuple[str, ...], matrix: Callable[[], np.ndarray],
                    seed: int = 0) -> SongNeighbours:
    """The neighbour index of a feature set; only the latest feature set is kept per catalogue."""
    key = ("neighbours", features)
    with _memo_lock:  # one feature set at a time: each holds the scaled matrix
        entry = _memo.get(catalogue.fingerprint, {})
        for old in [k for k in entry if isinstance(k, tuple) and k[0] == "neighbours" and k != key]:
            del entry[old]
    return memo(catalogue, key, lambda: SongNeighbours(matrix(), seed))


# --- selections -------------------------------------------------------------------------------
def decode_selection(bits: str, n_songs: int) -> np.ndarray:
    """Rows from the browser's selection: a base64 bitmap, bit i (little-endian) for row i."""
    import base64

    raw = np.frombuffer(base64.b64decode(bits, validate=True), dtype=np.uint8)
    if len(raw) != (n_songs + 7) // 8:
        raise ValueError("selection does not match the catalogue")
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")[:n_songs])


def selection_profile(frame: pd.DataFrame, features: list[str], rows: np.ndarray) -> pd.DataFrame:
    """Per feature: the selection's mean, the catalogue's, and the difference in catalogue SDs."""
    values = frame[features]
    mean_all = values.mean()
    sd = values.std(ddof=0).replace(0, np.nan)
    mean_selected = values.iloc[rows].mean()
    return pd.DataFrame({"selection": mean_selected, "catalogue": mean_all,
                         "z": ((mean_selected - mean_all) / sd).fillna(0.0)})


# --- genres -----------------------------------------------------------------------------------
def families(catalogue: Catalogue) -> pd.Series:
    """Each song's genre family (categorical, FAMILY_ORDER), from its primary genre."""
    def build() -> pd.Series:
        genres = catalogue.frame[PRIMARY_GENRE].astype(str)
        unique = genres.unique()
        mapping = {g: (UNKNOWN_FAMILY if g == UNKNOWN_GENRE else family_of(g)) for g in unique}
        return pd.Series(pd.Categorical(genres.map(mapping), categories=list(FAMILY_ORDER)), index=genres.index)
    return memo(catalogue, "families", build)


def genre_by_cluster(groups: pd.Series, labels: np.ndarray, k: int) -> pd.DataFrame:
    """Shares: rows are genre groups, columns clusters; each column sums to 1 (what a cluster holds)."""
    table = pd.crosstab(pd.Series(groups.to_numpy(), name="genre"), pd.Series(labels, name="cluster"))
    table = table.reindex(columns=range(k), fill_value=0)
    if isinstance(groups.dtype, pd.CategoricalDtype):
        table = table.reindex(index=[c for c in groups.cat.categories if c in table.index])
    return table / table.sum(axis=0).replace(0, 1)


def purity(shares: pd.DataFrame, exclude: str = UNKNOWN_FAMILY) -> list[tuple[str, float]]:
    """Per cluster, its largest known genre group and that group's share of the cluster."""
    known = shares.drop(index=exclude, errors="ignore")
    if known.empty:
        return [("-", 0.0)] * shares.shape[1]
    return [(str(known[c].idxmax()), float(known[c].max())) for c in shares.columns]


def spread(rows: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """How many of ``rows`` fall in each cluster."""
    return np.bincount(labels[rows].astype(np.int64), minlength=k)[:k]


def common_genres(catalogue: Catalogue, limit: int = 40) -> list[tuple[str, int]]:
    """The commonest primary genres (unknown left out), with their song counts."""
    def build() -> list[tuple[str, int]]:
        counts = catalogue.frame[PRIMARY_GENRE].astype(str).value_counts()
        counts = counts[counts.index != UNKNOWN_GENRE]
        return [(str(g), int(c)) for g, c in counts.head(limit).items()]
    return memo(catalogue, ("genres", limit), build)


def genre_rows(catalogue: Catalogue, choice: str) -> tuple[str, np.ndarray]:
    """("family"|"genre" label, rows) for a genre pick "family:NAME" or "genre:TAG"."""
    kind, _, name = (choice or "").partition(":")
    if kind == "family":
        return f"the {name} family", np.flatnonzero((families(catalogue) == name).to_numpy())
    if kind == "genre":
        return name, np.flatnonzero((catalogue.frame[PRIMARY_GENRE].astype(str) == name).to_numpy())
    return "", np.empty(0, dtype=np.int64)
