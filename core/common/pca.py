"""The one PCA of the app: centre the rows, keep the top principal directions (a linear picture of vectors).

``pca_2d(X)`` returns a ``Projection``: the points, the directions and the mean it used (so new rows can be
placed on the same picture with ``project``), and the share of the spread each axis keeps. It is
scikit-learn's exact PCA (full SVD, signs fixed so each direction's largest entry is positive) written out
in numpy, and it never fails on degenerate input: one row, one column or identical rows give zero axes
with zero variance instead of an error.

(The word maps' t-SNE/UMAP pictures are a different thing, ``core.embeddings.vectors.WordMap``.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Projection:
    """Rows placed on the top principal directions of the rows they were fitted on."""

    points: np.ndarray  # (N, k) the fitted rows' coordinates
    components: np.ndarray  # (k, D) unit directions (zero rows where the data has fewer directions)
    mean: np.ndarray  # (D,)
    explained: np.ndarray  # (k,) share of the total spread each axis keeps (0 when there is no spread)

    def project(self, X: np.ndarray) -> np.ndarray:
        """Other rows (M, D) on the same axes: (M, k)."""
        return (np.atleast_2d(X) - self.mean) @ self.components.T


def pca(X: np.ndarray, k: int = 2) -> Projection:
    """The top ``k`` principal directions of the rows of X (N, D), as scikit-learn's PCA(svd_solver="full")."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"PCA needs a non-empty (N, D) matrix, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("PCA needs finite numbers (no inf or nan)")
    mean = X.mean(axis=0)
    Xc = X - mean
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    signs = np.sign(Vt[np.arange(len(Vt)), np.argmax(np.abs(Vt), axis=1)])  # sklearn's svd_flip(u_based=False)
    Vt = Vt * np.where(signs == 0, 1.0, signs)[:, None]
    var = S**2
    total = float(var.sum())
    explained = var / total if total > 0 else np.zeros_like(var)
    components = np.zeros((k, X.shape[1]))
    m = min(k, len(Vt))
    components[:m] = Vt[:m]
    share = np.zeros(k)
    share[:m] = explained[:m]
    return Projection(Xc @ components.T, components, mean, share)


def pca_2d(X: np.ndarray) -> Projection:
    """PCA to two axes (see ``pca``)."""
    return pca(X, 2)
