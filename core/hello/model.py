"""A character-level RNN language model, small enough to print every number.

The lecture feeds "hello" one character at a time: each input is a one-hot vector over the
vocabulary, and at each step the network outputs a softmax over the next character. This module
trains that model (vanilla RNN, GRU or LSTM) and returns a frozen record of every training step, so
a page can replay training with a slider without ever retraining.

Names follow the slides: ``x_t`` one-hot input, ``h_prev`` / ``h_t`` hidden state, ``W_xh``,
``W_hh``, ``W_hy``, ``b_h``, ``b_y``; ``stoi`` / ``itos`` map characters to indices and back.
Weights act on row vectors (``x_t @ W_xh``), as in the slide's equations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from core.common.runtime import OnStep, report
from core.common.vocab import Vocab

MAX_TEXT_CHARS = 2000  # longer texts are refused: the lesson is about one short sequence
WINDOW = 48  # texts longer than this train as a batch of windows of this many steps
CELLS = ("rnn", "gru", "lstm")
GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # how many H-wide blocks W_xh and W_hh hold
CLIP_NORM = 5.0  # global gradient-norm clip: keeps long texts from exploding
MIN_TEMPERATURE = 1e-3  # sampling temperatures in (0, this) are raised to it: logits / 1e-320 overflow


class TextError(ValueError):
    """The training text can't be used; the message says why, for a student to read."""


@dataclass(frozen=True)
class CharLMConfig:
    """Everything that decides a training run. Equal configs give identical records."""

    text: str = "hello"  # the training sequence; the vocabulary comes from it
    cell: str = "rnn"  # "rnn" (vanilla, the slides), "gru" or "lstm"
    hidden_size: int = 8  # small enough to print every unit
    lr: float = 0.1  # Adam learning rate; "hello" passes mean P(target) >= 0.9 after about 8 steps
    steps: int = 20  # full-batch training steps: the change fills the first half of the replay
    seed: int = 0  # weights' initial values
    memory: bool = True  # False drops the recurrent term: h_t depends on x_t alone


def check_text(text: str | None) -> str:
    """Return the text if a model can learn from it, else raise TextError with the reason."""
    if text is None or text == "":
        raise TextError("The text is empty. Type a word such as “hello”.")
    if not text.strip():
        raise TextError("The text is only whitespace. Type some letters.")
    if len(text) > MAX_TEXT_CHARS:
        raise TextError(
            f"The text has {len(text):,} characters; this lesson takes at most "
            f"{MAX_TEXT_CHARS:,}. Paste a shorter passage."
        )
    if len(text) < 2:
        raise TextError(
            "A single character leaves nothing to predict: the model learns the *next* "
            "character, so it needs at least two."
        )
    if len(set(text)) < 2:
        raise TextError(
            f"Every character is “{text[0]}”, so the next one is always certain and there is "
            "nothing to learn. Use at least two different characters."
        )
    return text


# ---------------------------------------------------------------------------------------------
# Parameters: one flat vector, viewed as the slide's matrices.
# ---------------------------------------------------------------------------------------------


def param_shapes(cell: str, V: int, H: int) -> dict[str, tuple[int, ...]]:
    """Names and shapes of the parameters, in the order they sit in the flat vector."""
    G = GATES[cell]
    shapes = {"W_xh": (V, G * H), "W_hh": (H, G * H), "b_h": (G * H,)}
    if cell == "gru":
        shapes["b_hn"] = (H,)  # GRU keeps the recurrent bias of the candidate inside r * (...)
    shapes.update({"W_hy": (H, V), "b_y": (V,)})
    return shapes


def unflatten(theta: torch.Tensor, cell: str, V: int, H: int) -> dict[str, torch.Tensor]:
    """Views into the flat parameter vector, one per named matrix (no copies)."""
    shapes = param_shapes(cell, V, H)
    sizes = [math.prod(s) for s in shapes.values()]
    parts = torch.split(theta, sizes)
    return {name: p.view(shape) for (name, shape), p in zip(shapes.items(), parts)}


