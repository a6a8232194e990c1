"""Figures for the encoder–decoder lesson: arrays and labels in, go.Figure out (no torch, no streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import NEUTRAL, OUTLINE, PALETTE, TARGET, base_layout, char_label


def step_labels(tokens: list[str], prefix: str = "t") -> list[str]:
    """One unique axis label per step: "1 · T"."""
    return [f"{t + 1} · {char_label(tok)}" for t, tok in enumerate(tokens)]


def encoder_heatmap(tokens: list[str], states: np.ndarray, context: np.ndarray, title: str = "") -> go.Figure:
    """The encoder's h_t over the input steps (left) and the context C = h_{n_x} alone (right), outlined.

    states is (n_x, H), context (H,); one row per hidden unit.
    """
    n_x, H = states.shape
    units = [f"unit {j + 1}" for j in range(H)]
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, column_widths=[0.86, 0.14], horizontal_spacing=0.02,
        subplot_titles=("encoder hidden state h_t after each input character", "context C"),
    )
    fig.add_trace(
        go.Heatmap(
            z=states.T, x=step_labels(tokens), y=units, zmin=-1, zmax=1, zmid=0, colorscale="RdBu",
            colorbar=dict(title="value", thickness=12),
            hovertemplate="after %{x}<br>%{y}: %{z:.3f}<extra></extra>",
        ),
        row=1, col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=context[:, None], x=["C"], y=units, zmin=-1, zmax=1, zmid=0, colorscale="RdBu", showscale=False,
            hovertemplate="C · %{y}: %{z:.3f}<extra></extra>",
        ),
        row=1, col=2,
    )
    fig.add_shape(type="rect", x0=-0.5, x1=0.5, y0=-0.5, y1=H - 0.5, line=dict(color=OUTLINE, width=3), row=1, col=2)
    fig.add_shape(  # the last input step is where C comes from
        type="rect", x0=n_x - 1.5, x1=n_x - 0.5, y0=-0.5, y1=H - 0.5, line=dict(color=OUTLINE, width=2, dash="dot"),
        row=1, col=1,
    )
    fig.update_yaxes(showticklabels=H <= 32, autorange="reversed")
    fig.update_layout(**base_layout(title=title, height=min(260 + 6 * H, 900)))
    return fig


def bottleneck(source: list[str], context: np.ndarray, output: list[str]) -> go.Figure:
    """The whole input funnels into the H numbers of C, and the whole output comes out of them."""
    H = len(context)
    n_x, n_y = len(source), len(output)
    fig = go.Figure()
    ys_in = np.linspace(0, 1, max(n_x, 2))[:n_x] if n_x > 1 else np.array([0.5])
    ys_out = np.linspace(0, 1, max(n_y, 2))[:n_y] if n_y > 1 else np.array([0.5])
    ys_c = np.linspace(0.3, 0.7, H)
    for y in ys_in:
        fig.add_trace(go.Scatter(x=[0, 1], y=[y, 0.5], mode="lines", line=dict(color=NEUTRAL, width=1),
                                 hoverinfo="skip", showlegend=False))
    for y in ys_out:
        fig.add_trace(go.Scatter(x=[1.2, 2.2], y=[0.5, y], mode="lines", line=dict(color=NEUTRAL, width=1),
                                 hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=np.zeros(n_x), y=ys_in, mode="markers+text", text=[char_label(c) for c in source], textposition="middle left",
        marker=dict(size=10, color=PALETTE[0]), name="input x (n_x = %d)" % n_x,
        hovertemplate="x %{text}<extra></extra>",
    ))
    fig.add_trace(go.Heatmap(  # C as one strip of H cells: the only thing passed from encoder to decoder
        z=context[:, None], x0=1.1, dx=0.16, y0=ys_c[0], dy=(ys_c[-1] - ys_c[0]) / max(H - 1, 1),
        zmin=-1, zmax=1, zmid=0, colorscale="RdBu", showscale=False, name=f"context C ({H} numbers)",
        hovertemplate="C unit %{customdata}: %{z:.3f}<extra></extra>", customdata=np.arange(1, H + 1)[:, None],
    ))
    half = (ys_c[-1] - ys_c[0]) / max(H - 1, 1) / 2
    fig.add_shape(type="rect", x0=1.02, x1=1.18, y0=ys_c[0] - half, y1=ys_c[-1] + half, line=dict(color=OUTLINE, width=2))
    fig.add_trace(go.Scatter(
        x=np.full(n_y, 2.2), y=ys_out, mode="markers+text", text=[char_label(c) for c in output],
        textposition="middle right", marker=dict(size=10, color=PALETTE[1]), name="output y (n_y = %d)" % n_y,
        hovertemplate="y %{text}<extra></extra>",
    ))
    fig.add_annotation(x=1.1, y=0.78, text=f"<b>C</b>: {H} numbers, the bottleneck", showarrow=False)
    fig.update_xaxes(visible=False, range=[-0.4, 2.6])
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(**base_layout(height=320, legend=dict(orientation="h", y=-0.05)))
    return fig


def decoder_topk(
    prev_tokens: list[str], chosen: list[str], probs: np.ndarray, vocab: list[str], k: int = 5,
    forced_step: int = -1, title: str = "",
) -> go.Figure:
    """At each decoder step, the k most probable output tokens (rows by rank), the chosen one outlined.

    probs is (n_y, V); a forced step is marked in its column label.
    """
    n_y, V = probs.shape
    k = min(k, V)
    order = np.argsort(-probs, axis=1, kind="stable")[:, :k]  # (n_y, k)
    top_p = np.take_along_axis(probs, order, axis=1)
    text = [[f"{char_label(vocab[order[t, r]])}<br>{top_p[t, r]:.2f}" for t in range(n_y)] for r in range(k)]
    x = [f"{t + 1} · after {char_label(p)}" + (" (forced)" if t == forced_step else "") for t, p in enumerate(prev_tokens)]
    fig = go.Figure(go.Heatmap(
        z=top_p.T, x=x, y=[f"rank {r + 1}" for r in range(k)], zmin=0, zmax=1, colorscale="Blues",
        text=text, texttemplate="%{text}", colorbar=dict(title="p", thickness=12),
        hovertemplate="step %{x}<br>%{y}: p = %{z:.4f}<extra></extra>",
    ))
    for t in range(n_y):
        ranks = [r for r in range(k) if vocab[order[t, r]] == chosen[t]]
        if ranks:
            fig.add_shape(type="rect", x0=t - 0.5, x1=t + 0.5, y0=ranks[0] - 0.5, y1=ranks[0] + 0.5,
                          line=dict(color=OUTLINE, width=3, dash="dash" if t == forced_step else "solid"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(**base_layout(title=title, height=140 + 48 * k, xaxis_title="decoder step (previous token fed in)"))
    return fig


def teacher_vs_free(labels: list[str], p_teacher: np.ndarray, p_free: np.ndarray) -> go.Figure:
    """P(the correct token) at each output step, with teacher forcing and free running side by side."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=p_teacher, name="teacher forcing (true previous token fed)",
                         marker=dict(color=PALETTE[0]), text=[f"{p:.2f}" for p in p_teacher], textposition="outside"))
    fig.add_trace(go.Bar(x=labels, y=p_free, name="free running (own previous token fed)",
                         marker=dict(color=PALETTE[1], pattern_shape="/"), text=[f"{p:.2f}" for p in p_free],
                         textposition="outside"))
    fig.update_yaxes(range=[0, 1.2], title="P(correct token)")
    fig.update_layout(**base_layout(height=320, barmode="group", xaxis_title="output step · correct token",
                                    legend=dict(orientation="h", y=1.12)))
    return fig


