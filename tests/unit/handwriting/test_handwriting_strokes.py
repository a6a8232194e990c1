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
