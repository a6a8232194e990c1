"""Plotly pictures of pen strokes, densities and the soft window (pure builders: no torch, no state).

Inputs are the numpy arrays of ``core.handwriting.model.Written`` / ``HandRecord``: offsets (N, 3)
rows (Δx, Δy, eos) in font units, y up. Each builder has a ``*_table`` twin giving the numbers it draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

INK = "#1f2a44"
FAINT = "#c9ced8"
ACCENT = "#d62728"
RING = dict(color=ACCENT, size=18, symbol="circle-open", line=dict(width=2))  # where the pen went: a ring, not a dot
NEUTRAL_EDGE = "#888888"
VIEW_HALF = 18.0  # font units left of the pen in the next-point density chart (half that right, above, below)


def _xy(offsets: np.ndarray) -> np.ndarray:
    return np.cumsum(np.asarray(offsets, float)[:, :2], axis=0)


def _pen_path(xy: np.ndarray, eos: np.ndarray, dx: float = 0.0, dy: float = 0.0):
    """x, y lists for one scatter trace, with None where the pen lifts."""
    xs, ys = [], []
    for i, (x, y) in enumerate(xy):
        xs.append(x + dx)
        ys.append(y + dy)
        if eos[i] > 0.5:
            xs.append(None)
            ys.append(None)
    return xs, ys


def _paper(fig: go.Figure, height: int) -> go.Figure:
    """Equal x and y scales (letters keep their shape), no grid: it should look like paper."""
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    return fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white",
                             showlegend=False)


def pen_replay(offsets: np.ndarray, upto: int, title: str = "") -> go.Figure:
    """The pen writing: points 0..upto in ink, the rest faint, the pen's current point marked."""
    xy, eos = _xy(offsets), np.asarray(offsets)[:, 2]
    upto = int(np.clip(upto, 0, len(xy) - 1))
    fig = go.Figure()
    fx, fy = _pen_path(xy, eos)
    fig.add_trace(go.Scatter(x=fx, y=fy, mode="lines", line=dict(color=FAINT, width=1.5), hoverinfo="skip"))
    ix, iy = _pen_path(xy[: upto + 1], eos[: upto + 1])
    fig.add_trace(go.Scatter(x=ix, y=iy, mode="lines", line=dict(color=INK, width=2.5), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[xy[upto, 0]], y=[xy[upto, 1]], mode="markers",
                             marker=dict(color=ACCENT, size=9), name="pen",
                             hovertemplate="point %{customdata}<extra></extra>", customdata=[upto]))
    return _paper(fig.update_layout(title=title), 260)


def pen_replay_table(offsets: np.ndarray, upto: int) -> pd.DataFrame:
    """The offsets written so far (the last 30), as the network emitted them."""
    off = np.asarray(offsets)[: int(upto) + 1]
    start = max(0, len(off) - 30)
    return pd.DataFrame({"point": np.arange(start, len(off)), "Δx": off[start:, 0].round(2),
                         "Δy": off[start:, 1].round(2), "pen lifts after (eos)": off[start:, 2].astype(int)})


def _log_density(Z: np.ndarray) -> np.ndarray:
    # a biased density is a sharp spike: its log shows its shape (in float64, as float32 rounds 1e-300 to 0)
    return np.log10(np.maximum(np.asarray(Z, float), 1e-300))