def context_map(
    points: np.ndarray, values: np.ndarray, value_name: str, hover: list[str], current: np.ndarray | None = None,
    current_label: str = "", path: np.ndarray | None = None, path_labels: list[str] | None = None,
    axis_titles: tuple[str, str] = ("PC 1", "PC 2"), title: str = "",
) -> go.Figure:
    """C of many inputs projected to 2D, coloured by a property; the current input as a large outlined star.

    points is (N, 2); an optional path (k, 2) draws the interpolation between two contexts.
    """
    fig = go.Figure(go.Scatter(
        x=points[:, 0], y=points[:, 1], mode="markers", name="held-out inputs",
        marker=dict(size=7, color=values, colorscale="Viridis", colorbar=dict(title=value_name, thickness=12),
                    line=dict(color="#FFFFFF", width=0.5)),
        text=hover, hovertemplate="%{text}<br>" + value_name + " = %{marker.color}<extra></extra>",
    ))
    if path is not None:
        fig.add_trace(go.Scatter(
            x=path[:, 0], y=path[:, 1], mode="lines+markers", name="interpolation C(α)",
            line=dict(color=PALETTE[5], width=2, dash="dot"), marker=dict(size=9, symbol="diamond", color=PALETTE[5]),
            text=path_labels, hovertemplate="%{text}<extra></extra>",
        ))
    if current is not None:
        fig.add_trace(go.Scatter(
            x=[current[0]], y=[current[1]], mode="markers+text", name="your input",
            marker=dict(size=20, symbol="star", color=TARGET, line=dict(color=OUTLINE, width=2)),
            text=[current_label], textposition="top center", hovertemplate="your input: %{text}<extra></extra>",
        ))
    fig.update_layout(**base_layout(title=title, height=460, xaxis_title=axis_titles[0], yaxis_title=axis_titles[1],
                                    legend=dict(orientation="h", y=-0.15)))
    return fig


