"""Figures for the encoder–decoder lesson: arrays and labels in, go.Figure out (no torch, no streamlit).

Each figure is built in one ``go.Figure(data, layout)`` call with nested dicts. Adding shapes and
updating axes one call at a time (or with ``xaxis_title=…`` names) makes Plotly re-walk the whole
figure every time: that was most of a rerun's server time on this page.
"""

from __future__ import annotations


import numpy as np
import plotly.graph_objects as go

from core.common.style import NEUTRAL, OUTLINE, PALETTE, TARGET, base_layout, char_label


def step_labels(tokens: list[str], prefix: str = "t") -> list[str]:
    """One unique axis label per step: "1 · T"."""
    return [f"{t + 1} · {char_label(tok)}" for t, tok in enumerate(tokens)]


def _figure(data: list, **layout) -> go.Figure:
    """A figure from its traces and its whole layout (``base_layout`` keywords, nested dicts) at once.

    It carries the light template alone, as every lesson's charts do: Streamlit's chart theme is
    applied on top of it in the browser.
    """
    return go.Figure(data=data, layout=base_layout(**layout))


def encoder_heatmap(tokens: list[str], states: np.ndarray, context: np.ndarray, title: str = "") -> go.Figure:
    """The encoder's h_t over the input steps (left) and the context C = h_{n_x} alone (right), outlined.

    states is (n_x, H), context (H,); one row per hidden unit.
    """
    n_x, H = states.shape
    units = [f"unit {j + 1}" for j in range(H)]
    # Two panels sharing the unit axis, as make_subplots(cols=2, column_widths=[0.86, 0.14],
    # horizontal_spacing=0.02, shared_yaxes=True) lays them out.
    left, right = [0.0, 0.8428], [0.8628, 1.0]
    y_axis = dict(domain=[0.0, 1.0], showticklabels=H <= 32, autorange="reversed")
    panel_title = dict(font=dict(size=16), showarrow=False, xanchor="center", xref="paper", y=1.0, yanchor="bottom",
                       yref="paper")
    return _figure(
        [
            go.Heatmap(
                z=states.T, x=step_labels(tokens), y=units, zmin=-1, zmax=1, zmid=0, colorscale="RdBu",
                colorbar=dict(title=dict(text="value"), thickness=12), xaxis="x", yaxis="y",
                hovertemplate="after %{x}<br>%{y}: %{z:.3f}<extra></extra>",
            ),
            go.Heatmap(
                z=context[:, None], x=["C"], y=units, zmin=-1, zmax=1, zmid=0, colorscale="RdBu", showscale=False,
                xaxis="x2", yaxis="y2", hovertemplate="C · %{y}: %{z:.3f}<extra></extra>",
            ),
        ],
        title=title, height=min(260 + 6 * H, 900),
        xaxis=dict(anchor="y", domain=left), xaxis2=dict(anchor="y2", domain=right),
        yaxis=dict(anchor="x", **y_axis), yaxis2=dict(anchor="x2", matches="y", **y_axis),
        annotations=[
            dict(text="encoder hidden state h_t after each input character", x=sum(left) / 2, **panel_title),
            dict(text="context C", x=sum(right) / 2, **panel_title),
        ],
        shapes=[
            dict(type="rect", x0=-0.5, x1=0.5, y0=-0.5, y1=H - 0.5, line=dict(color=OUTLINE, width=3),
                 xref="x2", yref="y2"),
            dict(  # the last input step is where C comes from
                type="rect", x0=n_x - 1.5, x1=n_x - 0.5, y0=-0.5, y1=H - 0.5,
                line=dict(color=OUTLINE, width=2, dash="dot"), xref="x", yref="y",
            ),
        ],
    )


ROW_PX = 24  # vertical room per character of the fan: its labels never overlap, however long the input


