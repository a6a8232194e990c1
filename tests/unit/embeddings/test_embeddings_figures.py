"""Figure builders of the word-embeddings lesson: the drawn data is the data given."""

import numpy as np
import plotly.graph_objects as go

from core.common.style import NEUTRAL, OUTLINE
from core.embeddings import figures as figs


def test_word_map_background_groups_and_highlight():
    words = ["paris", "france", "berlin", "the", "of"]
    coords = np.arange(10.0).reshape(5, 2)
    fig = figs.word_map(words, coords, ["capital", "country", "capital", "bg", "bg"],
                        np.array([False, False, False, True, True]), {"berlin": "cos 0.700"}, query="paris")
    by_name = {t.name: t for t in fig.data if t.name}
    bg = by_name["background (frequent words)"]
    assert list(bg.text) == ["the", "of"] and bg.marker.color == NEUTRAL
    assert list(by_name["capital"].text) == ["paris", ""]  # berlin is ringed: its word sits outside the ring
    assert [a.text for a in fig.layout.annotations] == ["berlin"]
    assert list(by_name["capital"].x) == [0.0, 4.0]
    ring = by_name["ringed: top 1 by cosine"]
    assert list(ring.text) == ["berlin: cos 0.700"] and ring.marker.line.color == OUTLINE
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == 1 and list(lines[0].x) == [0.0, 4.0]  # paris → berlin


def test_word_map_3d_uses_scatter3d():
    fig = figs.word_map(["a", "b", "c"], np.eye(3), None)
    assert isinstance(fig.data[0], go.Scatter3d) and list(fig.data[0].z) == [0.0, 0.0, 1.0]


def test_analogy_parallelogram_arrows_go_a_to_b_and_c_to_d():
    words = ["man", "king", "woman", "queen", "prince"]
    xy = np.array([[0, 0], [1, 2], [3, 0], [4, 2], [5, 5]], float)
    fig = figs.analogy_parallelogram(words, xy, ["queen", "prince"])
    arrows = [(a.ax, a.ay, a.x, a.y) for a in fig.layout.annotations]
    assert (0, 0, 1, 2) in arrows and (3, 0, 4, 2) in arrows
    star = [t for t in fig.data if t.name == "answer d"][0]
    assert list(star.text) == ["queen"] and star.marker.symbol == "star"



def test_analogy_parallelogram_keeps_close_words_apart():
    """Two other answers nearly on one point (as “prince” and “throne” can be): each word shows once, and
    not both in one spot."""
    words = ["man", "king", "woman", "queen", "prince", "throne"]
    xy = np.array([[0.9, -0.3], [-0.6, -0.18], [0.95, -0.04], [-0.4, 0.1], [0.1, 0.5], [0.11, 0.51]])
    fig = figs.analogy_parallelogram(words, xy, words[3:])
    beside = {t: p for tr in fig.data if tr.text for t, p in zip(tr.text, _positions(tr)) if t}
    further = [a.text for a in fig.layout.annotations if a.text]
    assert sorted(list(beside) + further) == sorted(words)
    if "prince" in beside and "throne" in beside:
        assert beside["prince"] != beside["throne"]

def test_cosine_heatmaps_show_the_matrices():
    oh, dense = np.eye(2), np.array([[1, 0.5], [0.5, 1]])
    fig = figs.cosine_heatmaps(["cat", "dog"], oh, dense, 400000, 50)
    np.testing.assert_array_equal(np.array(fig.data[0].z), oh)
    np.testing.assert_array_equal(np.array(fig.data[1].z), dense)
    assert "400,000" in fig.layout.annotations[0].text and "50" in fig.layout.annotations[1].text


def test_section_accuracy_bars_are_percentages():
    fig = figs.section_accuracy(["capital-common-countries", "gram1-adjective-to-adverb"], np.array([9, 1]),
                                np.array([10, 4]), 10 / 14)
    np.testing.assert_allclose(fig.data[0].x, [90.0, 25.0])
    assert fig.data[0].text[0] == "90.0% of 10"
    assert fig.data[0].marker.color[0] != fig.data[0].marker.color[1]  # semantic vs syntactic


def test_semantic_axes_labels_and_positions():
    fig = figs.semantic_axes(["queen", "king"], np.array([0.3, -0.2]), np.array([0.1, 0.0]), ("he", "she"),
                             ("bad", "good"))
    assert list(fig.data[0].x) == [0.3, -0.2]
    assert "he" in fig.layout.xaxis.title.text and "she" in fig.layout.xaxis.title.text