def beam_tree(steps: list[int], parents: list[int], tokens: list[str], scores: list[float], kept: list[bool],
              best_path: list[int]) -> go.Figure:
    """The beam-search tree: x = output step, one node per extended hypothesis, its parent linked.

    Kept hypotheses are filled circles, pruned or finished ones hollow; the best output's path is bold.
    Node i's parent is an index into the same lists (-1 = <bos> root at step 0); steps are 0-based.
    """
    n = len(tokens)
    rows: dict[int, int] = {}
    y = np.zeros(n)
    for i in range(n):
        y[i] = rows.get(steps[i], 0)
        rows[steps[i]] = rows.get(steps[i], 0) + 1
    x = [s + 1 for s in steps]  # output step 1, 2, …; the root <bos> sits at 0
    best = set(best_path)
    fig = go.Figure()
    ex, ey, bx, by = [], [], [], []
    for i in range(n):
        px, py = (x[parents[i]], y[parents[i]]) if parents[i] >= 0 else (0, 0)
        xs, ys = (bx, by) if i in best else (ex, ey)
        xs += [px, x[i], None]
        ys += [py, y[i], None]
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line=dict(color=NEUTRAL, width=1), hoverinfo="skip",
                             name="extension"))
    fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", line=dict(color=TARGET, width=4), hoverinfo="skip",
                             name="best output"))
    for flag, name, symbol in ((True, "kept in the beam", "circle"), (False, "pruned or finished (<eos>)", "circle-open")):
        idx = [i for i in range(n) if kept[i] == flag]
        fig.add_trace(go.Scatter(
            x=[x[i] for i in idx], y=[y[i] for i in idx], mode="markers+text", name=name,
            marker=dict(size=22, symbol=symbol, color="#FFFFFF" if flag else PALETTE[5],
                        line=dict(width=2, color=OUTLINE if flag else PALETTE[5])),
            text=[char_label(tokens[i]) if len(tokens[i]) == 1 else "eos" for i in idx],
            textfont=dict(size=12, color=OUTLINE), customdata=[scores[i] for i in idx],
            hovertemplate="token %{text}<br>total log p = %{customdata:.3f}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(  # the running score under each node
            x=[x[i] for i in idx], y=[y[i] + 0.32 for i in idx], mode="text", showlegend=False, hoverinfo="skip",
            text=[f"{scores[i]:.2f}" for i in idx], textfont=dict(size=9, color="#555555"),
        ))
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers+text", text=["<bos>"], textposition="top center",
                             marker=dict(size=12, color=OUTLINE), name="start", hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed", title="hypothesis (by score)", showticklabels=False, zeroline=False)
    fig.update_xaxes(title="output step (number under a node: total log p so far)", dtick=1)
    fig.update_layout(**base_layout(height=220 + 60 * (max(rows.values()) if rows else 1),
                                    legend=dict(orientation="h", y=-0.25)))
    return fig


