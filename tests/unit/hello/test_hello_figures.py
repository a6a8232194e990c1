"""Figure builders for the hello lesson: the data drawn is the data given, targets marked twice."""

import numpy as np
import plotly.graph_objects as go

from core.hello import figures as figs
from core.common.style import OUTLINE, TARGET

VOCAB = ["h", "e", "l", "o"]
INPUTS, TARGETS = list("hell"), list("ello")
PROBS = np.array([[0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.5, 0.3], [0.1, 0.1, 0.2, 0.6]])
HIDDEN = np.linspace(-1, 1, 4 * 3).reshape(4, 3)


def test_unrolled_network_draws_inputs_hidden_and_outputs():
    fig = figs.unrolled_network(INPUTS, TARGETS, VOCAB, PROBS, HIDDEN)
    heat = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heat) == 3
    out, hid, inp = heat
    assert np.allclose(np.array(out.z), PROBS.T)
    assert np.allclose(np.array(hid.z), HIDDEN.T)
    assert np.array(inp.z).tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]
    assert len(set(out.x)) == 4  # the two "l" steps stay separate columns


def test_every_target_cell_is_outlined():
    fig = figs.unrolled_network(INPUTS, TARGETS, VOCAB, PROBS, HIDDEN)
    rects = [(s.x0 + 0.5, s.y0 + 0.5) for s in fig.layout.shapes if s.type == "rect"]
    assert sorted(rects) == sorted((t, VOCAB.index(c)) for t, c in enumerate(TARGETS))
    assert all(s.line.color == OUTLINE for s in fig.layout.shapes)


def groups(bar, V: int) -> list[dict]:
    """The one bar trace cut into its per-step groups of V bars (step-major, as drawn left to right)."""
    cut = lambda xs, t: list(xs[t * V:(t + 1) * V])
    return [dict(x=cut(bar.x, t), y=cut(bar.y, t), color=cut(bar.marker.color, t), width=cut(bar.marker.line.width, t),
                 text=cut(bar.text, t), customdata=cut(bar.customdata, t)) for t in range(len(bar.x) // V)]


def test_bars_mark_the_target_by_colour_outline_and_label():
    fig = figs.next_char_bars(INPUTS, TARGETS, VOCAB, PROBS)
    assert len(fig.data) == 1  # one trace for all the steps' groups
    steps = groups(fig.data[0], len(VOCAB))
    assert len(steps) == 4
    for t, bar in enumerate(steps):
        assert np.allclose(bar["y"], PROBS[t])
        k = VOCAB.index(TARGETS[t])
        assert bar["color"][k] == TARGET and bar["width"][k] > 0
        assert "target" in bar["text"][k] and sum("target" in s for s in bar["text"]) == 1
        assert all(cd[0] == "".join(INPUTS[:t + 1]) for cd in bar["customdata"])  # hover: the input so far


def test_curves_mark_a_step_only_when_asked_and_always_ln_v():
    """The replay page draws the curves without a step line, so they are the same at every step."""
    steps = np.arange(5)
    pt = np.linspace(0.25, 1, 20).reshape(5, 4)
    fig = figs.target_prob_curves(steps, pt, ["a", "b", "c", "d"], current_step=3)
    assert [tr.name for tr in fig.data] == ["a", "b", "c", "d"]
    assert fig.layout.shapes[0].x0 == 3
    assert not figs.target_prob_curves(steps, pt, ["a", "b", "c", "d"]).layout.shapes
    loss = figs.loss_curve(steps, np.array([1.38, 1.0, 0.5, 0.2, 0.1]), None, np.log(4))
    assert [abs(s.y0 - np.log(4)) < 1e-9 for s in loss.layout.shapes] == [True]  # ln V, and no step line
    marked = figs.loss_curve(steps, np.array([1.38, 1.0, 0.5, 0.2, 0.1]), 2, np.log(4))
    assert sorted(s.x0 for s in marked.layout.shapes if s.type == "line" and s.yref == "paper") == [2]


def test_each_steps_letters_sit_under_its_own_bars():
    """The steps' bar groups share one x axis: no two bars overlap, and each bar's tick is its letter."""
    fig = figs.next_char_bars(INPUTS, TARGETS, VOCAB, PROBS)
    ticks = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext))
    steps = groups(fig.data[0], len(VOCAB))
    xs = [x for bar in steps for x in bar["x"]]
    assert len(set(xs)) == len(xs) == 4 * 4
    for bar in steps:
        assert [ticks[x] for x in bar["x"]] == VOCAB and [cd[1] for cd in bar["customdata"]] == VOCAB
    assert all(min(b["x"]) - max(a["x"]) >= 2 for a, b in zip(steps, steps[1:]))  # an empty slot between groups
    titles = sorted(fig.layout.annotations, key=lambda a: a.x)
    centres = [np.mean(bar["x"]) for bar in steps]
    lo, hi = fig.layout.xaxis.range
    assert np.allclose([a.x for a in titles], [(c - lo) / (hi - lo) for c in centres])  # each title over its group


def test_only_the_target_bar_carries_a_value_and_titles_stay_short():
    fig = figs.next_char_bars(list("hello worl"), list("ello world"), list("helo wrd"), np.full((10, 8), 1 / 8))
    for bar in groups(fig.data[0], 8):
        assert sum(bool(t) for t in bar["text"]) == 1  # the rest are on hover: no overlapping numbers
    assert max(len(a.text) for a in fig.layout.annotations) <= 10


def test_positions_differ_by_dash_and_marker_not_colour_alone():
    fig = figs.target_prob_curves(np.arange(5), np.full((5, 4), 0.5), ["a", "b", "c", "d"], 1)
    assert len({tr.line.dash for tr in fig.data}) == 4 and len({tr.marker.symbol for tr in fig.data}) == 4


def test_every_tick_label_is_large_in_presenter_mode():
    """The h/e/l/o letters under the bars and on the heatmaps are projector-sized (≥ 14 px)."""
    from ui.show import for_projector

    for fig in (figs.unrolled_network(INPUTS, TARGETS, VOCAB, PROBS, HIDDEN),
                figs.next_char_bars(INPUTS, TARGETS, VOCAB, PROBS)):
        big = for_projector(fig).to_dict()["layout"]
        axes = [v for k, v in big.items() if k.startswith(("xaxis", "yaxis"))]
        assert len(axes) >= 2
        assert all(a.get("tickfont", {}).get("size", 0) >= 14 for a in axes)
        assert all(a["font"]["size"] >= 14 for a in big["annotations"])
