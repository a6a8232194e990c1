"""Character-level generation: corpus, uploads, loss against ln V, temperature, hidden states."""

import math

import numpy as np
import pytest
import torch

from core import chargen as cg

SMALL = cg.CharGenConfig(hidden_size=64, steps=150, eval_every=50, seed=0)


@pytest.fixture(scope="module")
def text():
    return cg.load_corpus("lee")[:60_000]


@pytest.fixture(scope="module")
def run(text):
    return cg.train(text, SMALL)


def test_the_corpus_is_real_text():
    text = cg.load_corpus("lee")
    assert len(text) > 300_000
    assert "Australia" in text and "the " in text


def test_untrained_loss_is_log_vocab(run):
    """Step 0: the network hardly prefers any character, so held-out loss ≈ ln V."""
    assert abs(run.heldout_loss[0] - run.ln_v) < 0.15
    assert math.isclose(run.ln_v, math.log(len(run.itos)))


def test_small_run_learns_far_better_than_guessing(run):
    assert run.heldout_loss[-1] < 0.7 * run.ln_v
    assert math.isclose(run.bits_per_char, run.heldout_loss[-1] / math.log(2))
    assert run.bits_per_char < math.log2(len(run.itos)) - 1.5


def test_heldout_is_the_unseen_tail(text):
    train, held = cg.split(text)
    assert train + held == text and len(held) == pytest.approx(0.1 * len(text), abs=1)


def test_temperature_to_zero_is_greedy(run):
    greedy = cg.generate(run, "The ", 80, 0.0, 3, seed=0)
    assert len(set(greedy.samples)) == 1  # greedy: every sample the same
    for seed in range(3):
        cold = cg.generate(run, "The ", 80, 1e-4, 3, seed=seed)
        assert cold.samples == greedy.samples
    hot = cg.generate(run, "The ", 80, 1.0, 3, seed=0)
    assert len(set(hot.samples)) > 1


def test_greedy_picks_the_argmax_of_the_model(run):
    g = cg.generate(run, "The ", 30, 0.0, 1)
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
    cfg = cg.CharGenConfig(hidden_size=32, steps=20, eval_every=10, seed=3)
    a, b = cg.train(text[:20_000], cfg), cg.train(text[:20_000], cfg)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.heldout_loss, b.heldout_loss)
    assert cg.generate(a, "a", 40, 1.0, 2, 7).samples == cg.generate(b, "a", 40, 1.0, 2, 7).samples


def test_unknown_priming_characters_are_explained(run):
    with pytest.raises(cg.CorpusError, match="never shows"):
        cg.generate(run, "Ωmega", 10, 1.0, 1)
    with pytest.raises(cg.CorpusError, match="priming text"):
        cg.generate(run, "", 10, 1.0, 1)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"x" * (cg.MAX_UPLOAD_BYTES + 1), "limit"),
        (b"PK\x03\x04\x00\x00binary" * 400, "binary"),
        ("café ".encode("latin-1") * 600, "UTF-8"),
        (b"too short", "at least"),
        ("".join(chr(0x4E00 + i) for i in range(400)).encode() * 10, "different characters"),
    ],
)
def test_bad_uploads_get_clear_messages(data, message):
    with pytest.raises(cg.CorpusError, match=message):
        cg.check_upload(data)


def test_good_upload_is_decoded():
    text = "\ufeffLine one.\r\nLine two, café.\r\n" * 200
    out = cg.check_upload(text.encode("utf-8"))
    assert out.startswith("Line one.\nLine two, café.") and "\r" not in out


def test_units_by_variation():
    h = np.zeros((10, 3))
    h[:, 1] = np.linspace(-1, 1, 10)
    h[:, 2] = np.linspace(0, 0.1, 10)
    assert cg.units_by_variation(h).tolist() == [1, 2, 0]
