"""Figure builders for the hello lesson: the data drawn is the data given, targets marked twice."""

import numpy as np
import plotly.graph_objects as go

from core.figures import hello as figs
from core.figures.style import OUTLINE, TARGET

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


def test_bars_mark_the_target_by_colour_outline_and_label():
    fig = figs.next_char_bars(INPUTS, TARGETS, VOCAB, PROBS)
    assert len(fig.data) == 4
    for t, bar in enumerate(fig.data):
        assert np.allclose(bar.y, PROBS[t])
        k = VOCAB.index(TARGETS[t])
        assert bar.marker.color[k] == TARGET and bar.marker.line.width[k] > 0
        assert "target" in bar.text[k] and sum("target" in s for s in bar.text) == 1


def test_curves_mark_the_replayed_step_and_ln_v():
    steps = np.arange(5)
    pt = np.linspace(0.25, 1, 20).reshape(5, 4)
    fig = figs.target_prob_curves(steps, pt, ["a", "b", "c", "d"], current_step=3)
    assert [tr.name for tr in fig.data] == ["a", "b", "c", "d"]
    assert fig.layout.shapes[0].x0 == 3
    loss = figs.loss_curve(steps, np.array([1.38, 1.0, 0.5, 0.2, 0.1]), 2, np.log(4))
    assert any(abs(s.y0 - np.log(4)) < 1e-9 for s in loss.layout.shapes if s.y0 is not None)
