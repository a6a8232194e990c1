"""How fast does the default "hello" model learn, against hand-written numpy?

Trains the lesson's default model (recording snapshots, as the page does) until P(target) >= 0.95
at every position, and in the same process a min-char-rnn-style numpy reference (vanilla RNN, same
hidden size, full backpropagation through time, Adagrad) to the same criterion. Prints medians
over --runs runs, interleaved so both see the same machine load:

    hello_training project_ms=… reference_ms=… ratio=…

Run: python bench/hello_training.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.hello.model import CharLMConfig, train  # noqa: E402

CRITERION = 0.95


def min_char_rnn(text: str, hidden_size: int, seed: int, lr: float = 0.1, max_steps: int = 100_000) -> int:
    """Karpathy's min-char-rnn recurrence and Adagrad update, on the whole text as one sequence.

    Returns the number of updates until every target has probability >= CRITERION.
    """
    chars = list(dict.fromkeys(text))
    V, H = len(chars), hidden_size
    ix = {c: i for i, c in enumerate(chars)}
    inputs = [ix[c] for c in text[:-1]]
    targets = [ix[c] for c in text[1:]]
    rng = np.random.default_rng(seed)
    Wxh = rng.standard_normal((H, V)) * 0.01
    Whh = rng.standard_normal((H, H)) * 0.01
    Why = rng.standard_normal((V, H)) * 0.01
    bh, by = np.zeros((H, 1)), np.zeros((V, 1))
    params = (Wxh, Whh, Why, bh, by)
    mem = [np.zeros_like(p) for p in params]
    for step in range(max_steps):
        xs, hs, ps = {}, {-1: np.zeros((H, 1))}, {}
        for t, i in enumerate(inputs):
            xs[t] = np.zeros((V, 1))
            xs[t][i] = 1
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            y = Why @ hs[t] + by
            e = np.exp(y - y.max())
            ps[t] = e / e.sum()
        if all(ps[t][targets[t], 0] >= CRITERION for t in range(len(inputs))):
            return step
        dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
        dbh, dby = np.zeros_like(bh), np.zeros_like(by)
        dhnext = np.zeros((H, 1))
        for t in reversed(range(len(inputs))):
            dy = ps[t].copy()
            dy[targets[t]] -= 1
            dWhy += dy @ hs[t].T
            dby += dy
            dh = Why.T @ dy + dhnext
            dhraw = (1 - hs[t] ** 2) * dh
            dbh += dhraw
            dWxh += dhraw @ xs[t].T
            dWhh += dhraw @ hs[t - 1].T
            dhnext = Whh.T @ dhraw
        for p, d, m in zip(params, (dWxh, dWhh, dWhy, dbh, dby), mem):
            np.clip(d, -5, 5, out=d)
            m += d * d
            p -= lr * d / np.sqrt(m + 1e-8)
    raise RuntimeError("reference did not converge")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    cfg = CharLMConfig()  # the lesson's default: "hello", vanilla RNN, H=8, Adam
    cfg = CharLMConfig(**{**cfg.__dict__, "steps": 10_000})  # room to reach the criterion
    train(cfg, stop_at=CRITERION)  # warm-up: first calls pay one-time costs
    min_char_rnn(cfg.text, cfg.hidden_size, 0)
    project, reference, steps_p, steps_r = [], [], [], []
    for run in range(args.runs):
        t0 = time.perf_counter()
        rec = train(CharLMConfig(**{**cfg.__dict__, "seed": run}), stop_at=CRITERION)
        project.append(time.perf_counter() - t0)
        steps_p.append(int(rec.steps[-1]))
        assert rec.p_target[-1].min() >= CRITERION
        t0 = time.perf_counter()
        steps_r.append(min_char_rnn(cfg.text, cfg.hidden_size, run))
        reference.append(time.perf_counter() - t0)
    p_ms, r_ms = statistics.median(project) * 1e3, statistics.median(reference) * 1e3
    print(
        f"# median updates to P(target)>={CRITERION}: project {statistics.median(steps_p)}, "
        f"reference {statistics.median(steps_r)}; per update: project "
        f"{p_ms / max(statistics.median(steps_p), 1):.3f} ms, reference {r_ms / max(statistics.median(steps_r), 1):.3f} ms"
    )
    print(f"hello_training project_ms={p_ms:.2f} reference_ms={r_ms:.2f} ratio={p_ms / r_ms:.2f}")


if __name__ == "__main__":
    main()
