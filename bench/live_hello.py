"""Live demos of the hello lesson, each from scratch in a fresh process (libraries already imported).

``DEMOS`` maps a name to a function that runs one demo as the page does and returns
``(seconds, quality)``. Running this file prints one line per demo, each measured in its own
subprocess (bench/live.py aggregates the lessons' files):

    live demo=hello_default seconds=… quality=…

- hello_default: what a first visitor's page needs: the default training, its memory-off twin, and
  the step-0 charts and samples.
- hello_whatif_lstm: the same text with an LSTM and 64 hidden units (a typical what-if).
- hello_whatif_longest: the heaviest settings the sliders allow (2,000 characters, LSTM, 64 units,
  1,000 steps): the slowest what-if.

Run: python bench/live_hello.py [--one NAME]
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _scene(cfg) -> tuple[float, str]:
    """Train ``cfg`` and its memory twin and build the step-0 scene, as ui/hello.py does (no server)."""
    from core.common.runtime import torch_thread_policy
    from core.hello import figures, model

    torch_thread_policy()  # what the training door does before each job
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    rec = model.train(cfg)
    cpu1 = time.process_time()
    twin = model.train(replace(cfg, memory=not cfg.memory))
    print(f"# memory {'on' if cfg.memory else 'off'}: training {cpu1 - cpu0:.2f} s of CPU; its memory-"
          f"{'off' if cfg.memory else 'on'} twin {time.process_time() - cpu1:.2f} s", flush=True)
    cmp = model.memory_comparison(rec, twin)
    vocab = list(rec.itos)
    inputs, targets = [vocab[j] for j in rec.inputs], [vocab[j] for j in rec.targets]
    k = min(len(inputs), 8)
    figures.unrolled_network(inputs, targets, vocab, rec.probs[0], rec.hidden[0])
    figures.next_char_bars(inputs[:k], targets[:k], vocab, rec.probs[0][:k])
    figures.target_prob_curves(rec.steps, rec.p_target[:, :k], figures.step_labels(inputs, targets, k), 0)
    figures.loss_curve(rec.steps, rec.loss, 0, math.log(len(vocab)))
    model.sample(cfg, rec.itos, rec.theta[0], cfg.text[0], min(len(cfg.text) - 1, 200), 1.0, 5, cfg.seed)
    seconds = time.perf_counter() - t0
    quality = (f"min_P_target_window={rec.p_target[-1].min():.3f}_loss/lnV={rec.loss[-1] / math.log(len(vocab)):.3f}"
               f"_memory_beats_memoryless={cmp.uses_memory}")
    return seconds, quality


def hello_default() -> tuple[float, str]:
    from core.hello.model import CharLMConfig

    return _scene(CharLMConfig())


def hello_whatif_lstm() -> tuple[float, str]:
    from core.hello.model import CharLMConfig

    return _scene(CharLMConfig(cell="lstm", hidden_size=64))


def hello_whatif_longest() -> tuple[float, str]:
    from core.hello.model import MAX_TEXT_CHARS, CharLMConfig

    text = ("the quick brown fox jumps over the lazy dog, and hello world. " * 40)[:MAX_TEXT_CHARS]
    return _scene(CharLMConfig(text=text, cell="lstm", hidden_size=64, steps=1000))


DEMOS = {"hello_default": hello_default, "hello_whatif_lstm": hello_whatif_lstm,
         "hello_whatif_longest": hello_whatif_longest}


def _imports() -> float:
    """Import what the demo uses, including what torch and Plotly load lazily on first use: torch.optim's
    first step imports torch._dynamo, a first Heatmap/Bar/Scatter loads Plotly's validators. A server
    pays these once per process, in its warm-up (every lesson's torch.optim shares the first)."""
    t0 = time.perf_counter()
    import plotly.graph_objects as go

    from bench.live import torch_first_use

    import core.hello.figures  # noqa: F401
    import core.hello.model  # noqa: F401

    torch_first_use()
    go.Figure([go.Heatmap(z=[[0]]), go.Bar(y=[0]), go.Scatter(y=[0])])
    return time.perf_counter() - t0


if __name__ == "__main__":
    from bench.live import run_lesson

    run_lesson(__file__, DEMOS, _imports)
