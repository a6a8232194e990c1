"""Layer 1 + the soft window's two loops over time, compiled with numba (``Layer1Window`` calls them).

Graves' window makes layer 1 a loop: the window at t is read by layer 1 at t + 1. Each loop here is one
compiled call that releases Python's lock (``nogil``), so a training step's two halves of lines run at once
on two cores (README, "Why it is fast"; bench/handwriting.py). Per time step: one matrix product
(``np.dot``) and plain loops over the lines.

Both work in place on buffers laid out (T, B, …) that ``Layer1Window`` allocates as torch tensors, in the
tensors' dtype (float32 in training; the tests run float64 against autograd). The text comes as the
non-zero entries of c (B, U, V), row by row (``text_entries``): one character each for one-hot text.
Compiled code is cached in the app's folder.
"""

from __future__ import annotations

import math
import os

import numpy as np

import scipy.linalg.cython_blas  # noqa: F401  the BLAS that np.dot calls from compiled code
from threadpoolctl import threadpool_limits

from core.common.paths import cache_dir
from core.common.runtime import THREADS

# One thread for that BLAS too (runtime.torch_thread_policy limits the libraries loaded before it): a small
# product gains nothing from more, and two trainings' halves at once would fight over its threads.
threadpool_limits(THREADS, user_api="blas")
os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir("numba")))  # compiled once, into the app's folder
import numba  # noqa: E402


def text_entries(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """c (B, U, V) → its non-zero entries row by row: start (B·U + 1,) into v (n,) and value (n,)."""
    B, U, V = c.shape
    rows, v = np.nonzero(c.reshape(B * U, V))
    start = np.zeros(B * U + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=B * U), out=start[1:])
    return start, v.astype(np.int64), c.reshape(B * U, V)[rows, v]


@numba.njit(nogil=True, cache=True, fastmath=True)
def exp_into(y, out, bits):
    """out[i] = exp(y[i]) over 1-D arrays (bits: an int64 scratch as long), to about 1e-14 relative.

    Written out because numba's math.exp is one libm call per number (pip's llvmlite has no vector maths
    library), and this loop vectorises (bench/handwriting.py compares them): 2^k · e^r with k = round(y / ln 2),
    |r| ≤ ln 2 / 2, e^r by its Taylor series to r^11, 2^k built in the exponent bits. In float64 whatever y's
    dtype, so the float64 tests against autograd hold."""
    for i in range(y.shape[0]):
        x = min(max(np.float64(y[i]), -700.0), 700.0)  # exp(±700) is far past float32's range either way
        k = np.floor(x * 1.4426950408889634 + 0.5)
        r = (x - k * 0.693147180369123816490) - k * 1.90821492927058770002e-10  # ln 2 in two parts: r exact
        q = 1.0 / 39916800.0
        for f in (3628800.0, 362880.0, 40320.0, 5040.0, 720.0, 120.0, 24.0, 6.0, 2.0, 1.0, 1.0):
            q = q * r + 1.0 / f
        out[i] = q
        bits[i] = (np.int64(k) + 1023) << 52
    scale = bits.view(np.float64)
    for i in range(y.shape[0]):
        out[i] *= scale[i]


@numba.njit(nogil=True, cache=True, fastmath=True)
def squash(z, m, e, bits):
    """In place over 1-D z: σ(z) where m = 1, tanh z = 2σ(2z) − 1 where m = 2 (m: a float array as long)."""
    for i in range(z.shape[0]):
        z[i] = -m[i] * z[i]
    exp_into(z, e, bits)
    for i in range(z.shape[0]):
        z[i] = m[i] / (1 + e[i]) - (m[i] - 1)


SMALL = 1_000_000  # OpenBLAS multiplies matrices with M·N·K up to this with its small-matrix kernel


