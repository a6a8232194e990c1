"""Figures for the "hello" language-model lesson: arrays and labels in, go.Figure out.

Characters arrive one per list element, already made safe for Plotly labels by the caller
(``ui.show.esc_label``), so contexts are cut by characters, never inside an escaped one.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.common.style import (
    NEUTRAL, OUTLINE, TARGET, axis_title, base_layout, char_label, hline, stacked_domains, subplot_title, vline,
)


# Margins wide enough for the usual labels (measured in the browser). The replay charts are drawn anew
# at every step (Streamlit mounts a changed chart anew and draws it twice), so the axes whose labels fit
# these margins turn Plotly's automargin off: it measures every label again at every draw. Presenter
# mode's larger fonts turn it back on (ui.show.for_projector). "allow" skips the check, label by label,
# that hides a tick label running past the figure's edge (none does here).
FIXED = dict(automargin=False, ticklabeloverflow="allow")
UNROLLED_MARGIN = dict(l=55, r=85, t=60, b=40)
BARS_MARGIN = dict(l=75, r=10, t=40, b=40)
CURVES_MARGIN = dict(l=70, r=20, t=40, b=70)

DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross")


def position_labels(inputs: list[str]) -> list[str]:
    """One unique axis label per time step: "t=1 · h"."""
    return [f"t={t + 1} · {char_label(ch)}" for t, ch in enumerate(inputs)]


def context(inputs: list[str], t: int, last: int) -> str:
    """The input read up to step t, at most its ``last`` characters, whitespace made visible."""
    return char_label("".join(inputs[max(0, t + 1 - last): t + 1]))


def step_labels(inputs: list[str], targets: list[str], k: int) -> list[str]:
    """One legend entry per shown position: 'after “hel” → l'."""
    return [f"after “{context(inputs, t, 10)}” → {char_label(targets[t])}" for t in range(min(len(inputs), k))]


def unrolled_network(
    inputs: list[str],
    targets: list[str],
    vocab: list[str],
    probs: np.ndarray,
    hidden: np.ndarray,
    title: str = "",
) -> go.Figure:
    """The slide's unrolled RNN: one-hot inputs (bottom), hidden states h_t, softmax outputs (top).

    probs is (T, V), hidden is (T, H); the target character of each step is outlined. Three rows
    share one x axis (time steps).
    """
    T, V = probs.shape
    H = hidden.shape[1]
    x = position_labels(inputs)
    labels = [char_label(c) for c in vocab]
    onehot = np.zeros((V, T))
    onehot[[vocab.index(c) for c in inputs], np.arange(T)] = 1
    top, mid, bottom = stacked_domains([V, max(H, 2) * 0.8, V], 0.06)
    rows = {"y": [1 - top[1], 1 - top[0]], "y2": [1 - mid[1], 1 - mid[0]], "y3": [1 - bottom[1], 1 - bottom[0]]}
    data = [
        go.Heatmap(
            z=probs.T, x=x, y=labels, zmin=0, zmax=1, colorscale="Blues",
            texttemplate="%{z:.2f}", showscale=False, xaxis="x", yaxis="y",
            hovertemplate="input so far ends with %{x}<br>P(next = %{y}) = %{z:.4f}<extra></extra>",
        ),
        go.Heatmap(
            z=hidden.T, x=x, y=[f"unit {j + 1}" for j in range(H)], zmin=-1, zmax=1, zmid=0,
            colorscale="RdBu", showscale=True, xaxis="x", yaxis="y2",
            colorbar=dict(title=dict(text="h"), len=0.35, y=0.5, thickness=12, ticklabeloverflow="allow"),
            hovertemplate="%{x}<br>%{y}: %{z:.4f}<extra></extra>",
        ),
        go.Heatmap(
            z=onehot, x=x, y=labels, zmin=0, zmax=1, colorscale=[[0, "#FFFFFF"], [1, "#555555"]],
            showscale=False, xgap=2, ygap=2, text=onehot.astype(int).astype(str), texttemplate="%{text}",
            xaxis="x", yaxis="y3", hovertemplate="%{x}<br>x[%{y}] = %{z:.0f}<extra></extra>",
        ),
    ]
    # outline each target cell, as the slides' green arrows
    shapes = [dict(type="rect", x0=t - 0.5, x1=t + 0.5, y0=vocab.index(ch) - 0.5, y1=vocab.index(ch) + 0.5,
                   line=dict(color=OUTLINE, width=3), xref="x", yref="y") for t, ch in enumerate(targets)]
    titles = ("output layer: P(next character) — target outlined", "hidden layer h_t", "input layer: one-hot x_t")
    layout = base_layout(title=title, height=260 + 22 * (2 * V + max(H, 2)), margin=UNROLLED_MARGIN)
    layout.update(
        # up to 8 columns the step labels stay level; more may tilt and need a deeper bottom margin
        xaxis=dict(anchor="y3", domain=[0, 1], automargin=T > 8, ticklabeloverflow="allow"),
        yaxis=dict(domain=rows["y"], anchor="x", autorange="reversed", **FIXED),
        yaxis2=dict(domain=rows["y2"], anchor="x", autorange="reversed", showticklabels=H <= 32, **FIXED),
        yaxis3=dict(domain=rows["y3"], anchor="x", autorange="reversed", **FIXED),
        shapes=shapes,
        annotations=[subplot_title(t, 0.5, rows[y][1]) for t, y in zip(titles, ("y", "y2", "y3"))],
    )
    return go.Figure(data=data, layout=layout)


def next_char_bars(
    inputs: list[str], targets: list[str], vocab: list[str], probs: np.ndarray
) -> go.Figure:
    """One group of bars per step: the softmax over the next character, the target bar marked.

    Only the target bar carries its value (colour, outline and the word "target"); the others show
    theirs on hover, so nothing overlaps at projector sizes. Titles are short: “hel” → l. The groups
    share one pair of axes, a gap between them: one plot area draws in about half the time of one per
    step, and the chart is drawn anew at every replay step.
    """
    T, V = probs.shape
    labels = [char_label(c) for c in vocab]
    titles = [f"“{context(inputs, t, 4)}” → {char_label(targets[t])}" for t in range(T)]
    left, right = -1, T * (V + 1) - 1  # one empty slot before, between and after the groups
    # one trace for all the groups: Plotly lays out, styles and labels each trace on its own
    is_target = [c == targets[t] for t in range(T) for c in vocab]  # step-major, as probs.ravel()
    data = [go.Bar(
        x=[t * (V + 1) + j for t in range(T) for j in range(V)], y=probs.ravel(),
        customdata=[[context(inputs, t, 20), label] for t in range(T) for label in labels],
        marker=dict(
            color=[TARGET if m else NEUTRAL for m in is_target],
            line=dict(color=[OUTLINE if m else NEUTRAL for m in is_target], width=[3 if m else 0 for m in is_target]),
        ),
        text=[f"{p:.2f}<br>target" if m else "" for p, m in zip(probs.ravel(), is_target)],
        textposition="outside", cliponaxis=False, showlegend=False,
        hovertemplate="after “%{customdata[0]}”<br>P(next = %{customdata[1]}) = %{y:.4f}<extra></extra>",
    )]
    layout = base_layout(
        height=300, bargap=0.15, margin=BARS_MARGIN,
        uniformtext=dict(minsize=12, mode="show"),  # Plotly would shrink "target" to a narrow bar's width: unreadable
        xaxis=dict(range=[left, right], tickvals=[t * (V + 1) + j for t in range(T) for j in range(V)],
                   ticktext=labels * T, showgrid=False, zeroline=False, **FIXED),
        yaxis=dict(range=[0, 1.25], tickvals=[0, 0.25, 0.5, 0.75, 1.0], title=dict(text="probability"), **FIXED),
        annotations=[subplot_title(title, (t * (V + 1) + (V - 1) / 2 - left) / (right - left), 1.0, size=12)
                     for t, title in enumerate(titles)],
    )
    return go.Figure(data=data, layout=layout)


def target_prob_curves(
    steps: np.ndarray, p_target: np.ndarray, labels: list[str], current_step: int | None = None
) -> go.Figure:
    """P(target) at each position against training step; a vertical line marks ``current_step`` if given.

    Each position has its own dash and marker as well as its colour. The replay page leaves the line
    out, so the chart is the same at every step and the browser never redraws it.
    """
    data = [
        go.Scatter(
            x=steps, y=p_target[:, t], mode="lines+markers" if len(steps) <= 60 else "lines", name=label,
            line=dict(dash=DASHES[t % len(DASHES)]), marker=dict(symbol=SYMBOLS[t % len(SYMBOLS)], size=7),
            hovertemplate=f"{label}<br>step %{{x}}: P(target) = %{{y:.4f}}<extra></extra>",
        )
        for t, label in enumerate(labels)
    ]
    legend_rows = (len(labels) + 1) // 2  # two entries a row in a half-width chart
    # The legend sits at the figure's bottom edge, below the axis title whatever the font size (presenter mode)
    layout = base_layout(height=300, legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
                         margin=dict(CURVES_MARGIN, b=65 + 26 * legend_rows),
                         xaxis=axis_title("training step"), yaxis=axis_title("P(target)", range=[0, 1.02]),
                         shapes=_marker(current_step))
    return go.Figure(data=data, layout=layout)


def loss_curve(steps: np.ndarray, loss: np.ndarray, current_step: int | None, ln_v: float) -> go.Figure:
    """Cross-entropy against training step, with the guessing level ln V drawn for reference."""
    data = [go.Scatter(x=steps, y=loss, mode="lines", name="loss",
                       hovertemplate="step %{x}: loss %{y:.4f}<extra></extra>")]
    layout = base_layout(
        height=300, margin=CURVES_MARGIN, xaxis=axis_title("training step"),
        yaxis=axis_title("cross-entropy (nats)", rangemode="tozero"),
        shapes=_marker(current_step) + [hline(ln_v, color="#D55E00", dash="dash")],
        annotations=[dict(text=f"ln V = {ln_v:.3f} (uniform guessing)", xref="paper", x=1, yref="y", y=ln_v,
                          xanchor="right", yanchor="bottom", showarrow=False)],
    )
    return go.Figure(data=data, layout=layout)


def _marker(step: int | None) -> list[dict]:
    return [] if step is None else [vline(step, color="#333333", dash="dot")]