def bottleneck(source: list[str], context: np.ndarray, output: list[str]) -> go.Figure:
    """The whole input funnels into the H numbers of C, and the whole output comes out of them.

    The figure grows with the longer of input and output, so every character keeps ROW_PX of height.
    """
    H = len(context)
    n_x, n_y = len(source), len(output)
    ys_in = np.linspace(0, 1, max(n_x, 2))[:n_x] if n_x > 1 else np.array([0.5])
    ys_out = np.linspace(0, 1, max(n_y, 2))[:n_y] if n_y > 1 else np.array([0.5])
    ys_c = np.linspace(0.3, 0.7, H)
    funnel = dict(type="scatter", mode="lines", line=dict(color=NEUTRAL, width=1), hoverinfo="skip", showlegend=False)
    data = [dict(x=[0, 1], y=[y, 0.5], **funnel) for y in ys_in]
    data += [dict(x=[1.2, 2.2], y=[0.5, y], **funnel) for y in ys_out]
    data += [
        go.Scatter(
            x=np.zeros(n_x), y=ys_in, mode="markers+text", text=[char_label(c) for c in source],
            textposition="middle left", marker=dict(size=10, color=PALETTE[0]), name="input x (n_x = %d)" % n_x,
            hovertemplate="x %{text}<extra></extra>",
        ),
        go.Heatmap(  # C as one strip of H cells: the only thing passed from encoder to decoder
            z=context[:, None], x0=1.1, dx=0.16, y0=ys_c[0], dy=(ys_c[-1] - ys_c[0]) / max(H - 1, 1),
            zmin=-1, zmax=1, zmid=0, colorscale="RdBu", showscale=False, name=f"context C ({H} numbers)",
            hovertemplate="C unit %{customdata}: %{z:.3f}<extra></extra>", customdata=np.arange(1, H + 1)[:, None],
        ),
        go.Scatter(
            x=np.full(n_y, 2.2), y=ys_out, mode="markers+text", text=[char_label(c) for c in output],
            textposition="middle right", marker=dict(size=10, color=PALETTE[1]), name="output y (n_y = %d)" % n_y,
            hovertemplate="y %{text}<extra></extra>",
        ),
    ]
    half = (ys_c[-1] - ys_c[0]) / max(H - 1, 1) / 2
    return _figure(
        data, height=max(320, 110 + ROW_PX * max(n_x, n_y)), legend=dict(orientation="h", y=-0.05),
        xaxis=dict(visible=False, range=[-0.4, 2.6]), yaxis=dict(visible=False, autorange="reversed"),
        shapes=[dict(type="rect", x0=1.02, x1=1.18, y0=ys_c[0] - half, y1=ys_c[-1] + half,
                     line=dict(color=OUTLINE, width=2))],
        annotations=[dict(x=1.1, y=0.78, text=f"<b>C</b>: {H} numbers, the bottleneck", showarrow=False)],
    )


def decoder_topk(
    prev_tokens: list[str], chosen: list[str], probs: np.ndarray, vocab: list[str], k: int = 5,
    forced_step: int = -1, title: str = "",
) -> go.Figure:
    """At each decoder step, the k most probable output tokens (rows by rank), the chosen one outlined.

    probs is (n_y, V); a forced step is marked in its column label. A forced token outside its step's top k
    gets a row of its own below the ranks, named with its rank, so the chart shows what was forced.
    """
    n_y, V = probs.shape
    k = min(k, V)
    full = np.argsort(-probs, axis=1, kind="stable")  # (n_y, V): every token by rank
    rank_of = [[vocab[i] for i in full[t]].index(chosen[t]) if chosen[t] in vocab else -1 for t in range(n_y)]
    order, top_p = full[:, :k], np.take_along_axis(probs, full[:, :k], axis=1)
    z = top_p.T.tolist()
    text = [[f"{char_label(vocab[order[t, r]])}<br>{top_p[t, r]:.2f}" for t in range(n_y)] for r in range(k)]
    rows = [f"rank {r + 1}" for r in range(k)]
    if 0 <= forced_step < n_y and rank_of[forced_step] >= k:  # forced from below the top k
        t, r = forced_step, rank_of[forced_step]
        z.append([probs[t, full[t, r]] if s == t else None for s in range(n_y)])
        text.append([f"{char_label(chosen[t])}<br>{probs[t, full[t, r]]:.2f}" if s == t else "" for s in range(n_y)])
        rows.append(f"forced: rank {r + 1}")  # in the row's name: a longer cell would shrink every cell's text
        rank_of[t] = k
    x = [f"{t + 1} · after {char_label(p)}" + (" (forced)" if t == forced_step else "") for t, p in enumerate(prev_tokens)]
    outlines = [dict(type="rect", x0=t - 0.5, x1=t + 0.5, y0=rank_of[t] - 0.5, y1=rank_of[t] + 0.5,
                     line=dict(color=OUTLINE, width=3, dash="dash" if t == forced_step else "solid"))
                for t in range(n_y) if 0 <= rank_of[t] < len(rows)]
    return _figure(
        [go.Heatmap(
            z=z, x=x, y=rows, zmin=0, zmax=1, colorscale="Blues",
            text=text, texttemplate="%{text}", colorbar=dict(title=dict(text="p"), thickness=12),
            hovertemplate="step %{x}<br>%{y}: p = %{z:.4f}<extra></extra>",
        )],
        title=title, height=140 + 48 * len(rows), shapes=outlines, yaxis=dict(autorange="reversed"),
        xaxis=dict(title=dict(text="decoder step (previous token fed in)")),
    )


