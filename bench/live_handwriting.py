"""Live demos of the handwriting lesson (Graves 2013), each trained from scratch with default settings in a
fresh process. These are the app's longest default trainings: the server's warm-up trains them before the
first student arrives, and a what-if retrain shows its progress (bench/handwriting.py has the detail).

- handwriting_prediction: the unconditional network (pen offsets + mixture density output).
- handwriting_synthesis: the network with the soft attention window over the text.
Quality: held-out NLL per pen point, untrained and trained, against one Gaussian + pen-up frequency.

Run: python bench/live_handwriting.py  → ``live demo=<name> seconds=<s> quality=<q> cpu_s=… load1=…``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _train(kind: str) -> tuple[float, str]:
    import time

    from bench.handwriting import LINE
    from bench.live import timed
    from core.handwriting import model as Mo

    seconds, rec = timed(Mo.train, Mo.HandConfig(kind=kind))
    quality = (f"heldout_nll_per_point={rec.heldout_nll[-1]:.3f} untrained={rec.heldout_nll[0]:.3f} "
               f"one_gaussian_ref={rec.reference_nll:.3f}")
    if kind == "synthesis":  # then the page writes the slide's rows at the default bias, and at b = 0 to compare
        t0 = time.perf_counter()
        for bias in (2.0, 0.0):
            Mo.write(rec, LINE, bias=bias, seed=0, n=4)
        quality += f" then_writing_the_slides_rows_s={time.perf_counter() - t0:.2f}"
    return seconds, quality


DEMOS = {"handwriting_prediction": lambda: _train("prediction"), "handwriting_synthesis": lambda: _train("synthesis")}


def _imports() -> None:
    """The libraries, and the compiled loops loaded from numba's cache in the app's folder (which happens at their
    first call): one step of a tiny network of each kind, as a server has done before its first student."""
    from bench.live import torch_first_use
    from core.common.runtime import torch_thread_policy
    from core.handwriting import model, strokes  # noqa: F401

    torch_thread_policy()
    torch_first_use()
    for kind in model.KINDS:
        model.train(model.HandConfig(kind=kind, hidden=8, mixtures=1, window=1, steps=1, batch=2))


if __name__ == "__main__":
    from bench.live import run_lesson

    run_lesson(__file__, DEMOS, _imports)
