"""Karpathy's min-char-rnn in numpy: the reference the hello lesson's vanilla RNN is checked against.

Column vectors as in the original (``h = tanh(Wxh x + Whh h_prev + bh)``); the lesson uses row vectors,
so its ``W_xh`` is ``Wxh.T``. ``loss_and_grads`` is the original's ``lossFun``: the summed
cross-entropy over one sequence and its gradients by backpropagation through time. ``steps_to`` trains
with the original's Adagrad update until every target has probability ≥ ``criterion`` (used by
bench/hello_training.py as the speed reference).
"""

from __future__ import annotations

import numpy as np


def init(V: int, H: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"Wxh": rng.standard_normal((H, V)) * 0.01, "Whh": rng.standard_normal((H, H)) * 0.01,
            "Why": rng.standard_normal((V, H)) * 0.01, "bh": np.zeros((H, 1)), "by": np.zeros((V, 1))}


def loss_and_grads(p: dict[str, np.ndarray], inputs: list[int], targets: list[int], memory: bool = True):
    """Summed loss, gradients (same keys as ``p``), and the softmax at each step, (T, V)."""
    Wxh, Whh, Why, bh, by = p["Wxh"], p["Whh"], p["Why"], p["bh"], p["by"]
    V, H = Why.shape
    xs, hs, ps = {}, {-1: np.zeros((H, 1))}, {}
    loss = 0.0
    for t, i in enumerate(inputs):
        xs[t] = np.zeros((V, 1))
        xs[t][i] = 1
        h_prev = hs[t - 1] if memory else np.zeros((H, 1))
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ h_prev + bh)
        y = Why @ hs[t] + by
        e = np.exp(y - y.max())
        ps[t] = e / e.sum()
        loss += -np.log(ps[t][targets[t], 0])
    g = {k: np.zeros_like(v) for k, v in p.items()}
    dhnext = np.zeros((H, 1))
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        g["Why"] += dy @ hs[t].T
        g["by"] += dy
        dh = Why.T @ dy + (dhnext if memory else 0)
        dhraw = (1 - hs[t] ** 2) * dh
        g["bh"] += dhraw
        g["Wxh"] += dhraw @ xs[t].T
        if memory:
            g["Whh"] += dhraw @ hs[t - 1].T
        dhnext = Whh.T @ dhraw
    return loss, g, np.concatenate([ps[t].T for t in range(len(inputs))])


def steps_to(text: str, hidden_size: int, seed: int, criterion: float, lr: float = 0.1,
             max_steps: int = 100_000) -> int:
    """Adagrad updates on the whole text as one sequence until every target has P ≥ ``criterion``."""
    chars = list(dict.fromkeys(text))
    ix = {c: i for i, c in enumerate(chars)}
    inputs, targets = [ix[c] for c in text[:-1]], [ix[c] for c in text[1:]]
    p = init(len(chars), hidden_size, seed)
    mem = {k: np.zeros_like(v) for k, v in p.items()}
    for step in range(max_steps):
        _, g, probs = loss_and_grads(p, inputs, targets)
        if probs[np.arange(len(targets)), targets].min() >= criterion:
            return step
        for k in p:
            np.clip(g[k], -5, 5, out=g[k])
            mem[k] += g[k] * g[k]
            p[k] -= lr * g[k] / np.sqrt(mem[k] + 1e-8)
    raise RuntimeError("min-char-rnn did not reach the criterion")
