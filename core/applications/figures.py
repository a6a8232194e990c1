"""Figures for the "further applications" lesson: arrays and labels in, go.Figure out (never torch).

Each figure is one ``go.Figure(data, layout=…)`` call with the whole layout as nested dicts (the
shapes and annotations as lists), like the other lessons' builders: ``add_shape`` /
``update_xaxes`` / ``update_layout(xaxis_title=…)`` re-walk and re-validate the figure on every
call, and cost 40–300 ms per figure on a class server that every student shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.common.style import NEUTRAL, OUTLINE, PALETTE, TARGET, axis_title, base_layout, char_label, hline


def _baseline(y: float, text: str, below: bool = False) -> tuple[dict, dict]:
    """A dashed guessing/chance line across the plot and its label at the right (as add_hline drew them)."""
    label = dict(showarrow=False, text=text, x=1, xanchor="right", xref="x domain", y=y, yref="y",
                 yanchor="top" if below else "bottom")
    return hline(y, xref="x domain", color=PALETTE[5], dash="dash"), label


# ---------------------------------------------------------------------------------------------
# Overview: every application drawn as the network it is
# ---------------------------------------------------------------------------------------------

# How each kind joins its three boxes: (arrow into the middle box, arrow into the output box, dash of the
# output box's border). Kinds differ in words AND in line style, never by colour alone.
_JOINS = {
    "encoder–decoder": ("the whole input, then", "decoder, step by step", "solid"),
    "language model": ("one RNN, step by step", "each output fed back in", "dot"),
    "sequence-to-one classification": ("every frame", "once, after the last frame", "dash"),
    "frame-by-frame regression": ("every frame", "at every frame", "dashdot"),
}


def _wrap(text: str, width: int = 24) -> str:
    """Break a label into lines of about ``width`` characters, so it fits its box on a projector too."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width))


def _family(kind: str) -> str:
    return next(k for k in _JOINS if kind.startswith(k))


def overview_diagram(rows: Sequence[dict]) -> go.Figure:
    """One row per application: [what it reads → network] → [what the RNN carries] → [what it writes].

    Each row is a dict with keys name, paper, kind, reads, network, carries, writes, result, measured_on.
    The row's kind (encoder–decoder, language model, sequence-to-one, frame-by-frame regression) is written
    in its title and shown by the arrows' words and the output box's border style.
    """
    n = len(rows)
    shapes, annotations = [], []
    boxes = [(0.0, 0.31, "#DCEBF7"), (0.37, 0.63, "#FCEBCB"), (0.69, 1.0, "#D9F0E6")]
    for i, row in enumerate(rows):
        y1, y0 = n - i - 0.12, n - i - 0.66
        mid = (y0 + y1) / 2
        into_mid, into_out, dash = _JOINS[_family(row["kind"])]
        for k, (x0, x1, colour) in enumerate(boxes):
            shapes.append(dict(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, fillcolor=colour, layer="below",
                               line=dict(color=OUTLINE, width=2 if k == 2 else 1, dash=dash if k == 2 else "solid")))
        texts = (f"<b>{row['network']}</b><br>{_wrap('reads ' + row['reads'])}", _wrap(row["carries"]),
                 _wrap(row["writes"]))
        for (x0, x1, _), text in zip(boxes, texts):
            annotations.append(dict(x=(x0 + x1) / 2, y=mid, text=text, showarrow=False, font=dict(size=12),
                                    xref="x", yref="y"))
        for (xa, xb), said in (((0.31, 0.37), into_mid), ((0.63, 0.69), into_out)):
            annotations.append(dict(x=xb, y=mid, ax=xa, ay=mid, xref="x", yref="y", axref="x", ayref="y", text="",
                                    showarrow=True, arrowhead=2, arrowwidth=2, arrowcolor=OUTLINE))
            annotations.append(dict(x=(xa + xb) / 2, y=y0, yanchor="top", text=f"<i>{said}</i>", showarrow=False,
                                    font=dict(size=11), xref="x", yref="y"))
        annotations.append(dict(x=0.0, y=y1 + 0.02, xanchor="left", yanchor="bottom", showarrow=False,
                                text=f"<b>{row['name']}</b> — {row['kind']}", font=dict(size=13)))
    points = go.Scatter(  # invisible points carry each row's result on hover and fix the axes
        x=[0.5] * n, y=[n - i - 0.39 for i in range(n)], mode="markers", marker=dict(opacity=0),
        hovertext=[f"{r['name']} ({r['paper']}): {r['result']}<br>measured on {r['measured_on']}" for r in rows],
        hoverinfo="text", showlegend=False,
    )
    return go.Figure(points, layout=base_layout(
        "What each application's network is: reads → carries → writes", height=110 + 118 * n, shapes=shapes,
        annotations=annotations, xaxis=dict(visible=False, range=[-0.01, 1.01]),
        yaxis=dict(visible=False, range=[0.2, n + 0.12]),
    ))


