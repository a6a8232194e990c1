"""Figure builders of the encoder–decoder lesson: check what they draw, not only that they draw."""

import numpy as np
import plotly.graph_objects as go

from core.seq2seq import figures as figs
from core.common.style import NEUTRAL, OUTLINE


def test_encoder_heatmap_draws_states_and_context_outlined():
    states = np.linspace(-1, 1, 12).reshape(4, 3)  # n_x = 4, H = 3
    fig = figs.encoder_heatmap(list("ab c"), states, states[-1])
    h, c = fig.data
    np.testing.assert_array_equal(h.z, states.T)
    assert list(h.x) == ["1 · a", "2 · b", "3 · ␣", "4 · c"]
    np.testing.assert_array_equal(np.array(c.z)[:, 0], states[-1])
    assert any(s.line.color == OUTLINE and s.x0 == -0.5 and s.xref == "x2" for s in fig.layout.shapes)


def test_bottleneck_has_one_marker_per_unit_of_context():
    fig = figs.bottleneck(list("Nov 1"), np.array([0.1, -0.2, 0.3]), list("2026"))
    by_name = {t.name: t for t in fig.data if t.name}
    np.testing.assert_allclose(np.array(by_name["context C (3 numbers)"].z)[:, 0], [0.1, -0.2, 0.3])
    assert list(by_name["input x (n_x = 5)"].text) == ["N", "o", "v", "␣", "1"]
    assert list(by_name["output y (n_y = 4)"].text) == list("2026")


def test_decoder_topk_ranks_and_outlines_the_chosen_token():
    vocab = ["<pad>", "<bos>", "<eos>", "<unk>", "a", "b", "c"]
    probs = np.array([[0, 0, 0.1, 0, 0.2, 0.6, 0.1], [0, 0, 0.7, 0, 0.1, 0.1, 0.1]])
    fig = figs.decoder_topk(["<bos>", "b"], ["a", "<eos>"], probs, vocab, k=3, forced_step=0)
    z = np.array(fig.data[0].z)  # (k, n_y)
    np.testing.assert_allclose(z[:, 0], [0.6, 0.2, 0.1])
    np.testing.assert_allclose(z[0, 1], 0.7)
    assert fig.data[0].text[0][0].startswith("b")
    outlines = [(s.x0, s.y0, s.line.dash) for s in fig.layout.shapes]
    assert (-0.5, 0.5, "dash") in outlines  # step 1: forced "a" was rank 2
    assert (0.5, -0.5, "solid") in outlines  # step 2: <eos> rank 1
    assert "(forced)" in fig.data[0].x[0]
    assert list(fig.data[0].y) == ["rank 1", "rank 2", "rank 3"]  # the forced token was in the top 3: no extra row


def test_decoder_topk_shows_a_forced_token_from_below_the_top_k():
    """A token forced from rank 6 gets its own row in its column, with its probability and rank, outlined dashed."""
    vocab = ["<pad>", "<bos>", "<eos>", "<unk>", "a", "b", "c", "d", "e"]
    probs = np.array([[0, 0, 0.05, 0.01, 0.3, 0.25, 0.2, 0.15, 0.04], [0, 0, 0.7, 0, 0.1, 0.1, 0.1, 0, 0]])
    fig = figs.decoder_topk(["<bos>", "<unk>"], ["<unk>", "<eos>"], probs, vocab, k=3, forced_step=0)
    heat = fig.data[0]
    rank = 1 + list(np.argsort(-probs[0], kind="stable")).index(3)
    assert rank == 7 and list(heat.y) == ["rank 1", "rank 2", "rank 3", f"forced: rank {rank}"]
    assert heat.z[3][0] == 0.01 and heat.z[3][1] is None  # only the forced column has a cell there
    assert heat.text[3][0].endswith("0.01") and heat.text[3][1] == ""
    outlines = [(s.x0, s.y0, s.line.dash) for s in fig.layout.shapes]
    assert (-0.5, 2.5, "dash") in outlines  # around the forced token's own row
    assert (0.5, -0.5, "solid") in outlines


def test_teacher_vs_free_bars():
    fig = figs.teacher_vs_free(["1 · 2", "2 · 0"], np.array([0.9, 0.8]), np.array([0.9, np.nan]))
    assert len(fig.data) == 2
    np.testing.assert_allclose(fig.data[0].y, [0.9, 0.8])
    assert fig.data[1].marker.pattern.shape == "/"  # told apart by pattern, not colour alone


def test_context_map_highlights_current_input_and_path():
    pts = np.arange(10.0).reshape(5, 2)
    fig = figs.context_map(pts, np.arange(5), "month", list("abcde"), np.array([1.0, 2.0]), "mine",
                           path=np.zeros((3, 2)), path_labels=["p0", "p1", "p2"])
    scatter, path, current = fig.data
    np.testing.assert_array_equal(scatter.x, pts[:, 0])
    assert current.marker.symbol == "star" and list(current.x) == [1.0] and current.marker.line.color == OUTLINE
    assert len(path.x) == 3 and fig.data[0].marker.colorbar.title.text == "month"


