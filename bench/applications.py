"""Benchmark of the further-applications demos: held-out figures against simple references.

One line per demo, each with a ratio against a reference computed in the same process:
- captioning: the trained CNN → GRU captioner against always writing the most common training caption;
- text generation: held-out bits per character against a unigram (order-blind) character model and log2 V;

Run: /work/venv/bin/python bench/applications.py
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.applications import captioning as cap  # noqa: E402
from core.applications import textgen as cg  # noqa: E402


def bench_captioning() -> None:
    cfg = cap.CaptionConfig()
    t0 = time.perf_counter()
    run = cap.train(cfg)
    secs = time.perf_counter() - t0
    train = cap.make_dataset(cfg.n_train, cfg.seed)
    common = Counter(train.captions).most_common(1)[0][0]
    ref = cap.caption_scores([common] * len(run.heldout.captions), list(run.heldout.captions))
    g, b = run.scores["greedy"], run.scores["beam"]
    print(
        f"captioning: held-out exact match greedy {g['exact match %']:.1f} % / beam{cfg.beam_width} "
        f"{b['exact match %']:.1f} %, BLEU {g['BLEU']:.1f} / {b['BLEU']:.1f}, BLEU-1 {g['BLEU-1']:.1f}; "
        f"reference (always the most common training caption, “{common}”) exact {ref['exact match %']:.1f} %, "
        f"BLEU {ref['BLEU']:.1f}, BLEU-1 {ref['BLEU-1']:.1f}; BLEU-1 ratio {g['BLEU-1'] / max(ref['BLEU-1'], 1e-9):.2f}x; held-out loss {run.heldout_loss:.3f} nats = "
        f"{run.heldout_loss / math.log(len(cap.ITOS)):.3f} x ln V; trained in {secs:.1f} s"
    )


def bench_chargen() -> None:
    text = cg.load_corpus("lee")
    cfg = cg.CharGenConfig()
    t0 = time.perf_counter()
    run = cg.train(text, cfg)
    secs = time.perf_counter() - t0
    train, held = cg.split(text)
    counts = Counter(train)
    total = sum(counts.values()) + len(run.itos)  # add-one smoothing over the vocabulary
    unigram_bits = -np.mean([math.log2((counts[c] + 1) / total) for c in held])
    print(
        f"chargen: held-out {run.bits_per_char:.3f} bits/char (loss {run.heldout_loss[-1]:.3f} nats vs ln V "
        f"{run.ln_v:.3f}); log2 V = {math.log2(len(run.itos)):.3f}; unigram reference {unigram_bits:.3f} "
        f"bits/char; ratio to unigram {run.bits_per_char / unigram_bits:.3f}; trained in {secs:.1f} s"
    )


if __name__ == "__main__":
    bench_captioning()
    bench_chargen()
