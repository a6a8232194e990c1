"""Figures for the "hello" language-model lesson: arrays and labels in, go.Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import NEUTRAL, OUTLINE, TARGET, base_layout, char_label


def position_labels(inputs: list[str]) -> list[str]:
    """One unique axis label per time step: "t=1 · h"."""
    return [f"t={t + 1} · {char_label(ch)}" for t, ch in enumerate(inputs)]


def unrolled_network(
    inputs: list[str],
    targets: list[str],
    vocab: list[str],
    probs: np.ndarray,
    hidden: np.ndarray,
    title: str = "",
) -> go.Figure:
    """The slide's unrolled RNN: one-hot inputs (bottom), hidden states h_t, softmax outputs (top).

    probs is (T, V), hidden is (T, H); the target character of each step is outlined.
    """
    T, V = probs.shape
    H = hidden.shape[1]
    x = position_labels(inputs)
    labels = [char_label(c) for c in vocab]
    onehot = np.zeros((V, T))
    onehot[[vocab.index(c) for c in inputs], np.arange(T)] = 1
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[V, max(H, 2) * 0.8, V],
        subplot_titles=(
            "output layer: P(next character) — target outlined",
            "hidden layer h_t",
            "input layer: one-hot x_t",
        ),
    )
    text = np.vectorize(lambda p: f"{p:.2f}")(probs.T)
    fig.add_trace(
        go.Heatmap(
            z=probs.T, x=x, y=labels, zmin=0, zmax=1, colorscale="Blues", text=text,
            texttemplate="%{text}", showscale=False,
            hovertemplate="input so far ends with %{x}<br>P(next = %{y}) = %{z:.4f}<extra></extra>",
        ),
        row=1, col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=hidden.T, x=x, y=[f"unit {j + 1}" for j in range(H)], zmin=-1, zmax=1, zmid=0,
            colorscale="RdBu", showscale=True,
            colorbar=dict(title="h", len=0.35, y=0.5, thickness=12),
            hovertemplate="%{x}<br>%{y}: %{z:.4f}<extra></extra>",
        ),
        row=2, col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=onehot, x=x, y=labels, zmin=0, zmax=1, colorscale=[[0, "#FFFFFF"], [1, "#555555"]],
            showscale=False, xgap=2, ygap=2, text=onehot.astype(int).astype(str), texttemplate="%{text}",
            hovertemplate="%{x}<br>x[%{y}] = %{z:.0f}<extra></extra>",
        ),
        row=3, col=1,
    )
    for t, ch in enumerate(targets):  # outline each target cell, as the slides' green arrows
        v = vocab.index(ch)
        fig.add_shape(
            type="rect", x0=t - 0.5, x1=t + 0.5, y0=v - 0.5, y1=v + 0.5,
            line=dict(color=OUTLINE, width=3), xref="x", yref="y", row=1, col=1,
        )
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=3, col=1)
    fig.update_yaxes(showticklabels=H <= 32, autorange="reversed", row=2, col=1)
    fig.update_layout(**base_layout(title=title, height=260 + 22 * (2 * V + max(H, 2))))
    return fig


def next_char_bars(
    inputs: list[str], targets: list[str], vocab: list[str], probs: np.ndarray
) -> go.Figure:
    """One bar chart per step: the softmax over the next character, the target bar marked."""
    T = probs.shape[0]
    labels = [char_label(c) for c in vocab]
    so_far = ["".join(inputs[: t + 1]) for t in range(T)]
    titles = [f"after “{char_label(s[-12:])}” → {char_label(targets[t])}?" for t, s in enumerate(so_far)]
    fig = make_subplots(rows=1, cols=T, shared_yaxes=True, subplot_titles=titles, horizontal_spacing=0.02)
    for t in range(T):
        is_target = [c == targets[t] for c in vocab]
        fig.add_trace(
            go.Bar(
                x=labels, y=probs[t],
                marker=dict(
                    color=[TARGET if m else NEUTRAL for m in is_target],
                    line=dict(color=[OUTLINE if m else NEUTRAL for m in is_target], width=[3 if m else 0 for m in is_target]),
                ),
                text=[f"{p:.2f}<br>target" if m else f"{p:.2f}" for p, m in zip(probs[t], is_target)],
                textposition="outside", cliponaxis=False, showlegend=False,
                hovertemplate=f"after “{char_label(so_far[t])}”<br>P(next = %{{x}}) = %{{y:.4f}}<extra></extra>",
            ),
            row=1, col=t + 1,
        )
    fig.update_yaxes(range=[0, 1.25], tickvals=[0, 0.25, 0.5, 0.75, 1.0], row=1, col=1, title="probability")
    fig.update_yaxes(range=[0, 1.25])
    fig.update_layout(**base_layout(height=300, bargap=0.15))
    fig.update_annotations(font_size=12)
    return fig


def target_prob_curves(
    steps: np.ndarray, p_target: np.ndarray, labels: list[str], current_step: int
) -> go.Figure:
    """P(target) at each position against training step; a vertical line marks the replayed step."""
    fig = go.Figure()
    for t, label in enumerate(labels):
        fig.add_trace(
            go.Scatter(
                x=steps, y=p_target[:, t], mode="lines", name=label,
                hovertemplate=f"{label}<br>step %{{x}}: P(target) = %{{y:.4f}}<extra></extra>",
            )
        )
    fig.add_vline(x=current_step, line=dict(color="#333333", dash="dot"))
    fig.update_layout(
        **base_layout(height=300, xaxis_title="training step", yaxis_title="P(target)",
                      legend=dict(orientation="h", y=-0.3))
    )
    fig.update_yaxes(range=[0, 1.02])
    return fig


def loss_curve(steps: np.ndarray, loss: np.ndarray, current_step: int, ln_v: float) -> go.Figure:
    """Cross-entropy against training step, with the guessing level ln V drawn for reference."""
    fig = go.Figure(
        go.Scatter(x=steps, y=loss, mode="lines", name="loss",
                   hovertemplate="step %{x}: loss %{y:.4f}<extra></extra>")
    )
    fig.add_hline(y=ln_v, line=dict(color="#D55E00", dash="dash"),
                  annotation_text=f"ln V = {ln_v:.3f} (uniform guessing)", annotation_position="top right")
    fig.add_vline(x=current_step, line=dict(color="#333333", dash="dot"))
    fig.update_layout(**base_layout(height=300, xaxis_title="training step", yaxis_title="cross-entropy (nats)"))
    fig.update_yaxes(rangemode="tozero")
    return fig