def test_beam_tree_links_children_to_parents_and_marks_best():
    # root → a(0), b(1); a → c(2, kept), <eos>(3, finished)
    fig = figs.beam_tree([0, 0, 1, 1], [-1, -1, 0, 0], ["a", "b", "c", "⟨eos⟩"], [-0.1, -2.0, -0.3, -0.5],
                         [True, True, True, False], best_path=[3, 0])
    lines, best = fig.data[0], fig.data[1]
    assert list(best.x) == [0, 1, None, 1, 2, None]  # root→a, a→eos drawn bold
    kept = next(t for t in fig.data if t.name == "kept in the beam")
    pruned = next(t for t in fig.data if t.name and t.name.startswith("pruned"))
    assert len(kept.x) == 3 and len(pruned.x) == 1 and pruned.marker.symbol == "circle-open"
    assert list(kept.text) == ["a", "b", "c"] and pruned.text[0] == "eos" and pruned.customdata[0] == -0.5


def test_accuracy_vs_length_two_curves_and_shaded_untrained_lengths():
    L = np.arange(3, 9)
    fig = figs.accuracy_vs_length({"fixed C": (L, np.linspace(1, 0, 6)), "attention": (L, np.ones(6))}, 6)
    assert [t.name for t in fig.data] == ["fixed C", "attention"]
    assert fig.data[0].line.dash != fig.data[1].line.dash
    assert fig.layout.shapes[0].x0 == 6.5 and fig.layout.shapes[0].x1 == 8.5


def test_attention_heatmap_rows_are_output_steps():
    alpha = np.eye(3)[::-1]
    fig = figs.attention_heatmap(alpha, list("abc"), list("cba"))
    np.testing.assert_array_equal(fig.data[0].z, alpha)
    assert list(fig.data[0].y) == ["1 · c", "2 · b", "3 · a"]


def test_training_curves_has_loss_and_exact_match():
    fig = figs.training_curves(np.array([3.0, 2.0, 1.0]), np.array([2, 3]), np.array([0.5, 0.99]))
    assert len(fig.data[0].y) == 3 and list(fig.data[1].y) == [0.5, 0.99]


def test_paired_bars_two_series_same_steps():
    fig = figs.paired_bars(["1 · a", "2 · b"], np.array([0.9, 0.2]), np.array([0.1, 0.2]), "mine", "moved", "P", "step")
    assert [t.name for t in fig.data] == ["mine", "moved"]
    assert list(fig.data[1].x) == ["1 · a", "2 · b"] and list(fig.data[1].text) == ["0.10", "0.20"]


def test_layouts_written_out_match_plotlys_helpers():
    """The grids and bands written as plain layout match what make_subplots / add_hline / add_vrect draw."""
    from plotly.subplots import make_subplots

    states = np.zeros((4, 3))
    fig = figs.encoder_heatmap(list("abcd"), states, states[-1])
    ref = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.86, 0.14], horizontal_spacing=0.02,
                        subplot_titles=("encoder hidden state h_t after each input character", "context C"))
    for axis in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        assert (fig.layout[axis].domain, fig.layout[axis].anchor) == (ref.layout[axis].domain, ref.layout[axis].anchor)
    assert fig.layout.yaxis2.matches == "y"
    assert [(a.text, a.x, a.y) for a in fig.layout.annotations] == [(a.text, a.x, a.y) for a in ref.layout.annotations]

    fig = figs.training_curves(np.array([3.0, 2.0]), np.array([2]), np.array([0.5]))
    ref = make_subplots(specs=[[{"secondary_y": True}]])
    ref.add_trace(go.Scatter(x=[1, 2], y=[3.0, 2.0]), secondary_y=False)
    ref.add_trace(go.Scatter(x=[2], y=[0.5]), secondary_y=True)  # add_hline draws only on axes with data
    ref.add_hline(y=0.98, line=dict(color="#333333", dash="dot"), secondary_y=True,
                  annotation_text="98 %", annotation_position="bottom right")
    assert fig.layout.xaxis.domain == ref.layout.xaxis.domain and fig.layout.yaxis2.overlaying == "y"
    assert fig.layout.shapes == ref.layout.shapes and fig.layout.annotations == ref.layout.annotations

    fig = figs.accuracy_vs_length({"a": (np.arange(3, 9), np.ones(6))}, 6)
    ref = go.Figure(go.Scatter(x=[3, 8], y=[1, 1]))
    ref.add_vrect(x0=6.5, x1=8.5, fillcolor=NEUTRAL, opacity=0.3, line_width=0, layer="below",
                  annotation_text="longer than any training input", annotation_position="top left")
    assert fig.layout.shapes == ref.layout.shapes and fig.layout.annotations == ref.layout.annotations


def test_fan_labels_have_room_for_any_input_length():
    """Each input character of the fan gets at least ROW_PX of the plot's height: labels can't overlap."""
    for n_x in (3, 16, 29, 48):
        fig = figs.bottleneck(list("x" * n_x), np.zeros(8), list("2026-11-26"))
        inputs = next(t for t in fig.data if t.name and t.name.startswith("input x"))
        ys = np.sort(np.asarray(inputs.y))
        plot_px = fig.layout.height - 80  # margins and the legend
        gap_px = np.min(np.diff(ys)) * plot_px / (ys.max() - ys.min()) if n_x > 1 else plot_px
        assert gap_px >= 0.9 * figs.ROW_PX > 13  # the default font is 13 px; presenter mode grows both by 1.3
