"""The handwriting networks' compiled loops (numba): layer 1 + the soft window's two loops over time
(``Layer1Window`` calls them), and the mixture density loss with its gradient (``MixtureNLL``).

Graves' window makes layer 1 a loop: the window at t is read by layer 1 at t + 1. Each loop here is one
compiled call that releases Python's lock (``nogil``), so a training step's two halves of lines run at once
on two cores (README, "Why it is fast"; bench/handwriting.py). Per time step: one matrix product
(``matmul``) and plain loops over the lines.

The two loops work in place on buffers laid out (T, B, …) that ``Layer1Window`` allocates as torch tensors,
in the tensors' dtype (float32 in training; the tests run float64 against autograd). The text comes as the
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


def scratch(n: int, dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Work arrays for ``squash`` and ``exp_into`` over n numbers computed in dtype: two of dtype, and the
    integers of its width that ``exp_into`` builds powers of 2 in."""
    dtype = np.dtype(dtype)
    return np.empty(n, dtype), np.empty(n, dtype), np.empty(n, np.int32 if dtype.itemsize == 4 else np.int64)


@numba.njit(nogil=True, cache=True, fastmath=True, error_model="numpy")
def exp_into(y, out, bits):
    """out[i] = exp(y[i]) over 1-D arrays, computed in out's dtype: float64 to about 1e-14 relative (the tests
    against autograd), float32 to about 1e-7 (training). bits: integers of out's width, as long (``scratch``).

    Written out because numba's math.exp is one libm call per number (pip's llvmlite has no vector maths
    library), and this loop vectorises (bench/handwriting.py compares them): 2^k · e^r with k = round(y / ln 2),
    |r| ≤ ln 2 / 2, e^r by its Taylor series to r^11, 2^k built in the exponent bits."""
    f = out.dtype.type
    wide = out.itemsize == 8
    limit = f(700.0) if wide else f(87.0)  # past these, exp leaves the dtype's normal range
    shift, bias = (52, 1023) if wide else (23, 127)  # where the exponent sits, and its offset
    for i in range(y.shape[0]):
        x = min(max(f(y[i]), -limit), limit)
        k = np.floor(x * f(1.4426950408889634) + f(0.5))
        r = (x - k * f(0.693147180369123816490)) - k * f(1.90821492927058770002e-10)  # ln 2 in two parts
        q = f(1.0 / 39916800.0)
        for c in (3628800.0, 362880.0, 40320.0, 5040.0, 720.0, 120.0, 24.0, 6.0, 2.0, 1.0, 1.0):
            q = q * r + f(1.0 / c)
        out[i] = q
        bits[i] = (bits.dtype.type(k) + bias) << shift
    scale = bits.view(out.dtype)
    for i in range(y.shape[0]):
        out[i] *= scale[i]


@numba.njit(nogil=True, cache=True, fastmath=True, error_model="numpy")
def squash(z, m, e, bits):
    """In place over 1-D z: σ(z) where m = 1, tanh z = 2σ(2z) − 1 where m = 2 (m: an array as long, of z's dtype;
    e, bits: ``scratch``). Computed in z's dtype, with the division vectorised (error_model="numpy": no check
    for a zero divisor, which 1 + e never is)."""
    one = z.dtype.type(1.0)
    for i in range(z.shape[0]):
        z[i] = -m[i] * z[i]
    exp_into(z, e, bits)
    for i in range(z.shape[0]):
        z[i] = m[i] / (one + e[i]) - (m[i] - one)


SMALL = 1_000_000  # OpenBLAS multiplies matrices with M·N·K up to this with its small-matrix kernel


