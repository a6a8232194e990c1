"""Graves' handwriting networks with the page's default settings: how well do they predict and write?

Prints, for the prediction network (§4) and the synthesis network (§5):
- held-out NLL per pen point (nats; offsets in units of the pen step) against a reference: one
  bivariate Gaussian fitted to the training offsets plus the pen-up frequency;
- how often the window's peak moves monotonically through the text, over held-out lines;
- a shape score: Chamfer distance between "more of national temperament" as written and as the font
  renders it (position and scale normalised), at bias 0 and 2, against an untrained network;
- training seconds, and CPU milliseconds per training step: batching its lines, and layer 1 + the window
  forward and backward by Layer1Window (alone, and wall ms for the batch's two halves at once on two threads)
  against autograd through nn.LSTMCell + soft_window (run it on a quiet machine; the lines say how loaded it was).

    nice -n 5 /work/main/.venv/bin/python bench/handwriting.py [--png out.png] [--steps N] [--buckets N] [--fp32]
        [--one-core] [--keep-denormals]
        [--seeds 0,1 [--kind prediction] [--seed-png out.png]] [--pen-step F]

--buckets 1 trains on random batches (each padded to the longest of 48 random lines), as before batching
by length: run it and the default one after the other to see what the batching buys.
--seeds 0,1,2,3 trains only the synthesis network (or --kind prediction), once per seed, and prints each
seed's CPU seconds, held-out NLL, and for synthesis window monotonicity and shape distances, then their
means (with --buckets 1, the same before batching by length).
--fp32 trains in float32 even where the CPU multiplies bfloat16 natively: run it and the default one after
the other to see what bfloat16 buys and whether the scores hold.

--one-core keeps each training step on one thread (as while students' pages are computing), where it
otherwise lends half of the step to a helper thread on the other core: the same numbers, bit for bit. Run it
and the default one after the other to see what the second core buys in wall seconds.

--pen-step 9 renders every line with a point every 9 font units instead of 5 (about 6 points a letter instead of
10): a what-if of the data. Layer 1's loop gets that much shorter; --seed-png shows what the letters look like.

The training set (Mo.training_lines) is rendered once into the app's folder; this prints what that takes, and
what reading it back takes.

--keep-denormals computes with numbers below float32's normal range where trainings flush them to 0
(runtime.flush_denormals): run it and the default one after the other to see what flushing buys.

--png writes the slide's layout (font row on top, written rows below) with PIL, to look at.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

import numpy as np
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from core.common import runtime  # noqa: E402
from core.common.runtime import torch_thread_policy  # noqa: E402
from core.handwriting import model as Mo  # noqa: E402
from core.handwriting import strokes as S  # noqa: E402

LINE = "more of national temperament"
SAMPLES = 6


def shape_scores(rec: Mo.HandRecord, bias: float, n: int = SAMPLES) -> np.ndarray:
    font = S.render(LINE)
    return np.array([Mo.chamfer(w.offsets, font) for w in Mo.write(rec, LINE, bias=bias, seed=1, n=n)])


def seed_sweep(seeds: list[int], kind: str, overrides: dict, png_path: str | None = None) -> None:
    """The default training of ``kind`` for each seed: what one training's luck moves.

    Per seed: wall and CPU seconds and held-out NLL; for synthesis also the held-out lines whose window peak never
    steps back, and the shape distance of the slide's line at b = 0 and b = 2 (12 samples each); then the
    means."""
    rows = []
    for seed in seeds:
        cfg = dataclasses.replace(Mo.HandConfig(kind=kind, seed=seed), **overrides)
        t0 = time.process_time()
        rec = Mo.train(cfg)
        row = [rec.seconds, time.process_time() - t0, rec.heldout_nll[-1]]
        if kind == "synthesis":
            texts, lines = Mo.heldout_lines()
            row.append(sum(Mo.monotone(Mo.read(rec, off, text).phi) for text, off in zip(texts, lines)))
            row += [shape_scores(rec, 0.0, 12).mean(), shape_scores(rec, 2.0, 12).mean()]
        rows.append(row)
        if png_path and kind == "synthesis" and seed == seeds[0]:
            png(rec, png_path)
        print(f"{kind} buckets={cfg.buckets} bf16={cfg.bf16} flush={runtime.FLUSH_DENORMALS} seed={seed} "
              + _sweep_fields(row), flush=True)
    print(f"{kind} buckets={cfg.buckets} bf16={cfg.bf16} flush={runtime.FLUSH_DENORMALS} mean over seeds {seeds}: "
          + _sweep_fields(list(np.mean(rows, axis=0))))


def _sweep_fields(row: list) -> str:
    out = f"wall_s={row[0]:.1f} cpu_s={row[1]:.1f} heldout_nll={row[2]:.3f}"
    if len(row) > 3:
        out += f" monotone={row[3]:.1f}/{Mo.N_HELDOUT} shape_b0={row[4]:.3f} shape_b2={row[5]:.3f}"
    return out


def best_ms(fn, repeats: int = 5, clock=time.process_time) -> float:
    """The fastest of a few runs in milliseconds: CPU time by default (the least disturbed by other processes),
    or wall time (clock=time.perf_counter) for work shared with a helper thread."""
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return 1e3 * min(times)


def step_costs() -> None:
    """What one default training step spends on its data and on layer 1 + the window: CPU ms for the whole batch
    on one thread, and wall ms for its two halves of lines at once on two threads, as while a core is spare."""
    from concurrent.futures import ThreadPoolExecutor

    import torch

    cfg = Mo.HandConfig()
    rng = np.random.default_rng(0)
    texts = [S.random_line(S.corpus_words().train, rng, cfg.max_chars) for _ in range(cfg.batch)]
    render = best_ms(lambda: [S.render(t, rng) for t in texts])  # one line at a time
    render_many = best_ms(lambda: S.render_many(texts, rng))  # all at once, as training draws them
    x, _, c = Mo._batch(texts, S.render_many(texts, rng))
    x = x[:, :-1]
    net = Mo._build(cfg, 10.0, torch.Generator().manual_seed(0))
    cell = net.cell1
    state = [torch.zeros(cfg.batch, n) for n in (cfg.hidden, cfg.hidden, cfg.window, len(S.ALPHABET))]

    def layer1(forward):
        H1, W, *_ = forward()
        (H1.sum() + W.sum()).backward()

    def by_fn(rows=slice(None)):
        return layer1(lambda: Mo.Layer1Window.apply(x[rows], c[rows], cell.weight_ih, cell.weight_hh,
                                                    cell.bias_ih + cell.bias_hh, net.window.weight, net.window.bias,
                                                    *(s[rows] for s in state)))

    by_fn()  # numba's compiled loops: loaded from the app's folder (or compiled) at the first call
    alone = best_ms(by_fn)
    mid = cfg.batch // 2
    with ThreadPoolExecutor(1) as pool:
        def halves():
            job = pool.submit(by_fn, slice(None, mid))
            by_fn(slice(mid, None))
            job.result()
        both = best_ms(halves, clock=time.perf_counter)
    by_autograd = best_ms(lambda: layer1(lambda: Mo.layer1_by_autograd(net, x, c, *state)))
    exp_ours, exp_numba = exp_costs(cfg.batch * 4 * cfg.hidden)
    for name, bf16 in (("bfloat16 (autocast)", True), ("float32", False)):
        first, again = head_costs(net, mid, bf16)
        print(f"the output layer forward and backward over half a batch in {name}, ms a line length, mean over 20: "
              f"{first:.2f} at its first length, {again:.2f} at one seen before")
    ours, autograd = loss_costs(net, mid, x.shape[1])
    print(f"the mixture density loss and its gradient over half a batch ({mid} lines x {x.shape[1]} points), ms, "
          f"best of 5: MixtureNLL {ours:.2f}, autograd through mdn_loss {autograd:.2f} ({autograd / ours:.1f}x)")
    blocks, one = matmul_costs(mid, cfg.hidden + len(S.ALPHABET), 4 * cfg.hidden)
    print(f"one time step's product of layer 1 for half a batch ({mid} x {cfg.hidden + len(S.ALPHABET)} by "
          f"{cfg.hidden + len(S.ALPHABET)} x {4 * cfg.hidden}), us, best of 5: loops.matmul (in blocks for OpenBLAS's "
          f"small-matrix kernel) {blocks:.1f}, one np.dot {one:.1f} ({one / blocks:.1f}x)")
    print(f"exponentials of one time step's gates ({cfg.batch * 4 * cfg.hidden}), us, best of 5: loops.exp_into "
          f"{exp_ours:.1f}, numba's math.exp one by one {exp_numba:.1f} ({exp_numba / exp_ours:.1f}x)")
    texts_set, lines_set = Mo.training_lines(cfg.max_chars)
    batching = best_ms(lambda: Mo._batch(list(texts_set[: cfg.batch]), list(lines_set[: cfg.batch])))
    print(f"per training step (batch {cfg.batch}, {x.shape[1]} time steps), CPU ms, best of 5: "
          f"batching its lines from the training set {batching:.2f} (drawing them anew, as trainings did before "
          f"the set: {render_many:.1f}, and one at a time {render:.1f}); layer 1 + window forward and backward: "
          f"Layer1Window {alone:.1f} ({both:.1f} ms wall for its two halves at once on two threads), autograd "
          f"through nn.LSTMCell + soft_window {by_autograd:.1f} ({by_autograd / alone:.1f}x)")


def training_set_costs() -> None:
    """The training set (Mo.training_lines): seconds to render it, as the app does once into its folder, and ms to
    read it back from there, as a fresh process does before its first training."""
    import tempfile

    cfg = Mo.HandConfig()
    with tempfile.TemporaryDirectory() as folder:
        before = os.environ.get("RNNLAB_CACHE")
        os.environ["RNNLAB_CACHE"] = folder
        try:
            kept = dict(Mo._training_set)
            Mo._training_set.clear()
            t0 = time.perf_counter()
            texts, _ = Mo.training_lines(cfg.max_chars)
            rendered = time.perf_counter() - t0
            Mo._training_set.clear()
            t0 = time.perf_counter()
            Mo.training_lines(cfg.max_chars)
            read = time.perf_counter() - t0
        finally:
            Mo._training_set.clear()
            Mo._training_set.update(kept)
            if before is None:
                del os.environ["RNNLAB_CACHE"]
            else:
                os.environ["RNNLAB_CACHE"] = before
    print(f"the training set ({len(texts):,} lines): rendered and written in {rendered:.2f} s (once, into the app's "
          f"folder), read back in {read * 1000:.0f} ms")


def head_costs(net, lines: int, bf16: bool) -> tuple[float, float]:
    """Wall ms of the output layer forward and backward over ``lines`` lines, for 20 line lengths not seen before
    in this process (oneDNN builds a kernel for each new shape), then the same 20 again: (first, again)."""
    import torch

    lengths = range(180 + 40 * bf16, 200 + 40 * bf16)  # longer than any line trained or scored on here

    def once(T):
        h = torch.randn(lines, T, 2 * net.H, requires_grad=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            y = net.head(h)
        y.float().sum().backward()

    def mean_ms():
        t0 = time.perf_counter()
        for T in lengths:
            once(T)
        return 1e3 * (time.perf_counter() - t0) / len(lengths)

    return mean_ms(), mean_ms()


def loss_costs(net, lines: int, points: int) -> tuple[float, float]:
    """CPU ms for the loss and its gradient over the head's outputs for ``lines`` × ``points`` points:
    MixtureNLL (training's) against autograd through mdn_loss (the formula)."""
    import torch

    g = torch.Generator().manual_seed(0)
    M = net.M
    y_hat = torch.randn(lines, points, 1 + 6 * M, generator=g)
    x = torch.cat([torch.randn(lines, points + 1, 2, generator=g), (torch.rand(lines, points + 1, 1, generator=g) < 0.1)
                   .float()], -1)
    mask = torch.ones(lines, points + 1)

    def ours():
        y = y_hat.clone().requires_grad_()
        Mo._nll_sum(y, x, mask, M).backward()

    def autograd():
        y = y_hat.clone().requires_grad_()
        (Mo.mdn_loss(y, x[:, 1:], M) * mask[:, 1:]).sum().backward()

    ours(), autograd()
    return best_ms(ours), best_ms(autograd)


def matmul_costs(m: int, k: int, n: int, repeats: int = 1000) -> tuple[float, float]:
    """Microseconds for one (m, k) @ (k, n) float32 product in compiled code: loops.matmul against one np.dot."""
    import numba

    from core.handwriting import loops

    @numba.njit(nogil=True)
    def blocks(a, b, out, times):
        for _ in range(times):
            loops.matmul(a, b, out)

    @numba.njit(nogil=True)
    def one(a, b, out, times):
        for _ in range(times):
            np.dot(a, b, out)

    rng = np.random.default_rng(0)
    a, b, out = rng.random((m, k), np.float32), rng.random((k, n), np.float32), np.empty((m, n), np.float32)
    blocks(a, b, out, 1), one(a, b, out, 1)  # compile
    return (best_ms(lambda: blocks(a, b, out, repeats), clock=time.perf_counter),
            best_ms(lambda: one(a, b, out, repeats), clock=time.perf_counter))


def exp_costs(n: int, repeats: int = 1000) -> tuple[float, float]:
    """Microseconds for n exponentials: core.handwriting.loops.exp_into against numba's math.exp in a loop."""
    import math

    import numba

    from core.handwriting import loops

    @numba.njit(nogil=True)
    def one_by_one(y, out, times):
        for _ in range(times):
            for i in range(y.shape[0]):
                out[i] = math.exp(y[i])

    @numba.njit(nogil=True)
    def ours(y, out, bits, times):
        for _ in range(times):
            loops.exp_into(y, out, bits)

    y = np.random.default_rng(0).normal(0.0, 3.0, n)
    out, bits = np.empty(n), np.empty(n, np.int64)
    one_by_one(y, out, 1), ours(y, out, bits, 1)  # compile
    return (best_ms(lambda: ours(y, out, bits, repeats), clock=time.perf_counter),
            best_ms(lambda: one_by_one(y, out, repeats), clock=time.perf_counter))  # ms for `repeats` = us each


def png(rec: Mo.HandRecord, path: str) -> None:
    from PIL import Image, ImageDraw

    rows = [S.render(LINE)] + [w.offsets for b in (0.0, 2.0, 3.0) for w in Mo.write(rec, LINE, bias=b, seed=1, n=2)]
    scale, height = 2.2, 95
    img = Image.new("L", (1400, height * len(rows) + 20), 255)
    draw = ImageDraw.Draw(img)
    for r, off in enumerate(rows):
        for p in S.to_polylines(off):
            q = [(10 + scale * x, height * (r + 1) - 30 - scale * y) for x, y in p]
            if len(q) > 1:
                draw.line(q, fill=0, width=2)
    img.save(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--png", default=None)
    ap.add_argument("--steps", type=int, default=None, help="override both networks' training steps")
    ap.add_argument("--buckets", type=int, default=None,
                    help="override how many steps' lines are read at once and batched by length (1: random batches)")
    ap.add_argument("--seeds", default=None,
                    help="e.g. 0,1,2,3: only one network (--kind), trained once per seed, and the means")
    ap.add_argument("--kind", default="synthesis", choices=Mo.KINDS, help="the network --seeds trains")
    ap.add_argument("--fp32", action="store_true", help="train in float32 even where the CPU does bfloat16")
    ap.add_argument("--one-core", action="store_true",
                    help="no helper thread on the other core during a training step (the same numbers)")
    ap.add_argument("--keep-denormals", action="store_true",
                    help="don't flush numbers below float32's normal range to 0 while training (slower)")
    ap.add_argument("--pen-step", type=float, default=None,
                    help=f"resample the pen every this many font units instead of {S.STEP:g}: fewer, coarser points")
    ap.add_argument("--seed-png", default=None, help="with --seeds: write the first seed's slide to this PNG")
    args = ap.parse_args()
    if args.pen_step:  # a what-if of the data, not of the page: the lines and the offsets' unit both change
        S.STEP = Mo.DATA_SCALE = args.pen_step
        print(f"pen step {S.STEP:g} font units: held-out NLL is per point of that step, not comparable to the default's")
    overrides = {k: v for k, v in (("steps", args.steps), ("buckets", args.buckets)) if v}
    if args.fp32:
        overrides["bf16"] = False
    if args.one_core:
        runtime.set_spare_core_check(lambda: False)
    if args.keep_denormals:
        runtime.FLUSH_DENORMALS = False
    torch_thread_policy()  # what the training door sets before each job
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")
    if args.seeds:
        seed_sweep([int(x) for x in args.seeds.split(",")], args.kind, overrides, args.seed_png)
        print(f"load after: {os.getloadavg()[0]:.2f}")
        return

    recs = {}
    for kind in Mo.KINDS:
        cfg = dataclasses.replace(Mo.HandConfig(kind=kind), **overrides)
        t0 = time.process_time()
        recs[kind] = rec = Mo.train(cfg)
        cpu = time.process_time() - t0
        print(f"{kind:10s} {cfg}")
        print(f"{kind:10s} held-out NLL/point: {rec.heldout_nll[-1]:.3f} nats (untrained {rec.heldout_nll[0]:.3f}); "
              f"reference one Gaussian + pen-up frequency: {rec.reference_nll:.3f} nats")
        print(f"{kind:10s} training: {rec.seconds:.1f} s wall, {cpu:.1f} s CPU, {cfg.steps} steps "
              f"({1e3 * cpu / cfg.steps:.0f} ms CPU a step, held-out scoring included)")
    step_costs()
    training_set_costs()

    syn = recs["synthesis"]
    texts, lines = Mo.heldout_lines()
    mono = [Mo.monotone(Mo.read(syn, off, text).phi) for text, off in zip(texts, lines)]
    print(f"window peak monotone on {sum(mono)}/{len(mono)} held-out lines ({np.mean(mono):.0%})")

    raw = Mo.untrained(syn.cfg)
    for name, rec in (("trained", syn), ("untrained", raw)):
        for bias in (0.0, 2.0):
            s = shape_scores(rec, bias)
            print(f"shape distance to the font, {name:9s} bias {bias:.0f}: {s.mean():.3f} ± {s.std():.3f} "
                  f"(Chamfer, letter-height units, {SAMPLES} samples of '{LINE}')")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    if args.png:
        png(syn, args.png)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
