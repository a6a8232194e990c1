"""Charts of the sound lesson: pure Plotly from numpy arrays (no torch, no streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.common.style import PALETTE, axis_title, base_layout, stacked_domains, subplot_title, vline

STYLE_COLOURS = {"neutral": "#999999", "happy": PALETTE[1], "sad": PALETTE[0], "angry": PALETTE[5]}


def spectrogram_and_beliefs(frames: np.ndarray, probs: np.ndarray, classes, frame_seconds: float,
                            cut: int | None = None, title: str = "") -> go.Figure:
    """Log-mel frames (T, M) on top; P(style | frames so far) (T, C) below, on one time axis.

    ``cut`` draws where the clip is cut (the network has heard frames 1..cut).
    """
    T = len(frames)
    t = np.arange(T) * frame_seconds
    top, bottom = stacked_domains([0.55, 0.45], 0.08)
    data = [go.Heatmap(z=frames.T, x=t, y=np.arange(frames.shape[1]), colorscale="Viridis", showscale=False,
                       hovertemplate="t=%{x:.2f} s<br>mel band %{y}<br>log power %{z:.2f}<extra></extra>",
                       xaxis="x", yaxis="y2")]
    for c, name in enumerate(classes):
        data.append(go.Scatter(x=t[: len(probs)], y=probs[:, c], name=name, mode="lines",
                               line=dict(color=STYLE_COLOURS.get(name, PALETTE[c % len(PALETTE)]), width=2.5),
                               hovertemplate=f"{name}: %{{y:.2f}} at %{{x:.2f}} s<extra></extra>",
                               xaxis="x", yaxis="y"))
    shapes = [vline(float(t[min(cut, T) - 1]), color="black", width=2, dash="dash")] if cut else []
    layout = base_layout(title, height=460, shapes=shapes,
                         xaxis=axis_title("time (s)", range=[t[0], t[-1] if T > 1 else 1]),
                         yaxis=axis_title("P(style | frames so far)", domain=[0, bottom[1] - bottom[0]], range=[0, 1]),
                         yaxis2=axis_title("mel band (low → high)", domain=[1 - (top[1] - top[0]), 1]),
                         legend=dict(orientation="h", y=-0.18))
    return go.Figure(data=data, layout=layout)


def accuracy_by_fraction(fractions, accuracy, chance: float, order_blind: float) -> go.Figure:
    """Held-out accuracy when each clip is cut after a fraction of its frames, with two references."""
    data = [go.Scatter(x=np.asarray(fractions) * 100, y=accuracy, mode="lines+markers", name="CNN + LSTM",
                       line=dict(color=PALETTE[0], width=3)),
            go.Scatter(x=[0, 100], y=[order_blind] * 2, mode="lines", name="order-blind (time-averaged)",
                       line=dict(color=PALETTE[1], dash="dash")),
            go.Scatter(x=[0, 100], y=[chance] * 2, mode="lines", name="chance",
                       line=dict(color="#888888", dash="dot"))]
    return go.Figure(data=data, layout=base_layout(
        "Held-out clips: accuracy after hearing part of each clip", height=340,
        xaxis=axis_title("% of the clip heard", range=[0, 102]), yaxis=axis_title("accuracy", range=[0, 1.02]),
        legend=dict(orientation="h", y=-0.25)))


def envelope_maps(true_env: np.ndarray, pred_env: np.ndarray, band_hz: np.ndarray, step_seconds: float,
                  frame: int | None = None, steps_per_frame: int = 2) -> go.Figure:
    """True and predicted subband envelopes (steps, bands) side by side, the current frame marked."""
    t = np.arange(len(true_env)) * step_seconds
    left, right = stacked_domains([1, 1], 0.06)
    zmax = float(max(true_env.max(), pred_env.max(), 1e-6))
    labels = [f"{hz:.0f}" for hz in band_hz]
    data = []
    for env, ax, name in ((true_env, "x", "true"), (pred_env, "x2", "predicted")):
        data.append(go.Heatmap(z=env.T, x=t, y=labels, zmin=0, zmax=zmax, colorscale="Magma", showscale=ax == "x2",
                               xaxis=ax, yaxis="y", name=name,
                               hovertemplate=name + ": %{z:.3f}<br>t=%{x:.2f} s, band from %{y} Hz<extra></extra>"))
    shapes = []
    if frame is not None:
        x0 = frame * steps_per_frame * step_seconds
        shapes = [dict(type="line", xref=ax, x0=x0, x1=x0, yref="paper", y0=0, y1=1,
                       line=dict(color="white", width=2, dash="dash")) for ax in ("x", "x2")]
    annotations = [subplot_title(s, (d[0] + d[1]) / 2, 1.0, size=14)  # centred: Plotly's "auto" anchor put
                   for s, d in (("true sound", left), ("predicted from the silent frames", right))]  # them on each other
    return go.Figure(data=data, layout=base_layout(
        "", height=360, shapes=shapes, annotations=annotations,
        xaxis=axis_title("time (s)", domain=left), xaxis2=axis_title("time (s)", domain=right),
        yaxis=axis_title("band (Hz, lower edge)", type="category")))


def loudness_lines(true_env: np.ndarray, pred_env: np.ndarray, retrieved_env: np.ndarray,
                   step_seconds: float) -> go.Figure:
    """Overall loudness over time (sum of the bands' envelopes): true, predicted, retrieved."""
    t = np.arange(len(true_env)) * step_seconds
    data = [go.Scatter(x=t, y=e.sum(axis=1), name=n, mode="lines", line=dict(color=c, width=w, dash=d))
            for e, n, c, w, d in ((true_env, "true", "#000000", 3, "solid"),
                                  (pred_env, "predicted", PALETTE[0], 2.5, "solid"),
                                  (retrieved_env, "retrieved (nearest training sound)", PALETTE[1], 2, "dash"))]
    return go.Figure(data=data, layout=base_layout(
        "Loudness over time (sum over bands)", height=300, xaxis=axis_title("time (s)"),
        yaxis=axis_title("sum of envelopes"), legend=dict(orientation="h", y=-0.3)))