def density_over_strokes(offsets: np.ndarray, t: int, xs: np.ndarray, ys: np.ndarray, Z: np.ndarray,
                         p_up: float, zoom: tuple | None = None) -> go.Figure:
    """Where the network expects pen point t: the mixture density (heat) over the strokes so far.

    ``zoom`` (xs, ys, Z of a grid fitted to the density itself) adds a second panel on the right that
    magnifies it: a biased density is far narrower than a pen step, a dot at the strokes' scale."""
    xy, eos = _xy(offsets), np.asarray(offsets)[:, 2]
    t = int(np.clip(t, 1, len(xy) - 1))
    fig = go.Figure()
    logZ = _log_density(Z)
    logZ2 = None if zoom is None else _log_density(zoom[2])
    top = float(logZ.max() if logZ2 is None else max(logZ.max(), logZ2.max()))  # one colour scale for both
    fig.add_trace(go.Heatmap(x=xs, y=ys, z=logZ, zmin=top - 4, zmax=top, colorscale="Reds", showscale=True,
                             opacity=0.85, zsmooth="best", colorbar=dict(title="log₁₀ density", thickness=12),
                             hovertemplate="x %{x:.1f}, y %{y:.1f}: 10^%{z:.2f}<extra></extra>"))
    px, py = _pen_path(xy[:t], eos[:t])
    fig.add_trace(go.Scatter(x=px, y=py, mode="lines", line=dict(color=INK, width=2), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[xy[t - 1, 0]], y=[xy[t - 1, 1]], mode="markers",
                             marker=dict(color=INK, size=8, symbol="circle-open"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[xy[t, 0]], y=[xy[t, 1]], mode="markers",
                             marker=RING,  # the density's peak, often under the point the pen went to, shows inside
                             hovertemplate=f"where the pen went · P(pen up) = {p_up:.2f}<extra></extra>"))
    # about one letter around the pen (x-height 9 units): the density, a few units wide, fills a good part of
    # the picture (with 40 units it was a speck on a projector); the pen chart beside it shows the whole line
    half = max(xs[-1] - xs[0], VIEW_HALF)
    fig = _paper(fig, 320)
    fig.update_layout(xaxis=dict(range=[xy[t - 1, 0] - half, xy[t - 1, 0] + half / 2]),
                      yaxis=dict(range=[xy[t - 1, 1] - half / 2, xy[t - 1, 1] + half / 2]))
    if zoom is not None:
        zx, zy = zoom[0], zoom[1]
        fig.add_trace(go.Heatmap(x=zx, y=zy, z=logZ2, zmin=top - 4, zmax=top, colorscale="Reds", showscale=False,
                                 zsmooth="best", xaxis="x2", yaxis="y2",
                                 hovertemplate="x %{x:.2f}, y %{y:.2f}: 10^%{z:.2f}<extra>zoomed</extra>"))
        inside = (zx[0] <= xy[t, 0] <= zx[-1]) and (zy[0] <= xy[t, 1] <= zy[-1])
        if inside:  # the point the pen went to, when it fell inside the zoomed box
            fig.add_trace(go.Scatter(x=[xy[t, 0]], y=[xy[t, 1]], mode="markers", xaxis="x2", yaxis="y2",
                                     marker=RING, hoverinfo="skip"))
        # magnification: pixels per font unit in the zoomed panel over those in the main one (same height)
        mag = (0.36 / float(zx[-1] - zx[0])) / (0.58 / (1.5 * half))
        fig.update_layout(
            xaxis=dict(domain=[0.0, 0.58]),
            xaxis2=dict(domain=[0.64, 1.0], range=[float(zx[0]), float(zx[-1])], visible=False, anchor="y2"),
            yaxis2=dict(range=[float(zy[0]), float(zy[-1])], visible=False, anchor="x2", scaleanchor="x2",
                        scaleratio=1),
            shapes=[dict(type="rect", xref="x2", yref="y2", x0=float(zx[0]), x1=float(zx[-1]), y0=float(zy[0]),
                         y1=float(zy[-1]), line=dict(color=NEUTRAL_EDGE, width=1))],
            annotations=[dict(text=f"zoomed ×{mag:.0f}", xref="x2", yref="y2", x=float(zx[0] + zx[-1]) / 2,
                              y=float(zy[-1]), yanchor="bottom", showarrow=False, font=dict(size=12))],
        )
    # P(pen up) is in the hover and in the page's "what to notice": in the title it overflowed a projector's half column
    return fig.update_layout(title=f"point {t}: where the pen goes next")


def density_table(pi: np.ndarray, mu: np.ndarray, sigma: np.ndarray, rho: np.ndarray, p_up: float) -> pd.DataFrame:
    """The mixture behind the density: one row per Gaussian, heaviest first, plus P(pen up)."""
    order = np.argsort(-pi)
    return pd.DataFrame({
        "component": order, "π": pi[order].round(3), "μ Δx": mu[order, 0].round(2), "μ Δy": mu[order, 1].round(2),
        "σ x": sigma[order, 0].round(2), "σ y": sigma[order, 1].round(2), "ρ": rho[order].round(2),
        "P(pen up)": [round(p_up, 3)] + [None] * (len(order) - 1),
    })


def _char_labels(text: str) -> list[str]:
    return [f"{i} ‘{c if c != ' ' else '␣'}’" for i, c in enumerate(text)]


def window_heatmap(phi: np.ndarray, text: str, upto: int | None = None) -> go.Figure:
    """The soft window: weight φ(t, u) on each character u (rows) at each pen point t (columns)."""
    phi = np.nan_to_num(np.asarray(phi, float))
    fig = go.Figure(go.Heatmap(z=phi.T, x=np.arange(len(phi)), y=_char_labels(text), colorscale="Blues",
                               colorbar=dict(title="φ", thickness=12),
                               hovertemplate="point %{x}, %{y}: φ = %{z:.2f}<extra></extra>"))
    if upto is not None:
        fig.add_vline(x=int(upto), line=dict(color=ACCENT, width=2))
    fig.update_yaxes(autorange="reversed", title="character", tickmode="array", tickvals=_char_labels(text))
    return fig.update_layout(height=max(260, 14 * len(text) + 90), margin=dict(l=10, r=10, t=40, b=40),
                             xaxis_title="pen point t", title="where the network reads while it writes")


def window_table(phi: np.ndarray, text: str, every: int = 5) -> pd.DataFrame:
    """Every ``every``-th pen point: the character with the largest window weight, and that weight."""
    phi = np.nan_to_num(np.asarray(phi, float))
    t = np.arange(1, len(phi), every)
    peak = phi[t].argmax(axis=1)
    return pd.DataFrame({"pen point": t, "peak position": peak,
                         "character": [text[u] if text[u] != " " else "␣" for u in peak],
                         "φ at peak": phi[t, peak].round(3), "Σ_u φ": phi[t].sum(axis=1).round(3)})


def slide(rows: list[np.ndarray], labels: list[str], title: str = "", gap: float = 45.0) -> go.Figure:
    """The slide's layout: lines one under another, each labelled on its left."""
    fig = go.Figure()
    # Rows sit one gap apart around their median height; a row that reaches further (an untrained
    # network's scribble) widens every gap, so no row runs into the next.
    ys = [_xy(o)[:, 1] - np.median(_xy(o)[:, 1]) for o in rows]
    need = max([-lo.min() + hi.max() for lo, hi in zip(ys, ys[1:])] or [0.0]) + 3.0  # a row's foot to the next's top
    stretch = max(1.0, need / gap)
    gap *= stretch
    for i, (off, label) in enumerate(zip(rows, labels)):
        xy, eos = _xy(off), np.asarray(off)[:, 2]
        xs, ys = _pen_path(xy - [xy[:, 0].min(), np.median(xy[:, 1])], eos, dy=-i * gap)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=INK if i else "#444", width=2),
                                 name=label, hoverinfo="skip"))
        fig.add_annotation(x=-6, y=-i * gap, text=label, showarrow=False, xanchor="right",
                           font=dict(size=12, color="#666"))
    fig = _paper(fig, int(80 + 75 * len(rows) * min(stretch, 2.0)))  # taller, up to twice: letters stay readable
    fig.update_xaxes(range=[-110, max(20.0, *(float(np.ptp(_xy(o)[:, 0])) for o in rows)) + 10])
    return fig.update_layout(title=title, margin=dict(l=10, r=10, t=40, b=10))


