"""Every live demo's default training, each in a fresh process: seconds next to what it shows.

Runs each lesson's ``bench/live_<lesson>.py`` (which starts one fresh process per demo, with its
libraries imported before the clock starts) and prints their lines, in lecture order:

    live demo=<name> seconds=<s> quality=<what the demo must keep showing>
    live before demo=<name> seconds=<s>   (the same demo measured before this round, for reference)

Run on a quiet machine: python bench/live.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["hello", "embeddings", "seq2seq", "applications", "sound", "handwriting"]
# Measured on this 2-core machine before the speed work (issue "Live in seconds"), fresh processes.
BEFORE = {
    "bank": 26, "bottleneck": 24, "encoder_decoder": 22, "word2vec": 24, "tsne_first_call": 20.5,
    "umap_first_call": 35.5, "captioner": 16, "text_generator": 16, "classification": 8,
}


def torch_first_use() -> None:
    """What torch loads on first use, paid before a demo's clock starts (a server pays it once, in its
    warm-up): an optimizer's first step imports torch._dynamo, a first module built on the meta device
    loads torch's decompositions (about 2.5 s together)."""
    import torch

    x = torch.zeros(1)
    opt = torch.optim.Adam([x])
    x.grad = torch.ones(1)
    opt.step()
    with torch.device("meta"):
        torch.nn.Embedding(2, 2)


def timed(fn: Callable, *args):
    """(wall seconds, result) of ``fn(*args)``: a demo's training, timed alone."""
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def run_lesson(script: str, demos: dict[str, Callable[[], tuple[float, str]]], imports: Callable[[], object]) -> None:
    """A lesson's ``bench/live_<lesson>.py`` entry point.

    With ``--one NAME``: ``imports()`` (libraries and what they load on first use, as a running server
    has them), then the demo, which returns ``(seconds, quality)``, and one line
    ``live demo=NAME seconds=… quality=… cpu_s=… load1=…`` (CPU of the demo in this process: what it
    costs whatever else the machine runs). Without arguments: every demo, each in a fresh process.
    """
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        name = sys.argv[2]
        t0 = time.perf_counter()
        imports()
        print(f"# {name}: imports and first-use loading took {time.perf_counter() - t0:.2f} s before the clock "
              "started", flush=True)
        cpu0 = time.process_time()
        seconds, quality = demos[name]()
        cpu = time.process_time() - cpu0
        print(f"live demo={name} seconds={seconds:.2f} quality={quality} cpu_s={cpu:.2f} "
              f"load1={os.getloadavg()[0]:.1f}", flush=True)
        return
    for name in demos:
        out = subprocess.run([sys.executable, script, "--one", name], capture_output=True, text=True, cwd=ROOT)
        lines = [x for x in out.stdout.splitlines() if x.startswith("live demo=")]
        print(lines[-1] if lines else f"live demo={name} seconds=nan quality=FAILED:{out.stderr.strip()[-300:]}",
              flush=True)


def main() -> None:
    for lesson in ORDER:
        script = ROOT / "bench" / f"live_{lesson}.py"
        if not script.exists():
            continue
        out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=1800)
        for line in out.stdout.splitlines():
            if line.startswith("live "):
                print(line, flush=True)
        if out.returncode != 0:
            print(f"live note: {script.name} failed: {out.stderr.strip()[-300:]}", flush=True)
    for name, seconds in BEFORE.items():
        print(f"live before demo={name} seconds={seconds}")


if __name__ == "__main__":
    main()
