"""Figures for the word-embeddings lesson: arrays and labels in, go.Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from core.common.style import (
    NEUTRAL, OUTLINE, PALETTE, axis_title, base_layout, hline, stacked_domains, subplot_title, vline,
)


SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "pentagon"]  # one per group
LABEL_FONT_PX = 20  # labels are placed for the projector's font (ui.show.PRESENTER_FONT): smaller fonts only help
PLOT_PX = (560, 420)  # the smallest plot area a 1280×720 projector gives the map (width, height)
RING_PX = 12  # half the width of the ring around a highlighted word on the word map (a 20 px marker, 2 px line)
STATES_PANEL_PX = (340, 330)  # … and each of the "bank" chart's two panels
BETWEEN_PX = (360, 360)  # … and the square plot of "where bank sits between" (beside its neighbours table)
ANALOGY_PX = (360, 360)  # … and the analogy's square plot (beside its answers table)
SEMANTIC_PX = (600, 360)  # … and the semantic axes' plot (full width, legend at the side)


def _label_box(cx: float, cy: float, text: str, font: float) -> tuple[float, float, float, float]:
    w, h = 0.6 * font * max(len(text), 1) + 4, 1.3 * font
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


TEXTPOSITION = {(0, -1): "top center", (0, 1): "bottom center", (1, 0): "middle right", (-1, 0): "middle left",
                (1, -1): "top right", (-1, -1): "top left", (1, 1): "bottom right", (-1, 1): "bottom left"}


def place_labels(px: np.ndarray, texts: list[str], order: list[int], size: tuple[float, float] = PLOT_PX,
                 font: float = LABEL_FONT_PX, marker: float = 7.0,
                 obstacles: np.ndarray | None = None,
                 ringed: frozenset[int] = frozenset()) -> dict[int, tuple[float, float, str | None]]:
    """Greedy label placement in pixels: for each point (in ``order``), the nearest free spot for its text.

    First the eight places right next to the marker (Plotly's ``textposition``), then rings further out
    (drawn as an annotation with a thin leader line). A spot is free when its text box overlaps no placed
    label, no marker, and stays inside the plot (``obstacles``, (M, 2) pixels, are more points a label must not
    cover: points along a chart's lines). The ``ringed`` points carry a ring of RING_PX around their marker:
    labels keep off it too, and their own word goes just outside it as an annotation (Plotly would print a
    ``textposition`` word against the small marker, under the ring). ``px`` is (N, 2) in pixels, y downwards.
    Returns {point index: (dx, dy, textposition or None)}; a point with no free spot keeps its word on hover.
    """
    W, H = size
    dirs = [(0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]
    points = px if obstacles is None else np.concatenate([px, obstacles])
    half = [RING_PX if k in ringed else marker for k in range(len(points))]
    marks = [(x - m, y - m, x + m, y + m) for (x, y), m in zip(points, half)]
    placed: list[tuple] = []
    out: dict[int, tuple[float, float]] = {}
    for i in order:
        x, y = px[i]
        w, h = 0.6 * font * max(len(texts[i]), 1) + 4, 1.3 * font
        for r in (0, 18, 36, 60, 90):
            done = False
            for ux, uy in dirs:
                dx = ux * (w / 2 + half[i] + r) if ux else 0.0
                dy = uy * (h / 2 + half[i] + r) if uy else 0.0
                box = _label_box(x + dx, y + dy, texts[i], font)
                if box[0] < 0 or box[1] < 0 or box[2] > W or box[3] > H:
                    continue
                if any(_overlaps(box, o) for o in placed) or any(_overlaps(box, m) for m in marks):
                    continue
                placed.append(box)
                out[i] = (dx, dy, TEXTPOSITION[(ux, uy)] if r == 0 and i not in ringed else None)
                done = True
                break
            if done:
                break
    return out


def _pixels(xy: np.ndarray, xr, yr, size: tuple[float, float]) -> np.ndarray:
    """Data points (N, 2) as pixels of a ``size`` plot showing ``xr`` × ``yr`` (y downwards)."""
    (W, H), xy = size, np.atleast_2d(xy)
    return np.column_stack([(xy[:, 0] - xr[0]) / (xr[1] - xr[0]) * W, (yr[1] - xy[:, 1]) / (yr[1] - yr[0]) * H])


def _spots(xy: np.ndarray, words, first: list[int], size: tuple[float, float], xr, yr,
           segments: tuple = ()) -> dict:
    """``place_labels`` for a chart's words: data (N, 2) to pixels of a ``size`` plot showing ``xr`` × ``yr``,
    the ``first`` points placed first (the star of the chart), then the rest in order. ``segments`` are the
    chart's lines as (from, to) data points: labels keep off them too."""
    return place_labels(_pixels(xy, xr, yr, size), list(words), first + [i for i in range(len(words)) if i not in first], size,
                        obstacles=_along(segments, xr, yr, size))


def _along(segments, xr, yr, size: tuple[float, float]) -> np.ndarray | None:
    """16 points along each (from, to) data segment, in pixels: obstacles for ``place_labels``."""
    t = np.linspace(0, 1, 16)[:, None]
    along = [_pixels(np.asarray(p) + t * (np.asarray(q) - np.asarray(p)), xr, yr, size) for p, q in segments]
    return np.concatenate(along) if along else None


def _texts(idx, words, spots: dict) -> dict:
    """Scatter text arguments for the points ``idx``: a word beside its marker where ``spots`` put it there,
    else no text (a leader-line annotation or hover shows it); every word on hover."""
    beside = [spots.get(i) if spots.get(i) and spots[i][2] else None for i in idx]
    return dict(text=[words[i] if b else "" for i, b in zip(idx, beside)],
                textposition=[b[2] if b else "top center" for b in beside], hovertext=[words[i] for i in idx])


def _square_ranges(xy: np.ndarray, pad: float = 0.12) -> tuple[list[float], list[float]]:
    """x and y ranges of the same span around the points (for an equal-aspect chart)."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    half = max(float((hi - lo).max()), 1e-9) * (0.5 + pad)
    mid = (lo + hi) / 2
    return [float(mid[0] - half), float(mid[0] + half)], [float(mid[1] - half), float(mid[1] + half)]


def _leaders(coords: np.ndarray, words, placement: dict, xr, yr, size: tuple[float, float]) -> list[dict]:
    """Annotations for the words ``place_labels`` put further out (on a ``size`` plot showing ``xr`` × ``yr``):
    each with a thin line to its point.

    The word's place is given in data units (``axref``/``ayref``), not as a pixel offset, so that on a larger
    plot (the projector's taller chart) the words spread apart with their points. With pixel offsets, a word
    put above a lower point would move towards the words above it as the plot grows."""
    to_x, to_y = (xr[1] - xr[0]) / size[0], (yr[1] - yr[0]) / size[1]
    return [dict(x=coords[i, 0], y=coords[i, 1], xref="x", yref="y", text=words[i], ax=coords[i, 0] + dx * to_x,
                 ay=coords[i, 1] - dy * to_y, axref="x", ayref="y", showarrow=True, arrowhead=0, arrowwidth=1,
                 arrowcolor=NEUTRAL, standoff=6)
            for i, (dx, dy, pos) in placement.items() if pos is None]


def _padded_range(v: np.ndarray, pad: float = 0.12) -> list[float]:
    lo, hi = float(np.min(v)), float(np.max(v))
    span = hi - lo if hi > lo else 1.0
    return [lo - pad * span, hi + pad * span]


def word_map(
    words: list[str],
    coords: np.ndarray,
    groups: list[str] | None = None,
    is_background: np.ndarray | None = None,
    highlight: dict[str, str] | None = None,
    query: str | None = None,
    title: str = "",
    axis_names: tuple[str, ...] = ("component 1", "component 2", "component 3"),
    labelled: set[str] | None = None,
) -> go.Figure:
    """Words as points in 2D or 3D; background words small and faint; highlighted words ringed.

    coords is (N, 2) or (N, 3). groups gives each chosen word's group: one trace per group, each with
    its own colour AND symbol. Only the ``labelled`` words (default: every chosen word) carry a text
    label, placed so no two labels overlap (``place_labels``); every word shows on hover. highlight
    maps word -> hover note (e.g. cosine to the query), drawn with a black ring; query, if given, gets
    dotted lines to every highlighted word.
    """
    coords = np.asarray(coords, dtype=float)
    N, d = coords.shape
    bg = np.zeros(N, bool) if is_background is None else np.asarray(is_background, bool)
    groups = groups or ["words"] * N
    highlight = highlight or {}
    traces = []
    three = d == 3
    Scatter = go.Scatter3d if three else go.Scatter
    labelled = set(w for w, b in zip(words, bg) if not b) if labelled is None else set(labelled)

    def pts(mask):
        c = coords[mask]
        return dict(x=c[:, 0], y=c[:, 1], **({"z": c[:, 2]} if three else {}))

    if bg.any():
        traces.append(Scatter(
            **pts(bg), mode="markers", name="background (frequent words)",
            marker=dict(size=3 if three else 4, color=NEUTRAL, opacity=0.35),
            text=[w for w, b in zip(words, bg) if b], hovertemplate="%{text}<extra>background</extra>",
        ))
    fg = ~bg
    names = list(dict.fromkeys(g for g, b in zip(groups, bg) if not b))
    lines = [(coords[words.index(query)], coords[i]) for i, w in enumerate(words)
             if w in (highlight or {}) and w != query] if query in words and not three else []
    placement = {} if three else _placement(words, coords, bg, labelled, lines, set(highlight))
    for gi, gname in enumerate(names):
        mask = fg & np.array([g == gname for g in groups])
        idx = np.flatnonzero(mask)
        if three:
            label = dict(text=[words[i] for i in idx], textposition="top center", hovertext=[words[i] for i in idx])
        else:  # only words placed next to their marker get a text here; the rest are annotations or hover
            label = _texts(idx, words, placement)
        traces.append(Scatter(
            **pts(mask), mode="markers+text", name=gname, **label,
            marker=dict(size=6 if three else 11, color=PALETTE[gi % len(PALETTE)],
                        symbol=SYMBOLS[gi % len(SYMBOLS)] if not three else "circle",
                        line=dict(width=1, color="white")),
            hovertemplate="%{hovertext}<extra>" + gname + "</extra>",
        ))
    if highlight:
        idx = [i for i, w in enumerate(words) if w in highlight]
        if query in words and not three:
            q = coords[words.index(query)]
            for i in idx:
                if words[i] != query:
                    traces.append(go.Scatter(
                        x=[q[0], coords[i, 0]], y=[q[1], coords[i, 1]], mode="lines", showlegend=False,
                        line=dict(color=OUTLINE, width=1, dash="dot"), hoverinfo="skip",
                    ))
        c = coords[idx]
        traces.append(Scatter(
            x=c[:, 0], y=c[:, 1], **({"z": c[:, 2]} if three else {}), mode="markers",
            name=f"ringed: top {len(idx)} by cosine" if query else "highlighted",
            marker=dict(size=10 if three else 2 * RING_PX - 4, color="rgba(0,0,0,0)", line=dict(color=OUTLINE, width=2),
                        symbol="circle-open" if three else "circle"),
            text=[f"{words[i]}: {highlight[words[i]]}" for i in idx], hovertemplate="%{text}<extra></extra>",
        ))
    layout = base_layout(title, height=560 if three else 520, legend=dict(orientation="h", y=-0.12))
    if three:
        layout["scene"] = dict(xaxis=axis_title(axis_names[0]), yaxis=axis_title(axis_names[1]),
                               zaxis=axis_title(axis_names[2]))
    else:
        xr, yr = _ranges(coords, bg)
        layout.update(xaxis=axis_title(axis_names[0], range=xr), yaxis=axis_title(axis_names[1], range=yr),
                      annotations=_leaders(coords, words, placement, xr, yr, PLOT_PX))
    return go.Figure(data=traces, layout=layout)


def _ranges(coords: np.ndarray, bg: np.ndarray) -> tuple[list[float], list[float]]:
    """Axis ranges around the chosen words (background words outside them are cut off: the lesson's words
    stay readable)."""
    fg = coords[~bg] if (~bg).any() else coords
    return _padded_range(fg[:, 0]), _padded_range(fg[:, 1])


def _placement(words: list[str], coords: np.ndarray, bg: np.ndarray, labelled: set[str], segments=(),
               ringed: set[str] = frozenset()) -> dict:
    """{point index: (dx, dy, textposition or None)} for the labelled words, on the projector's plot size,
    off the chart's ``segments`` (the dotted lines from the query word) and the ``ringed`` words' rings too."""
    xr, yr = _ranges(coords, bg)
    px = _pixels(coords, xr, yr, PLOT_PX)
    inside = [i for i in range(len(words)) if not bg[i]]
    order = [j for j, i in enumerate(inside) if words[i] in labelled]
    spots = place_labels(px[inside], [words[i] for i in inside], order, obstacles=_along(segments, xr, yr, PLOT_PX),
                         ringed=frozenset(j for j, i in enumerate(inside) if words[i] in ringed))
    return {inside[j]: spot for j, spot in spots.items()}


def analogy_parallelogram(words: list[str], coords: np.ndarray, answers: list[str], title: str = "") -> go.Figure:
    """a : b :: c : ? in 2D: arrows a→b and c→d (d the top answer), plus the other candidate answers.

    words = [a, b, c, d, other answers…], coords (N, 2) in the same order.
    """
    coords = np.asarray(coords, float)
    a, b, c, d = coords[:4]
    xr, yr = _square_ranges(coords)
    spots = _spots(coords, words, [3, 0, 1, 2], ANALOGY_PX, xr, yr,  # the answer and a, b, c get the best spots
                   segments=((a, b), (c, d), (a, c), (b, d)))  # and no word sits on the parallelogram's sides
    n = len(words)
    traces = [
        go.Scatter(
            x=coords[4:, 0], y=coords[4:, 1], mode="markers+text", **_texts(range(4, n), words, spots),
            name="other answers", marker=dict(color=NEUTRAL, size=8), hovertemplate="%{hovertext}<extra></extra>",
        ),
        go.Scatter(
            x=coords[:3, 0], y=coords[:3, 1], mode="markers+text", **_texts(range(3), words, spots),
            name="a, b, c", marker=dict(color=PALETTE[0], size=12), hovertemplate="%{hovertext}<extra></extra>",
        ),
        go.Scatter(
            x=[d[0]], y=[d[1]], mode="markers+text", **_texts([3], words, spots), hovertemplate="%{hovertext}<extra></extra>",
            name="answer d", marker=dict(color=PALETTE[1], size=16, line=dict(color=OUTLINE, width=2), symbol="star"),
        ),
        go.Scatter(  # the parallelogram's other two sides, dotted
            x=[a[0], c[0], None, b[0], d[0]], y=[a[1], c[1], None, b[1], d[1]], mode="lines",
            line=dict(color=NEUTRAL, dash="dot"), name="a→c and b→d",
        ),
    ]
    arrows = [dict(x=q[0], y=q[1], ax=p[0], ay=p[1], xref="x", yref="y", axref="x", ayref="y",
                   showarrow=True, arrowhead=3, arrowwidth=2.5, arrowcolor=col, text="")
              for (p, q), col in (((a, b), PALETTE[0]), ((c, d), PALETTE[1]))]
    layout = base_layout(title, height=560, legend=dict(orientation="h", y=-0.18), xaxis=axis_title("PC 1", range=xr),
                         yaxis=axis_title("PC 2", range=yr, scaleanchor="x", scaleratio=1),
                         annotations=arrows + _leaders(coords, words, spots, xr, yr, ANALOGY_PX))
    return go.Figure(data=traces, layout=layout)


def semantic_axes(words: list[str], x: np.ndarray, y: np.ndarray, pair_x: tuple[str, str],
                  pair_y: tuple[str, str], groups: list[str] | None = None) -> go.Figure:
    """word2viz: each word at (cos with b_x − a_x, cos with b_y − a_y); the axes are labelled by the pairs.

    The axes span the words and 0 (where a side changes), and the words are placed like the word map's."""
    groups = groups or ["words"] * len(words)
    xy = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    xr, yr = _padded_range(np.append(xy[:, 0], 0.0)), _padded_range(np.append(xy[:, 1], 0.0))
    spots = _spots(xy, words, [], SEMANTIC_PX, xr, yr)
    traces = []
    for gi, gname in enumerate(dict.fromkeys(groups)):
        idx = [i for i, g in enumerate(groups) if g == gname]
        traces.append(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", **_texts(idx, words, spots), name=gname,
            marker=dict(size=10, color=PALETTE[gi % len(PALETTE)]), hovertemplate="%{hovertext}<extra></extra>",
        ))
    layout = base_layout(
        "", height=480,
        xaxis=axis_title(f"← {pair_x[0]}   ·   {pair_x[1]} →", range=xr),
        yaxis=axis_title(f"← {pair_y[0]}   ·   {pair_y[1]} →", range=yr),
        shapes=[hline(0, color=NEUTRAL, width=1), vline(0, color=NEUTRAL, width=1)],
        annotations=_leaders(xy, words, spots, xr, yr, SEMANTIC_PX),
    )
    return go.Figure(data=traces, layout=layout)


def cosine_heatmaps(words: list[str], onehot_cos: np.ndarray, dense_cos: np.ndarray, V: int, D: int) -> go.Figure:
    """Side by side: cosine between one-hot vectors (identity) and between dense vectors, printed in cells."""
    columns = stacked_domains([1, 1], 0.12)
    traces = [
        go.Heatmap(
            z=M, x=words, y=words, zmin=-1, zmax=1, zmid=0, colorscale="RdBu", showscale=col == 2,
            text=np.vectorize(lambda v: f"{v:.2f}")(M), texttemplate="%{text}", xaxis=f"x{col}", yaxis=f"y{col}",
            hovertemplate="cos(%{y}, %{x}) = %{z:.3f}<extra></extra>",
        )
        for col, M in ((1, onehot_cos), (2, dense_cos))
    ]
    titles = (f"one-hot ({V:,} dimensions)", f"dense ({D} dimensions)")
    layout = base_layout("Cosine similarity between words", height=420)
    for col, (lo, hi) in enumerate(columns, start=1):
        layout[f"xaxis{col}"] = dict(domain=[lo, hi], anchor=f"y{col}")
        layout[f"yaxis{col}"] = dict(domain=[0, 1], anchor=f"x{col}", autorange="reversed")
    layout["annotations"] = [subplot_title(t, (lo + hi) / 2, 1.0) for t, (lo, hi) in zip(titles, columns)]
    return go.Figure(data=traces, layout=layout)


def dense_rows(words: list[str], dense: np.ndarray) -> go.Figure:
    """The dense vectors themselves: one row per word, one column per dimension."""
    heat = go.Heatmap(
        z=dense, y=words, x=[f"d{j + 1}" for j in range(dense.shape[1])], colorscale="RdBu", zmid=0,
        hovertemplate="%{y}, %{x}: %{z:.3f}<extra></extra>", colorbar=dict(title=dict(text="value")),
    )
    layout = base_layout("The dense vectors (every dimension used by every word)", height=300,
                         yaxis=dict(autorange="reversed"))
    return go.Figure(data=[heat], layout=layout)


def section_accuracy(sections: list[str], correct: np.ndarray, total: np.ndarray, overall: float) -> go.Figure:
    """Horizontal bars: analogy accuracy per section, with the number answered; overall as a line."""
    total = np.asarray(total)
    acc = np.where(total > 0, np.asarray(correct) / np.maximum(total, 1), 0.0)
    colors = [PALETTE[0] if s.startswith("gram") else PALETTE[1] for s in sections]
    bars = go.Bar(
        y=sections, x=acc * 100, orientation="h", marker=dict(color=colors),
        text=[f"{a * 100:.1f}% of {t}" for a, t in zip(acc, total)], textposition="outside",
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    )
    layout = base_layout(
        "Analogy accuracy per section (semantic orange, syntactic “gram” blue)", height=520,
        xaxis=axis_title("accuracy (%)", range=[0, 115]), yaxis=dict(autorange="reversed"),
        shapes=[vline(overall * 100, color=OUTLINE, dash="dash")],
        annotations=[dict(text=f"overall {overall * 100:.1f}%", x=overall * 100, xref="x", y=1, yref="paper",
                          xanchor="left", yanchor="bottom", showarrow=False)],
    )
    return go.Figure(data=[bars], layout=layout)


def between_centres(words: list[str], cos_left: np.ndarray, cos_right: np.ndarray, groups: list[str],
                    left: str, right: str, title: str = "") -> go.Figure:
    """Each word at (cos with the left centre, cos with the right centre); the diagonal is "equally near both".

    Both axes span the words' cosines (the same range, so the diagonal stays at 45°), the legend sits below,
    and the words are placed like the word map's (``place_labels`` on the projector's plot size): the
    sense words crowd together, and printed on top of each other they could not be read."""
    cl, cr = np.asarray(cos_left, float), np.asarray(cos_right, float)
    lo, hi = _padded_range(np.concatenate([cl, cr]), 0.1)
    stars = [i for i, g in enumerate(groups) if g.startswith("“")]
    spots = _spots(np.column_stack([cl, cr]), words, stars, BETWEEN_PX, [lo, hi], [lo, hi])
    traces = [go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name=f"equally near {left} and {right}",
                         line=dict(color=NEUTRAL, dash="dash"))]
    for gi, gname in enumerate(dict.fromkeys(groups)):
        idx = [i for i, g in enumerate(groups) if g == gname]
        star = gname.startswith("“")
        traces.append(go.Scatter(
            x=cl[idx], y=cr[idx], mode="markers+text", name=gname, **_texts(idx, words, spots),
            marker=dict(size=18 if star else 10, color=OUTLINE if star else PALETTE[gi % len(PALETTE)],
                        symbol="star" if star else "circle"),
            hovertemplate="%{hovertext}: cos " + left + " %{x:.3f}, " + right + " %{y:.3f}<extra></extra>",
        ))
    layout = base_layout(title, height=560, legend=dict(orientation="h", y=-0.18),
                         xaxis=axis_title(f"cosine with the {left} words' centre", range=[lo, hi]),
                         yaxis=axis_title(f"cosine with the {right} words' centre", range=[lo, hi],
                                          scaleanchor="x", scaleratio=1),
                         annotations=_leaders(np.column_stack([cl, cr]), words, spots, [lo, hi], [lo, hi], BETWEEN_PX))
    return go.Figure(data=traces, layout=layout)


def context_states(
    coords: np.ndarray, senses: list[str], labels: list[str], glove_coords: np.ndarray, glove_words: list[str],
    glove_groups: list[str], target: str = "bank",
) -> go.Figure:
    """Left: GloVe's single point for the target among sense words. Right: the GRU's h_t at the target, per sentence.

    The left panel's words are placed like the word map's (``place_labels``, on the projector's panel size), so
    close words (“loan”, “credit”) don't print over each other; a word with no free spot shows on hover."""
    titles = (f"GloVe: one vector for “{target}”", f"GRU state h_t at “{target}”, per sentence")
    columns = stacked_domains([1, 1], 0.08)
    traces = []
    xr, yr = _padded_range(glove_coords[:, 0]), _padded_range(glove_coords[:, 1])
    stars = [i for i, g in enumerate(glove_groups) if g.startswith("“")]
    spots = _spots(glove_coords, glove_words, stars, STATES_PANEL_PX, xr, yr)
    gnames = list(dict.fromkeys(glove_groups))
    for gi, g in enumerate(gnames):
        idx = [i for i, x in enumerate(glove_groups) if x == g]
        star = g.startswith("“")
        traces.append(go.Scatter(
            x=glove_coords[idx, 0], y=glove_coords[idx, 1], mode="markers+text", name=f"GloVe: {g}",
            xaxis="x", yaxis="y", **_texts(idx, glove_words, spots), hovertemplate="%{hovertext}<extra>GloVe</extra>",
            marker=dict(size=16 if star else 9, color=OUTLINE if star else PALETTE[gi % len(PALETTE)],
                        symbol="star" if star else "circle"),
        ))
    for si, s in enumerate(dict.fromkeys(senses)):
        m = np.array([x == s for x in senses])
        traces.append(go.Scatter(
            x=coords[m, 0], y=coords[m, 1], mode="markers", name=f"sentence sense: {s}", xaxis="x2", yaxis="y2",
            text=[lbl for lbl, k in zip(labels, m) if k], hovertemplate="%{text}<extra>" + s + "</extra>",
            marker=dict(size=13, color=PALETTE[(si + 1) % len(PALETTE)], symbol=["circle", "diamond", "square"][si % 3],
                        line=dict(color=OUTLINE, width=1)),
        ))
    layout = base_layout(
        "", height=480, legend=dict(orientation="h", y=-0.15),
        xaxis=axis_title("PC 1", domain=columns[0], anchor="y", range=xr), yaxis=dict(domain=[0, 1], anchor="x", range=yr),
        xaxis2=axis_title("PC 1 of h", domain=columns[1], anchor="y2"), yaxis2=dict(domain=[0, 1], anchor="x2"),
        annotations=[subplot_title(t, (lo + hi) / 2, 1.0) for t, (lo, hi) in zip(titles, columns)] + _leaders(glove_coords, glove_words, spots, xr, yr, STATES_PANEL_PX),
    )
    return go.Figure(data=traces, layout=layout)


def loss_curve(loss: np.ndarray, title: str = "Training loss (cross-entropy, nats)", ref: float | None = None) -> go.Figure:
    """Per-step training loss, with ln V (guessing) as a reference line."""
    line = go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, mode="lines", name="loss", line=dict(color=PALETTE[0]))
    layout = base_layout(title, height=300, xaxis=axis_title("step"), yaxis=axis_title("loss"))
    if ref is not None:
        layout["shapes"] = [hline(ref, color=NEUTRAL, dash="dash")]
        layout["annotations"] = [dict(text=f"ln V = {ref:.2f} (guessing)", xref="paper", x=1, yref="y", y=ref,
                                      xanchor="right", yanchor="bottom", showarrow=False)]
    return go.Figure(data=[line], layout=layout)


