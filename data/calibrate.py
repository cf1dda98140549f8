"""Fit the demo catalogue's model on a real sample and write only the fitted figures.

Run by a developer, never by the app:

    python -m data.calibrate path/to/songs_sample.csv

Per genre family it fits a Gaussian mixture (chosen by BIC) on transformed continuous columns
(logit of the 0-1 shares, log of duration and followers), plus the frequencies of the discrete
columns and of the genre tags. No row of the sample is written: only weights, means, covariances
and counts.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.mixture import GaussianMixture

from data.families import FAMILIES, family_of
from data.loader import load_csv, parse_genres

MODEL_PATH = Path(__file__).with_name("demo_model.json")
#: Continuous columns modelled jointly, in this order, with their transform.
CONTINUOUS: tuple[tuple[str, str], ...] = (
    ("danceability", "logit"),
    ("energy", "logit"),
    ("loudness", "identity"),
    ("speechiness", "logit"),
    ("acousticness", "logit"),
    ("instrumentalness", "logit"),
    ("liveness", "logit"),
    ("valence", "logit"),
    ("tempo", "identity"),
    ("duration_ms", "log"),
    ("popularity_songs", "identity"),
    ("release_year", "identity"),
    ("followers", "log1p"),
    ("popularity_artists", "identity"),
)
DISCRETE: tuple[str, ...] = ("key", "mode", "explicit", "time_signature")
SHARE_EPS = 1e-4
MAX_COMPONENTS = 4
TAGS_PER_FAMILY = 60


def forward(values: np.ndarray, transform: str) -> np.ndarray:
    """Map a column to the space the mixture is fitted in."""
    if transform == "logit":
        clipped = np.clip(values, SHARE_EPS, 1 - SHARE_EPS)
        return np.log(clipped / (1 - clipped))
    if transform == "log":
        return np.log(np.maximum(values, 1.0))
    if transform == "log1p":
        return np.log1p(np.maximum(values, 0.0))
    return values.astype(float)


def _fit_family(matrix: np.ndarray, seed: int) -> dict:
    best: GaussianMixture | None = None
    for n in range(1, min(MAX_COMPONENTS, max(1, len(matrix) // 80)) + 1):
        gmm = GaussianMixture(n, covariance_type="full", reg_covar=1e-3, random_state=seed, n_init=2)
        gmm.fit(matrix)
        if best is None or gmm.bic(matrix) < best.bic(matrix):
            best = gmm
    assert best is not None
    return {
        "weights": np.round(best.weights_, 6).tolist(),
        "means": np.round(best.means_, 5).tolist(),
        "covariances": np.round(best.covariances_, 6).tolist(),
    }


def calibrate(sample_csv: str | Path, seed: int = 0) -> dict:
    """Fit the per-family model on the sample at ``sample_csv``."""
    catalogue = load_csv(sample_csv)
    frame = catalogue.frame.copy()
    frame["release_year"] = frame["release_date"].astype(str).str[:4].astype(int)
    tags = frame["genres"].map(parse_genres)
    frame["family"] = frame["primary_genre"].map(family_of)
    model: dict = {"columns": [c for c, _ in CONTINUOUS], "transforms": [t for _, t in CONTINUOUS],
                   "share_eps": SHARE_EPS, "ranges": {}, "families": {},
                   "songs_per_artist": round(len(frame) / frame["id_artists"].nunique(), 3),
                   "calibrated_on_rows": len(frame)}
    for column, _ in CONTINUOUS:
        model["ranges"][column] = [float(frame[column].min()), float(frame[column].max())]
    for family in FAMILIES:
        part = frame[frame["family"] == family]
        if len(part) < 30:
            continue
        matrix = np.column_stack([forward(part[c].to_numpy(), t) for c, t in CONTINUOUS])
        tag_counts = Counter(t for ts in tags[part.index] for t in ts[:1] if family_of(t) == family)
        model["families"][family] = {
            "share": round(len(part) / len(frame), 5),
            "mixture": _fit_family(matrix, seed),
            "discrete": {c: {str(k): int(v) for k, v in part[c].value_counts().sort_index().items()}
                         for c in DISCRETE},
            "tags": dict(tag_counts.most_common(TAGS_PER_FAMILY)) or {family: 1},
        }
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample_csv")
    parser.add_argument("--out", default=str(MODEL_PATH))
    args = parser.parse_args()
    model = calibrate(args.sample_csv)
    Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    shares = {f: m["share"] for f, m in model["families"].items()}
    print(f"wrote {args.out}: {len(shares)} families {shares}")


if __name__ == "__main__":
    main()
