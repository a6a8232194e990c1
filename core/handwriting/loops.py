"""Layer 1 + the soft window's two loops over time, compiled with numba (``Layer1Window`` calls them).

Graves' window makes layer 1 a loop: the window at t is read by layer 1 at t + 1. Written with torch, each
time step is ~25 small operations forward and ~11 backward, each paying Python's and torch's per-call cost,
and two such loops on the two cores take turns at Python's lock. Here each loop is one compiled call that
releases the lock (``nogil``): per time step one matrix product (``np.dot``) and plain loops over the
batch's lines, so the two halves of a training step's batch run at once on the two cores
(bench/handwriting.py prints what it buys).

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
    for t in range(T):
        np.dot(HW, W_hwT, a)
        for b in range(B):
            for j in range(G):
                z = GATES[t, b, j] + a[b, j]
                GATES[t, b, j] = math.tanh(z) if 2 * Hn <= j < 3 * Hn else 1 / (1 + math.exp(-z))
            for i in range(Hn):
                cc = GATES[t, b, Hn + i] * c_prev[b, i] + GATES[t, b, i] * GATES[t, b, 2 * Hn + i]
                tc = math.tanh(cc)
                C[t, b, i], TC[t, b, i], c_prev[b, i] = cc, tc, cc
                H1[t, b, i] = HW[b, i] = GATES[t, b, 3 * Hn + i] * tc
        np.dot(H1[t], W_pT, p)
        for b in range(B):
            for j in range(3 * K):
                P[t, b, j] = p[b, j] + b_p[j]
            for u in range(U1):
                PHI[t, b, u] = 0
            for k in range(K):
                alpha, beta = math.exp(P[t, b, k]), math.exp(P[t, b, K + k])
                kappa[b, k] += math.exp(P[t, b, 2 * K + k])  # centres only move forward
                KAPPA[t, b, k] = kappa[b, k]
                for u in range(U1):
                    d = kappa[b, k] - u
                    e = alpha * math.exp(-beta * d * d)
                    AE[t, b, k, u] = e
                    PHI[t, b, u] += e
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
            np.dot(DA[t], W_hw, back)  # into ∂L/∂(h_{t−1}, w_{t−1})
            DHW[t - 1] += back
        else:
            np.dot(DA[0], W_hw, dhw0)
