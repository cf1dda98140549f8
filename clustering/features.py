"""Feature selection and scaling: the one place that turns a catalogue into a model matrix."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from clustering.models import ClusteringError
from data.loader import AUDIO_FEATURES

#: The ten features the public Amazon Music Clustering projects use: every audio feature but the
#: three categorical ones (key, mode, time signature), in the dataset's column order.
DEFAULT_FEATURES: tuple[str, ...] = tuple(f for f in AUDIO_FEATURES if f not in {"key", "mode", "time_signature"})


def default_features(available: Iterable[str]) -> tuple[str, ...]:
    """The defaults the file has; if it has fewer than two of them, its first numeric columns."""
    available = list(available)
    chosen = tuple(f for f in DEFAULT_FEATURES if f in available)
    return chosen if len(chosen) >= 2 else tuple(available[: max(2, len(chosen))])


def normalise_features(requested: Iterable[str] | None, available: Iterable[str]) -> tuple[str, ...]:
    """Validate a feature choice and put it in one canonical order (the catalogue's column order).

    The canonical order makes ``[a, b]`` and ``[b, a]`` one cache key and one model.
    """
    available = list(available)
    if requested is None:
        return default_features(available)
    requested = [str(f).strip() for f in requested if str(f).strip()]
    unknown = sorted(set(requested) - set(available))
    if unknown:
        raise ClusteringError(
            f"Unknown feature(s): {', '.join(unknown)}. Available: {', '.join(available)}."
        )
    chosen = tuple(f for f in available if f in set(requested))
    if len(chosen) < 2:
        raise ClusteringError("Choose at least two features to cluster on.")
    return chosen


def scaled_matrix(frame: pd.DataFrame, features: tuple[str, ...]) -> np.ndarray:
    """Standardise the chosen columns (mean 0, sd 1) so that no unit dominates the distances."""
    values = frame[list(features)].to_numpy(dtype=np.float64)
    return np.ascontiguousarray(StandardScaler().fit_transform(values))
