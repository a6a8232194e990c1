"""Graves (2013) §4 and §5: an LSTM that predicts the next pen point, and one that writes given text.

Prediction network (§4): an LSTM reads pen offsets x_t = (Δx, Δy, eos); a mixture density output
gives, for the next offset, M bivariate Gaussians (weights π, means μ, spreads σ, correlations ρ) and a
Bernoulli e for the pen lifting. Loss = −log Pr(x_{t+1} | x_≤t), Graves eq. 26.

Synthesis network (§5): the same, plus a soft window over the characters of the text: K Gaussians
over character positions u, whose centres κ only move forward (κ_t = κ_{t−1} + exp κ̂_t), so the
network reads the text left to right at its own pace. Layer 1 is an explicit time loop because the
window at t feeds layer 1 at t+1 (``Layer1Window``, whose backward pass is written out for speed);
layer 2 then runs over the whole sequence at once.

Sampling draws one point at a time; Graves' bias b (§5.4) sharpens it: π ∝ exp(π̂(1+b)),
σ = exp(σ̂ − b). b = 0 samples the model as trained; large b approaches its most likely path.

Everything random comes from a ``torch.Generator`` or ``np.random.default_rng`` built from the
config's seed, except the training set's lines, which are rendered once from TRAIN_SEED
(``training_lines``). Offsets are in units of ``DATA_SCALE`` font units (the pen's resampling step).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.common.runtime import OnStep, flush_denormals, helper_threads, native_bf16, report, spare_core
from core.handwriting import strokes as S
DATA_SCALE = S.STEP  # offsets are divided by this: an on-stroke step is about 1
KINDS = ("prediction", "synthesis")
HELDOUT_SEED = 20_13  # held-out lines are the same for every config, so scores compare
N_HELDOUT = 32
TRAIN_LINES = 16_384  # the training set (training_lines): the default training (270 steps of 48 lines) reads
#                       12,960 of them, each once
TRAIN_SEED = 3  # the training set's words and styles, the same for every config: of four seeds tried (1, 2, 3, 52013),
#                the set whose networks write closest to the font, with held-out NLL as good as fresh lines' (README)
RHO_MAX = 1 - 1e-4  # keeps a correlation of exactly ±1 (a degenerate Gaussian) out of float32's reach


@dataclass(frozen=True)
class HandConfig:
    """One training run. Graves used 3 layers of 400 (§4) and M = 20, K = 10; this is a laptop."""

    kind: str = "synthesis"  # "prediction" (§4) or "synthesis" (§5)
    hidden: int = 96  # LSTM units per layer (2 layers)
    mixtures: int = 8  # M: bivariate Gaussians in the output
    window: int = 4  # K: Gaussians in the soft window (synthesis only)
    steps: int = 270  # Adam updates: about 4 s here (bench/live.py); 200 leave "temperament" garbled, and 250 at this
    #                  rate cost 0.08 nats a point of held-out NLL more than 270 (bench/handwriting.py --seeds, README)
    batch: int = 48  # lines per update
    lr: float = 1.2e-2  # the start of a cosine schedule down to a tenth (1e-2 over 300 steps: the same held-out NLL)
    seed: int = 0
    max_chars: int = 8  # training lines: 1–3 corpus words, at most this many characters (one long word may exceed it)
    bf16: bool = True  # training's LSTM layers in bfloat16 (torch.autocast; the window, the output layer, the loss
    #                    and the weights stay float32) where the CPU multiplies bfloat16 natively, else float32
    buckets: int = 8  # lines read for this many steps at once, then batched by length: each half of a batch loops
    #                   over its own longest line, not the longest of 24 random ones (bench/handwriting.py --seeds
    #                   --buckets 4, then 8: 5.4–5.6 s, then 5.1–5.3 s at 300 steps, the same held-out NLL)


@dataclass(frozen=True)
class HandRecord:
    """What training leaves behind: the curve, the scores, and the weights for sampling."""

    cfg: HandConfig
    steps: np.ndarray  # (S,) 1..steps
    loss: np.ndarray  # (S,) training NLL per point (nats)
    eval_steps: np.ndarray  # (E,) where the held-out NLL was measured (0 = untrained)
    heldout_nll: np.ndarray  # (E,) held-out NLL per point (nats)
    reference_nll: float  # held-out NLL of one Gaussian + pen-up frequency fitted to training offsets
    points_per_char: float  # pen points per character in the training data
    seconds: float  # wall-clock training time
    bf16: bool  # its LSTM layers trained in bfloat16 (cfg.bf16 asked, and this CPU does it natively)
    state: dict = field(repr=False, compare=False)  # the network's weights (tensors), read-only


# --- the mixture density output --------------------------------------------------------------

def mdn_params(y_hat: torch.Tensor, M: int, bias: float = 0.0):
    """Split the output layer (…, 1 + 6M) into e, π, μ, σ, ρ (Graves eqs. 18–22, bias from §5.4).

    Returns e (…,), π (…, M), μ (…, M, 2), σ (…, M, 2), ρ (…, M).
    """
    e_hat, pi_hat, mu, sigma_hat, rho_hat = torch.split(y_hat, [1, M, 2 * M, 2 * M, M], dim=-1)
    e = torch.sigmoid(e_hat[..., 0])  # P(pen lifts after this point)
    pi = torch.softmax(pi_hat * (1 + bias), dim=-1)  # mixture weights, sum to 1
    sigma = torch.exp(sigma_hat - bias)  # > 0
    rho = torch.tanh(rho_hat) * RHO_MAX  # in (−1, 1): float32 tanh reaches exactly ±1, and 1 − ρ² = 0 divides
    shape = mu.shape[:-1] + (M, 2)
    return e, pi, mu.reshape(shape), sigma.reshape(shape), rho


def mdn_loss(y_hat: torch.Tensor, target: torch.Tensor, M: int) -> torch.Tensor:
    """−log Pr(target) per point (…,), Graves eq. 26: −log Σ_j π_j N(x | μ_j, σ_j, ρ_j) − log Bernoulli.

    y_hat (…, 1 + 6M) is the raw output layer; target (…, 3) is (Δx, Δy, eos).
    """
    e_hat = y_hat[..., 0]
    _, pi, mu, sigma, rho = mdn_params(y_hat, M)
    x = target[..., None, :2]  # (…, 1, 2) against every component
    d = (x - mu) / sigma  # (…, M, 2) standardised distances
    one_m_rho2 = 1 - rho**2
    Z = d[..., 0] ** 2 + d[..., 1] ** 2 - 2 * rho * d[..., 0] * d[..., 1]  # Graves eq. 25
    log_N = -Z / (2 * one_m_rho2) - torch.log(2 * math.pi * sigma[..., 0] * sigma[..., 1] * torch.sqrt(one_m_rho2))
    log_mix = torch.logsumexp(torch.log(pi) + log_N, dim=-1)
    eos = target[..., 2]
    log_bern = eos * F.logsigmoid(e_hat) + (1 - eos) * F.logsigmoid(-e_hat)  # log e or log(1 − e)
    return -(log_mix + log_bern)


# --- the soft window ------------------------------------------------------------------------

def soft_window(p_hat: torch.Tensor, kappa_prev: torch.Tensor, c: torch.Tensor):
    """Graves eqs. 46–51: where the network is reading in the text, as K Gaussians over positions u.

    p_hat (B, 3K) from layer 1; kappa_prev (B, K); c (B, U, V) one-hot text (all-zero rows pad it).
    Returns w (B, V) the soft-read character, kappa (B, K), phi (B, U + 1): the weight on each
    character, plus one position past the end (sampling stops once that one dominates).
    """
    alpha, beta, step = torch.exp(p_hat).chunk(3, dim=-1)  # importance, sharpness, stride: all > 0
    kappa = kappa_prev + step  # each Gaussian's centre only ever moves forward
    u = torch.arange(c.shape[1] + 1, dtype=p_hat.dtype)  # (U + 1,)
    phi = (alpha[..., None] * torch.exp(-beta[..., None] * (kappa[..., None] - u).square())).sum(dim=1)  # (B, U+1)
    w = torch.bmm(phi[:, None, :-1], c)[:, 0]  # (B, V) = Σ_u φ(t, u) c_u  (padding rows of c are 0)
    return w, kappa, phi


# --- the networks -----------------------------------------------------------------------------

class PredictionNet(nn.Module):
    """§4: two LSTM layers (skip connections from the input and to the output) → mixture density."""

    def __init__(self, hidden: int, mixtures: int):
        super().__init__()
        self.M = mixtures
        self.lstm1 = nn.LSTM(3, hidden, batch_first=True)
        self.lstm2 = nn.LSTM(3 + hidden, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, 1 + 6 * mixtures)

    def forward(self, x, state=None):
        """x (B, T, 3) → y_hat (B, T, 1 + 6M), new state."""
        s1, s2 = state if state is not None else (None, None)
        h1, s1 = self.lstm1(x, s1)
        h2, s2 = self.lstm2(torch.cat([x, h1], -1), s2)
        return _head(self.head, h1, h2), (s1, s2)


class SynthesisNet(nn.Module):
    """§5: layer 1 → soft window over the text → layer 2 → mixture density."""

    def __init__(self, hidden: int, mixtures: int, window: int, n_chars: int = len(S.ALPHABET)):
        super().__init__()
        self.M, self.K, self.V, self.H = mixtures, window, n_chars, hidden
        self.cell1 = nn.LSTMCell(3 + n_chars, hidden)
        self.window = nn.Linear(hidden, 3 * window)
        self.lstm2 = nn.LSTM(3 + n_chars + hidden, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, 1 + 6 * mixtures)

    def initial_state(self, B: int):
        z = torch.zeros
        return (z(B, self.H), z(B, self.H)), z(B, self.K), z(B, self.V), None

    def forward(self, x, c, state=None):
        """x (B, T, 3), c (B, U, V) → y_hat (B, T, 1 + 6M), phi (B, T, U + 1), state.

        Layer 1 and the window are one explicit time loop (Layer1Window: the window at t is read by layer 1
        at t + 1); layer 2 then runs over the whole sequence at once."""
        (h1, c1), kappa, w, s2 = state if state is not None else self.initial_state(x.shape[0])
        H1, W, PHI, h1, c1, kappa = self.lower(x, c, h1, c1, kappa, w)
        y_hat, s2 = self.upper(x, H1, W, s2)
        return y_hat, PHI, ((h1, c1), kappa, W[:, -1], s2)

    def lower(self, x, c, h1, c1, kappa, w):
        """Layer 1 and the window over all of x: H1 (B, T, H), W (B, T, V), PHI (B, T, U + 1), last h1, c1, κ."""
        cell = self.cell1  # its weights; the loop computes exactly what nn.LSTMCell does with them
        return Layer1Window.apply(x, c, cell.weight_ih, cell.weight_hh, cell.bias_ih + cell.bias_hh,
                                  self.window.weight, self.window.bias, h1, c1, kappa, w)

    def upper(self, x, H1, W, s2=None):
        """Layer 2 and the mixture density output on top of layer 1 and the window: y_hat, layer 2's state."""
        h2, s2 = self.lstm2(torch.cat([x, H1, W], -1), s2)
        return _head(self.head, H1, h2), s2