def accuracy_vs_length(curves: dict[str, tuple[np.ndarray, np.ndarray]], max_train_len: int) -> go.Figure:
    """Held-out exact match against input length n_x, one line per model; lengths never trained on shaded."""
    fig = go.Figure()
    symbols = ["circle", "square", "diamond", "triangle-up"]
    hi = 1
    for i, (name, (lengths, acc)) in enumerate(curves.items()):
        hi = max(hi, int(np.max(lengths)))
        fig.add_trace(go.Scatter(
            x=lengths, y=acc, mode="lines+markers", name=name,
            line=dict(color=PALETTE[i % len(PALETTE)], width=3, dash=["solid", "dash", "dot"][i % 3]),
            marker=dict(symbol=symbols[i % len(symbols)], size=9),
            hovertemplate=name + "<br>n_x = %{x}: exact match %{y:.3f}<extra></extra>",
        ))
    if max_train_len > 0:
        fig.add_vrect(x0=max_train_len + 0.5, x1=hi + 0.5, fillcolor=NEUTRAL, opacity=0.3, line_width=0, layer="below",
                      annotation_text="longer than any training input", annotation_position="top left")
    fig.update_yaxes(range=[-0.02, 1.05], title="held-out exact match")
    fig.update_xaxes(title="input length n_x (characters)", dtick=1)
    fig.update_layout(**base_layout(height=360, legend=dict(orientation="h", y=-0.25)))
    return fig


def attention_heatmap(alpha: np.ndarray, source: list[str], output: list[str], title: str = "") -> go.Figure:
    """Attention weights α_ti: which input character (column) each output step (row) looks at. Rows sum to 1."""
    fig = go.Figure(go.Heatmap(
        z=alpha, x=step_labels(source), y=step_labels(output), zmin=0, zmax=1, colorscale="Blues",
        text=np.vectorize(lambda a: f"{a:.2f}")(alpha), texttemplate="%{text}",
        colorbar=dict(title="α", thickness=12),
        hovertemplate="output %{y} looks at input %{x}: α = %{z:.3f}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title="output step (token written)")
    fig.update_xaxes(title="input step (character read)")
    fig.update_layout(**base_layout(title=title, height=160 + 26 * alpha.shape[0]))
    return fig


def training_curves(loss: np.ndarray, eval_steps: np.ndarray, exact: np.ndarray) -> go.Figure:
    """Training loss per step (left axis) and held-out exact match (right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, mode="lines", name="training loss",
                             line=dict(color=PALETTE[0])), secondary_y=False)
    fig.add_trace(go.Scatter(x=eval_steps, y=exact, mode="lines+markers", name="held-out exact match",
                             line=dict(color=PALETTE[1], dash="dash"), marker=dict(symbol="square")), secondary_y=True)
    fig.add_hline(y=0.98, line=dict(color="#333333", dash="dot"), secondary_y=True,
                  annotation_text="98 %", annotation_position="bottom right")
    fig.update_yaxes(title="cross-entropy per token (nats)", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title="exact match", range=[0, 1.02], secondary_y=True)
    fig.update_xaxes(title="training step")
    fig.update_layout(**base_layout(height=320, legend=dict(orientation="h", y=-0.3)))
    return fig