def test_semantic_axes_keep_close_words_apart_and_show_zero():
    """“germany” almost on “berlin” (as in the default countries-and-capitals scene): each word shows once,
    not both in one spot, and both axes reach 0, where a word changes sides."""
    words = ["germany", "berlin", "france", "paris", "tokyo", "cairo"]
    groups = ["countries", "capitals", "countries", "capitals", "capitals", "capitals"]
    fig = figs.semantic_axes(words, np.array([-0.09, -0.095, -0.02, 0.004, -0.05, -0.3]),
                             np.array([-0.015, -0.035, 0.09, 0.05, -0.2, 0.2]), ("he", "she"), ("bad", "good"), groups)
    beside = {t: p for tr in fig.data for t, p in zip(tr.text, _positions(tr)) if t}
    further = [a.text for a in fig.layout.annotations if a.text]
    assert sorted(list(beside) + further) == sorted(words)
    if "germany" in beside and "berlin" in beside:
        assert beside["germany"] != beside["berlin"]
    assert fig.layout.xaxis.range[0] < 0 < fig.layout.xaxis.range[1] and fig.layout.yaxis.range[0] < 0 < fig.layout.yaxis.range[1]

def test_context_states_two_panels():
    coords = np.array([[0, 0], [1, 1], [5, 5]], float)
    fig = figs.context_states(coords, ["money", "money", "river"], ["s1", "s2", "s3"],
                              np.zeros((3, 2)), ["bank", "money", "river"], ["“bank”", "money words", "river words"])
    river = [t for t in fig.data if t.name == "sentence sense: river"][0]
    assert list(river.x) == [5.0] and river.xaxis == "x2"
    glove_bank = [t for t in fig.data if t.name == "GloVe: “bank”"][0]
    assert list(glove_bank.text) == ["bank"] and glove_bank.xaxis == "x"


def test_between_centres_places_words_by_their_two_cosines():
    fig = figs.between_centres(["bank", "money", "river"], np.array([0.8, 0.9, 0.3]), np.array([0.5, 0.4, 0.9]),
                               ["“bank”", "money words", "river words"], "money", "river")
    bank = [t for t in fig.data if t.name == "“bank”"][0]
    assert (bank.x[0], bank.y[0]) == (0.8, 0.5) and bank.marker.symbol == "star"
    diagonal = fig.data[0]
    assert diagonal.x[0] == diagonal.y[0] and diagonal.x[1] == diagonal.y[1]


def _boxes(fig, W=figs.PLOT_PX[0], H=figs.PLOT_PX[1], font=figs.LABEL_FONT_PX, marker=7.0):
    """Every label's text box in pixels, as the placement assumes: textpoint labels and annotations."""
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    to_px = lambda x, y: ((x - xr[0]) / (xr[1] - xr[0]) * W, (yr[1] - y) / (yr[1] - yr[0]) * H)  # noqa: E731
    where = {v: k for k, v in figs.TEXTPOSITION.items()}
    out = []
    for t in fig.data:
        if t.mode and "text" in t.mode and isinstance(t.textposition, tuple):
            for x, y, text, pos in zip(t.x, t.y, t.text, t.textposition):
                if text:
                    (ux, uy), (cx, cy) = where[pos], to_px(x, y)
                    w, h = 0.6 * font * len(text) + 4, 1.3 * font
                    out.append((text, figs._label_box(cx + ux * (w / 2 + marker), cy + uy * (h / 2 + marker), text,
                                                      font)))
    for a in fig.layout.annotations:
        if a.axref == "x":  # the word's place in data units: it moves with the plot's size
            cx, cy = to_px(a.ax, a.ay)
        else:
            cx, cy = to_px(a.x, a.y)
            cx, cy = cx + a.ax, cy + a.ay
        out.append((a.text, figs._label_box(cx, cy, a.text, font)))
    return out


def _assert_apart(boxes) -> None:
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not figs._overlaps(boxes[i][1], boxes[j][1]), (boxes[i][0], boxes[j][0])


def test_label_placement_never_overlaps():
    rng = np.random.default_rng(0)
    px = rng.uniform(100, 300, size=(30, 2))  # a crowded cluster
    texts = [f"word{i}" for i in range(30)]
    placed = figs.place_labels(px, texts, list(range(30)))
    boxes = [figs._label_box(px[i, 0] + dx, px[i, 1] + dy, texts[i], figs.LABEL_FONT_PX)
             for i, (dx, dy, _) in placed.items()]
    assert len(placed) >= 10
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not figs._overlaps(boxes[i], boxes[j])