def paired_bars(labels: list[str], a: np.ndarray, b: np.ndarray, name_a: str, name_b: str,
                y_title: str, x_title: str) -> go.Figure:
    """Two probabilities per output step side by side; the second series hatched, so colour is not the only cue."""
    return _figure(
        [
            go.Bar(x=labels, y=a, name=name_a, marker=dict(color=PALETTE[0]),
                   text=[f"{p:.2f}" for p in a], textposition="outside"),
            go.Bar(x=labels, y=b, name=name_b, marker=dict(color=PALETTE[1], pattern=dict(shape="/")),
                   text=[f"{p:.2f}" for p in b], textposition="outside"),
        ],
        height=320, barmode="group", legend=dict(orientation="h", y=1.12),
        xaxis=dict(title=dict(text=x_title)), yaxis=dict(range=[0, 1.2], title=dict(text=y_title)),
    )


def teacher_vs_free(labels: list[str], p_teacher: np.ndarray, p_free: np.ndarray) -> go.Figure:
    """P(the correct token) at each output step, with teacher forcing and free running side by side."""
    return paired_bars(labels, p_teacher, p_free, "teacher forcing (true previous token fed)",
                       "free running (own previous token fed)", "P(correct token)", "output step · correct token")


def context_map(
    points: np.ndarray, values: np.ndarray, value_name: str, hover: list[str], current: np.ndarray | None = None,
    current_label: str = "", path: np.ndarray | None = None, path_labels: list[str] | None = None,
    axis_titles: tuple[str, str] = ("PC 1", "PC 2"), title: str = "",
) -> go.Figure:
    """C of many inputs projected to 2D, coloured by a property; the current input as a large outlined star.

    points is (N, 2); an optional path (k, 2) draws the interpolation between two contexts.
    """
    data = [go.Scatter(
        x=points[:, 0], y=points[:, 1], mode="markers", name="held-out inputs",
        marker=dict(size=7, color=values, colorscale="Viridis", colorbar=dict(title=dict(text=value_name), thickness=12),
                    line=dict(color="#FFFFFF", width=0.5)),
        text=hover, hovertemplate="%{text}<br>" + value_name + " = %{marker.color}<extra></extra>",
    )]
    if path is not None:
        data.append(go.Scatter(
            x=path[:, 0], y=path[:, 1], mode="lines+markers", name="interpolation C(α)",
            line=dict(color=PALETTE[5], width=2, dash="dot"), marker=dict(size=9, symbol="diamond", color=PALETTE[5]),
            text=path_labels, hovertemplate="%{text}<extra></extra>",
        ))
    if current is not None:
        data.append(go.Scatter(
            x=[current[0]], y=[current[1]], mode="markers+text", name="your input",
            marker=dict(size=20, symbol="star", color=TARGET, line=dict(color=OUTLINE, width=2)),
            text=[current_label], textposition="top center", hovertemplate="your input: %{text}<extra></extra>",
        ))
    return _figure(data, title=title, height=460, legend=dict(orientation="h", y=-0.15),
                   xaxis=dict(title=dict(text=axis_titles[0])), yaxis=dict(title=dict(text=axis_titles[1])))


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
    ex, ey, bx, by = [], [], [], []
    for i in range(n):
        px, py = (x[parents[i]], y[parents[i]]) if parents[i] >= 0 else (0, 0)
        xs, ys = (bx, by) if i in best else (ex, ey)
        xs += [px, x[i], None]
        ys += [py, y[i], None]
    data = [
        go.Scatter(x=ex, y=ey, mode="lines", line=dict(color=NEUTRAL, width=1), hoverinfo="skip", name="extension"),
        go.Scatter(x=bx, y=by, mode="lines", line=dict(color=TARGET, width=4), hoverinfo="skip", name="best output"),
    ]
    for flag, name, symbol in ((True, "kept in the beam", "circle"), (False, "pruned or finished (<eos>)", "circle-open")):
        idx = [i for i in range(n) if kept[i] == flag]
        data.append(go.Scatter(
            x=[x[i] for i in idx], y=[y[i] for i in idx], mode="markers+text", name=name,
            marker=dict(size=22, symbol=symbol, color="#FFFFFF" if flag else PALETTE[5],
                        line=dict(width=2, color=OUTLINE if flag else PALETTE[5])),
            text=[char_label(tokens[i]) if len(tokens[i]) == 1 else "eos" for i in idx],
            textfont=dict(size=12, color=OUTLINE), customdata=[scores[i] for i in idx],
            hovertemplate="token %{text}<br>total log p = %{customdata:.3f}<extra></extra>",
        ))
        data.append(go.Scatter(  # the running score under each node
            x=[x[i] for i in idx], y=[y[i] + 0.32 for i in idx], mode="text", showlegend=False, hoverinfo="skip",
            text=[f"{scores[i]:.2f}" for i in idx], textfont=dict(size=9, color="#555555"),
        ))
    data.append(go.Scatter(x=[0], y=[0], mode="markers+text", text=["<bos>"], textposition="top center",
                           marker=dict(size=12, color=OUTLINE), name="start", hoverinfo="skip"))
    return _figure(
        data, height=220 + 60 * (max(rows.values()) if rows else 1), legend=dict(orientation="h", y=-0.25),
        yaxis=dict(autorange="reversed", title=dict(text="hypothesis (by score)"), showticklabels=False, zeroline=False),
        xaxis=dict(title=dict(text="output step (number under a node: total log p so far)"), dtick=1),
    )


