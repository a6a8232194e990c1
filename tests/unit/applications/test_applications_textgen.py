"""Character-level generation: corpus, uploads, loss against ln V, temperature, hidden states."""

import math

import numpy as np
import pytest
import torch

from core.applications import textgen as tg

SMALL = tg.CharGenConfig(hidden_size=64, steps=150, eval_every=50, seed=0)


@pytest.fixture(scope="module")
def text():
    return tg.corpus_text("lee")[:60_000]


@pytest.fixture(scope="module")
def run(text):
    return tg.train(text, SMALL)


def test_the_corpus_is_real_text():
    text = tg.corpus_text("lee")
    assert len(text) > 300_000
    assert "Australia" in text and "the " in text


def test_untrained_model_predicts_the_character_frequencies(run):
    """Step 0: the output bias starts at the log-frequencies, so held-out loss ≈ the unigram model's."""
    assert abs(run.heldout_loss[0] - run.unigram_bits * math.log(2)) < 0.1
    assert run.unigram_bits < math.log2(len(run.itos))  # frequencies alone already beat a uniform guess
    assert math.isclose(run.ln_v, math.log(len(run.itos)))


def test_small_run_learns_far_better_than_guessing(run):
    assert run.heldout_loss[-1] < 0.7 * run.ln_v
    assert run.bits_per_char < run.unigram_bits - 0.8  # what came before is worth most of a bit per char
    assert math.isclose(run.bits_per_char, run.heldout_loss[-1] / math.log(2))
    assert run.bits_per_char < math.log2(len(run.itos)) - 1.5


def test_heldout_is_the_unseen_tail(text):
    train, held = tg.split(text)
    assert train + held == text and len(held) == pytest.approx(0.1 * len(text), abs=1)


def test_temperature_to_zero_is_greedy(run):
    greedy = tg.generate(run, "The ", 80, 0.0, 3, seed=0)
    assert len(set(greedy.samples)) == 1  # greedy: every sample the same
    for seed in range(3):
        cold = tg.generate(run, "The ", 80, 1e-4, 3, seed=seed)
        assert cold.samples == greedy.samples
    hot = tg.generate(run, "The ", 80, 1.0, 3, seed=0)
    assert len(set(hot.samples)) > 1


def test_greedy_picks_the_argmax_of_the_model(run):
    g = tg.generate(run, "The ", 30, 0.0, 1)
    stoi = {c: i for i, c in enumerate(run.itos)}
    ids = torch.tensor([[stoi[c] for c in g.samples[0]]])
    with torch.no_grad():
        logits, hidden, _ = run.model(ids)
    predicted = logits[0, 3:-1].argmax(-1).tolist()  # after reading the prime, each next char is the argmax
    assert predicted == ids[0, 4:].tolist()
    # and the recorded hidden states are what the network computes over the whole text
    assert np.allclose(g.hidden, hidden[0].numpy(), atol=1e-5)
    assert g.chars == tuple(g.samples[0])


def test_same_seed_same_numbers(text):
    cfg = tg.CharGenConfig(hidden_size=32, steps=20, eval_every=10, seed=3)
    a, b = tg.train(text[:20_000], cfg), tg.train(text[:20_000], cfg)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.heldout_loss, b.heldout_loss)
    assert tg.generate(a, "a", 40, 1.0, 2, 7).samples == tg.generate(b, "a", 40, 1.0, 2, 7).samples


def test_unknown_priming_characters_are_explained(run):
    with pytest.raises(tg.CorpusError, match="never shows"):
        tg.generate(run, "Ωmega", 10, 1.0, 1)
    with pytest.raises(tg.CorpusError, match="priming text"):
        tg.generate(run, "", 10, 1.0, 1)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"x" * (tg.MAX_UPLOAD_BYTES + 1), "limit"),
        (b"PK\x03\x04\x00\x00binary" * 400, "binary"),
        ("café ".encode("latin-1") * 600, "UTF-8"),
        (b"too short", "at least"),
        ("".join(chr(0x4E00 + i) for i in range(400)).encode() * 10, "different characters"),
    ],
)
def test_bad_uploads_get_clear_messages(data, message):
    with pytest.raises(tg.CorpusError, match=message):
        tg.check_upload(data)


