"""Benchmark of the further-applications demos: held-out figures against simple references.

One line per demo, each with a ratio against a reference computed in the same process:
- captioning (Show and Tell: the image once, as the first input; and the what-if, C at every step): held-out
  exact match, greedy and beam, against always writing the most common training caption;
- text generation on Wikipedia (and on the Lee corpus): held-out bits per character against a unigram
  (order-blind) character model and log2 V, with samples and the share of their words that are real.

Run: /work/main/.venv/bin/python bench/applications.py [--caption-seeds 0,1,2,3,4]

``--caption-seeds`` trains only the Show and Tell captioner, once per seed, and prints each seed's line and
the means of its seconds, exact match, BLEU and held-out loss (what one training's luck moves).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.applications import captioning as cap  # noqa: E402
from core.applications import textgen as tg  # noqa: E402
from core.common.runtime import torch_thread_policy  # noqa: E402


def bench_captioning(image_at: str, seed: int = 0) -> tuple[float, float, float, float]:
    """One line for the captioner; returns (seconds, greedy exact match %, greedy BLEU, held-out loss)."""
    cfg = replace(cap.CaptionConfig(), image_at=image_at, seed=seed)
    t0 = time.perf_counter()
    run = cap.train(cfg)
    secs = time.perf_counter() - t0
    train = cap.make_dataset(cfg.n_train, cfg.seed)
    common = Counter(train.captions).most_common(1)[0][0]
    ref = cap.caption_scores([common] * len(run.heldout.captions), list(run.heldout.captions))
    g, b = run.scores["greedy"], run.scores["beam"]
    print(
        f"captioning image_at={image_at} seed={seed}: held-out exact match greedy {g['exact match %']:.1f} % / beam{cfg.beam_width} "
        f"{b['exact match %']:.1f} %, BLEU {g['BLEU']:.1f} / {b['BLEU']:.1f}, BLEU-1 {g['BLEU-1']:.1f} (toy score); "
        f"reference (always “{common}”) exact {ref['exact match %']:.1f} %, BLEU-1 {ref['BLEU-1']:.1f}; "
        f"held-out loss {run.heldout_loss:.3f} nats = {run.heldout_loss / math.log(len(cap.ITOS)):.3f} x ln V; "
        f"trained and scored in {secs:.1f} s", flush=True
    )
    return secs, g["exact match %"], g["BLEU"], run.heldout_loss


def bench_textgen(name: str) -> None:
    text = tg.corpus_text(name)
    cfg = tg.CharGenConfig()
    t0 = time.perf_counter()
    run = tg.train(text, cfg)
    secs = time.perf_counter() - t0
    gen = tg.generate(run, "The ", 200, 0.7, 4, seed=0)
    share, n_words = tg.real_word_share([s[4:] for s in gen.samples], run.words)
    print(
        f"textgen corpus={name}: held-out {run.bits_per_char:.3f} bits/char; unigram reference "
        f"{run.unigram_bits:.3f} bits/char (ratio {run.bits_per_char / run.unigram_bits:.3f}); log2 V = "
        f"{math.log2(len(run.itos)):.3f} (V = {len(run.itos)}); {run.n_train_chars:,} training chars; "
        f"{cfg.cell.upper()} {cfg.hidden_size}, {cfg.steps} steps; trained in {secs:.1f} s; "
        f"{100 * share:.0f} % of {n_words} sampled words are corpus words"
    )
    for i, sample in enumerate(gen.samples):
        print(f"  sample {i + 1} (T = 0.7): {sample!r}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--caption-seeds", default=None, help="e.g. 0,1,2,3,4: only the captioner, once per seed")
    args = ap.parse_args()
    torch_thread_policy()
    if args.caption_seeds:
        rows = [bench_captioning("first", int(s)) for s in args.caption_seeds.split(",")]
        m = [sum(col) / len(rows) for col in zip(*rows)]
        print(f"captioning image_at=first mean over seeds {args.caption_seeds}: {m[0]:.2f} s, exact match greedy "
              f"{m[1]:.1f} %, BLEU {m[2]:.1f}, held-out loss {m[3]:.3f}")
        sys.exit(0)
    bench_captioning("first")
    bench_captioning("every")
    bench_textgen("wiki")
    bench_textgen("lee")