def init_theta(cell: str, V: int, H: int, seed: int) -> torch.Tensor:
    """Initial weights: PyTorch's RNN init for the recurrence, a tiny output layer.

    The output weights start near zero so that before training every next character is
    equally likely (P = 1/V, loss = ln V), as the lecture's untrained network should be.
    """
    gen = torch.Generator().manual_seed(seed)
    k = 1.0 / math.sqrt(H)
    parts = []
    for name, shape in param_shapes(cell, V, H).items():
        if name == "W_hy":
            parts.append(torch.empty(shape).uniform_(-0.01, 0.01, generator=gen).flatten())
        elif name == "b_y":
            parts.append(torch.zeros(shape).flatten())
        else:
            parts.append(torch.empty(shape).uniform_(-k, k, generator=gen).flatten())
    return torch.cat(parts)


# ---------------------------------------------------------------------------------------------
# One tick of each cell, written the way the slides write it.
# ---------------------------------------------------------------------------------------------


def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    """One tick of a vanilla RNN: h_t = tanh(x_t W_xh + h_prev W_hh + b_h).

    x_t is (B, V) one-hot, h_prev is (B, H); returns h_t, (B, H).
    """
    return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)  # new memory mixes the input and the old memory


def gru_step(x_t, h_prev, W_xh, W_hh, b_h, b_hn):
    """One tick of a GRU (PyTorch's gate order r, z, n). Shapes as in ``rnn_step``."""
    H = h_prev.shape[-1]
    gx = x_t @ W_xh + b_h  # (B, 3H)
    gh = h_prev @ W_hh  # (B, 3H)
    r = torch.sigmoid(gx[:, :H] + gh[:, :H])  # reset gate: how much old memory the candidate sees
    z = torch.sigmoid(gx[:, H : 2 * H] + gh[:, H : 2 * H])  # update gate: keep old vs take new
    n = torch.tanh(gx[:, 2 * H :] + r * (gh[:, 2 * H :] + b_hn))  # candidate memory
    return (1 - z) * n + z * h_prev


def lstm_step(x_t, h_prev, c_prev, W_xh, W_hh, b_h):
    """One tick of an LSTM (PyTorch's gate order i, f, g, o); returns (h_t, c_t), each (B, H)."""
    H = h_prev.shape[-1]
    gates = x_t @ W_xh + h_prev @ W_hh + b_h  # (B, 4H)
    i = torch.sigmoid(gates[:, :H])  # input gate
    f = torch.sigmoid(gates[:, H : 2 * H])  # forget gate
    g = torch.tanh(gates[:, 2 * H : 3 * H])  # candidate cell content
    o = torch.sigmoid(gates[:, 3 * H :])  # output gate
    c_t = f * c_prev + i * g  # the cell state carries memory along
    return o * torch.tanh(c_t), c_t


def init_state(cell: str, B: int, H: int):
    zeros = torch.zeros(B, H)
    return (zeros, torch.zeros(B, H)) if cell == "lstm" else zeros


def cell_step(cell: str, P: dict[str, torch.Tensor], x_t, state):
    """Advance any cell by one tick; returns (h_t, new_state)."""
    if cell == "rnn":
        h_t = rnn_step(x_t, state, P["W_xh"], P["W_hh"], P["b_h"])
        return h_t, h_t
    if cell == "gru":
        h_t = gru_step(x_t, state, P["W_xh"], P["W_hh"], P["b_h"], P["b_hn"])
        return h_t, h_t
    h_t, c_t = lstm_step(x_t, state[0], state[1], P["W_xh"], P["W_hh"], P["b_h"])
    return h_t, (h_t, c_t)