def _head(head: nn.Linear, h1: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
    """The output layer on both LSTM layers' states, in float32 also under autocast: as fast as bfloat16 here
    for so small a layer, and bfloat16 would build a new oneDNN kernel for every new line length, about 5 ms
    each, the first time a process trains (bench/handwriting.py)."""
    with torch.autocast("cpu", enabled=False):
        return head(torch.cat([h1, h2], -1).float())


def _numpy(*tensors: torch.Tensor) -> list[np.ndarray]:
    """NumPy views for the compiled loops: the buffers they write are contiguous already, and a strided input
    (such as the last w of a sampling step) is copied, so each dtype compiles once."""
    return [t.detach().contiguous().numpy() for t in tensors]


class Layer1Window(torch.autograd.Function):
    """Layer 1 and the soft window over all time steps: the explicit loop, with its backward written out.

    The forward is nn.LSTMCell's cell followed by ``soft_window``, one time step after another (the window
    at t is read by layer 1 at t + 1); the backward is backpropagation through time by the chain rule. Both
    loops are compiled (``core.handwriting.loops``, numba) and release Python's lock, so two halves of a
    batch run at once on two cores; what does not need the loop (the pen's part of the gates, the weight
    gradients) is a few large torch operations around it. Tested against autograd through nn.LSTMCell +
    ``soft_window``, and by finite differences.

    Inputs: x (B, T, 3), c (B, U, V), the cell's W_ih (4H, 3 + V), W_hh (4H, H), b (4H,) (both biases),
    the window's W_p (3K, H), b_p (3K,), and the state h, c_cell (B, H), kappa (B, K), w (B, V).
    Returns H1 (B, T, H), W (B, T, V), PHI (B, T, U + 1), and the last h, c_cell, kappa.
    """

    @staticmethod
    @torch.amp.custom_fwd(device_type="cpu", cast_inputs=torch.float32)  # float32 inside autocast: its own backward
    def forward(ctx, x, c, W_ih, W_hh, b, W_p, b_p, h, c_cell, kappa, w):
        from core.handwriting import loops

        B, T, _ = x.shape
        Hn, K, U, V = W_hh.shape[1], W_p.shape[0] // 3, c.shape[1], c.shape[2]
        # The gates start as the pen's part and both biases, all t at once; the loop adds the rest.
        GATES = torch.addmm(b, x.transpose(0, 1).reshape(T * B, 3), W_ih[:, :3].t()).view(T, B, 4 * Hn)
        H1, C, TC = (x.new_empty(T, B, Hn) for _ in range(3))
        P, KAPPA, W, PHI = x.new_empty(T, B, 3 * K), x.new_empty(T, B, K), x.new_empty(T, B, V), x.new_empty(T, B, U + 1)
        AE = x.new_empty(T, B, K, U + 1)
        W_hw = torch.cat([W_hh, W_ih[:, 3:]], 1)  # (4H, H + V): what h_{t−1} and w_{t−1} feed into the gates
        text = loops.text_entries(c.detach().numpy())
        loops.forward(*_numpy(GATES, W_hw.t().contiguous(), W_p.t().contiguous(), b_p), *text,
                      *_numpy(h, c_cell, kappa, w, C, TC, H1, P, KAPPA, W, PHI, AE),
                      *loops.scratch(max(B * 4 * Hn, B * K * (U + 1)), GATES.numpy().dtype))
        ctx.save_for_backward(x, c, W_ih, W_p, h, c_cell, w, H1, W, PHI, GATES, C, TC, P, KAPPA, AE)
        ctx.loop = W_hw, text
        ctx.set_materialize_grads(False)  # an output nothing used (φ, in training) gets no gradient: None, not zeros
        return (H1.transpose(0, 1), W.transpose(0, 1), PHI.transpose(0, 1),
                H1[-1].clone(), C[-1].clone(), KAPPA[-1].clone())  # (B, T, …) views, and the last state

    @staticmethod
    @torch.amp.custom_bwd(device_type="cpu")
    def backward(ctx, dH1, dW, dPHI, dh_last, dc_last, dkappa_last):
        from core.handwriting import loops

        x, c, W_ih, W_p, h0, c0, w0, H1, W, PHI, GATES, C, TC, P, KAPPA, AE = ctx.saved_tensors
        W_hw, text = ctx.loop
        T, B, Hn = H1.shape
        U, K, V = c.shape[1], KAPPA.shape[2], c.shape[2]
        # DHW[t] = (∂L/∂h_t, ∂L/∂w_t): first what layer 2 passes back; the loop adds what step t + 1 passes back
        DHW = H1.new_zeros(T, B, Hn + V)
        for part, d in ((DHW[..., :Hn], dH1), (DHW[..., Hn:], dW)):
            if d is not None:
                part.copy_(d.transpose(0, 1))
        if dh_last is not None:
            DHW[-1, :, :Hn] += dh_last
        dc = torch.zeros_like(c0) if dc_last is None else dc_last.clone()
        dkappa = KAPPA.new_zeros(B, K) if dkappa_last is None else dkappa_last.clone()
        DA, DP, dhw = torch.empty_like(GATES), torch.empty_like(P), H1.new_empty(B, Hn + V)
        dphi = PHI.new_zeros(T, B, U + 1) if dPHI is None else dPHI.transpose(0, 1).contiguous()
        loops.backward(*_numpy(DHW, dphi, GATES, C, c0, TC, P, KAPPA, AE), *text,
                       *_numpy(W_p, W_hw, dc, dkappa, DA, DP, dhw))
        # The weight gradients: every step's ∂L/∂gates against what the gates read, x_t, w_{t−1}, h_{t−1}.
        DA2 = DA.view(T * B, 4 * Hn)
        read = x.new_empty(T, B, 3 + V + Hn)
        read[..., :3] = x.transpose(0, 1)
        read[0, :, 3 : 3 + V], read[1:, :, 3 : 3 + V] = w0, W[:-1]
        read[0, :, 3 + V :], read[1:, :, 3 + V :] = h0, H1[:-1]
        dW_ih, dW_hh = (gr.contiguous() for gr in (DA2.t() @ read.view(T * B, -1)).split([3 + V, Hn], 1))
        DP2 = DP.view(T * B, 3 * K)
        dx = (DA2 @ W_ih[:, :3]).view(T, B, 3).transpose(0, 1) if ctx.needs_input_grad[0] else None
        dc_text = torch.einsum("tbu,tbv->buv", PHI[..., :U], DHW[..., Hn:]) if ctx.needs_input_grad[1] else None
        return (dx, dc_text, dW_ih, dW_hh, DA2.sum(0), DP2.t() @ H1.view(T * B, Hn), DP2.sum(0),
                dhw[:, :Hn], dc, dkappa, dhw[:, Hn:])


def layer1_by_autograd(net: SynthesisNet, x, c, h, c_cell, kappa, w):
    """What Layer1Window computes, written with nn.LSTMCell and ``soft_window`` for autograd to differentiate:
    the reference its tests and bench/handwriting.py compare against. Same inputs and outputs."""
    H1, W, PHI = [], [], []
    for t in range(x.shape[1]):
        h, c_cell = net.cell1(torch.cat([x[:, t], w], -1), (h, c_cell))
        w, kappa, phi = soft_window(net.window(h), kappa, c)
        H1.append(h), W.append(w), PHI.append(phi)
    return torch.stack(H1, 1), torch.stack(W, 1), torch.stack(PHI, 1), h, c_cell, kappa


def _build(cfg: HandConfig, points_per_char: float, gen: torch.Generator | None) -> nn.Module:
    """A network for cfg; with gen, every weight drawn from it (PyTorch's default ranges)."""
    if cfg.kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {cfg.kind!r}")
    net = PredictionNet(cfg.hidden, cfg.mixtures) if cfg.kind == "prediction" else \
        SynthesisNet(cfg.hidden, cfg.mixtures, cfg.window)
    if gen is None:
        return net
    with torch.no_grad():
        for mod in net.modules():
            if isinstance(mod, (nn.LSTM, nn.LSTMCell)):
                k = 1 / math.sqrt(mod.hidden_size)
                for p in mod.parameters():
                    p.uniform_(-k, k, generator=gen)
            elif isinstance(mod, nn.Linear):
                k = 1 / math.sqrt(mod.in_features)
                mod.weight.uniform_(-k, k, generator=gen)
                mod.bias.uniform_(-k, k, generator=gen)
        if cfg.kind == "synthesis":
            # Start the window walking at the data's average pace (one character per
            # points_per_char points, each Gaussian about a character wide); training adjusts both.
            K = cfg.window
            net.window.weight.mul_(0.1)
            net.window.bias[:K].fill_(0.0)  # α = 1
            net.window.bias[K : 2 * K].fill_(0.0)  # β = 1
            net.window.bias[2 * K :].fill_(-math.log(points_per_char))
    return net


# --- data ----------------------------------------------------------------------------------

def _batch(lines: list[str], offsets: list[np.ndarray]):
    """Pad lines to tensors: x (B, T, 3) scaled, mask (B, T), c (B, U, V) one-hot text.

    Every line's rows (and characters) go in with one indexed assignment, not one per line: a training step
    batches its lines on the thread that waits for it (bench/handwriting.py)."""
    B, T, U = len(lines), max(len(o) for o in offsets), max(len(s) for s in lines)
    x, mask = np.zeros((B, T, 3), np.float32), np.zeros((B, T), np.float32)
    c = np.zeros((B, U, len(S.ALPHABET)), np.float32)
    line, t = _positions([len(o) for o in offsets])
    x[line, t] = np.concatenate(offsets)
    x[..., :2] /= DATA_SCALE
    mask[line, t] = 1
    line, u = _positions([len(s) for s in lines])
    c[line, u, S.encode("".join(lines))] = 1
    return torch.from_numpy(x), torch.from_numpy(mask), torch.from_numpy(c)


def _positions(lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """For items laid end to end, lengths[i] of them in row i: each one's row and its place in that row."""
    row = np.repeat(np.arange(len(lengths)), lengths)
    return row, np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)


@lru_cache(maxsize=4)
def heldout_lines(n: int = N_HELDOUT, max_chars: int = 16) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """Lines of held-out words (never trained on), rendered once with a fixed seed: (texts, offsets).

    Shared by every caller, so the arrays are read-only."""
    rng = np.random.default_rng(HELDOUT_SEED)
    words = S.corpus_words().heldout
    texts = tuple(S.random_line(words, rng, max_chars) for _ in range(n))
    lines = tuple(S.render_many(list(texts), rng))
    for a in lines:
        a.setflags(write=False)
    return texts, lines


def _nll(net: nn.Module, cfg: HandConfig, x, mask, c, bf16: bool = False) -> torch.Tensor:
    """Mean NLL per predicted point (nats): each point predicted from the ones before it.

    bf16: the network's layers under torch.autocast to bfloat16 (training's speed; scores are float32)."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        y_hat = _outputs(net, cfg, x[:, :-1], c)
    return _nll_sum(y_hat, x, mask, cfg.mixtures) / mask[:, 1:].sum()


def _outputs(net: nn.Module, cfg: HandConfig, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """The output layer y_hat (B, T, 1 + 6M) after reading x (B, T, 3), and the text c for synthesis."""
    return net(x)[0] if cfg.kind == "prediction" else net(x, c)[0]


def _nll_sum(y_hat: torch.Tensor, x: torch.Tensor, mask: torch.Tensor, M: int) -> torch.Tensor:
    """Summed NLL (nats) of the real points x[:, 1:] under the outputs y_hat made from x[:, :-1]:
    ``mdn_loss`` times the mask, summed, computed by MixtureNLL."""
    return MixtureNLL.apply(y_hat.float(), x[:, 1:], mask[:, 1:], M)


class MixtureNLL(torch.autograd.Function):
    """Σ mask · mdn_loss(y_hat, target) and its gradient, in one compiled pass (``loops.mixture_nll``) where
    autograd through ``mdn_loss`` runs some forty small operations each way: a step's loss takes a fraction
    of the time (bench/handwriting.py). Tested against autograd through ``mdn_loss``.

    Inputs: y_hat (…, 1 + 6M), target (…, 3), mask (…), M. Returns a scalar of y_hat's dtype."""

    @staticmethod
    def forward(ctx, y_hat, target, mask, M):
        from core.handwriting import loops

        Y, X, w = _numpy(y_hat.reshape(-1, y_hat.shape[-1]), target.reshape(-1, 3), mask.reshape(-1))
        G = np.empty_like(Y)
        total = loops.mixture_nll(Y, X, w, M, RHO_MAX, G, ctx.needs_input_grad[0])
        ctx.grad, ctx.shape = torch.from_numpy(G), y_hat.shape
        return y_hat.new_tensor(total)

    @staticmethod
    def backward(ctx, d_total):
        return (ctx.grad * d_total).view(ctx.shape), None, None, None


# --- one training step on two cores -----------------------------------------------------------
# The gradient of a step is that of the batch's two halves of lines, each cut to its own longest line, added
# in a fixed order. The two halves are independent of one another, so a helper thread takes one while the
# other core is free (runtime.spare_core), or this thread does both: the same numbers, bit for bit. Both
# networks' long loops release Python's lock while they run (the prediction network's fused LSTM calls, the
# synthesis network's compiled layer 1: Layer1Window), so the two halves run at once (bench/handwriting.py).

def _later(pool: ThreadPoolExecutor | None, fn, *args) -> Future:
    """fn(*args) on the helper thread if there is a pool, else at once; its .result() either way."""
    if pool is not None:
        return pool.submit(fn, *args)
    done = Future()
    done.set_result(fn(*args))
    return done


def _halves(mask: torch.Tensor) -> tuple[tuple[slice, int], tuple[slice, int]]:
    """The batch's first and second half of rows, each with its longest line's length."""
    mid = (mask.shape[0] + 1) // 2
    return tuple((rows, int(mask[rows].sum(1).max())) for rows in (slice(None, mid), slice(mid, None)))


def _half(net: nn.Module, cfg: HandConfig, x, mask, c, n: torch.Tensor, bf16: bool):
    """One half's summed NLL, and its share of every weight's gradient (of the whole batch's mean NLL)."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        y_hat = _outputs(net, cfg, x[:, :-1], c)
    total = _nll_sum(y_hat, x, mask, cfg.mixtures)
    return total.detach(), torch.autograd.grad(total / n, list(net.parameters()))


def _step_gradients(net: nn.Module, cfg: HandConfig, lines: list[str], offsets: list[np.ndarray], bf16: bool,
                    pool: ThreadPoolExecutor | None) -> float:
    """Set every weight's .grad to ∂(mean NLL per point)/∂weight over the batch; return that mean NLL.

    pool: a helper thread to share the work with, or None to do it all on this one (the same numbers)."""
    x, mask, c = _batch(lines, offsets)
    n = mask[:, 1:].sum()  # predicted points in the batch
    (ra, ta), (rb, tb) = _halves(mask)
    later = _later(pool, _half, net, cfg, x[ra, :ta], mask[ra, :ta], c[ra], n, bf16)
    sum_b, grads_b = _half(net, cfg, x[rb, :tb], mask[rb, :tb], c[rb], n, bf16)
    sum_a, grads_a = later.result()
    params, grads = list(net.parameters()), [ga + gb for ga, gb in zip(grads_a, grads_b)]
    for p, g in zip(params, grads):
        p.grad = g
    return float((sum_a + sum_b) / n)


def _heldout_nll(net: nn.Module, cfg: HandConfig, held_batch, pool: ThreadPoolExecutor | None) -> float:
    """Mean NLL per predicted point of the held-out lines (float32, no gradient), as ``_nll`` gives it: the lines
    in two halves, one on the helper thread if there is one (the same number either way)."""
    x, mask, c = held_batch

    def part(rows: slice, T: int) -> torch.Tensor:
        with torch.no_grad():  # also in the helper thread: torch's gradient mode belongs to each thread
            y_hat = _outputs(net, cfg, x[rows, : T - 1], c[rows])
            return _nll_sum(y_hat, x[rows, :T], mask[rows, :T], cfg.mixtures)

    (ra, ta), (rb, tb) = _halves(mask)
    later = _later(pool, part, ra, ta)
    total = part(rb, tb)
    return float((later.result() + total) / mask[:, 1:].sum())


def training_lines(max_chars: int = HandConfig.max_chars) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """The training set: TRAIN_LINES lines of one to three training words, each in its own random style, rendered
    with a fixed seed: (texts, offsets). Graves trained on a fixed set of recorded lines too (IAM-OnDB).

    Rendering them takes about a second and depends on no config but max_chars, so the set is written once to the
    app's folder (rendered again when missing, damaged, or made by other code or data) and kept in memory, at most
    two sets of about 12 MB (the app uses one; the tests also train on shorter lines). A training that drew its
    own lines as it went held Python's lock for about 0.4 s, which slowed its two halves of each step: both need
    that lock between their compiled loops (bench/handwriting.py). Read-only: every training shares it."""
    spec = (TRAIN_LINES, TRAIN_SEED, max_chars, S.STEP, S.FONT)
    with _training_set_lock:  # two first trainings at once load or render it once
        if spec not in _training_set:
            if len(_training_set) >= 2:
                del _training_set[next(iter(_training_set))]  # the set loaded first
            _training_set[spec] = _load_or_render(spec)
        return _training_set[spec]


_training_set: dict[tuple, tuple] = {}
_training_set_lock = threading.Lock()


def _training_set_file(spec: tuple) -> Path | None:
    """Where the set for spec is kept: named by its size, seed, line length, pen step and font, the words, and the
    code and packages that draw and render it. None if the app's folder can't be made."""
    from importlib.metadata import version

    from core.common.paths import cache_dir

    made_by = [spec, S.corpus_words().train, Path(S.__file__).read_text(encoding="utf-8"),
               version("numpy"), version("hershey-fonts")]
    try:
        folder = cache_dir("handwriting")
    except OSError:
        return None
    digest = hashlib.sha1(repr(made_by).encode()).hexdigest()[:16]
    return folder / f"training-lines-{spec[2]}-{spec[3]:g}-{digest}.npz"  # line length and pen step: its own name


def _load_or_render(spec: tuple) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """The training set from the app's folder, or rendered now and written there (if it can't be written, it is
    kept in memory only). No pickles: plain arrays, read with allow_pickle=False."""
    n, seed, max_chars = spec[:3]
    path = _training_set_file(spec)
    try:
        if path is None:
            raise FileNotFoundError("no folder for the training set")
        with np.load(path, allow_pickle=False) as f:
            texts, rows, ends = f["texts"], f["rows"], f["ends"]
        if not (len(texts) == len(ends) == n and rows.dtype == np.float32 and rows.shape[1:] == (3,)
                and ends[-1] == len(rows) and ends[0] > 0 and (np.diff(ends) > 0).all()):
            raise ValueError(f"{path.name} does not hold {n} lines")
        texts = tuple(str(t) for t in texts)
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):  # missing or damaged
        rng = np.random.default_rng(seed)
        words = S.corpus_words().train
        texts = tuple(S.random_line(words, rng, max_chars) for _ in range(n))
        lines = S.render_many(list(texts), rng)
        rows, ends = np.concatenate(lines), np.cumsum([len(o) for o in lines])
        if path is not None:
            _write_training_set(path, texts, rows, ends)
    rows.setflags(write=False)
    return texts, tuple(np.split(rows, ends[:-1]))


def _write_training_set(path: Path, texts: tuple[str, ...], rows: np.ndarray, ends: np.ndarray) -> None:
    """Write the set (``paths.write_atomically``: a reader never sees half of it), and remove the sets of the same
    line length and pen step that older code made."""
    from core.common.paths import write_atomically

    try:
        write_atomically(path, lambda out: np.savez(out, texts=np.array(texts), rows=rows, ends=ends))
        for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a full or read-only folder: this process keeps the set in memory


def _reading(cfg: HandConfig, rng: np.random.Generator) -> tuple[tuple[str, ...], tuple[np.ndarray, ...], np.ndarray]:
    """The training set, and this training's order through it: one random order of every line, then another for
    as many more lines as cfg's steps read."""
    texts, lines = training_lines(cfg.max_chars)
    passes = -(-(cfg.steps + cfg.buckets) * cfg.batch // len(texts))  # the last steps' lines are read in a span too
    return texts, lines, np.concatenate([rng.permutation(len(texts)) for _ in range(passes)])


def _pace(texts, lines, order, n: int = 200) -> tuple[float, list[np.ndarray]]:
    """Pen points per character over the first n lines a training reads (the window's starting pace), and those
    lines (the reference Gaussian's)."""
    first = order[:n]
    return sum(len(lines[i]) for i in first) / sum(len(texts[i]) for i in first), [lines[i] for i in first]


def _by_length(lines: list[str], offsets: list[np.ndarray], batch: int, rng: np.random.Generator) -> list:
    """The lines, sorted by length and cut into batches of ``batch`` (in a random order), as (lines, offsets).

    Layer 1's loop runs once per time step of a batch's longest line, so a batch of similar lengths
    loops over little padding. Every line is still used once, in a batch of the same size."""
    order = np.argsort([len(o) for o in offsets], kind="stable")
    chunks = [order[i : i + batch] for i in range(0, len(order), batch)]
    return [([lines[i] for i in chunks[j]], [offsets[i] for i in chunks[j]]) for j in rng.permutation(len(chunks))]


def reference_nll(train: np.ndarray, heldout: np.ndarray) -> float:
    """NLL per point (nats) of the held-out rows under one bivariate Gaussian fitted to the training
    offsets plus a pen-up coin with the training frequency. Rows (Δx, Δy, eos), scaled as the nets see them."""
    mu, cov = train[:, :2].mean(0), np.cov(train[:, :2].T)
    d = heldout[:, :2] - mu
    log_n = -0.5 * np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d) - np.log(2 * np.pi * np.sqrt(np.linalg.det(cov)))
    p = train[:, 2].mean()
    log_b = np.where(heldout[:, 2] > 0.5, np.log(p), np.log(1 - p))
    return float(-(log_n + log_b).mean())