@numba.njit(nogil=True, cache=True, error_model="numpy")
def matmul(a, b, out):
    """out = a @ b, in blocks of rows small enough for OpenBLAS's small-matrix kernel: a time step's product of
    24 lines is about 1.1 million multiply-adds, just past it, and two blocks of 12 take 13–16 µs here against
    22–24 µs for one call (bench/handwriting.py)."""
    M, N = out.shape
    blocks = -(-(M * N * a.shape[1]) // SMALL)
    rows = -(-M // blocks)
    for i in range(0, M, rows):
        np.dot(a[i : i + rows], b, out[i : i + rows])


@numba.njit(nogil=True, cache=True, error_model="numpy")
def forward(GATES, W_hwT, W_pT, b_p, start, v_idx, v_val, h0, c0, kappa0, w0,
            C, TC, H1, P, KAPPA, W, PHI, AE, z, e, bits):
    """Layer 1 (nn.LSTMCell's cell) and the soft window (``soft_window``), time step after time step.

    GATES (T, B, 4H) comes holding each step's pen part of the gates plus both biases; each step adds
    [h_{t−1}, w_{t−1}] W_hwT and applies the activations in place (i, f, g, o in nn.LSTMCell's order).
    Writes c_t (C), tanh c_t (TC), h_t (H1), the window's p̂_t (P), κ_t (KAPPA), w_t (W), φ_t (PHI, U + 1
    positions) and each Gaussian's share α_k exp(−β_k (κ_k − u)²) (AE, (T, B, K, U + 1)) for the backward.
    z, e, bits: ``scratch`` for max(B · 4H, B · K · (U + 1)) numbers of the buffers' dtype."""
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
    m = np.ones(B * G, GATES.dtype)  # 2 where a gate is tanh'd (g), 1 where σ'd (i, f, o); then 2 for tanh c_t
    for b in range(B):
        m[b * G + 2 * Hn : b * G + 3 * Hn] = 2
    m2 = np.full(B * Hn, 2.0, GATES.dtype)
    for t in range(T):
        matmul(HW, W_hwT, a)
        for b in range(B):
            for j in range(G):
                z[b * G + j] = GATES[t, b, j] + a[b, j]
        squash(z[: B * G], m, e, bits)
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


@numba.njit(nogil=True, cache=True, error_model="numpy")
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
    one = GATES.dtype.type(1.0)  # so that 1 − x stays in the buffers' dtype (a plain 1 would make it float64)
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
                d_c = dc[b, i] + dh[i] * og * (one - tc * tc)  # c_t feeds h_t and c_{t+1}
                DA[t, b, i] = d_c * gg * (ig - ig * ig)
                DA[t, b, Hn + i] = d_c * c_prev * (fg - fg * fg)
                DA[t, b, 2 * Hn + i] = d_c * ig * (one - gg * gg)
                DA[t, b, 3 * Hn + i] = dh[i] * tc * (og - og * og)
                dc[b, i] = d_c * fg
        if t:
            matmul(DA[t], W_hw, back)  # into ∂L/∂(h_{t−1}, w_{t−1})
            DHW[t - 1] += back
        else:
            matmul(DA[0], W_hw, dhw0)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def mixture_nll(Y, X, weight, M, rho_max, G, grad):
    """Σ_i weight_i · (−log Pr(X_i)): ``mdn_loss`` summed over rows, in float64 whatever Y's dtype. With grad,
    also writes G_i = weight_i · ∂(−log Pr(X_i))/∂Y_i, the derivatives Graves gives in §4.1 (γ_j: component
    j's share of the point). One pass over the points, where autograd through ``mdn_loss`` runs some forty
    operations forward and back (bench/handwriting.py compares them).

    Y (N, 1 + 6M) raw outputs, in mdn_params' order: ê, π̂ (M), μ (M pairs), σ̂ (M pairs), ρ̂ (M);
    X (N, 3) targets (Δx, Δy, eos); weight (N,), 0 on padding."""
    N = Y.shape[0]
    total = 0.0
    lp, ex, pis = np.empty(M), np.empty(M), np.empty(M)
    d1s, d2s, qs, rhos = np.empty(M), np.empty(M), np.empty(M), np.empty(M)  # per component, for the gradient
    ths, s1s, s2s = np.empty(M), np.empty(M), np.empty(M)
    log_2pi = math.log(2 * math.pi)
    for i in range(N):
        w = np.float64(weight[i])
        if w == 0.0:
            if grad:
                G[i, :] = 0
            continue
        x1, x2, eos = np.float64(X[i, 0]), np.float64(X[i, 1]), np.float64(X[i, 2])
        e_hat = np.float64(Y[i, 0])  # pen: −log Bernoulli(eos; σ(ê)), log σ(z) = min(z, 0) − log(1 + e^−|z|)
        soft = math.log1p(math.exp(-abs(e_hat)))
        nll = -(eos * (min(e_hat, 0.0) - soft) + (1 - eos) * (min(-e_hat, 0.0) - soft))
        top = -np.inf  # π = softmax(π̂)
        for j in range(M):
            top = max(top, np.float64(Y[i, 1 + j]))
        s = 0.0
        for j in range(M):
            pis[j] = math.exp(np.float64(Y[i, 1 + j]) - top)
            s += pis[j]
        log_s = math.log(s) + top
        for j in range(M):
            pis[j] /= s
            ls1, ls2 = np.float64(Y[i, 1 + 3 * M + 2 * j]), np.float64(Y[i, 2 + 3 * M + 2 * j])
            s1, s2 = math.exp(ls1), math.exp(ls2)
            th = math.tanh(np.float64(Y[i, 1 + 5 * M + j]))
            rho = th * rho_max
            d1 = (x1 - np.float64(Y[i, 1 + M + 2 * j])) / s1
            d2 = (x2 - np.float64(Y[i, 2 + M + 2 * j])) / s2
            q = 1 - rho * rho
            Z = d1 * d1 + d2 * d2 - 2 * rho * d1 * d2
            lp[j] = (np.float64(Y[i, 1 + j]) - log_s) - Z / (2 * q) - (log_2pi + ls1 + ls2 + 0.5 * math.log(q))
            d1s[j], d2s[j], qs[j], rhos[j], ths[j], s1s[j], s2s[j] = d1, d2, q, rho, th, s1, s2
        top = -np.inf  # log Σ_j π_j N_j, from lp[j] = log π_j + log N_j (Graves eqs. 23–26)
        for j in range(M):
            top = max(top, lp[j])
        s = 0.0
        for j in range(M):
            ex[j] = math.exp(lp[j] - top)
            s += ex[j]
        total += w * (nll - (math.log(s) + top))
        if not grad:
            continue
        G[i, 0] = w * (1 / (1 + math.exp(-e_hat)) - eos)
        for j in range(M):
            gamma = ex[j] / s  # π_j N_j / Σ_k π_k N_k
            d1, d2, q, rho = d1s[j], d2s[j], qs[j], rhos[j]
            a1, a2 = (d1 - rho * d2) / q, (d2 - rho * d1) / q
            Z = d1 * d1 + d2 * d2 - 2 * rho * d1 * d2
            G[i, 1 + j] = w * (pis[j] - gamma)
            G[i, 1 + M + 2 * j] = -w * gamma * a1 / s1s[j]
            G[i, 2 + M + 2 * j] = -w * gamma * a2 / s2s[j]
            G[i, 1 + 3 * M + 2 * j] = -w * gamma * (d1 * a1 - 1)
            G[i, 2 + 3 * M + 2 * j] = -w * gamma * (d2 * a2 - 1)
            d_rho = -gamma * (d1 * d2 + rho - rho * Z / q) / q  # ∂/∂ρ; then through ρ = ρ_max tanh ρ̂
            G[i, 1 + 5 * M + j] = w * d_rho * rho_max * (1 - ths[j] ** 2)
    return total
