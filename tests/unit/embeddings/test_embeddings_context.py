"""The GRU language model on frozen GloVe: warm start, causality, and what it reads at "bank"."""

import math

import numpy as np
import pytest

from core.embeddings import bank as clm
from core.embeddings import vectors as E


@pytest.fixture(scope="module")
def lm():
    glove = E.load_glove()
    rng = np.random.default_rng(0)
    pool = ["the", "bank", "river", "money", "loan", "water", "of", "a", "he", "she", "fish", "cash", "muddy"]
    sents = [tuple(rng.choice(pool, size=30)) for _ in range(40)]
    cfg = clm.ContextLMConfig(corpus="test", vocab_size=50, hidden_size=8, seq_len=10, batch_size=4, steps=20, seed=1)
    steps = []
    model = clm.train(cfg, sents, glove, on_step=lambda s, t: steps.append(s))
    return model, glove, steps


def test_untrained_loss_is_about_log_vocab(lm):
    model, _, steps = lm
    assert steps == list(range(1, 21))
    assert model.loss[0] == pytest.approx(math.log(len(model.itos)), abs=0.3)
    assert model.loss[-1] < model.loss[0]


def test_input_layer_is_frozen_glove(lm):
    model, glove, _ = lm
    W = model.model.embed.weight.detach().numpy()
    assert not model.model.embed.weight.requires_grad
    for w in ("bank", "river", "money"):
        np.testing.assert_array_equal(W[model.stoi[w]], glove.vectors[glove.stoi[w]])
    assert not W[0].any()  # <unk> is the zero vector


def test_hidden_state_at_bank_sees_only_the_words_before_it(lm):
    model, _, _ = lm
    st = clm.hidden_at(model, ["he took money to the bank today", "he took money to the bank of the river",
                               "she fished by the muddy bank", "no target here"], "bank")
    assert st.found == (True, True, True, False)
    np.testing.assert_allclose(st.hidden[0], st.hidden[1], atol=1e-7)  # same words before "bank"
    assert np.abs(st.hidden[0] - st.hidden[2]).max() > 1e-3  # different context, different h_t
    assert not st.hidden[3].any() and st.next_words[3] == ()
    assert "today" in st.unknown[0]


def test_hidden_state_equals_a_manual_gru_step(lm):
    """h_t from the module equals the GRU equations applied by hand with the same weights."""
    import torch

    model, _, _ = lm
    g = model.model.gru
    ids = [model.stoi[w] for w in ["the", "river", "bank"]]
    x = model.model.embed.weight.detach()[ids]
    W_ih, W_hh, b_ih, b_hh = g.weight_ih_l0.detach(), g.weight_hh_l0.detach(), g.bias_ih_l0.detach(), g.bias_hh_l0.detach()
    h = torch.zeros(g.hidden_size)
    for x_t in x:
        r_i, z_i, n_i = (W_ih @ x_t + b_ih).chunk(3)
        r_h, z_h, n_h = (W_hh @ h + b_hh).chunk(3)
        r, z = torch.sigmoid(r_i + r_h), torch.sigmoid(z_i + z_h)
        n = torch.tanh(n_i + r * n_h)
        h = (1 - z) * n + z * h
    st = clm.hidden_at(model, ["the river bank"], "bank")
    np.testing.assert_allclose(st.hidden[0], h.numpy(), atol=1e-5)


def test_sense_separation_and_pca():
    X = np.array([[1, 0, 0], [1.1, 0, 0], [0, 1, 0], [0, 1.2, 0]], float)
    same, diff = clm.sense_separation(X, ["m", "m", "r", "r"])
    assert same > 0.5 > diff
    from core.common.pca import pca_2d

    proj = pca_2d(X)
    Y, var = proj.points, proj.explained
    assert Y.shape == (4, 2) and var[0] >= var[1] and var.sum() <= 1 + 1e-9
