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
