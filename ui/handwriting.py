"""The handwriting lesson's scenes: Graves' networks trained through the door, and what they write.

Every scene is shared by the class (``ui.cache.shared``): same settings, same pictures, computed once.
Arguments starting with ``_`` are decided by the ones before them (a record by its config).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from core.handwriting import figures as F
from core.handwriting import model as Mo
from core.handwriting import strokes as S
from ui.cache import shared
from ui.train import run

LINE = "more of national temperament"  # the slide's line
BIAS_MAX, BIAS_STEP = 5.0, 0.5  # the sampling-bias slider: the warm-up writes the slide at every position
POINT_DEFAULT = 120  # the pen-point slider's default
ZOOM_BELOW = 3  # a density narrower than a third of the chart's grid also gets a zoomed panel (bias ≳ 1)
ROWS = 4  # generated rows under the font row, as on the slide


def config(kind: str, hidden: int, mixtures: int, window: int, steps: int, seed: int) -> Mo.HandConfig:
    cfg = Mo.HandConfig(kind=kind, hidden=hidden, mixtures=mixtures, window=window, steps=steps, seed=seed)
    if kind == "prediction":  # the window size means nothing here: don't train the same network twice
        cfg = dataclasses.replace(cfg, window=Mo.HandConfig().window)
    return cfg


# Training seconds here with the default settings (bench/live.py and bench/handwriting.py --seeds, quiet machine):
# with the second core lending a hand, 3.9–4.4 s and 3.4–3.6 s; on one core (--one-core: while students' pages
# keep the other busy) 6.2–7.8 s for synthesis.
TRAIN_SECONDS = {"synthesis": 4, "prediction": 4}


def train_seconds(kind: str, steps: int) -> int:
    """About how long a retrain takes here: the default's measured seconds, in proportion to the steps."""
    return round(TRAIN_SECONDS[kind] * steps / Mo.HandConfig().steps)


def trained(cfg: Mo.HandConfig) -> Mo.HandRecord:
    """The trained network for cfg: from the shared cache, or trained now through the door."""
    name = "synthesis network (§5)" if cfg.kind == "synthesis" else "prediction network (§4)"
    return run(f"Training the {name}", Mo.train, cfg, key=cfg)


def check_text(text: str) -> tuple[str | None, str | None]:
    """(the text as the network will write it, None) or (None, the message naming what is wrong)."""
    try:
        return S.check_text(text), None
    except S.TextError as err:
        return None, str(err)


@shared("scenes")
def data_scene(seed: int) -> tuple:
    """Training lines as the networks see them: three lines of the training set, picked by the seed.

    Returns the figure, its table, the texts, the numbers of training and held-out words, the pen points per
    character of the three lines, and the number of lines in the training set."""
    texts, lines = Mo.training_lines()
    words = S.corpus_words()
    pick = np.random.default_rng(seed).choice(len(texts), 3, replace=False)
    texts, rows = tuple(texts[i] for i in pick), [lines[i] for i in pick]
    labels = ["font, clean"] + [f"example {i + 1}" for i in range(3)]
    rows = [S.render(texts[0])] + rows
    return (F.slide(rows, labels, title="training lines: font strokes with random slant, size, drift, spacing, jitter"),
            F.pen_replay_table(rows[1], len(rows[1]) - 1), texts, len(words.train), len(words.heldout),
            sum(len(r) for r in rows[1:]) / sum(len(t) for t in texts), len(lines))


@shared("scenes")
def loss_scene(cfg: Mo.HandConfig, _rec: Mo.HandRecord) -> tuple:
    r = _rec
    return (F.loss_curve(r.steps, r.loss, r.eval_steps, r.heldout_nll, r.reference_nll),
            F.loss_table(r.eval_steps, r.heldout_nll, r.steps, r.loss, r.reference_nll))


@shared("scenes")
def slide_scene(cfg: Mo.HandConfig, text: str, bias: float, seed: int, _rec: Mo.HandRecord) -> dict:
    """The slide: one font-rendered row (with random variation) on top, ROWS written rows below.

    Also the shape distance of each row to the clean font, and the mean for the same samples at bias 0.
    """
    font = S.render(text)
    real = S.render(text, np.random.default_rng(seed))
    written = Mo.write(_rec, text, bias=bias, seed=seed, n=ROWS)
    at_zero = written if bias == 0 else Mo.write(_rec, text, bias=0.0, seed=seed, n=ROWS)
    rows = [real] + [w.offsets for w in written]
    labels = ["font + variation"] + [f"network, b = {bias:g}"] * ROWS
    scores = [Mo.chamfer(o, font) for o in rows]
    spread = [Mo.chamfer(written[i].offsets, written[j].offsets) for i in range(ROWS) for j in range(i + 1, ROWS)]
    return {
        "fig": F.slide(rows, labels, title="top: rendered from a font · below: written by the network"),
        "table": F.slide_table(rows, labels, scores),
        "score": float(np.mean(scores[1:])), "score_real": scores[0],
        "score_zero": float(np.mean([Mo.chamfer(w.offsets, font) for w in at_zero])),
        "spread": float(np.mean(spread)), "finished": sum(w.finished for w in written),
    }


