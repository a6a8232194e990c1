"""Pen strokes the app makes itself: text rendered by a Hershey cursive font, varied like handwriting.

These are NOT people's handwriting. Graves (2013) trained on the IAM online database (pen positions
recorded on a whiteboard); we have no such data offline, so every example is a single-stroke vector
font (the Hershey "cursive" font from the ``hershey-fonts`` package) pushed around at random: slant,
scale, baseline drift, letter spacing, jitter and smoothing, different for every example.

A line becomes a sequence of pen offsets, one row per point, as in Graves §4:
``(Δx, Δy, eos)`` where ``eos`` is 1 on the last point of a stroke (the pen lifts after it). The
first row is ``(0, 0, 0)``: the pen's first point is the origin. y points up.

The words come from a real corpus (the Lee news corpus in gensim's test data); a fixed share of the
distinct words is held out, so evaluation lines are made of words the networks never saw.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from core.common.paths import gensim_test_data

FONT = "cursive"  # Hershey's joined script: letters meet at the baseline like a pen's
ALPHABET = " abcdefghijklmnopqrstuvwxyz"  # what the networks learn to write (index = character id)
MAX_CHARS = 40  # longer lines take a minute to sample, and the slide's line has 28
STEP = 5.0  # font units between resampled points (x-height is 9 units): about 9 points a letter


class TextError(ValueError):
    """The text can't be written; the message says why and names the offending characters."""


@dataclass(frozen=True)
class Style:
    """How one example departs from the font. All zero/one = the font itself."""

    slant: float = 0.0  # shear: x += slant · y (the font already leans right)
    scale: float = 1.0  # overall size
    aspect: float = 1.0  # width ÷ height
    drift_amp: float = 0.0  # baseline wave amplitude, font units
    drift_period: float = 150.0  # baseline wave length, font units
    drift_phase: float = 0.0
    tilt: float = 0.0  # baseline slope
    spacing: tuple[float, ...] = ()  # extra space after each character, font units
    jitter: float = 0.0  # sd of the pen's tremble, font units
    smooth: float = 0.0  # 0 = sharp corners, 1 = strongly rounded


def random_style(rng: np.random.Generator, n_chars: int) -> Style:
    """A random writer's style for a line of ``n_chars`` characters."""
    return random_styles(rng, [n_chars])[0]


def random_styles(rng: np.random.Generator, n_chars: list[int]) -> list[Style]:
    """A random writer's style for each line (``n_chars[i]`` characters), each field drawn for all lines
    at once, in the order of Style's fields. For one line, the same draws as one scalar after another."""
    n = len(n_chars)
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    base = u(-0.5, 1.5)  # each writer's habitual extra spacing
    slant, scale, aspect = u(-0.25, 0.2), u(0.85, 1.15), u(0.85, 1.15)
    drift_amp, drift_period, drift_phase, tilt = u(0.0, 2.5), u(80.0, 250.0), u(0.0, 2 * np.pi), u(-0.03, 0.03)
    spacing = np.split(np.repeat(base, n_chars) + rng.normal(0.0, 0.8, sum(n_chars)), np.cumsum(n_chars)[:-1])
    jitter, smooth = u(0.0, 0.25), u(0.0, 0.5)
    return [Style(float(slant[i]), float(scale[i]), float(aspect[i]), float(drift_amp[i]), float(drift_period[i]),
                  float(drift_phase[i]), float(tilt[i]), tuple(spacing[i].tolist()), float(jitter[i]),
                  float(smooth[i])) for i in range(n)]


@lru_cache(maxsize=1)
def _font():
    from HersheyFonts import HersheyFonts

    font = HersheyFonts()
    font.load_default_font(FONT)
    return font


@lru_cache(maxsize=None)
def _glyph(c: str) -> tuple[float, float, tuple[np.ndarray, ...]]:
    """One character of the font: (left offset, advance width, strokes as (P, 2) arrays, y down)."""
    g = _font().all_glyphs[c]
    return g.left_offset, g.char_width, tuple(np.asarray(s, dtype=float) for s in g.strokes)


