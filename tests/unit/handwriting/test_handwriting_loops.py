"""The compiled loops' own maths: the vectorised exp, the squashing functions it feeds, and the products."""

import numpy as np
import torch

from core.handwriting import loops


def test_exp_into_matches_numpy_over_the_whole_range():
    y = np.concatenate([np.linspace(-800, 800, 4001), np.random.default_rng(0).normal(0, 5, 5000), [0.0, -0.0]])
    out, bits = np.empty_like(y), np.empty(len(y), np.int64)
    loops.exp_into(y, out, bits)
    inside = np.abs(y) <= 700
    assert np.allclose(out[inside], np.exp(y[inside]), rtol=1e-13, atol=0)
    assert np.allclose(out[y > 700], np.exp(700.0), rtol=1e-13) and np.allclose(out[y < -700], np.exp(-700.0), rtol=1e-13)
    # beyond ±700 it is clamped there: finite, far past float32's range either way
    y32 = y[inside].astype(np.float32)  # float32 input into float64: computed in float64 all the same
    out32 = np.empty(len(y32))
    loops.exp_into(y32, out32, bits)
    assert np.allclose(out32, np.exp(y32.astype(np.float64)), rtol=1e-13, atol=0)


def test_exp_into_float32_is_float32_accurate_and_stays_normal():
    """Into float32 (training's buffers) it computes in float32: within a few float32 ulps of exp, and clamped at
    ±87 so that it never leaves float32's normal range (no inf, no denormal)."""
    y = np.concatenate([np.linspace(-120, 120, 4801), np.random.default_rng(1).normal(0, 5, 5000)]).astype(np.float32)
    _, out, bits = loops.scratch(len(y), np.float32)
    assert out.dtype == np.float32 and bits.dtype == np.int32
    loops.exp_into(y, out, bits)
    inside = np.abs(y) <= 87
    want = np.exp(y[inside].astype(np.float64))
    assert np.allclose(out[inside], want, rtol=4e-7, atol=0)
    assert np.all(np.isfinite(out)) and np.all(out >= np.finfo(np.float32).tiny)
    assert np.ptp(out[y > 87]) == 0 and np.ptp(out[y < -87]) == 0  # beyond, the value at the clamp


def test_squash_is_sigmoid_or_tanh_as_asked():
    z = np.linspace(-60, 60, 2401)
    m = np.where(np.arange(len(z)) % 2, 2.0, 1.0)
    got = z.copy()
    loops.squash(got, m, np.empty(len(z)), np.empty(len(z), np.int64))
    want = np.where(m == 2, torch.tanh(torch.from_numpy(z)).numpy(), torch.sigmoid(torch.from_numpy(z)).numpy())
    assert np.allclose(got, want, rtol=0, atol=2e-16 * 8)
    z32, m32 = z.astype(np.float32), m.astype(np.float32)  # in float32, as training squashes its gates
    got32 = z32.copy()
    loops.squash(got32, m32, *loops.scratch(len(z), np.float32)[1:])
    assert got32.dtype == np.float32 and np.allclose(got32, want, rtol=0, atol=4e-7)


def test_matmul_in_row_blocks_is_the_whole_product():
    """loops.matmul cuts the rows into blocks under OpenBLAS's small-matrix size: every row is computed once,
    whatever the number of rows (one, an odd number, more than a training step's), in both dtypes."""
    rng = np.random.default_rng(0)
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        for m, k, n in ((1, 123, 384), (7, 123, 384), (24, 123, 384), (25, 384, 123), (48, 123, 384), (48, 96, 12)):
            a, b = rng.normal(size=(m, k)).astype(dtype), rng.normal(size=(k, n)).astype(dtype)
            out = np.full((m, n), np.nan, dtype)
            loops.matmul(a, b, out)
            want = a.astype(np.float64) @ b.astype(np.float64)
            assert np.allclose(out, want, rtol=tol, atol=tol * np.sqrt(k))
    assert -(-(24 * 123 * 384) // loops.SMALL) == 2  # a half batch's time step: two blocks of 12 rows