@numba.njit(nogil=True, cache=True)
def matmul(a, b, out):
    """out = a @ b, in blocks of rows small enough for OpenBLAS's small-matrix kernel: a time step's product of
    24 lines is about 1.1 million multiply-adds, just past it, and two blocks of 12 take 15 µs here against 21 µs
    for one call (bench/handwriting.py)."""
    M, N = out.shape
    blocks = -(-(M * N * a.shape[1]) // SMALL)
    rows = -(-M // blocks)
    for i in range(0, M, rows):
        np.dot(a[i : i + rows], b, out[i : i + rows])


@numba.njit(nogil=True, cache=True)
def forward(GATES, W_hwT, W_pT, b_p, start, v_idx, v_val, h0, c0, kappa0, w0,
            C, TC, H1, P, KAPPA, W, PHI, AE):
    """Layer 1 (nn.LSTMCell's cell) and the soft window (``soft_window``), time step after time step.

    GATES (T, B, 4H) comes holding each step's pen part of the gates plus both biases; each step adds
    [h_{t−1}, w_{t−1}] W_hwT and applies the activations in place (i, f, g, o in nn.LSTMCell's order).
    Writes c_t (C), tanh c_t (TC), h_t (H1), the window's p̂_t (P), κ_t (KAPPA), w_t (W), φ_t (PHI, U + 1
    positions) and each Gaussian's share α_k exp(−β_k (κ_k − u)²) (AE, (T, B, K, U + 1)) for the backward."""
    T, B, G = GATES.shape
    Hn = G // 4
    K = KAPPA.shape[2]
    V = W.shape[2]
    U1 = PHI.shape[2]
    U = U1 - 1
    HW = np.empty((B, Hn + V), GATES.dtype)  # [h_{t−1}, w_{t−1}]: what the gates read besides the pen
    HW[:, :Hn] = h0
    HW[:, Hn:] = w0
    c_prev = c0.copy()
    kappa = kappa0.copy()
    a = np.empty((B, G), GATES.dtype)
    p = np.empty((B, 3 * K), GATES.dtype)
    n = max(B * G, B * K * U1)  # scratch for squash and exp_into
    z, e, bits = np.empty(n, np.float64), np.empty(n, np.float64), np.empty(n, np.int64)
    m = np.ones(n, np.float64)  # 2 where a gate is tanh'd (g), 1 where σ'd (i, f, o); then 2 for tanh c_t
    for b in range(B):
        m[b * G + 2 * Hn : b * G + 3 * Hn] = 2
    m2 = np.full(B * Hn, 2.0)
    for t in range(T):
        matmul(HW, W_hwT, a)
        for b in range(B):
            for j in range(G):
                z[b * G + j] = GATES[t, b, j] + a[b, j]
        squash(z[: B * G], m[: B * G], e, bits)
        for b in range(B):
            for j in range(G):
                GATES[t, b, j] = z[b * G + j]
            for i in range(Hn):
                cc = GATES[t, b, Hn + i] * c_prev[b, i] + GATES[t, b, i] * GATES[t, b, 2 * Hn + i]
                C[t, b, i] = c_prev[b, i] = z[b * Hn + i] = cc
        squash(z[: B * Hn], m2, e, bits)  # tanh c_t
        for b in range(B):
            for i in range(Hn):
                TC[t, b, i] = z[b * Hn + i]
                H1[t, b, i] = HW[b, i] = GATES[t, b, 3 * Hn + i] * TC[t, b, i]
        matmul(H1[t], W_pT, p)
        for b in range(B):
            for j in range(3 * K):
                P[t, b, j] = p[b, j] + b_p[j]
            for k in range(K):
                kappa[b, k] += math.exp(P[t, b, 2 * K + k])  # centres only move forward
                KAPPA[t, b, k] = kappa[b, k]
                beta = math.exp(P[t, b, K + k])
                for u in range(U1):
                    d = kappa[b, k] - u
                    z[(b * K + k) * U1 + u] = P[t, b, k] - beta * d * d  # log(α_k E_ku)
        exp_into(z[: B * K * U1], e, bits)
        for b in range(B):
            for u in range(U1):
                PHI[t, b, u] = 0
            for k in range(K):
                for u in range(U1):
                    AE[t, b, k, u] = e[(b * K + k) * U1 + u]
                    PHI[t, b, u] += AE[t, b, k, u]
            for v in range(V):
                W[t, b, v] = 0
            for u in range(U):  # w_t = Σ_u φ_t(u) c_u
                for q in range(start[b * U + u], start[b * U + u + 1]):
                    W[t, b, v_idx[q]] += PHI[t, b, u] * v_val[q]
            for v in range(V):
                HW[b, Hn + v] = W[t, b, v]


@numba.njit(nogil=True, cache=True)
def backward(DHW, dPHI, GATES, C, c0, TC, P, KAPPA, AE, start, v_idx, v_val, W_p, W_hw, dc, dkappa, DA, DP, dhw0):
    """Backpropagation through time over ``forward``'s buffers, in place.

    DHW (T, B, H + V) comes holding ∂L/∂(h_t, w_t) from what reads them outside the loop (layer 2); step t
    adds what it passes back into DHW[t − 1], so at the end DHW holds the whole ∂L/∂(h_t, w_t). dPHI
    (T, B, U + 1) is ∂L/∂φ_t from outside (zeros if nothing reads φ). dc, dkappa (B, …) come holding the
    gradients of the last c_t and κ_t and leave holding those of the starting state. Writes ∂L/∂(gate
    pre-activations) (DA), ∂L/∂p̂_t (DP), and ∂L/∂(h, w) of the starting state (dhw0)."""
    T, B, G = GATES.shape
    Hn = G // 4
    K = KAPPA.shape[2]
    U1 = AE.shape[3]
    U = U1 - 1
    dphi = np.empty(U1, DHW.dtype)
    dh = np.empty(Hn, DHW.dtype)
    back = np.empty((B, DHW.shape[2]), DHW.dtype)
    for t in range(T - 1, -1, -1):
        for b in range(B):
            for u in range(U1):  # ∂L/∂φ_t(u): from outside, and through w_t = Σ_u φ_t(u) c_u
                dphi[u] = dPHI[t, b, u]
            for u in range(U):
                for q in range(start[b * U + u], start[b * U + u + 1]):
                    dphi[u] += v_val[q] * DHW[t, b, Hn + v_idx[q]]
            for k in range(K):  # φ_u = Σ_k α_k E_ku, E_ku = exp(−β_k (κ_k − u)²)
                beta = math.exp(P[t, b, K + k])
                s_a = s_b = s_k = 0.0
                for u in range(U1):
                    d = KAPPA[t, b, k] - u
                    e = AE[t, b, k, u] * dphi[u]
                    s_a += e
                    s_b += e * d * d
                    s_k += e * d
                DP[t, b, k] = s_a  # ∂L/∂α̂_k
                DP[t, b, K + k] = -beta * s_b  # ∂L/∂β̂_k
                dkappa[b, k] += -2 * beta * s_k  # κ_t feeds φ_t and κ_{t+1}
                DP[t, b, 2 * K + k] = dkappa[b, k] * math.exp(P[t, b, 2 * K + k])  # κ_t = κ_{t−1} + exp κ̂_t
            for i in range(Hn):  # h_t feeds the window at t, and layer 2 and layer 1 at t + 1
                dh[i] = DHW[t, b, i]
            for j in range(3 * K):
                for i in range(Hn):
                    dh[i] += DP[t, b, j] * W_p[j, i]
            for i in range(Hn):
                ig, fg, gg, og = GATES[t, b, i], GATES[t, b, Hn + i], GATES[t, b, 2 * Hn + i], GATES[t, b, 3 * Hn + i]
                tc = TC[t, b, i]
                c_prev = C[t - 1, b, i] if t else c0[b, i]
                d_c = dc[b, i] + dh[i] * og * (1 - tc * tc)  # c_t feeds h_t and c_{t+1}
                DA[t, b, i] = d_c * gg * (ig - ig * ig)
                DA[t, b, Hn + i] = d_c * c_prev * (fg - fg * fg)
                DA[t, b, 2 * Hn + i] = d_c * ig * (1 - gg * gg)
                DA[t, b, 3 * Hn + i] = dh[i] * tc * (og - og * og)
                dc[b, i] = d_c * fg
        if t:
            matmul(DA[t], W_hw, back)  # into ∂L/∂(h_{t−1}, w_{t−1})
            DHW[t - 1] += back
        else:
            matmul(DA[0], W_hw, dhw0)
