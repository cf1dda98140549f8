"""PCA to two dimensions for the scatter: coordinates, explained variance and loadings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA


@dataclass
class Projection:
    coordinates: np.ndarray  # (n, 2) float32: half the bytes, ample precision for a screen
    explained_variance: list[float]  # share of variance per axis
    loadings: dict[str, list[float]]  # feature -> weight on (PC1, PC2)


def project(x: np.ndarray, features: tuple[str, ...], seed: int = 0) -> Projection:
    """Project the scaled matrix onto its first two principal components."""
    pca = PCA(n_components=2, svd_solver="covariance_eigh", random_state=seed)
    coordinates = pca.fit_transform(x).astype(np.float32)
    # A principal axis has no sign; fix it so the picture never flips between runs.
    signs = np.sign(pca.components_[np.arange(2), np.abs(pca.components_).argmax(axis=1)])
    coordinates *= signs.astype(np.float32)
    components = pca.components_ * signs[:, None]
    return Projection(
        coordinates=coordinates,
        explained_variance=[float(v) for v in pca.explained_variance_ratio_],
        loadings={f: [float(components[0, i]), float(components[1, i])] for i, f in enumerate(features)},
    )