def warm_start_curves(steps: np.ndarray, heldout: np.ndarray, inputs: list[str], chance: float) -> go.Figure:
    """Held-out loss against training steps, one line (own colour and dash) per way of starting the inputs."""
    dashes = ["solid", "dash", "dot", "dashdot"]
    symbols = ["circle", "square", "diamond", "x"]
    traces = [go.Scatter(x=steps, y=heldout[k], mode="lines+markers", name=name,
                         line=dict(color=PALETTE[k % len(PALETTE)], dash=dashes[k % 4], width=3),
                         marker=dict(symbol=symbols[k % 4], size=8),
                         hovertemplate="step %{x}: %{y:.3f} nats<extra>" + name + "</extra>")
              for k, name in enumerate(inputs)]
    layout = base_layout("Held-out loss while training: GloVe inputs against random inputs", height=380,
                         xaxis=axis_title("training step"), yaxis=axis_title("held-out cross-entropy (nats)"),
                         legend=dict(orientation="h", y=-0.25),
                         shapes=[hline(chance, color=NEUTRAL, dash="dash")],
                         annotations=[dict(text=f"ln 2 = {chance:.2f} (a coin flip)", xref="paper", x=1, yref="y",
                                           y=chance, xanchor="right", yanchor="bottom", showarrow=False)])
    return go.Figure(data=traces, layout=layout)