def test_good_upload_is_decoded():
    text = "\ufeffLine one.\r\nLine two, café.\r\n" * 200
    out = tg.check_upload(text.encode("utf-8"))
    assert out.startswith("Line one.\nLine two, café.") and "\r" not in out


def test_units_by_variation():
    h = np.zeros((10, 3))
    h[:, 1] = np.linspace(-1, 1, 10)
    h[:, 2] = np.linspace(0, 0.1, 10)
    assert tg.units_by_variation(h).tolist() == [1, 2, 0]


def test_a_vanishing_temperature_samples_like_greedy_instead_of_crashing(run):
    """?gen_temp=1e-320 used to divide the logits into inf/nan ("probability tensor contains inf")."""
    greedy = tg.generate(run, "The ", 40, 0.0, 2, seed=0)
    for tiny in (1e-320, 5e-324, 1e-12):
        assert tg.generate(run, "The ", 40, tiny, 2, seed=0).samples == greedy.samples
    with pytest.raises(tg.CorpusError, match="temperature"):
        tg.generate(run, "The ", 10, float("nan"), 1)


def test_wikipedia_is_the_default_corpus_and_reads_as_english():
    text = tg.corpus_text()
    assert len(text) > 2_000_000 and "'''" not in text
    assert len(set(text)) <= 120  # rare characters left out: a vocabulary built for the demo
    words = text.split()
    assert sum(w in {"the", "of", "and", "in"} for w in words) > 0.08 * len(words)


def test_unigram_reference_is_the_entropy_of_the_character_frequencies():
    train_ids = torch.tensor([0, 0, 0, 1])
    held = torch.tensor([0, 1])
    # add-one smoothed: P(0) = 4/6, P(1) = 2/6
    expected = -(math.log2(4 / 6) + math.log2(2 / 6)) / 2
    assert math.isclose(tg.unigram_bits(train_ids, held, 2), expected, rel_tol=1e-9)


def test_real_word_share_counts_whole_words_only():
    share, n = tg.real_word_share(["the cat sxt on the ma"], frozenset({"the", "cat", "on"}))
    assert n == 5 and share == 0.8  # "ma" is cut off at the end, so it is not counted


def test_encode_matches_a_dictionary_lookup(text):
    itos = tuple(sorted(set(text)))
    stoi = {c: i for i, c in enumerate(itos)}
    assert tg.encode(text[:5000], itos).tolist() == [stoi[c] for c in text[:5000]]


def test_unit_features_are_pearson_correlations_with_simple_text_features():
    """A unit that is 1 exactly before each space follows "a space comes next" perfectly, and that feature
    comes first; the letters-since-the-word-began count is computed as written; a constant unit follows
    nothing (no correlation can be computed)."""
    chars = tuple("the cat sat on 42 mats")
    ends = np.array([1.0 if i + 1 < len(chars) and chars[i + 1] == " " else 0.0 for i in range(len(chars))])
    follows = tg.unit_features(chars, 0.3 + 0.5 * ends)
    assert follows[0][0].startswith("a space comes next") and follows[0][1] == pytest.approx(1.0)
    assert [abs(r) for _, r in follows] == sorted((abs(r) for _, r in follows), reverse=True)
    counts = np.array([tg._letters_back(chars, i) for i in range(len(chars))], float)
    by_name = dict(tg.unit_features(chars, counts))
    assert by_name["letters read since the word began"] == pytest.approx(1.0)
    assert counts[:4].tolist() == [1, 2, 3, 0]
    r_digit = np.corrcoef([c.isdigit() for c in chars], counts)[0, 1]
    assert by_name["inside a number"] == pytest.approx(r_digit)
    assert tg.unit_features(chars, np.ones(len(chars))) == []
    assert "upper case" not in dict(follows)  # no capital letter here: that feature never changes
