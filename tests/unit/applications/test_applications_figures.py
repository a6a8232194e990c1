"""Figure builders of the applications lesson: the data drawn is the data given."""

from dataclasses import dataclass

import numpy as np

from core.applications import figures as figs
from core.applications.overview import APPLICATIONS


def test_overview_draws_each_application_as_what_it_is():
    rows = [a.__dict__ for a in APPLICATIONS]
    fig = figs.overview_diagram(rows)
    texts = " ".join(a.text for a in fig.layout.annotations).replace("<br>", " ")  # labels wrap to fit
    for a in APPLICATIONS:
        assert a.name in texts and a.kind in texts and a.network in texts and a.writes in texts
    hover = " ".join(fig.data[0].hovertext)
    for a in APPLICATIONS:
        assert a.result in hover and a.measured_on in hover
    assert len(fig.layout.shapes) == 3 * len(rows)  # reads, carries, writes per row
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 2 * len(rows)
    # the four kinds differ in the output box's border, not by colour alone
    dashes = {row["kind"]: fig.layout.shapes[3 * i + 2].line.dash for i, row in enumerate(rows)}
    assert len({d for k, d in dashes.items() if not k.startswith("language model")} | {dashes[rows[2]["kind"]]}) == 4


def test_overview_box_texts_fit_their_boxes():
    """A box holds three lines at the projector's font (four ran over the handwriting row's output box)."""
    fig = figs.overview_diagram([a.__dict__ for a in APPLICATIONS])
    inside = [a.text for a in fig.layout.annotations if not a.showarrow and a.yanchor is None and a.xanchor is None]
    assert len(inside) == 3 * len(APPLICATIONS)
    assert max(t.count("<br>") + 1 for t in inside) <= 3, [t for t in inside if t.count("<br>") >= 3]


def test_overview_facts_the_lecturer_asked_for():
    by_name = {a.name: a for a in APPLICATIONS}
    assert "ensemble of 5 deep LSTMs" in by_name["Machine translation"].result
    assert by_name["Machine translation"].kind == "encoder–decoder"
    assert by_name["Image captioning"].kind == "encoder–decoder" and "Pascal" in by_name["Image captioning"].measured_on
    assert "mixture-density" in by_name["Handwriting generation"].kind
    assert by_name["Emotion from speech"].kind == "sequence-to-one classification"
    assert by_name["Visually indicated sounds"].kind == "frame-by-frame regression"
    assert all(a.measured_on for a in APPLICATIONS)


def test_image_figure_is_pixel_exact():
    img = np.random.default_rng(0).random((32, 32, 3))
    fig = figs.image_figure(img)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (32, 32, 3) and z.dtype == np.uint8
    assert np.array_equal(z, np.round(img * 255).astype(np.uint8))


def test_word_softmax_outlines_the_chosen_words():
    vocab = ["<bos>", "<eos>", "a", "red", "circle"]
    probs = np.array([[0, 0, 0.9, 0.05, 0.05], [0, 0, 0.1, 0.8, 0.1], [0, 0.1, 0, 0.1, 0.8], [0, 0.95, 0, 0.05, 0]])
    chosen = ["a", "red", "circle", "<eos>"]
    fig = figs.word_softmax(chosen, vocab, probs)
    assert np.allclose(np.asarray(fig.data[0].z), probs.T)
    centres = [((s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2) for s in fig.layout.shapes]
    assert centres == [(t, vocab.index(w)) for t, w in enumerate(chosen)]


@dataclass(frozen=True)
class Node:
    step: int
    parent: int
    token: int
    score: float
    kept: bool


def test_beam_tree_thickens_the_best_path():
    itos = ["<bos>", "<eos>", "x", "y"]
    nodes = [Node(0, -1, 2, -0.1, True), Node(0, -1, 3, -0.5, True),  # step 0: x, y
             Node(1, 0, 1, -0.3, False), Node(1, 1, 2, -0.6, True)]  # step 1: x<eos> finishes, y x lives
    fig = figs.beam_tree(nodes, itos, best=[2])
    edges = [t for t in fig.data if t.mode == "lines"]
    assert len(edges) == len(nodes)
    thick = [i for i, e in enumerate(edges) if e.line.width == 4]
    assert thick == [0, 2]  # the root→x edge and x→<eos>
    finished = [t for t in fig.data if t.name == "finished (<eos>)"][0]
    assert list(finished.x) == [1] and "<eos>" in finished.text[0]
    kept = [t for t in fig.data if t.name == "kept in the beam"][0]
    assert list(kept.y) == [0, 1, 1]  # ranks by score within each step
    # best on top, and room under the last rank for its word and score (autorange would ignore the range)
    y = fig.layout.yaxis
    assert y.autorange is False and y.range[0] >= max(kept.y) + 0.8 and y.range[1] < 0


def test_loss_vs_baseline_draws_ln_v():
    fig = figs.loss_vs_baseline(np.arange(1, 4), np.array([3.0, 2.0, 1.0]), 4.39, "ln V",
                                np.array([0, 3]), np.array([4.4, 1.2]))
    assert list(fig.data[0].y) == [3.0, 2.0, 1.0] and list(fig.data[1].y) == [4.4, 1.2]
    assert fig.layout.shapes[0].y0 == 4.39


def test_hidden_unit_text_places_every_character():
    chars = list("hello world")
    act = np.linspace(-1, 1, len(chars))
    fig = figs.hidden_unit_text(chars, act, unit=3, per_line=4)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (3, 4)
    assert np.allclose(z.ravel()[: len(chars)], act) and np.isnan(z.ravel()[len(chars):]).all()
    text = np.asarray(fig.data[0].text)
    assert text[0, 0] == "h" and text[1, 1] == "·"  # the space is shown as a dot
    assert fig.data[0].zmid == 0
