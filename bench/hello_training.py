"""How fast does the default "hello" model learn, against the numpy min-char-rnn, and what Adam costs.

1. Trains the lesson's default model (recording snapshots, as the page does) until P(target) >= 0.95
   at every position, and in the same process the min-char-rnn reference (tests/unit/hello/min_char_rnn.py:
   vanilla RNN, same hidden size, full backpropagation through time, Adagrad) to the same criterion.
   Medians over --runs runs, interleaved so both see the same machine load.
2. Times one update of ``torch.optim.Adam`` (what the lesson uses) against the flat-vector Adam the
   lesson used to hand-write (kept below as the comparison), on the default model's parameter vector,
   and sets that against a whole default training.

    hello_training project_ms=… reference_ms=… ratio=…
    hello_adam torch_optim_us=… flat_us=… extra_ms_per_default_training=… default_training_ms=…

Run: python bench/hello_training.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "hello"))

from core.common.runtime import torch_thread_policy  # noqa: E402
from core.hello.model import CharLMConfig, init_theta, train  # noqa: E402
from min_char_rnn import steps_to  # noqa: E402

CRITERION = 0.95


class FlatAdam:
    """The hand-written Adam on one flat vector that the lesson replaced by torch.optim.Adam."""

    def __init__(self, lr: float, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.betas, self.eps, self.t, self.m, self.v = lr, betas, eps, 0, None, None

    def step(self, theta: torch.Tensor, grad: torch.Tensor) -> None:
        b1, b2 = self.betas
        if self.m is None:
            self.m, self.v = torch.zeros_like(theta), torch.zeros_like(theta)
        self.t += 1
        self.m.lerp_(grad, 1 - b1)
        self.v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        denom = (self.v / (1 - b2**self.t)).sqrt_().add_(self.eps)
        theta.addcdiv_(self.m, denom, value=-self.lr / (1 - b1**self.t))


def median_us(fn, updates: int, reps: int = 7) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) / updates * 1e6


def adam_costs(cfg: CharLMConfig, updates: int = 500) -> tuple[float, float]:
    theta0 = init_theta(cfg.cell, len(set(cfg.text)), cfg.hidden_size, cfg.seed)
    g = torch.Generator().manual_seed(0)
    grads = [torch.randn(theta0.shape, generator=g) for _ in range(updates)]

    def flat():
        theta, opt = theta0.clone(), FlatAdam(cfg.lr)
        for grad in grads:
            opt.step(theta, grad)

    def library():
        theta = theta0.clone()
        opt = torch.optim.Adam([theta], lr=cfg.lr)
        for grad in grads:
            theta.grad = grad
            opt.step()

    flat(), library()  # first calls pay one-time costs
    return median_us(library, updates), median_us(flat, updates)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    torch_thread_policy()
    default = CharLMConfig()  # the lesson's default: "hello", vanilla RNN, H=8, Adam
    cfg = replace(default, steps=10_000)  # room to reach the criterion
    train(cfg, stop_at=CRITERION)  # warm-up: first calls pay one-time costs
    steps_to(cfg.text, cfg.hidden_size, 0, CRITERION)
    project, reference, steps_p, steps_r = [], [], [], []
    for run in range(args.runs):
        t0 = time.perf_counter()
        rec = train(replace(cfg, seed=run), stop_at=CRITERION)
        project.append(time.perf_counter() - t0)
        steps_p.append(int(rec.steps[-1]))
        t0 = time.perf_counter()
        steps_r.append(steps_to(cfg.text, cfg.hidden_size, run, CRITERION))
        reference.append(time.perf_counter() - t0)
    p_ms, r_ms = statistics.median(project) * 1e3, statistics.median(reference) * 1e3
    print(
        f"# median updates to P(target)>={CRITERION}: project {statistics.median(steps_p)}, "
        f"reference {statistics.median(steps_r)}; per update: project "
        f"{p_ms / max(statistics.median(steps_p), 1):.3f} ms, reference {r_ms / max(statistics.median(steps_r), 1):.3f} ms"
    )
    print(f"hello_training project_ms={p_ms:.2f} reference_ms={r_ms:.2f} ratio={p_ms / r_ms:.2f}")

    lib_us, flat_us = adam_costs(default)
    full = []
    for run in range(args.runs):
        t0 = time.perf_counter()
        train(replace(default, seed=run))
        full.append(time.perf_counter() - t0)
    full_ms = statistics.median(full) * 1e3
    extra_ms = (lib_us - flat_us) * default.steps / 1e3
    print(f"# torch.optim.Adam costs {lib_us - flat_us:.0f} us more per update than the flat Adam; "
          f"the default training makes {default.steps} updates")
    print(f"hello_adam torch_optim_us={lib_us:.1f} flat_us={flat_us:.1f} extra_ms_per_default_training={extra_ms:.2f} "
          f"default_training_ms={full_ms:.1f}")


if __name__ == "__main__":
    main()
