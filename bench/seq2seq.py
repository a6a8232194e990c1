"""Benchmark the encoder–decoder lesson: time to 98 % held-out exact match, training and decoding speed.

Run: python bench/seq2seq.py   (prints one line per measurement, with ratios against a reference)
"""

from __future__ import annotations

import dataclasses
import os
import time

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from core import seq2seq as s2s


def per_input(fn, inputs, repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        for x in inputs:
            fn(x)
    return (time.perf_counter() - t0) / (repeat * len(inputs))


def main() -> None:
    print(f"seq2seq machine  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start (shared CPU: times scale with it)")
    cfg = dataclasses.replace(s2s.Seq2SeqConfig(), eval_every=25)  # same training as the page; measured more often
    tm = s2s.train(cfg)
    secs = np.array(tm.meta["train_seconds_at_eval"])
    hit = np.nonzero(tm.exact_match >= 0.98)[0]
    train_s = tm.seconds - tm.meta["eval_seconds"]
    if len(hit):
        i = hit[0]
        print(f"seq2seq train   task={cfg.task} H={cfg.hidden_size}: 98% held-out exact match after {secs[i]:.1f} s "
              f"(step {tm.eval_steps[i]}), final {tm.final_exact_match:.1%} after {cfg.steps} steps in {train_s:.1f} s "
              f"({secs[i] / 60:.2f} of the 60 s budget)")
    else:
        print(f"seq2seq train   task={cfg.task}: never reached 98% (final {tm.final_exact_match:.1%}) in {train_s:.1f} s")
    ex_s = tm.examples_seen / train_s
    print(f"seq2seq speed   {ex_s:,.0f} training examples/s (batch {cfg.batch_size}, teacher forcing 1.0: whole sequence at once)")
    tf_cfg = dataclasses.replace(cfg, teacher_forcing=0.5, steps=40, eval_every=10_000)
    tf = s2s.train(tf_cfg, data=tm.data)
    tf_s = tf.examples_seen / (tf.seconds - tf.meta["eval_seconds"])
    print(f"seq2seq speed   {tf_s:,.0f} training examples/s at teacher forcing 0.5 (step by step): "
          f"{tf_s / ex_s:.2f}× the ratio-1.0 speed")
    inputs = [e.source for e in tm.data.test[:100]]
    greedy = per_input(lambda x: s2s.decode(tm, x), inputs)
    beam1 = per_input(lambda x: s2s.beam(tm, x, 1), inputs)
    beam5 = per_input(lambda x: s2s.beam(tm, x, 5), inputs)
    t0 = time.perf_counter()
    s2s.greedy_batch(tm.model, tm.data, inputs)
    batched = (time.perf_counter() - t0) / len(inputs)
    print(f"seq2seq decode  greedy {greedy * 1e3:.2f} ms/input; beam width 1 {beam1 * 1e3:.2f} ms ({beam1 / greedy:.2f}× greedy); "
          f"beam width 5 {beam5 * 1e3:.2f} ms ({beam5 / greedy:.2f}× greedy); batched greedy {batched * 1e3:.3f} ms "
          f"({batched / greedy:.3f}× greedy)")
    beam_hits = sum(tm.data.tgt.decode(s2s.beam(tm, e.source, 5).hypotheses[0][0]) == e.target for e in tm.data.test)
    print(f"seq2seq quality held-out exact match greedy {tm.final_exact_match:.1%}, beam width 5 {beam_hits / len(tm.data.test):.1%} "
          f"({len(tm.data.test)} inputs)")
    print(f"seq2seq machine  load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