@shared("scenes")
def writing(cfg: Mo.HandConfig, text: str, bias: float, seed: int, _rec: Mo.HandRecord) -> Mo.Written:
    """One sample to replay point by point (the first row of the slide's generated rows)."""
    return Mo.write(_rec, text, bias=bias, seed=seed, n=ROWS)[0]


@shared("scenes")
def replay_figures(cfg: Mo.HandConfig, text: str, bias: float, seed: int, t: int, _w: Mo.Written) -> dict:
    """The pictures at pen point t of ``writing(cfg, text, bias, seed)``: the writing so far, where it goes
    next, the window. Shared: the class scrubs the same sample, and building these charts is most of a rerun."""
    w = _w
    xs, ys, Z, p_up = Mo.next_point_density(w, t)
    fitted = Mo.next_point_density(w, t, floor=1e-3)[:3]  # the grid sized to the density alone
    zoom = fitted if fitted[0][-1] - fitted[0][0] < (xs[-1] - xs[0]) / ZOOM_BELOW else None
    t = int(np.clip(t, 1, len(w.offsets) - 1))
    peaks = Mo.peak_path(w.phi[1:])
    return {
        "pen": F.pen_replay(w.offsets, t, title=f"pen point {t} of {len(w.offsets) - 1}"),
        "pen_table": F.pen_replay_table(w.offsets, t),
        "density": F.density_over_strokes(w.offsets, t, xs, ys, Z, p_up, zoom=zoom),
        "density_table": F.density_table(w.pi[t], w.mu[t], w.sigma[t], w.rho[t], p_up),
        "p_up": p_up,
        "window": F.window_heatmap(w.phi[1:], w.text, upto=t - 1) if w.text else None,
        "window_table": F.window_table(w.phi, w.text) if w.text else None,
        "reading": w.text[peaks[t - 1]] if w.text else "",
        "backsteps": int((np.diff(peaks) < 0).sum()) if w.text else 0,
        "last_peak": int(peaks.max()) if w.text else 0,
    }


@shared("scenes")
def window_monotone_rate(cfg: Mo.HandConfig, _rec: Mo.HandRecord) -> tuple[int, int]:
    """On held-out lines (words never trained on): how many lines the window's peak reads only forward."""
    texts, lines = Mo.heldout_lines()
    ok = sum(Mo.monotone(Mo.read(_rec, off, t).phi) for t, off in zip(texts, lines))
    return ok, len(texts)


@shared("scenes")
def babble_scene(cfg: Mo.HandConfig, bias: float, seed: int, _rec: Mo.HandRecord) -> dict:
    """The prediction network writing freely: three samples of 250 points, no text to follow."""
    ws = Mo.write(_rec, bias=bias, seed=seed, n=3, max_points=250)
    rows, labels = [w.offsets for w in ws], [f"sample {i + 1}, b = {bias:g}" for i in range(3)]
    return {"fig": F.slide(rows, labels, title="the prediction network, writing with no text to follow"),
            "table": F.slide_table(rows, labels), "lifts": float(np.mean([w.offsets[:, 2].sum() for w in ws]))}


def warm() -> None:
    """The default scenes, pinned before the first student arrives."""
    for kind in Mo.KINDS:
        d = Mo.HandConfig(kind=kind)
        cfg = config(kind, d.hidden, d.mixtures, d.window, d.steps, d.seed)
        rec = trained(cfg)
        loss_scene(cfg, rec)
        if kind == "synthesis":
            data_scene(d.seed)
            window_monotone_rate(cfg, rec)
            for k in range(round(BIAS_MAX / BIAS_STEP) + 1):  # about 1 s each: a class tries them all at once
                bias = k * BIAS_STEP
                slide_scene(cfg, LINE, bias, 0, rec)
                w = writing(cfg, LINE, bias, 0, rec)
                replay_figures(cfg, LINE, bias, 0, min(POINT_DEFAULT, len(w.offsets) - 1), w)
        else:
            babble_scene(cfg, 0.0, 0, rec)