def forward(cell: str, P: dict[str, torch.Tensor], x: torch.Tensor, memory: bool = True):
    """Run the unrolled network over one-hot inputs x, (B, T, V).

    Returns (logits (B, T, V), hidden states (B, T, H)). With ``memory=False`` every step starts
    from a zero state, so h_t depends on x_t alone: the recurrent term is gone.
    """
    B, T, V = x.shape
    H = P["W_hh"].shape[0]
    if not memory:  # no recurrent term: every step is one tick from a zero state, all at once
        hidden = cell_step(cell, P, x.reshape(B * T, V), init_state(cell, B * T, H))[0].view(B, T, H)
    else:
        state = init_state(cell, B, H)
        hs = []
        for t in range(T):  # the explicit time loop: each h_t is a number the page can show
            h_t, state = cell_step(cell, P, x[:, t], state)
            hs.append(h_t)
        hidden = torch.stack(hs, dim=1)  # (B, T, H)
    logits = hidden @ P["W_hy"] + P["b_y"]  # (B, T, V)
    return logits, hidden


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def make_windows(ids: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and next-character targets, (B, T) each.

    A short text is one sequence (B = 1). A long one is cut into windows of ``WINDOW`` steps,
    the last one ending at the final character, so no padding is needed.
    """
    inputs, targets = ids[:-1], ids[1:]
    N = len(inputs)
    if N <= WINDOW:
        return torch.tensor([inputs]), torch.tensor([targets])
    starts = list(range(0, N - WINDOW + 1, WINDOW))
    if starts[-1] != N - WINDOW:
        starts.append(N - WINDOW)
    return (
        torch.tensor([inputs[s : s + WINDOW] for s in starts]),
        torch.tensor([targets[s : s + WINDOW] for s in starts]),
    )


def rnn_loss_and_grad(P, x_ids, y_ids, memory=True):
    """Vanilla RNN forward pass and hand-written backpropagation through time.

    Autograd's per-node cost dominates on a 4-step, 8-unit model, so the vanilla cell takes the
    min-char-rnn route: the gradient is derived by hand (a test checks it against autograd).
    ``P`` holds views of the flat parameters (``unflatten``). Returns (loss, grad (P,),
    probs (B, T, V), hidden (B, T, H)).
    """
    W_xh, W_hh, b_h, W_hy, b_y = P["W_xh"], P["W_hh"], P["b_h"], P["W_hy"], P["b_y"]
    V, H = W_xh.shape
    B, T = x_ids.shape
    xw = W_xh[x_ids] + b_h  # (B, T, H): x_t W_xh for a one-hot x_t is a row lookup
    if memory:
        hs = []
        h_t = torch.zeros(B, H)
        for xw_t in xw.unbind(1):
            h_t = torch.tanh(torch.addmm(xw_t, h_t, W_hh))
            hs.append(h_t)
        hidden = torch.stack(hs, dim=1)
    else:
        hidden = torch.tanh(xw)  # no recurrent term: every step at once
    n = B * T
    flat_h = hidden.reshape(n, H)
    probs = torch.softmax(torch.addmm(b_y, flat_h, W_hy), dim=-1)  # (n, V)
    y_flat = y_ids.reshape(n, 1)
    p_target = probs.gather(1, y_flat)
    loss = -p_target.log().mean()

    dlogits = probs.scatter_add(1, y_flat, torch.full_like(p_target, -1.0)).div_(n)  # p - onehot(y)
    dW_hy = flat_h.T @ dlogits
    db_y = dlogits.sum(0)
    gain = (1 - hidden * hidden).reshape(n, H)  # tanh'(.) at every step
    dtanh = (gain * (dlogits @ W_hy.T)).view(B, T, H)  # back through the output layer and tanh
    probs = probs.view(B, T, V)
    if memory:
        W_hh_T = W_hh.T
        dtanh_t = dtanh.unbind(1)
        gain = gain.view(B, T, H).unbind(1)
        drs = [None] * T
        dh_next = None
        for t in reversed(range(T)):  # the gradient flows back through W_hh, one tick at a time
            dr_t = dtanh_t[t] if dh_next is None else torch.addcmul(dtanh_t[t], gain[t], dh_next)
            drs[t] = dr_t
            dh_next = dr_t @ W_hh_T
        dr = torch.stack(drs, dim=1)  # (B, T, H)
        h_prev = torch.cat([torch.zeros(B, 1, H), hidden[:, :-1]], dim=1).reshape(n, H)
        dW_hh = h_prev.T @ dr.reshape(n, H)
    else:
        dW_hh = torch.zeros(H, H)
        dr = dtanh
    dW_xh = torch.zeros(V, H).index_add_(0, x_ids.reshape(-1), dr.reshape(n, H))
    db_h = dr.sum(dim=(0, 1))
    grad = torch.cat([dW_xh.flatten(), dW_hh.flatten(), db_h, dW_hy.flatten(), db_y])
    return loss, grad, probs, hidden


def autograd_loss_and_grad(theta, cell, V, H, x_ids, y_ids, memory=True):
    """Any cell: the explicit loop, differentiated by autograd. Same returns as above."""
    theta = theta.detach().requires_grad_(True)
    P = unflatten(theta, cell, V, H)
    x = F.one_hot(x_ids, V).float()
    logits, hidden = forward(cell, P, x, memory)
    loss = F.cross_entropy(logits.reshape(-1, V), y_ids.reshape(-1))
    (grad,) = torch.autograd.grad(loss, theta)
    with torch.no_grad():
        probs = torch.softmax(logits, dim=-1)
    return loss.detach(), grad, probs, hidden.detach()


def torch_rnn(cell: str, V: int, H: int) -> torch.nn.Module:
    """torch's own GRU or LSTM module for ``fused_loss_and_grad``, built on the meta device: it holds no
    weights and draws nothing from the global RNG. One training builds it once and reuses it every step."""
    return (torch.nn.GRU if cell == "gru" else torch.nn.LSTM)(V, H, batch_first=True, device="meta")


def fused_loss_and_grad(theta, cell, V, H, x_ids, y_ids, rnn: torch.nn.Module | None = None):
    """GRU or LSTM with memory, run by torch's own nn.GRU / nn.LSTM on our weights. Same returns as above.

    The cell is the one ``forward``'s explicit loop computes (a test checks both give the same loss
    and gradient); torch's fused loop only trains it faster (bench/live_hello.py). ``rnn`` is a
    ``torch_rnn`` module of the training's own (not shared between threads: the call swaps our
    weights into it); without one a fresh one is built.
    """
    from torch.func import functional_call

    theta = theta.detach().requires_grad_(True)
    P = unflatten(theta, cell, V, H)
    rnn = rnn if rnn is not None else torch_rnn(cell, V, H)
    # torch keeps two biases; ours folds them into b_h, except the GRU candidate's b_hn inside r * (...)
    b_hh = torch.cat([torch.zeros(2 * H), P["b_hn"]]) if cell == "gru" else torch.zeros(GATES[cell] * H)
    weights = {"weight_ih_l0": P["W_xh"].T, "weight_hh_l0": P["W_hh"].T, "bias_ih_l0": P["b_h"], "bias_hh_l0": b_hh}
    hidden, _ = functional_call(rnn, weights, (F.one_hot(x_ids, V).float(),))  # (B, T, H)
    logits = hidden @ P["W_hy"] + P["b_y"]
    loss = F.cross_entropy(logits.reshape(-1, V), y_ids.reshape(-1))
    (grad,) = torch.autograd.grad(loss, theta)
    with torch.no_grad():
        probs = torch.softmax(logits, dim=-1)
    return loss.detach(), grad, probs, hidden.detach()


def memoryless_loss_and_grad(theta, cell, V, H, x_ids, y_ids):
    """GRU or LSTM without memory, from one tick per vocabulary character. Same returns as above.

    With no recurrent term h_t depends on x_t alone, so ``forward`` runs the tick once on each of the
    V one-hot characters, and the loss needs only how often each character follows each other one
    (the bigram counts): −(1/N) Σ_ab count(a→b) log P(b | a). That is the mean cross-entropy
    ``autograd_loss_and_grad(..., memory=False)`` computes over every position of the text (a test
    checks loss and gradient), from V rows instead of N.
    """
    theta = theta.detach().requires_grad_(True)
    P = unflatten(theta, cell, V, H)
    logits_v, hidden_v = forward(cell, P, torch.eye(V)[None], memory=False)  # (1, V, V), (1, V, H): row a is x_t = a
    counts = torch.bincount((x_ids * V + y_ids).flatten(), minlength=V * V).view(V, V)  # count(a→b)
    loss = -(counts * F.log_softmax(logits_v[0], dim=-1)).sum() / x_ids.numel()
    (grad,) = torch.autograd.grad(loss, theta)
    with torch.no_grad():
        probs = torch.softmax(logits_v[0], dim=-1)[x_ids]  # (B, T, V): each position reads its character's row
    return loss.detach(), grad, probs, hidden_v[0].detach()[x_ids]


@dataclass(frozen=True)
class TrainingRecord:
    """What training leaves behind for the page: one row per recorded step.

    ``probs``/``hidden`` cover the first window of the text (the whole text when it is short).
    """

    config: CharLMConfig
    itos: tuple[str, ...]
    inputs: np.ndarray  # (T,) input ids of the displayed window
    targets: np.ndarray  # (T,) the next character at each input
    steps: np.ndarray  # (S,) training step of each snapshot; 0 is before any update
    loss: np.ndarray  # (S,) mean cross-entropy over the whole text at that step
    probs: np.ndarray  # (S, T, V) softmax over the next character
    hidden: np.ndarray  # (S, T, H) hidden states h_t
    theta: np.ndarray  # (S, P) all weights, so any snapshot can generate text
    stopped_early: bool = False
    meta: dict = field(default_factory=dict)

    @property
    def p_target(self) -> np.ndarray:
        """(S, T): probability the model gives the correct next character."""
        return np.take_along_axis(self.probs, self.targets[None, :, None], axis=-1)[..., 0]

    def snapshot_index(self, step: int) -> int:
        """Index of the last snapshot taken at or before ``step``."""
        return int(np.clip(np.searchsorted(self.steps, step, side="right") - 1, 0, len(self.steps) - 1))


SNAPSHOT_BUDGET = 1_500_000  # floats kept per record; long texts record every k-th step


def train(cfg: CharLMConfig, on_step: OnStep | None = None, stop_at: float | None = None) -> TrainingRecord:
    """Train the character model on ``cfg.text`` and record every (or every k-th) step.

    ``on_step(step, total)`` reports progress. ``stop_at`` ends training as soon as every target
    character has probability at least that high (the benchmark's criterion).
    """
    check_text(cfg.text)
    if cfg.cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, not {cfg.cell!r}")
    vocab = Vocab.from_text(cfg.text)
    V, H = len(vocab), cfg.hidden_size
    x_ids, y_ids = make_windows(vocab.encode(cfg.text))
    T = x_ids.shape[1]
    theta = init_theta(cfg.cell, V, H, cfg.seed)
    P = unflatten(theta, cfg.cell, V, H)  # views: they follow theta's in-place updates
    opt = torch.optim.Adam([theta], lr=cfg.lr)
    rnn = torch_rnn(cfg.cell, V, H) if cfg.cell != "rnn" and cfg.memory else None

    per_snapshot = T * (V + H) + theta.numel()
    every = max(1, math.ceil((cfg.steps + 1) * per_snapshot / SNAPSHOT_BUDGET))
    snaps: list[tuple[int, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]] = []
    losses = []
    stopped = False
    with torch.no_grad():
        for step in range(cfg.steps + 1):
            if cfg.cell == "rnn":
                loss, grad, probs, hidden = rnn_loss_and_grad(P, x_ids, y_ids, cfg.memory)
            elif cfg.memory:  # GRU, LSTM: torch's fused loop over the same cell
                with torch.enable_grad():
                    loss, grad, probs, hidden = fused_loss_and_grad(theta, cfg.cell, V, H, x_ids, y_ids, rnn)
            else:  # no recurrence: one tick per vocabulary character, looked up at every step
                with torch.enable_grad():
                    loss, grad, probs, hidden = memoryless_loss_and_grad(theta, cfg.cell, V, H, x_ids, y_ids)
            done = stop_at is not None and bool(probs.gather(-1, y_ids.unsqueeze(-1)).min() >= stop_at)
            last = step == cfg.steps or done
            if step % every == 0 or last:  # a snapshot: what the replay slider shows for this step
                snaps.append((step, loss, probs[0], hidden[0], theta.clone()))
            losses.append(loss)
            if last:
                stopped = done and step < cfg.steps
                break
            norm = grad.norm()
            if norm > CLIP_NORM:
                grad.mul_(CLIP_NORM / norm)
            theta.grad = grad
            opt.step()
            if step % 10 == 0:
                report(on_step, step, cfg.steps)
    report(on_step, cfg.steps, cfg.steps)
    return TrainingRecord(
        config=cfg,
        itos=vocab.itos,
        inputs=x_ids[0].numpy(),
        targets=y_ids[0].numpy(),
        steps=np.array([s[0] for s in snaps]),
        loss=torch.stack([s[1] for s in snaps]).numpy(),
        probs=torch.stack([s[2] for s in snaps]).numpy(),
        hidden=torch.stack([s[3] for s in snaps]).numpy(),
        theta=torch.stack([s[4] for s in snaps]).numpy(),
        stopped_early=stopped,
        meta={"windows": int(x_ids.shape[0]), "window_len": int(T), "record_every": every,
              "loss_every_step": torch.stack(losses).numpy()},
    )


# ---------------------------------------------------------------------------------------------
# Reading a trained model: the chain rule and sampling
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainRule:
    """P(text | first char) = Π_t P(c_{t+1} | c_1..c_t), with its log and perplexity."""

    factors: np.ndarray  # (T,) P(target_t | inputs so far)
    probability: float
    log_prob: float  # natural log
    perplexity: float  # exp(mean negative log-likelihood); 1 is perfect, V is guessing


def chain_rule(probs: np.ndarray, targets: np.ndarray) -> ChainRule:
    """Combine per-step probabilities (T, V) of the target characters (T,)."""
    factors = probs[np.arange(len(targets)), targets].astype(np.float64)
    log_p = float(np.log(factors).sum())
    return ChainRule(factors, float(np.exp(log_p)), log_p, float(np.exp(-log_p / len(factors))))


def sample(
    cfg: CharLMConfig,
    itos: tuple[str, ...],
    theta: np.ndarray,
    start: str,
    length: int,
    temperature: float,
    n_samples: int,
    seed: int = 0,
) -> list[str]:
    """Generate ``n_samples`` texts of ``length`` new characters after ``start``.

    Each step samples from softmax(logits / temperature); temperature 0 means greedy (argmax).
    A positive temperature below ``MIN_TEMPERATURE`` counts as ``MIN_TEMPERATURE`` (nearly greedy).
    """
    stoi = {ch: i for i, ch in enumerate(itos)}
    unknown = [ch for ch in start if ch not in stoi]
    if not start or unknown:
        raise TextError(f"The start must use characters the model knows: {''.join(itos)!r}.")
    V, H = len(itos), cfg.hidden_size
    P = unflatten(torch.as_tensor(theta, dtype=torch.float32), cfg.cell, V, H)
    gen = torch.Generator().manual_seed(seed)
    state = init_state(cfg.cell, n_samples, H)
    feed = [stoi[ch] for ch in start]  # the priming text, read one character at a time
    out: list[list[str]] = [[] for _ in range(n_samples)]
    with torch.no_grad():
        for t in range(len(start) - 1 + length):
            ids = torch.full((n_samples,), feed[t]) if t < len(feed) else ids
            if not cfg.memory:
                state = init_state(cfg.cell, n_samples, H)
            h_t, state = cell_step(cfg.cell, P, F.one_hot(ids, V).float(), state)
            if t < len(feed) - 1:
                continue  # still reading the priming text
            logits = h_t @ P["W_hy"] + P["b_y"]
            if not temperature > 0:  # 0, or not a number: greedy
                ids = logits.argmax(dim=-1)
            else:
                probs = torch.softmax(logits / max(temperature, MIN_TEMPERATURE), dim=-1)
                ids = torch.multinomial(probs, 1, generator=gen)[:, 0]
            for row, i in zip(out, ids.tolist()):
                row.append(itos[i])
    return [start + "".join(row) for row in out]


def next_char_table(text: str) -> dict[str, dict[str, int]]:
    """For each character, how often each character follows it in the text.

    Without memory the model sees only the current character, so the best it can do is these
    counts, normalised: after "l" in "hello" that is l: 1, o: 1, i.e. 0.5 each.
    """
    table: dict[str, dict[str, int]] = {}
    for cur, nxt in zip(text, text[1:]):
        row = table.setdefault(cur, {})
        row[nxt] = row.get(nxt, 0) + 1
    return table


# ---------------------------------------------------------------------------------------------
# What the page reads off two records: the chain rule of the shown window, and why memory matters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextProbability:
    """The chain rule over the displayed window at one recorded step, factor by factor."""

    step: int
    targets: tuple[str, ...]  # (T,) the character each factor predicts
    contexts: tuple[str, ...]  # (T,) the text read before it, within the window
    chain: ChainRule
    covered: int  # characters whose probability is computed (the window plus its first character)
    text_length: int  # characters in the whole training text

    @property
    def whole_text(self) -> bool:
        return self.covered == self.text_length


def text_probability(rec: TrainingRecord, step: int) -> TextProbability:
    """P(window | its first character) at the snapshot shown for ``step``, as the chain rule's factors."""
    i = rec.snapshot_index(step)
    inputs = [rec.itos[j] for j in rec.inputs]
    contexts = tuple("".join(inputs[: t + 1]) for t in range(len(inputs)))
    return TextProbability(
        step=int(rec.steps[i]), targets=tuple(rec.itos[j] for j in rec.targets), contexts=contexts,
        chain=chain_rule(rec.probs[i], rec.targets), covered=len(inputs) + 1, text_length=len(rec.config.text),
    )


@dataclass(frozen=True)
class MemoryRow:
    position: int  # t, 0-based, in the displayed window
    so_far: str  # the input read up to and including t
    current: str  # x_t: all a memoryless model sees
    true_next: str
    p_on: float  # P(true next) after training, memory on
    p_off: float  # the same, memory off
    best_off: float  # the most a memoryless model can give it: the bigram count's share after ``current``


@dataclass(frozen=True)
class MemoryComparison:
    """The positions whose input character is followed by different characters in the window."""

    rows: tuple[MemoryRow, ...]  # empty when every character is always followed by the same one
    followers: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # ambiguous char → (next, count)…
    steps: int  # both models trained this many steps
    hidden_size: int

    @property
    def uses_memory(self) -> bool:
        """Whether memory on beats the best a memoryless model can do, by 0.05, at every such position."""
        return bool(self.rows) and all(r.p_on > r.best_off + MEMORY_MARGIN for r in self.rows)

    @property
    def worse_with_memory(self) -> tuple[MemoryRow, ...]:
        """Positions where memory on gives the true next character less than memory off does."""
        return tuple(r for r in self.rows if r.p_on < r.p_off - MEMORY_MARGIN)


MEMORY_MARGIN = 0.05  # differences of P(true next) smaller than this are not called better or worse


def memory_comparison(with_memory: TrainingRecord, without: TrainingRecord) -> MemoryComparison:
    """Compare P(true next) of two fully trained records (memory on and off) where memory can matter."""
    inputs = [with_memory.itos[j] for j in with_memory.inputs]
    targets = [with_memory.itos[j] for j in with_memory.targets]
    window = "".join(inputs) + targets[-1]
    follow = next_char_table(window)
    ambiguous = {c: row for c, row in follow.items() if len(row) > 1}
    rows = []
    for t, (cur, nxt) in enumerate(zip(inputs, targets)):
        if cur in ambiguous:
            counts = ambiguous[cur]
            rows.append(MemoryRow(
                position=t, so_far="".join(inputs[: t + 1]), current=cur, true_next=nxt,
                p_on=float(with_memory.p_target[-1, t]), p_off=float(without.p_target[-1, t]),
                best_off=counts[nxt] / sum(counts.values()),
            ))
    return MemoryComparison(
        rows=tuple(rows),
        followers=tuple((c, tuple(row.items())) for c, row in ambiguous.items()),
        steps=int(with_memory.steps[-1]), hidden_size=with_memory.config.hidden_size,
    )
