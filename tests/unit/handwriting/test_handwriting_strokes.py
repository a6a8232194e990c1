"""Font-rendered pen strokes: the offsets encode the font's paths, and every example varies."""

import numpy as np
import pytest

from core.handwriting import strokes as S


def test_clean_render_follows_the_font():
    """Summing the offsets gives back the font's own strokes (resampled), stroke by stroke."""
    off = S.render("of")
    assert off.shape[1] == 3 and np.array_equal(off[0], [0, 0, 0])
    paths = S.to_polylines(off)
    font = S.font_polylines("of")
    assert len(paths) == len(font) == int(off[:, 2].sum())
    origin = font[0][0]
    for p, f in zip(paths, font):  # same start and end points (the resampling keeps the ends)
        assert np.allclose(p[0], f[0] - origin, atol=1e-4) and np.allclose(p[-1], f[-1] - origin, atol=1e-4)


def test_joined_letters_need_no_pen_lift():
    """Cursive joins letters: a word has fewer strokes than the sum of its letters' strokes."""
    word = "national"
    assert len(S.font_polylines(word)) < sum(len(S.font_polylines(c)) for c in word)


def test_each_example_varies_and_the_seed_fixes_it():
    a1 = S.render("temperament", np.random.default_rng(1))
    a2 = S.render("temperament", np.random.default_rng(1))
    b = S.render("temperament", np.random.default_rng(2))
    assert np.array_equal(a1, a2)
    assert not np.array_equal(a1, b)
    assert a1[:, 2].sum() == b[:, 2].sum() == S.render("temperament")[:, 2].sum()  # same strokes, new shapes


@pytest.mark.parametrize("text, named", [
    ("", ["empty"]),
    ("   ", ["empty"]),
    ("x" * (S.MAX_CHARS + 1), [str(S.MAX_CHARS + 1), str(S.MAX_CHARS)]),
    ("héllo wörld!", ["'é'", "'ö'", "'!'", "font has no strokes for 'é' 'ö'"]),
    ("it's 42", ['"\'"', "'4'", "'2'"]),
])
def test_bad_text_message_names_the_problem(text, named):
    with pytest.raises(S.TextError) as err:
        S.check_text(text)
    for part in named:
        assert part in str(err.value)


def test_good_text_is_folded():
    assert S.check_text("  More  of National ") == "more of national"


def test_words_come_from_the_corpus_and_held_out_words_are_unseen():
    words = S.corpus_words()
    assert len(words.train) + len(words.heldout) == 600
    assert not set(words.train) & set(words.heldout)
    assert all(set(w) <= set(S.ALPHABET) for w in words.train + words.heldout)
    assert {"the", "of"} & set(words.train + words.heldout)


def _render_stroke_by_stroke(text, rng):
    """The direct recipe, one stroke at a time: resample every STEP along the arc, round the corners,
    tremble (one draw per stroke, in order), then offsets with eos on each stroke's last point."""
    style = S.random_style(rng, len(text))
    points, eos = [], []
    for p in S.font_polylines(text, style):
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
        t = np.linspace(0.0, s[-1], max(2, int(round(s[-1] / (S.STEP * style.scale))) + 1))
        q = np.stack([np.interp(t, s, p[:, 0]), np.interp(t, s, p[:, 1])], axis=1)
        if len(q) >= 3:
            q[1:-1] = (1 - style.smooth) * q[1:-1] + style.smooth * 0.5 * (q[:-2] + q[2:])
        if style.jitter > 0:
            q = q + rng.normal(0.0, style.jitter, q.shape)
        points.append(q)
        eos.append(np.eye(1, len(q), len(q) - 1)[0])
    xy = np.concatenate(points)
    d = np.diff(xy - xy[0], axis=0, prepend=np.zeros((1, 2)))
    return np.concatenate([d, np.concatenate(eos)[:, None]], axis=1).astype(np.float32)


@pytest.mark.parametrize("text", ["more of national temperament", "of", "i", "xylophone quiz"])
def test_render_is_the_stroke_by_stroke_recipe(text):
    """render does all strokes at once; it must give what resampling each stroke on its own gives."""
    got = S.render(text, np.random.default_rng(4))
    want = _render_stroke_by_stroke(text, np.random.default_rng(4))
    assert got.shape == want.shape and np.array_equal(got[:, 2], want[:, 2])
    assert np.allclose(got[:, :2], want[:, :2], atol=1e-4)


def test_render_many_is_render_line_by_line():
    """All lines in one pass give what rendering each line with its style gives; with an rng, the styles
    are random_styles' draws and the tremble is extra noise of each line's own size."""
    words = S.corpus_words().train
    rng = np.random.default_rng(7)
    texts = [S.random_line(words, rng, 12) for _ in range(60)] + ["i", "a b", "more of national temperament"]
    styles = S.random_styles(np.random.default_rng(8), [len(t) for t in texts])
    many = S.render_many(texts, styles=styles)
    one = [S.render(t, style=s) for t, s in zip(texts, styles)]
    assert [a.shape for a in many] == [b.shape for b in one]
    for a, b in zip(many, one):
        assert np.array_equal(a[0], [0, 0, 0]) and np.array_equal(a[:, 2], b[:, 2])
        assert np.allclose(a[:, :2], b[:, :2], atol=1e-4)
    trembling = S.render_many(texts, np.random.default_rng(8))  # the same styles, then the tremble
    assert [a.shape for a in trembling] == [b.shape for b in many]
    noise = [np.cumsum(a[:, :2] - b[:, :2], axis=0) for a, b in zip(trembling, many)]  # each point's displacement
    long = [i for i, n in enumerate(noise) if len(n) > 60]
    sd = np.array([noise[i][1:].std(axis=0).mean() for i in long])  # x and y: each line's noise less its first point's
    jitter = np.array([styles[i].jitter for i in long])
    assert np.corrcoef(sd, jitter)[0, 1] > 0.9 and np.allclose(sd, jitter, atol=0.06)


def test_render_many_of_no_lines_is_empty():
    assert S.render_many([], np.random.default_rng(0)) == []


def test_one_style_is_random_styles_first_draw():
    """random_style for one line draws what random_styles draws for a list of one."""
    a = S.random_style(np.random.default_rng(3), 11)
    assert a == S.random_styles(np.random.default_rng(3), [11])[0]
    assert a != S.random_style(np.random.default_rng(4), 11) and len(a.spacing) == 11