def accuracy_vs_length(curves: dict[str, tuple[np.ndarray, np.ndarray]], max_train_len: int) -> go.Figure:
    """Held-out exact match against input length n_x, one line per model; lengths never trained on shaded."""
    symbols = ["circle", "square", "diamond", "triangle-up"]
    hi = 1
    data = []
    for i, (name, (lengths, acc)) in enumerate(curves.items()):
        hi = max(hi, int(np.max(lengths)))
        data.append(go.Scatter(
            x=lengths, y=acc, mode="lines+markers", name=name,
            line=dict(color=PALETTE[i % len(PALETTE)], width=3, dash=["solid", "dash", "dot"][i % 3]),
            marker=dict(symbol=symbols[i % len(symbols)], size=9),
            hovertemplate=name + "<br>n_x = %{x}: exact match %{y:.3f}<extra></extra>",
        ))
    shade = {}
    if max_train_len > 0:  # what fig.add_vrect(…, annotation_text=…, annotation_position="top left") draws
        shade = dict(
            shapes=[dict(type="rect", x0=max_train_len + 0.5, x1=hi + 0.5, xref="x", y0=0, y1=1, yref="y domain",
                         fillcolor=NEUTRAL, opacity=0.3, line=dict(width=0), layer="below")],
            annotations=[dict(text="longer than any training input", showarrow=False, x=max_train_len + 0.5,
                              xanchor="left", xref="x", y=1, yanchor="top", yref="y domain")],
        )
    return _figure(
        data, height=360, legend=dict(orientation="h", y=-0.25), **shade,
        yaxis=dict(range=[-0.02, 1.05], title=dict(text="held-out exact match")),
        xaxis=dict(title=dict(text="input length n_x (characters)"), dtick=1),
    )


def attention_heatmap(alpha: np.ndarray, source: list[str], output: list[str], title: str = "") -> go.Figure:
    """Attention weights α_ti: which input character (column) each output step (row) looks at. Rows sum to 1."""
    return _figure(
        [go.Heatmap(
            z=alpha, x=step_labels(source), y=step_labels(output), zmin=0, zmax=1, colorscale="Blues",
            text=np.vectorize(lambda a: f"{a:.2f}")(alpha), texttemplate="%{text}",
            colorbar=dict(title=dict(text="α"), thickness=12),
            hovertemplate="output %{y} looks at input %{x}: α = %{z:.3f}<extra></extra>",
        )],
        title=title, height=160 + 26 * alpha.shape[0],
        yaxis=dict(autorange="reversed", title=dict(text="output step (token written)")),
        xaxis=dict(title=dict(text="input step (character read)")),
    )


def training_curves(loss: np.ndarray, eval_steps: np.ndarray, exact: np.ndarray, target: float = 0.98) -> go.Figure:
    """Training loss per step (left axis) and validation exact match (right axis), with the stopping target."""
    return _figure(
        [
            go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, mode="lines", name="training loss",
                       line=dict(color=PALETTE[0]), xaxis="x", yaxis="y"),
            go.Scatter(x=eval_steps, y=exact, mode="lines+markers", name="validation exact match",
                       line=dict(color=PALETTE[1], dash="dash"), marker=dict(symbol="square"), xaxis="x", yaxis="y2"),
        ],
        height=320, legend=dict(orientation="h", y=-0.3),
        # one plot, a second y axis on the right (make_subplots' secondary_y layout)
        xaxis=dict(anchor="y", domain=[0.0, 0.94], title=dict(text="training step")),
        yaxis=dict(anchor="x", domain=[0.0, 1.0], rangemode="tozero", title=dict(text="cross-entropy per token (nats)")),
        yaxis2=dict(anchor="x", overlaying="y", side="right", range=[0, 1.02], title=dict(text="exact match")),
        shapes=[dict(type="line", x0=0, x1=1, xref="x domain", y0=target, y1=target, yref="y2",
                     line=dict(color="#333333", dash="dot"))],
        annotations=[dict(text=f"{target * 100:.0f} %", showarrow=False, x=1, xanchor="right", xref="x domain",
                          y=target, yanchor="top", yref="y")],  # on the left axis, as add_hline(secondary_y=True) puts it
    )
