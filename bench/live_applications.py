"""The further-applications lesson's default demos, each trained from scratch with default settings.

``DEMOS = {"name": fn}``: each ``fn()`` runs one demo (imports done beforehand) and returns
``(seconds, quality)``. Running this file prints one line per demo, each from a fresh process:

    live demo=<name> seconds=<s> quality=<q>

Run: /work/main/.venv/bin/python bench/live_applications.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def captioner() -> tuple[float, str]:
    from bench.live import timed
    from core.applications import captioning as cap

    seconds, run = timed(cap.train, cap.CaptionConfig())
    g, b = run.scores["greedy"], run.scores["beam"]
    return seconds, (f"heldout_exact_greedy={g['exact match %']:.1f}% heldout_exact_beam{run.config.beam_width}="
                     f"{b['exact match %']:.1f}% bleu4={g['BLEU']:.1f} image_at={run.config.image_at}")


def captioner_what_if() -> tuple[float, str]:
    """The what-if retrain: C at every step (the paper's model is already cached when a student asks)."""
    from dataclasses import replace

    from bench.live import timed
    from core.applications import captioning as cap

    seconds, run = timed(cap.train, replace(cap.CaptionConfig(), image_at="every"))
    return seconds, f"heldout_exact_greedy={run.scores['greedy']['exact match %']:.1f}% image_at=every"


def text_generator() -> tuple[float, str]:
    from core.applications import textgen as tg

    from bench.live import timed

    # the corpus is read from the app's cache folder (the dump is parsed once per machine), inside the clock
    seconds, run = timed(lambda: tg.train(tg.corpus_text("wiki"), tg.CharGenConfig()))
    sample = tg.generate(run, "The ", 200, 0.7, 4, seed=0)
    share, n = tg.real_word_share([s[4:] for s in sample.samples], run.words)
    return seconds, (f"heldout_bits_per_char={run.bits_per_char:.3f} unigram_bits={run.unigram_bits:.3f} "
                     f"real_words={100 * share:.0f}%_of_{n}")


DEMOS = {"captioner": captioner, "captioner_what_if": captioner_what_if, "text_generator": text_generator}


def _imports() -> float:
    """Import what the demos use, including what torch loads lazily on first use: an optimizer's first
    step imports torch._dynamo, a first module built on the meta device torch's decompositions (about
    2.5 s together). A server pays these once per process, in its warm-up (as bench/live_hello.py)."""
    t0 = time.perf_counter()
    import sacrebleu.metrics  # noqa: F401  (the captioner's BLEU)
    from bench.live import torch_first_use
    from core.applications import captioning, textgen  # noqa: F401
    from core.common.runtime import torch_thread_policy

    torch_thread_policy()  # what the training door does before each job
    torch_first_use()
    return time.perf_counter() - t0


if __name__ == "__main__":
    from bench.live import run_lesson

    run_lesson(__file__, DEMOS, _imports)