# ---------------------------------------------------------------------------------------------
# Show and Tell
# ---------------------------------------------------------------------------------------------


def image_figure(image: np.ndarray, title: str = "") -> go.Figure:
    """Show an (H, W, 3) image with values in [0, 1], pixel-exact."""
    z = np.clip(np.asarray(image) * 255, 0, 255).round().astype(np.uint8)
    return go.Figure(go.Image(z=z, hovertemplate="row %{y}, col %{x}<br>RGB %{z}<extra></extra>"),
                     layout=base_layout(title, height=300, xaxis=dict(visible=False),
                                        yaxis=dict(visible=False, scaleanchor="x")))


def word_softmax(chosen: Sequence[str], vocab: Sequence[str], probs: np.ndarray) -> go.Figure:
    """The decoder's softmax at each step (columns) over the vocabulary (rows); the chosen word outlined.

    probs is (T, V); chosen holds the T words picked (the last is usually <eos>).
    """
    T, V = probs.shape
    x = [f"t={t + 1} · {w}" for t, w in enumerate(chosen)]
    text = np.vectorize(lambda p: f"{p:.2f}" if p >= 0.005 else "")(probs.T)
    heatmap = go.Heatmap(
        z=probs.T, x=x, y=list(vocab), zmin=0, zmax=1, colorscale="Blues", text=text, texttemplate="%{text}",
        colorbar=dict(title="P", thickness=12),
        hovertemplate="%{x}<br>P(%{y}) = %{z:.4f}<extra></extra>",
    )
    outlines = []
    for t, w in enumerate(chosen):
        v = list(vocab).index(w)
        outlines.append(dict(type="rect", x0=t - 0.5, x1=t + 0.5, y0=v - 0.5, y1=v + 0.5,
                             line=dict(color=OUTLINE, width=3)))
    return go.Figure(heatmap, layout=base_layout(
        "Each word's softmax (the chosen word outlined)", height=140 + 22 * V, shapes=outlines,
        xaxis=axis_title("decoder step · word chosen"),
        yaxis=axis_title("vocabulary", autorange="reversed"),
    ))


LABEL_ROOM = 0.85  # rows of room under the beam tree's last rank for its two-line labels


def beam_tree(nodes: Sequence, itos: Sequence[str], best: Sequence[int]) -> go.Figure:
    """The beam search tree: one column per step, the hypotheses kept in it, their parents.

    ``nodes`` are ``core.common.beam.BeamNode``-like (step, parent, token, score, kept); ``best`` is the
    token list of the best hypothesis (without <eos>), whose path is drawn thick.
    """
    nodes = list(nodes)
    paths: list[list[int]] = []
    for node in nodes:
        prefix = paths[node.parent] if node.parent >= 0 else []
        paths.append(prefix + [node.token])
    # rank within each step by score, best on top
    rank = {}
    for step in sorted({n.step for n in nodes}):
        ids = sorted((i for i, n in enumerate(nodes) if n.step == step), key=lambda i: -nodes[i].score)
        for r, i in enumerate(ids):
            rank[i] = r
    best = list(best)
    # on the best path: a prefix of it, or the <eos> that finished it
    on_best = [p == best[: len(p)] or (not nodes[i].kept and p[:-1] == best) for i, p in enumerate(paths)]
    traces = []
    for i, node in enumerate(nodes):
        px, py = (node.step - 1, rank[node.parent]) if node.parent >= 0 else (-1, 0)
        traces.append(go.Scatter(
            x=[px, node.step], y=[py, rank[i]], mode="lines", hoverinfo="skip", showlegend=False,
            line=dict(color=OUTLINE if on_best[i] else NEUTRAL, width=4 if on_best[i] else 1.5),
        ))
    kept = [i for i, n in enumerate(nodes) if n.kept]
    done = [i for i, n in enumerate(nodes) if not n.kept]
    for ids, name, symbol, colour in ((kept, "kept in the beam", "circle", TARGET), (done, "finished (<eos>)", "square", PALETTE[1])):
        traces.append(go.Scatter(
            x=[nodes[i].step for i in ids], y=[rank[i] for i in ids], mode="markers+text", name=name,
            marker=dict(symbol=symbol, size=14, color=colour, line=dict(color=OUTLINE, width=[3 if on_best[i] else 1 for i in ids])),
            text=[f"{itos[nodes[i].token]}<br>{nodes[i].score:.2f}" for i in ids], textposition="bottom center",
            hovertemplate=[f"{' '.join(itos[t] for t in paths[i])}<br>log P = {nodes[i].score:.3f}<extra></extra>" for i in ids],
        ))
    traces.append(go.Scatter(x=[-1], y=[0], mode="markers+text", text=["<bos>"], textposition="bottom center",
                             marker=dict(size=14, color=NEUTRAL, line=dict(color=OUTLINE, width=1)), name="start",
                             hoverinfo="skip"))
    width = max((r for r in rank.values()), default=0) + 1
    return go.Figure(traces, layout=base_layout(
        "Beam search: the best path thick; numbers are total log P", height=200 + 70 * width,
        legend=dict(orientation="h", y=-0.25),
        # best on top: a range from high to low (with autorange on, Plotly ignored the range and the last
        # row's words and scores, written under its markers, ran into the step numbers)
        yaxis=axis_title("rank in the beam (best on top)", autorange=False, tickvals=list(range(width)),
                         range=[width - 1 + LABEL_ROOM, -0.45]),
        xaxis=axis_title("decoder step", tickvals=list(range(-1, max((n.step for n in nodes), default=0) + 1))),
    ))


