"""Figure builders of the applications lesson: the data drawn is the data given."""

from dataclasses import dataclass

import numpy as np

from core.figures import applications as figs
from core.overview import APPLICATIONS


def test_overview_has_every_application_and_its_result():
    rows = [a.__dict__ for a in APPLICATIONS]
    fig = figs.overview_diagram(rows)
    texts = " ".join(a.text for a in fig.layout.annotations)
    for a in APPLICATIONS:
        assert a.name in texts and a.encoder in texts and a.decoder in texts and a.context in texts
    assert "34.8 BLEU" in texts and "BLEU-1 59" in texts and "25" in texts
    assert len(fig.layout.shapes) == 3 * len(rows)  # encoder, C, decoder boxes per row
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 2 * len(rows)


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


def test_spectrogram_and_frame_probabilities():
    frames = np.random.default_rng(1).random((40, 24))
    fig = figs.spectrogram(frames, np.linspace(3, 12, 40))
    assert np.allclose(np.asarray(fig.data[0].z), frames.T) and len(fig.data) == 2
    probs = np.full((40, 3), 1 / 3)
    probs[20:] = [0.1, 0.1, 0.8]
    fig = figs.frame_probabilities(probs, ["rising", "falling", "rise then fall"], true_label=2)
    assert [t.name for t in fig.data] == ["rising", "falling", "rise then fall (true class)"]
    assert np.allclose(fig.data[2].y, probs[:, 2]) and fig.data[2].line.width > fig.data[0].line.width
    assert len({t.line.dash for t in fig.data}) == 3  # not colour alone


def test_accuracy_and_confusion():
    fig = figs.accuracy_by_frame(np.array([0.3, 0.6, 0.9]), 1 / 3)
    assert list(fig.data[0].y) == [0.3, 0.6, 0.9] and abs(fig.layout.shapes[0].y0 - 1 / 3) < 1e-12
    m = np.array([[5, 1], [0, 6]])
    fig = figs.confusion(m, ["a", "b"])
    assert np.array_equal(np.asarray(fig.data[0].z), m)
