"""Benchmark the encoder–decoder lesson: what each speed choice buys, decoding cost, greedy against beam search.

Run: python bench/seq2seq.py [--quick]   (prints one line per measurement; --quick skips the speed ablation)

- ``parts``: what each saving inside a training buys (number words cached, batches taken from examples
  encoded once, fused Adam), old way against new, in CPU seconds.

- ``speed``: seconds and steps to the page's quality target for the choices the default config makes
  (hidden size, batch, learning rate, early stopping), each against the previous default.
- ``search``: held-out exact match of greedy decoding and of beam widths 1, 3 and 5 on every task, and how
  often the beam's output is more (or less) probable than greedy's.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from core.common.runtime import torch_thread_policy  # noqa: E402
from core.seq2seq import data as sd  # noqa: E402
from core.seq2seq import model as s2s  # noqa: E402

N_SEARCH = 200


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def timed_train(cfg: s2s.Seq2SeqConfig, data=None):
    """Seconds of CPU time (one thread): on a shared, loaded machine that is what a quiet one's clock shows."""
    t0 = time.process_time()
    tm = s2s.train(cfg, data=data)
    return time.process_time() - t0, tm


def speed() -> None:
    """Each row changes one thing; seconds include data generation and the final held-out measurement."""
    default = s2s.Seq2SeqConfig()
    old = dataclasses.replace(default, hidden_size=128, batch_size=64, lr=0.006, n_val=0, target=0.0)
    rows = [
        ("before: H=128, batch 64, lr 0.006, all 400 steps", old),
        ("+ early stop at 99 % of 300 validation items", dataclasses.replace(old, n_val=default.n_val, target=default.target)),
        ("+ H=64, batch 128, lr 0.015 (the default)", default),
        ("  default + batches bucketed by length (rejected)", dataclasses.replace(default, bucket=True)),
    ]
    base = None
    for name, cfg in rows:
        seconds, tm = timed_train(cfg)
        base = base or seconds
        print(f"seq2seq speed   {name:<48} {seconds:5.1f} s CPU ({seconds / base:.2f}× the first) "
              f"steps {tm.record.steps_run:3d}, held-out exact match {tm.record.held_out:.1%}", flush=True)


def parts() -> None:
    """What each per-training saving buys, in CPU seconds (one thread), old way against new."""
    import torch
    import torch.nn.functional as F

    t0 = time.process_time()
    for lang in ("en", "de"):
        [sd.number_words(k, lang) for k in range(sd.MAX_NUMBER + 1)]
    direct = time.process_time() - t0
    t0 = time.process_time()
    sd.number_table("en"), sd.number_table("de")
    print(f"seq2seq parts   number words 0–{sd.MAX_NUMBER} (English, German): num2words {direct:.2f} s, "
          f"the cached table {time.process_time() - t0:.3f} s", flush=True)

    data = sd.make_dataset("dates", 6000, 500, 0)
    rows = [torch.randperm(len(data.train), generator=torch.Generator().manual_seed(k))[:128].tolist()
            for k in range(100)]
    t0 = time.process_time()
    for r in rows:
        s2s.make_batch(data, [data.train[i] for i in r])
    from_text = (time.process_time() - t0) / len(rows)
    t0 = time.process_time()
    encoded = s2s.Batches(data, data.train)
    once = time.process_time() - t0
    t0 = time.process_time()
    for r in rows:
        encoded.take(r)
    take = (time.process_time() - t0) / len(rows)
    print(f"seq2seq parts   a batch of 128 dates: encoded from text {from_text * 1e3:.2f} ms, taken from the examples "
          f"encoded once {take * 1e3:.2f} ms (encoding all once {once:.2f} s)", flush=True)

    cfg = s2s.Seq2SeqConfig()
    batches = [encoded.take(r) for r in rows[:40]]
    for fused in (False, True):
        model = s2s.build_model(data, cfg, torch.Generator().manual_seed(0))
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, fused=fused)
        t0 = time.process_time()
        for x, n_x, y_in, y_out in batches:
            logits = model.forward_teacher(x, n_x, y_in)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y_out.reshape(-1), ignore_index=sd.PAD_ID)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), s2s.CLIP_NORM)
            opt.step()
        per_step = (time.process_time() - t0) / len(batches)
        print(f"seq2seq parts   a training step of the default model, Adam {'fused' if fused else 'per tensor'}: "
              f"{per_step * 1e3:.1f} ms", flush=True)


def search() -> None:
    for task in sd.TASKS:
        seconds, tm = timed_train(s2s.Seq2SeqConfig(task=task))
        score = s2s.search_scores(tm, (1, 3, 5), N_SEARCH)
        beams = " ".join(f"beam{w}={b:.1%}" for w, b in zip(score.widths, score.beam))
        ups = " ".join(f"{w}:+{u}/-{d}" for w, u, d in zip(score.widths, score.beam_beats_greedy_logp,
                                                          score.beam_below_greedy_logp))
        print(f"seq2seq search  task={task:<11} trained {seconds:4.1f} s; held-out exact match on {score.n}: "
              f"greedy={score.greedy:.1%} {beams}; beam output more/less probable than greedy's: {ups}", flush=True)
    tm = s2s.train(s2s.Seq2SeqConfig(task="numbers_de"))
    x = "nine thousand, nine hundred and ninety-nine"
    res = s2s.beam_search(tm, x, 3)
    print(f"seq2seq search  “{x}” → greedy “{res.greedy}” (log p {res.greedy_log_prob:.3f}), beam 3 “{res.outputs[0]}” "
          f"(log p {res.log_probs[0]:.3f}); correct “{sd.reference_target('numbers_de', x)}”", flush=True)


def decoding_cost() -> None:
    tm = s2s.train(s2s.Seq2SeqConfig())
    inputs = [e.source for e in tm.data.test[:100]]
    costs = {}
    for name, fn in (("greedy", lambda x: s2s.decode(tm, x)), ("beam 1", lambda x: s2s.beam(tm, x, 1)),
                     ("beam 5", lambda x: s2s.beam(tm, x, 5))):
        t0 = time.perf_counter()
        for x in inputs:
            fn(x)
        costs[name] = (time.perf_counter() - t0) / len(inputs)
    t0 = time.perf_counter()
    s2s.greedy_batch(tm.model, tm.data, inputs)
    costs["batched greedy"] = (time.perf_counter() - t0) / len(inputs)
    print("seq2seq decode  " + "; ".join(f"{k} {v * 1e3:.2f} ms/input ({v / costs['greedy']:.2f}× greedy)"
                                         for k, v in costs.items()), flush=True)


def main() -> None:
    torch_thread_policy()
    print(f"seq2seq machine  {load()} at the start (shared CPU: times scale with it)", flush=True)
    parts()
    if "--quick" not in sys.argv:
        speed()
    search()
    decoding_cost()
    print(f"seq2seq machine  {load()} at the end", flush=True)


if __name__ == "__main__":
    main()