def test_default_word_map_labels_every_lesson_word_without_overlap():
    """The default map (GloVe, countries and capitals, nearest to france): labels at projector size, no overlap."""
    from core.embeddings import vectors as E

    G = E.load_glove()
    words, groups = E.parse_word_groups("countries: france, germany, italy, spain, japan, india, russia, egypt\n"
                                        "capitals: paris, berlin, rome, madrid, tokyo, delhi, moscow, cairo")
    nb = E.neighbours(G, "france", 8)
    shown = words + [w for w in nb.words if w not in words]
    m = E.project(G, shown, "pca", 2)
    fig = figs.word_map(shown, m.coords, groups + ["nearest to france"] * (len(shown) - len(words)), None,
                        {w: "" for w in nb.words}, "france", labelled=set(words))
    boxes = _boxes(fig)
    assert {t for t, _ in boxes} == set(words)
    assert sum(1 for t in fig.data for x in (t.text or ()) if x) >= 8  # most sit right next to their point
    for grow in (1.0, 1.25, 1.6):  # the projector's chart is larger than the size the words were placed for
        _assert_apart(_boxes(fig, W=figs.PLOT_PX[0] * grow, H=figs.PLOT_PX[1] * grow))
    ring = [t for t in fig.data if t.name and t.name.startswith("ringed")][0]  # no word on a ring, its own included
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    W, H = figs.PLOT_PX
    r = figs.RING_PX - 1  # the ring's outer edge: a 20 px circle with a 2 px line
    for x, y in zip(ring.x, ring.y):
        cx, cy = (x - xr[0]) / (xr[1] - xr[0]) * W, (yr[1] - y) / (yr[1] - yr[0]) * H
        for text, box in boxes:
            assert not figs._overlaps(box, (cx - r, cy - r, cx + r, cy + r)), text
    symbols = {t.name: t.marker.symbol for t in fig.data if t.name in ("countries", "nearest to france")}
    assert symbols["countries"] != symbols["nearest to france"]  # told apart by shape, not colour alone


def _positions(trace) -> list[str]:
    """A scatter's text position per point (Plotly also takes one string for all)."""
    p = trace.textposition
    return [p] * len(trace.text) if isinstance(p, str) or p is None else list(p)


def test_context_states_keeps_close_words_apart():
    """“loan” and “credit” sit almost on one point: each word still shows once, and not both in the same spot."""
    words = ["bank", "money", "loan", "credit", "river", "shore"]
    xy = np.array([[0.5, -0.3], [0.5, 0.17], [0.6, 0.02], [0.6, 0.025], [-0.6, -0.15], [-0.4, -0.2]])
    fig = figs.context_states(np.zeros((2, 2)), ["money", "river"], ["s1", "s2"], xy, words,
                              ["“bank”", "money words", "money words", "money words", "river words", "river words"])
    beside = {t: p for tr in fig.data if tr.xaxis == "x" for t, p in zip(tr.text, _positions(tr)) if t}
    further = [a.text for a in fig.layout.annotations if a.showarrow]
    assert sorted(list(beside) + further) == sorted(words)  # every word once
    if "loan" in beside and "credit" in beside:
        assert beside["loan"] != beside["credit"]
    assert all(len(a.text) <= 40 for a in fig.layout.annotations if not a.showarrow)  # panel titles fit a panel


def test_default_semantic_axes_words_stay_apart_on_a_taller_chart():
    """The default word2viz chart (countries and capitals on he→she and bad→good, GloVe): no two words print over
    each other, at the size they were placed for and on the projector's taller chart. A word put further out
    keeps its place in data units: "paris", placed above its point, used to run into "france" there."""
    from core.embeddings import vectors as E

    G = E.load_glove()
    words, groups = E.parse_word_groups("countries: france, germany, italy, spain, japan, india, russia, egypt\n"
                                        "capitals: paris, berlin, rome, madrid, tokyo, delhi, moscow, cairo")
    ax = E.semantic_axes(G, words, ("he", "she"), ("bad", "good"))
    fig = figs.semantic_axes(ax.words, ax.x, ax.y, ax.pair_x, ax.pair_y, groups)
    W, H = figs.SEMANTIC_PX
    boxes = _boxes(fig, W, H)
    assert {t for t, _ in boxes} == set(words)  # every word is printed, none only on hover
    leaders = [a for a in fig.layout.annotations if a.showarrow]
    assert leaders and all(a.axref == "x" and a.ayref == "y" for a in leaders)
    for w_grow, h_grow in ((1.0, 1.0), (1.0, 1.45), (1.1, 1.45), (1.3, 1.3)):
        _assert_apart(_boxes(fig, W * w_grow, H * h_grow))