def check_text(text: str) -> str:
    """The text if the networks can write it, else TextError naming what is wrong.

    Uppercase is folded to lowercase (the networks learn a–z and space); runs of spaces become one.
    """
    if text is None or not text.strip():
        raise TextError("The text is empty. Type a few words, e.g. “more of national temperament”.")
    clean = " ".join(text.lower().split())
    if len(clean) > MAX_CHARS:
        raise TextError(f"The text has {len(clean)} characters; the limit is {MAX_CHARS}. Type a shorter line.")
    bad = sorted({c for c in clean if c not in ALPHABET})
    if bad:
        font_has = _font().all_glyphs
        lacks = [c for c in bad if c not in font_has]
        shown = " ".join(repr(c) for c in bad)
        why = "the font has no strokes for " + " ".join(repr(c) for c in lacks) + "; " if lacks else ""
        raise TextError(
            f"Can't write {shown}: {why}the networks learn only the letters a–z and the space. "
            "Remove or replace those characters."
        )
    return clean


@lru_cache(maxsize=4096)
def _layout(text: str) -> tuple[np.ndarray, ...]:
    """The font's unstyled pen paths for ``text``, all strokes in one array (computed once per text).

    Returns points (P, 2) in font units (y down, as the font has it), the index where each stroke
    starts (S,), and, for the letter spacing, where each point's x lies between the characters'
    centres: the character on its left j0 (P,), the one on its right j1 (P,), and the fraction f (P,)
    of the way from one to the other (j0 = j1 and f = 0 outside the first and last centre).
    Letters that meet (one glyph's last point on the next glyph's first) are joined into one stroke,
    as a pen writing cursive would not lift there. Read-only: shared by every caller.
    """
    cursor, centres = 0.0, []
    strokes: list[np.ndarray] = []
    for c in text:
        left, width, glyph_strokes = _glyph(c)
        centre = cursor - left
        centres.append(centre)
        for g in glyph_strokes:
            p = g + [centre, 0.0]
            if strokes and np.abs(strokes[-1][-1] - p[0]).max() < 0.5:
                strokes[-1] = np.concatenate([strokes[-1], p[1:]])  # the pen carries on
            else:
                strokes.append(p)
        cursor += width
    strokes = [s for s in strokes if len(s) > 1]
    starts = np.cumsum([0] + [len(s) for s in strokes[:-1]])
    points, centres = np.concatenate(strokes), np.array(centres)
    # np.interp(x, centres, shifts) as weights, so that one line's shifts can be applied without a call per line
    j0 = np.clip(np.searchsorted(centres, points[:, 0], side="right") - 1, 0, len(centres) - 1)
    j1 = np.minimum(j0 + 1, len(centres) - 1)
    gap = centres[j1] - centres[j0]
    f = np.where(gap > 0, (points[:, 0] - centres[j0]) / np.where(gap > 0, gap, 1.0), 0.0).clip(0.0, 1.0)
    out = (points, starts, j0, j1, f)
    for a in out:
        a.setflags(write=False)
    return out


