"""Cluster profiles: means in units and as z-scores, names, representative and top songs, genres.

Names come from the z-scores of a cluster's means against the whole catalogue, so they describe
content ("Acoustic · Calm") and do not depend on cluster numbers, k or the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: (feature, sign) -> descriptor, with a weight that ranks descriptors that say more first.
DESCRIPTORS: dict[tuple[str, int], tuple[str, float]] = {
    ("speechiness", 1): ("Spoken word", 1.2),
    ("instrumentalness", 1): ("Instrumental", 1.1),
    ("acousticness", 1): ("Acoustic", 1.0),
    ("energy", 1): ("Energetic", 1.0),
    ("energy", -1): ("Calm", 1.0),
    ("danceability", 1): ("Danceable", 0.9),
    ("danceability", -1): ("Less danceable", 0.5),  # about rhythm, not tempo (tempo has its own words)
    ("valence", 1): ("Upbeat", 0.8),
    ("valence", -1): ("Melancholic", 0.8),
    ("liveness", 1): ("Live", 0.8),
    ("loudness", 1): ("Loud", 0.55),
    ("loudness", -1): ("Quiet", 0.55),
    ("tempo", 1): ("Fast", 0.6),
    ("tempo", -1): ("Slow", 0.6),
    ("duration_ms", 1): ("Long", 0.6),
    ("duration_ms", -1): ("Short", 0.6),
    ("popularity_songs", 1): ("Popular", 0.5),
    ("popularity_songs", -1): ("Niche", 0.5),
    ("explicit", 1): ("Explicit", 0.5),
    ("mode", 1): ("Major", 0.35),
    ("mode", -1): ("Minor", 0.35),
}
MIN_SCORE = 0.25  # weighted |z| below this says nothing about the cluster
SECOND_WORD_SHARE = 0.4  # a second word only if it is at least this strong relative to the first
FALLBACK_NAME = "Mainstream"


def _ranked_descriptors(z: pd.Series) -> list[tuple[str, float]]:
    ranked = []
    for feature, value in z.items():
        if not np.isfinite(value) or value == 0:
            continue
        found = DESCRIPTORS.get((str(feature), int(np.sign(value))))
        if found:
            word, weight = found
            ranked.append((word, abs(float(value)) * weight))
    ranked.sort(key=lambda pair: -pair[1])
    return [(word, s) for word, s in ranked if s >= MIN_SCORE]


def name_clusters(z_scores: pd.DataFrame) -> list[str]:
    """One distinct, content-derived name per row of a clusters x features z-score table."""
    ranked = [_ranked_descriptors(row) for _, row in z_scores.iterrows()]
    names = []
    for words in ranked:
        if not words:
            names.append(FALLBACK_NAME)
            continue
        chosen = [words[0][0]]
        if len(words) > 1 and words[1][1] >= SECOND_WORD_SHARE * words[0][1]:
            chosen.append(words[1][0])
        names.append(" · ".join(chosen))
    # Clusters that read the same (the same words in any order) get the next descriptor that tells
    # them apart, then a number.
    for _ in range(3):
        seen: dict[frozenset[str], list[int]] = {}
        for i, name in enumerate(names):
            seen.setdefault(frozenset(name.split(" · ")), []).append(i)
        clashes = [idx for idx in seen.values() if len(idx) > 1]
        if not clashes:
            return names
        for indices in clashes:
            for i in indices:
                used = set(names[i].split(" · "))
                extra = next((w for w, _ in ranked[i] if w not in used), None)
                if extra:
                    names[i] = f"{names[i]} · {extra}"
    meanings = [frozenset(name.split(" · ")) for name in names]
    counts: dict[frozenset[str], int] = {}
    final = []
    for name, meaning in zip(names, meanings, strict=True):
        counts[meaning] = counts.get(meaning, 0) + 1
        final.append(name if meanings.count(meaning) == 1 else f"{name} ({counts[meaning]})")
    return final


@dataclass
class Profile:
    means: pd.DataFrame  # clusters x features, in each feature's own unit
    z_scores: pd.DataFrame  # clusters x features, against the whole catalogue
    names: list[str]
    sizes: list[int]

    def table(self) -> pd.DataFrame:
        """Size, share, name and the mean of every feature: the summary table and its CSV."""
        total = sum(self.sizes)
        head = pd.DataFrame({"cluster": range(len(self.names)), "name": self.names, "songs": self.sizes,
                             "share": [s / total for s in self.sizes]})
        return pd.concat([head, self.means.reset_index(drop=True)], axis=1)


def build_profile(frame: pd.DataFrame, columns: list[str], labels: np.ndarray) -> Profile:
    """Means and z-scores of ``columns`` per cluster, and the names they imply."""
    values = frame[columns].astype(float)
    k = int(labels.max()) + 1
    means = values.groupby(labels).mean().reindex(range(k))
    spread = values.std(ddof=0).replace(0, np.nan)
    z_scores = ((means - values.mean()) / spread).fillna(0.0)
    sizes = np.bincount(labels, minlength=k).tolist()
    return Profile(means=means, z_scores=z_scores, names=name_clusters(z_scores), sizes=sizes)


def representative_rows(x: np.ndarray, labels: np.ndarray, cluster: int, n: int = 5) -> np.ndarray:
    """Rows of the songs nearest their cluster's centroid (in the scaled feature space)."""
    members = np.flatnonzero(labels == cluster)
    if len(members) == 0:
        return members
    centroid = x[members].mean(axis=0)
    distance = ((x[members] - centroid) ** 2).sum(axis=1)
    return members[np.argsort(distance, kind="stable")[:n]]


def top_rows(popularity: pd.Series | None, labels: np.ndarray, cluster: int, n: int = 5) -> np.ndarray:
    """Rows of the most popular songs of a cluster (first rows if the file has no popularity)."""
    return by_popularity(popularity, np.flatnonzero(labels == cluster))[:n]


def by_popularity(popularity: pd.Series | None, rows: np.ndarray) -> np.ndarray:
    """``rows`` the most popular first (in file order when there is no popularity column)."""
    if popularity is None or len(rows) == 0:
        return rows
    return rows[np.argsort(-popularity.to_numpy(dtype=float)[rows], kind="stable")]


def genre_mix(genres: pd.Series, labels: np.ndarray, cluster: int, n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` commonest primary genres of a cluster, with their share of its songs."""
    members = genres.to_numpy()[labels == cluster]
    if len(members) == 0:
        return []
    counts = pd.Series(members).value_counts()
    return [(str(g), float(c) / len(members)) for g, c in counts.head(n).items()]
