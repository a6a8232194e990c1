"""core.common.pca: scikit-learn's exact PCA, and no crash on degenerate input."""

import numpy as np
import pytest

from core.common.pca import pca, pca_2d


def test_equals_sklearn_pca_signs_included():
    from sklearn.decomposition import PCA

    X = np.random.default_rng(0).normal(size=(40, 7)) * np.arange(1, 8)
    ours = pca_2d(X)
    ref = PCA(n_components=2, svd_solver="full").fit(X)
    np.testing.assert_allclose(ours.points, ref.transform(X), atol=1e-10)
    np.testing.assert_allclose(ours.components, ref.components_, atol=1e-12)
    np.testing.assert_allclose(ours.explained, ref.explained_variance_ratio_, atol=1e-12)
    np.testing.assert_allclose(ours.project(X[:3]), ours.points[:3], atol=1e-12)


@pytest.mark.parametrize("X", [np.zeros((5, 4)), np.ones((1, 3)), np.arange(6.0)[:, None], np.eye(2)])
def test_degenerate_input_gives_zero_axes_not_errors(X):
    p = pca_2d(X)
    assert p.points.shape == (len(X), 2) and np.all(np.isfinite(p.points))
    assert np.all(np.isfinite(p.explained)) and p.explained.sum() <= 1 + 1e-12


def test_refuses_non_finite():
    with pytest.raises(ValueError, match="finite"):
        pca(np.array([[0.0, np.nan], [1.0, 2.0]]))