def _styled(texts: list[str], styles: list[Style]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The font's pen paths for each text (already checked), varied by its style, all lines one after
    another: (points (P, 2) in font units, y up; stroke start indices (S,); each line's first point (L,);
    each line's first stroke (L,))."""
    layouts = [_layout(t) for t in texts]
    n_points = np.array([len(lay[0]) for lay in layouts])
    n_strokes = np.array([len(lay[1]) for lay in layouts])
    n_chars = [len(t) for t in texts]
    line_start = np.concatenate([[0], np.cumsum(n_points[:-1])])
    char_start = np.concatenate([[0], np.cumsum(n_chars[:-1])]).astype(int)
    points = np.concatenate([lay[0] for lay in layouts])
    starts = np.concatenate([lay[1] + o for lay, o in zip(layouts, line_start)])
    spacing = np.fromiter(chain.from_iterable(st.spacing[:n] + (0.0,) * (n - len(st.spacing[:n]))
                                              for st, n in zip(styles, n_chars)), float, sum(n_chars))
    # extra space before each character: its line's spacing summed over the characters before it
    shifts = np.cumsum(spacing) - spacing - np.repeat(np.cumsum(spacing)[char_start] - spacing[char_start], n_chars)
    per_point = lambda name: np.repeat([getattr(st, name) for st in styles], n_points)  # noqa: E731
    offset = np.repeat(char_start, n_points)
    j0, j1, f = (np.concatenate([lay[k] for lay in layouts]) for k in (2, 3, 4))
    x = points[:, 0] + ((1 - f) * shifts[j0 + offset] + f * shifts[j1 + offset])  # letter spacing, continuous in x
    y = -points[:, 1]  # the font's y points down
    y = y + per_point("drift_amp") * np.sin(2 * np.pi * x / per_point("drift_period") + per_point("drift_phase")) \
        + per_point("tilt") * x
    x = x + per_point("slant") * y
    scale = per_point("scale")
    xy = np.stack([x * per_point("aspect") * scale, y * scale], axis=1)
    return xy, starts, line_start, np.concatenate([[0], np.cumsum(n_strokes[:-1])])


def font_polylines(text: str, style: Style | None = None) -> list[np.ndarray]:
    """The font's pen paths for ``text`` (already checked), each (P, 2), in font units, y up.

    Letters that meet (one glyph's last point on the next glyph's first) are joined into one stroke,
    as a pen writing cursive would not lift there. Letter spacing is a smooth stretch of x between
    letter centres, so joined letters stay joined.
    """
    points, starts, _, _ = _styled([text], [style or Style()])
    return np.split(points, starts[1:])


def _resample(p: np.ndarray, starts: np.ndarray, step) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step`` (one number, or one per stroke) along each stroke of p (P, 2) (strokes begin
    at ``starts``), ends kept.

    All strokes at once: each gets its own arc-length coordinate, shifted past the previous strokes
    (with a gap) so that one interpolation serves them all. Returns (points (N, 2), new starts (S,)).
    """
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)  # (P − 1,) segment lengths
    seg[starts[1:] - 1] = 1.0  # the jump between two strokes: a gap, never interpolated across
    s = np.concatenate([[0.0], np.cumsum(seg)])  # (P,) one arc coordinate for every stroke
    ends = np.append(starts[1:] - 1, len(p) - 1)
    length = s[ends] - s[starts]  # (S,) each stroke's arc length
    n = np.maximum(2, np.round(length / step).astype(int) + 1)  # points per stroke
    new_starts = np.concatenate([[0], np.cumsum(n[:-1])])
    i = np.arange(n.sum()) - np.repeat(new_starts, n)  # index within its stroke
    t = i * np.repeat(length / (n - 1), n)  # evenly spaced along the stroke ...
    last = new_starts + n - 1
    t[last] = length  # ... ending exactly at its end
    t += np.repeat(s[starts], n)
    return np.stack([np.interp(t, s, p[:, 0]), np.interp(t, s, p[:, 1])], axis=1), new_starts


def _smooth(p: np.ndarray, starts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Round the corners: each inner point of a stroke moves toward its neighbours' mean by its ``w`` (N,)."""
    if len(p) < 3:
        return p
    q = p.copy()
    w = w[1:-1, None]
    q[1:-1] = (1 - w) * p[1:-1] + w * 0.5 * (p[:-2] + p[2:])
    ends = np.concatenate([starts, starts[1:] - 1, [len(p) - 1]])
    q[ends] = p[ends]  # a stroke's first and last points stay
    return q


def render(text: str, rng: np.random.Generator | None = None, style: Style | None = None) -> np.ndarray:
    """``text`` as pen offsets (N, 3): rows (Δx, Δy, eos), varied by ``style`` (random if rng given).

    With neither rng nor style, the font's own clean strokes (the reference the shape score uses).
    """
    return render_many([text], rng, None if style is None else [style])[0]


def render_many(texts: list[str], rng: np.random.Generator | None = None,
                styles: list[Style] | None = None) -> list[np.ndarray]:
    """Each text as pen offsets (N_i, 3), like ``render``, all lines in one pass of array operations.

    With rng, every style is drawn first (``random_styles``), then the pen's tremble for all points at once;
    with styles and no rng, no tremble. Training draws a few hundred lines at a time: one pass instead of a
    few dozen array calls per line (bench/handwriting.py prints both).
    """
    texts = [check_text(t) for t in texts]
    if not texts:
        return []
    if styles is None:
        styles = random_styles(rng, [len(t) for t in texts]) if rng is not None else [Style()] * len(texts)
    xy, starts, line_start, line_stroke = _styled(texts, styles)
    n_strokes = np.diff(np.append(line_stroke, len(starts)))
    xy, starts = _resample(xy, starts, np.repeat([STEP * st.scale for st in styles], n_strokes))
    line_start = starts[line_stroke]  # each line's first point, after resampling
    n_points = np.diff(np.append(line_start, len(xy)))
    xy = _smooth(xy, starts, np.repeat([st.smooth for st in styles], n_points))
    jitter = np.array([st.jitter for st in styles])
    if rng is not None and (jitter > 0).any():
        xy = xy + rng.normal(0.0, np.repeat(jitter, n_points)[:, None], xy.shape)  # for one line: render's old draws
    eos = np.zeros(len(xy))
    eos[np.append(starts[1:] - 1, len(xy) - 1)] = 1.0  # the pen lifts after each stroke's last point
    d = np.diff(xy, axis=0, prepend=xy[:1])
    d[line_start] = 0.0  # each line's first row (0, 0): its pen starts at the origin
    out = np.concatenate([d, eos[:, None]], axis=1).astype(np.float32)
    return np.split(out, line_start[1:])


def to_polylines(offsets: np.ndarray) -> list[np.ndarray]:
    """Offsets (N, 3) back to absolute pen paths: a list of (P, 2), split where eos is 1."""
    xy = np.cumsum(np.asarray(offsets, dtype=float)[:, :2], axis=0)
    ends = np.flatnonzero(np.asarray(offsets)[:, 2] > 0.5)
    out, start = [], 0
    for e in ends:
        out.append(xy[start : e + 1])
        start = e + 1
    if start < len(xy):
        out.append(xy[start:])
    return [p for p in out if len(p)]


# --- the words -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Words:
    """Distinct corpus words, split once: ``train`` are written during training, ``heldout`` never."""

    train: tuple[str, ...]
    heldout: tuple[str, ...]


@lru_cache(maxsize=4)
def corpus_words(n_words: int = 600, heldout_fraction: float = 0.15, seed: int = 0) -> Words:
    """The ``n_words`` most frequent a–z words (2–10 letters) of the Lee news corpus, split at random."""
    with open(gensim_test_data("lee_background.cor"), encoding="utf-8") as f:
        counts = Counter(re.findall(r"[a-z]+", f.read().lower()))
    words = [w for w, _ in counts.most_common() if 2 <= len(w) <= 10][:n_words]
    words.sort()  # a fixed order, so the split depends only on the seed
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(words))
    n_held = int(round(heldout_fraction * len(words)))
    return Words(
        train=tuple(words[i] for i in sorted(order[n_held:])),
        heldout=tuple(words[i] for i in sorted(order[:n_held])),
    )


def random_line(words: tuple[str, ...], rng: np.random.Generator, max_chars: int = 18) -> str:
    """One to three words drawn from ``words``, at most ``max_chars`` long (one word may be longer)."""
    line = words[rng.integers(len(words))]
    for _ in range(int(rng.integers(0, 3))):
        w = words[rng.integers(len(words))]
        if len(line) + 1 + len(w) > max_chars:
            break
        line += " " + w
    return line


def encode(text: str) -> np.ndarray:
    """Character ids (U,) of checked text, indices into ALPHABET."""
    return np.array([ALPHABET.index(c) for c in text], dtype=np.int64)