# ---------------------------------------------------------------------------------------------
# Training curves
# ---------------------------------------------------------------------------------------------


def loss_vs_baseline(
    steps: np.ndarray, loss: np.ndarray, baseline: float, baseline_label: str,
    eval_steps: np.ndarray | None = None, eval_loss: np.ndarray | None = None, title: str = "",
    reference: tuple[float, str] | None = None,
) -> go.Figure:
    """Training loss per step (and held-out loss, if given) against a guessing baseline such as ln V,
    and optionally a second reference line (value, label) such as a unigram model's loss, dotted."""
    traces = [go.Scatter(x=steps, y=loss, mode="lines", name="training batch", line=dict(color=PALETTE[4]),
                         hovertemplate="step %{x}: %{y:.4f}<extra></extra>")]
    if eval_steps is not None and eval_loss is not None:
        traces.append(go.Scatter(x=eval_steps, y=eval_loss, mode="lines+markers", name="held-out",
                                 line=dict(color=PALETTE[0], width=3), marker=dict(symbol="diamond", size=8),
                                 hovertemplate="step %{x}: held-out %{y:.4f}<extra></extra>"))
    line, label = _baseline(baseline, baseline_label)
    shapes, annotations = [line], [label]
    if reference is not None:
        ref_line, ref_label = _baseline(reference[0], reference[1], below=True)
        ref_line["line"].update(dash="dot", color=PALETTE[3])
        shapes.append(ref_line)
        annotations.append(ref_label)
    return go.Figure(traces, layout=base_layout(
        title, height=320, shapes=shapes, annotations=annotations, legend=dict(orientation="h", y=-0.25),
        xaxis=axis_title("training step"),
        yaxis=axis_title("cross-entropy (nats)", rangemode="tozero"),
    ))


# ---------------------------------------------------------------------------------------------
# Generating text
# ---------------------------------------------------------------------------------------------


def hidden_unit_text(chars: Sequence[str], activation: np.ndarray, unit: int, per_line: int = 40,
                     n_prime: int = 0) -> go.Figure:
    """Karpathy's neuron picture: every character coloured by one hidden unit's value when it is read.

    activation is (L,) in [-1, 1] for the L characters; the first ``n_prime`` are the priming text.
    40 characters a line at 17 px: each letter stays readable on a projector (60 at 13 px were not).
    """
    L = len(chars)
    n_lines = max(1, -(-L // per_line))
    z = np.full((n_lines, per_line), np.nan)
    text = np.full((n_lines, per_line), "", dtype=object)
    hover = np.full((n_lines, per_line), "", dtype=object)
    for i, (ch, a) in enumerate(zip(chars, activation)):
        r, c = divmod(i, per_line)
        z[r, c] = a
        text[r, c] = char_label(ch) if ch != " " else "·"
        hover[r, c] = f"char {i + 1} {char_label(ch)!r}{' (priming)' if i < n_prime else ''}: h = {a:+.3f}"
    heatmap = go.Heatmap(
        z=z, text=text, texttemplate="%{text}", textfont=dict(family="monospace", size=17), zmin=-1, zmax=1, zmid=0,
        colorscale="RdBu", colorbar=dict(title=f"unit {unit}", thickness=12), xgap=1, ygap=3,
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
    )
    return go.Figure(heatmap, layout=base_layout(
        f"Hidden unit {unit} along the text (blue = +1, red = −1)", height=90 + 40 * n_lines,
        xaxis=dict(visible=False), yaxis=dict(visible=False, autorange="reversed"),
    ))