def _rows(offsets: list[np.ndarray]) -> np.ndarray:
    """Predicted rows (all but each line's first), scaled: (N, 3)."""
    r = np.concatenate([o[1:] for o in offsets]).astype(np.float64)
    r[:, :2] /= DATA_SCALE
    return r


# --- training -------------------------------------------------------------------------------

@flush_denormals()  # the window's far tails as 0: a training 5–10 % faster (bench/handwriting.py --keep-denormals)
def train(cfg: HandConfig, on_step: OnStep | None = None) -> HandRecord:
    """Train cfg.kind on the training set's lines (``training_lines``), in an order of cfg.seed; score on held-out
    lines."""
    if cfg.batch < 2:
        raise ValueError(f"a batch needs at least 2 lines (each step splits it in halves), not {cfg.batch}")
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    t0 = time.perf_counter()
    texts, lines, order = _reading(cfg, rng)
    ppc, pool = _pace(texts, lines, order)
    held_texts, held = heldout_lines()
    ref = reference_nll(_rows(pool), _rows(list(held)))
    by_length = np.argsort([len(o) for o in held], kind="stable")  # so that each half loops over its own longest
    held_batch = _batch([held_texts[i] for i in by_length], [held[i] for i in by_length])

    net = _build(cfg, ppc, gen)
    bf16 = cfg.bf16 and native_bf16()
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr, fused=True)  # one call for all weights, not a loop of them
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.steps, eta_min=cfg.lr / 10)
    every = max(1, cfg.steps // 10)
    losses, eval_steps, eval_nll = [], [0], []
    eval_nll.append(_heldout_nll(net, cfg, held_batch, None))
    span, batches = cfg.batch * cfg.buckets, []
    with helper_threads(1, "hand-half") as pool:  # half of each step's work, while the other core is free
        for step in range(1, cfg.steps + 1):
            if not batches:  # the next steps' lines, batched by length
                read = order[(step - 1) * cfg.batch :][:span]
                batches = _by_length([texts[i] for i in read], [lines[i] for i in read], cfg.batch, rng)
            helper = pool if spare_core() else None
            loss = _step_gradients(net, cfg, *batches.pop(), bf16, helper)
            nn.utils.clip_grad_norm_(net.parameters(), 3.0)  # Graves clipped too: mixture losses spike
            opt.step()
            sched.step()
            losses.append(loss)
            if step % every == 0 or step == cfg.steps:
                eval_steps.append(step)
                eval_nll.append(_heldout_nll(net, cfg, held_batch, helper))
            report(on_step, step, cfg.steps)
    net.eval()
    return HandRecord(
        cfg=cfg,
        steps=np.arange(1, cfg.steps + 1),
        loss=np.array(losses),
        eval_steps=np.array(eval_steps),
        heldout_nll=np.array(eval_nll),
        reference_nll=ref,
        points_per_char=ppc,
        seconds=time.perf_counter() - t0,
        bf16=bf16,
        state={k: v.detach().clone() for k, v in net.state_dict().items()},
    )


def untrained(cfg: HandConfig) -> HandRecord:
    """The network before its first update (the shape score's floor): same seed, same init."""
    ppc, _ = _pace(*_reading(cfg, np.random.default_rng(cfg.seed)))  # as train() begins
    net = _build(cfg, ppc, torch.Generator().manual_seed(cfg.seed))
    empty = np.zeros(0)
    return HandRecord(cfg, empty, empty, empty, empty, float("nan"), ppc, 0.0, False,
                      {k: v.detach().clone() for k, v in net.state_dict().items()})


def _load(rec: HandRecord) -> nn.Module:
    net = _build(rec.cfg, rec.points_per_char, None)
    net.load_state_dict(rec.state)
    return net.eval()


# --- writing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    """One sampled line. Row t of every array belongs to pen point t."""

    text: str  # "" for the prediction network
    bias: float
    offsets: np.ndarray  # (N, 3) Δx, Δy (font units), eos
    e: np.ndarray  # (N,) P(pen up) the network gave point t
    pi: np.ndarray  # (N, M) mixture weights that point t was drawn from
    mu: np.ndarray  # (N, M, 2) means of Δ (font units)
    sigma: np.ndarray  # (N, M, 2)
    rho: np.ndarray  # (N, M)
    phi: np.ndarray  # (N, U) window weight on each character (synthesis), else (N, 0)
    finished: bool  # the window moved past the last character (synthesis) / ran its length


@flush_denormals()  # as in training
def write(rec: HandRecord, text: str = "", bias: float = 0.0, seed: int = 0, n: int = 1,
          max_points: int | None = None) -> tuple[Written, ...]:
    """n samples, drawn one pen point at a time from the trained network (with Graves' bias).

    Synthesis writes ``text`` (checked; TextError if it can't) and stops when the window has moved
    past its last character. Prediction writes ``max_points`` points (default 300) of whatever it likes.
    """
    net = _load(rec)
    gen = torch.Generator().manual_seed(seed)
    M = rec.cfg.mixtures
    synth = rec.cfg.kind == "synthesis"
    if synth:
        text = S.check_text(text)
        U = len(text)
        _, _, c = _batch([text] * n, [np.zeros((1, 3), np.float32)] * n)
        max_points = max_points or int(rec.points_per_char * U * 1.8) + 40
        state = net.initial_state(n)
    else:
        text, U = "", 0
        max_points = max_points or 300
        state = None
    x = torch.zeros(n, 1, 3)
    rows, es, pis, mus, sigmas, rhos, phis = [], [], [], [], [], [], []
    done = torch.zeros(n, dtype=torch.bool)
    length = torch.full((n,), max_points)
    with torch.no_grad():
        for t in range(max_points):
            if synth:
                y_hat, phi, state = net(x, c, state)
                phi = phi[:, 0]
                phis.append(phi[:, :U])
                past_end = phi[:, U] > phi[:, :U].max(dim=1).values  # Graves' stopping rule
                newly = past_end & ~done
                length[newly] = t
                done |= past_end
            else:
                y_hat, state = net(x, state)
            e, pi, mu, sigma, rho = mdn_params(y_hat[:, 0], M, bias)
            k = torch.multinomial(pi, 1, generator=gen)[:, 0]  # which Gaussian
            m, s, r = mu[torch.arange(n), k], sigma[torch.arange(n), k], rho[torch.arange(n), k]
            z = torch.randn(n, 2, generator=gen)
            d = torch.stack([m[:, 0] + s[:, 0] * z[:, 0],
                             m[:, 1] + s[:, 1] * (r * z[:, 0] + torch.sqrt(1 - r**2) * z[:, 1])], -1)
            lift = (torch.rand(n, generator=gen) < e).float()
            x = torch.cat([d, lift[:, None]], -1)[:, None]
            rows.append(x[:, 0])
            es.append(e), pis.append(pi), mus.append(mu), sigmas.append(sigma), rhos.append(rho)
            if synth and bool(done.all()):
                break
    st = lambda a: torch.stack(a, 1).numpy()  # noqa: E731  (n, N, …)
    rows, es, pis, mus, sigmas, rhos = map(st, (rows, es, pis, mus, sigmas, rhos))
    phis = st(phis) if synth else np.zeros((n, len(rows[0]), 0), np.float32)
    out = []
    for b in range(n):
        N = int(length[b]) if synth else len(rows[b])
        N = max(N, 1)
        off = rows[b, :N].copy()
        off[:, :2] *= DATA_SCALE
        off = np.concatenate([np.zeros((1, 3), np.float32), off])  # the pen's first point, at the origin
        pad = lambda a: np.concatenate([np.full((1,) + a.shape[2:], np.nan, np.float32), a[b, :N]])  # noqa: E731
        out.append(Written(
            text=text, bias=float(bias), offsets=off, e=pad(es), pi=pad(pis),
            mu=pad(mus) * DATA_SCALE, sigma=pad(sigmas) * DATA_SCALE, rho=pad(rhos),
            phi=pad(phis), finished=bool(done[b]) if synth else True,
        ))
    return tuple(out)


@flush_denormals()  # as in training
def read(rec: HandRecord, offsets: np.ndarray, text: str = "") -> Written:
    """Run the network over a given line (teacher forcing): what it predicted at every point.

    The same fields as ``write``; ``offsets`` are the given ones. For synthesis, phi is where the
    window was reading while the given line was written.
    """
    net = _load(rec)
    M = rec.cfg.mixtures
    if rec.cfg.kind == "synthesis":
        text = S.check_text(text)
        x, _, c = _batch([text], [np.asarray(offsets, np.float32)])
    else:
        x, _, c = _batch(["a"], [np.asarray(offsets, np.float32)])
    with torch.no_grad():
        if rec.cfg.kind == "synthesis":
            y_hat, phi, _ = net(x[:, :-1], c)
            phi = phi[0, :, : len(text)].numpy()
        else:
            y_hat, _ = net(x[:, :-1])
            phi = np.zeros((x.shape[1] - 1, 0), np.float32)
        e, pi, mu, sigma, rho = (a[0].numpy() for a in mdn_params(y_hat, M))
    nan = lambda a: np.concatenate([np.full((1,) + a.shape[1:], np.nan, np.float32), a])  # noqa: E731
    return Written(text=text if rec.cfg.kind == "synthesis" else "", bias=0.0,
                   offsets=np.asarray(offsets, np.float32), e=nan(e), pi=nan(pi), mu=nan(mu) * DATA_SCALE,
                   sigma=nan(sigma) * DATA_SCALE, rho=nan(rho), phi=nan(phi), finished=True)


# --- what the pictures and the bench measure --------------------------------------------------

def next_point_density(w: Written, t: int, n: int = 81, extent: float = 4.0, floor: float = 1.0):
    """The predicted density of pen point t around point t − 1, on an n × n grid (numpy).

    Returns (xs (n,), ys (n,), Z (n, n) density per font unit², P(pen up) after point t).
    The grid is centred on the mixture's mean and reaches extent × σ past every component that weighs at least 1 %
    (at least extent × ``floor`` font units): a second mode a few units away is inside it, not cut off.
    """
    t = int(np.clip(t, 1, len(w.offsets) - 1))
    origin = np.cumsum(w.offsets[:, :2], axis=0)[t - 1]
    pi, mu, sigma, rho = w.pi[t], w.mu[t], w.sigma[t], w.rho[t]
    centre = origin + (pi[:, None] * mu).sum(0)
    kept = pi >= 0.01
    reach = np.abs(mu[kept] - (centre - origin)) + extent * sigma[kept]  # (components, 2) from the centre
    half = max(float(reach.max()), extent * floor)  # biased σ can be a fraction of a unit
    xs = np.linspace(centre[0] - half, centre[0] + half, n)
    ys = np.linspace(centre[1] - half, centre[1] + half, n)
    X, Y = np.meshgrid(xs - origin[0], ys - origin[1])  # offsets from the current point
    Z = np.zeros_like(X)
    for j in range(len(pi)):
        dx, dy = (X - mu[j, 0]) / sigma[j, 0], (Y - mu[j, 1]) / sigma[j, 1]
        q = 1 - rho[j] ** 2
        zz = dx**2 + dy**2 - 2 * rho[j] * dx * dy
        Z += pi[j] * np.exp(-zz / (2 * q)) / (2 * np.pi * sigma[j, 0] * sigma[j, 1] * np.sqrt(q))
    return xs, ys, Z, float(w.e[t])


def peak_path(phi: np.ndarray) -> np.ndarray:
    """Which character the window weighs most at each point: argmax_u φ(t, u), (N,)."""
    phi = np.nan_to_num(np.asarray(phi), nan=-1.0)
    return phi.argmax(axis=1)


def monotone(phi: np.ndarray) -> bool:
    """Does the window's peak only ever stay or move forward through the text?"""
    return bool(np.all(np.diff(peak_path(phi[1:])) >= 0))


def normalised_points(offsets: np.ndarray) -> np.ndarray:
    """Absolute pen points (N, 2), centred on their mean and scaled so the heights' spread (sd of y) is 1:
    distances are then in units of the writing's own letter size, whatever its length."""
    xy = np.cumsum(np.asarray(offsets, float)[:, :2], axis=0)
    xy = xy - xy.mean(0)
    return xy / max(float(xy[:, 1].std()), 1e-9)


def chamfer(a: np.ndarray, b: np.ndarray) -> float:
    """Shape distance of two lines of offsets: symmetric mean nearest-point distance (Chamfer),
    after normalising position and scale. 0 = the same shape."""
    from scipy.spatial import cKDTree

    pa, pb = normalised_points(a), normalised_points(b)
    return float(0.5 * (cKDTree(pb).query(pa)[0].mean() + cKDTree(pa).query(pb)[0].mean()))