def slide_table(rows: list[np.ndarray], labels: list[str], scores: list[float | None] | None = None) -> pd.DataFrame:
    """Per line: points, pen lifts, width and height (font units), and the shape score if given."""
    data = {
        "line": labels,
        "pen points": [len(o) for o in rows],
        "pen lifts": [int(np.asarray(o)[:, 2].sum()) for o in rows],
        "width": [round(float(np.ptp(_xy(o)[:, 0])), 1) for o in rows],
        "height": [round(float(np.ptp(_xy(o)[:, 1])), 1) for o in rows],
    }
    if scores is not None:
        data["shape distance to the font (Chamfer)"] = [None if s is None else round(s, 3) for s in scores]
    return pd.DataFrame(data)


def loss_curve(steps: np.ndarray, loss: np.ndarray, eval_steps: np.ndarray, heldout: np.ndarray,
               reference: float, window: int = 10) -> go.Figure:
    """Training NLL per point (mean of the last ``window`` steps), held-out NLL, and the reference line."""
    loss = np.asarray(loss, float)
    smooth = np.convolve(loss, np.ones(window) / window, mode="valid") if len(loss) >= window else loss
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.asarray(steps)[len(steps) - len(smooth):], y=smooth, name="training (smoothed)",
                             line=dict(color=INK)))
    fig.add_trace(go.Scatter(x=eval_steps, y=heldout, name="held-out lines", mode="lines+markers",
                             line=dict(color=ACCENT)))
    fig.add_hline(y=reference, line=dict(color="#888", dash="dash"),
                  annotation_text="one Gaussian + pen-up frequency", annotation_position="top right")
    return fig.update_layout(height=300, xaxis_title="Adam step", yaxis_title="NLL (nats/point)",
                             margin=dict(l=10, r=10, t=30, b=40), legend=dict(orientation="h", y=1.12))


def loss_table(eval_steps: np.ndarray, heldout: np.ndarray, steps: np.ndarray, loss: np.ndarray,
               reference: float) -> pd.DataFrame:
    """At each held-out measurement: training NLL there, held-out NLL, and the reference."""
    steps, loss = np.asarray(steps), np.asarray(loss)
    train_at = [float(loss[steps == s][0]) if (steps == s).any() else None for s in eval_steps]
    return pd.DataFrame({"step": eval_steps, "training NLL": np.round(np.array(train_at, dtype=float), 3),
                         "held-out NLL": np.round(heldout, 3), "reference NLL": round(reference, 3)})
