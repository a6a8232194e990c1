"""The "hello" language model, checked against references: torch.nn, autograd, ln V, the data."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import charlm
from core.charlm import CharLMConfig, TextError


def one_hot_batch(text: str, vocab: charlm.Vocab) -> torch.Tensor:
    return F.one_hot(torch.tensor([vocab.encode(text)]), len(vocab)).float()


def test_vocab_follows_first_appearance_and_one_hot_size_comes_from_text():
    assert charlm.Vocab.from_text("hello").itos == ("h", "e", "l", "o")
    rec = charlm.train(CharLMConfig(text="abcab", steps=1))
    assert rec.probs.shape[-1] == 3
    assert rec.inputs.tolist() == [0, 1, 2, 0] and rec.targets.tolist() == [1, 2, 0, 1]


@pytest.mark.parametrize("text", ["hello", "the cat sat on the mat", "héllo 😀 wörld"])
def test_untrained_loss_is_log_vocab(text):
    """Before training, every next char is equally likely: loss ≈ ln V, P ≈ 1/V."""
    rec = charlm.train(CharLMConfig(text=text, steps=1))
    V = len(set(text))
    assert rec.loss[0] == pytest.approx(math.log(V), abs=0.01)
    assert np.allclose(rec.probs[0], 1 / V, atol=0.01)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_explicit_rnn_loop_equals_torch_nn_rnn(seed):
    torch.manual_seed(seed)
    V, H = 5, 7
    ref = torch.nn.RNN(V, H, batch_first=True)
    P = {
        "W_xh": ref.weight_ih_l0.detach().T, "W_hh": ref.weight_hh_l0.detach().T,
        "b_h": (ref.bias_ih_l0 + ref.bias_hh_l0).detach(),
        "W_hy": torch.zeros(H, V), "b_y": torch.zeros(V),
    }
    x = F.one_hot(torch.randint(0, V, (3, 6)), V).float()
    _, hidden = charlm.forward("rnn", P, x)
    expected, _ = ref(x)
    torch.testing.assert_close(hidden, expected.detach(), rtol=0, atol=1e-6)


def test_explicit_gru_and_lstm_equal_torch_modules():
    torch.manual_seed(0)
    V, H = 4, 6
    x = F.one_hot(torch.randint(0, V, (2, 5)), V).float()
    gru = torch.nn.GRU(V, H, batch_first=True)
    b_ih, b_hh = gru.bias_ih_l0.detach(), gru.bias_hh_l0.detach()
    P = {
        "W_xh": gru.weight_ih_l0.detach().T, "W_hh": gru.weight_hh_l0.detach().T,
        # r and z gates add both biases; the candidate keeps its recurrent bias inside r * (...)
        "b_h": torch.cat([b_ih[: 2 * H] + b_hh[: 2 * H], b_ih[2 * H :]]), "b_hn": b_hh[2 * H :],
        "W_hy": torch.zeros(H, V), "b_y": torch.zeros(V),
    }
    torch.testing.assert_close(charlm.forward("gru", P, x)[1], gru(x)[0].detach(), rtol=0, atol=1e-6)
    lstm = torch.nn.LSTM(V, H, batch_first=True)
    P = {
        "W_xh": lstm.weight_ih_l0.detach().T, "W_hh": lstm.weight_hh_l0.detach().T,
        "b_h": (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach(),
        "W_hy": torch.zeros(H, V), "b_y": torch.zeros(V),
    }
    torch.testing.assert_close(charlm.forward("lstm", P, x)[1], lstm(x)[0].detach(), rtol=0, atol=1e-6)


@pytest.mark.parametrize("memory", [True, False])
@pytest.mark.parametrize("n_chars", [5, 301])
def test_hand_written_bptt_equals_autograd(memory, n_chars):
    """The vanilla cell's hand-derived gradient matches autograd, on one sequence and on windows."""
    g = torch.Generator().manual_seed(n_chars)
    ids = torch.randint(0, 6, (n_chars,), generator=g).tolist()
    V, H = 6, 8
    x_ids, y_ids = charlm.make_windows(ids)
    theta = charlm.init_theta("rnn", V, H, seed=1) + 0.3 * torch.randn(
        sum(math.prod(s) for s in charlm.param_shapes("rnn", V, H).values()), generator=g
    )
    loss, grad, probs, hidden = charlm.rnn_loss_and_grad(charlm.unflatten(theta, "rnn", V, H), x_ids, y_ids, memory)
    ref_loss, ref_grad, ref_probs, ref_hidden = charlm.autograd_loss_and_grad(theta, "rnn", V, H, x_ids, y_ids, memory)
    torch.testing.assert_close(loss, ref_loss, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(grad, ref_grad, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(probs, ref_probs, rtol=1e-5, atol=1e-6)


def test_adam_matches_torch_optim_adam():
    g = torch.Generator().manual_seed(0)
    theta = torch.randn(20, generator=g)
    ref = theta.clone().requires_grad_(True)
    ours, opt = charlm.Adam(lr=0.05), torch.optim.Adam([ref], lr=0.05)
    for _ in range(30):
        grad = torch.randn(20, generator=g)
        ours.step(theta, grad.clone())
        ref.grad = grad.clone()
        opt.step()
    torch.testing.assert_close(theta, ref.detach(), rtol=1e-5, atol=1e-6)


def test_windows_cover_every_target_of_a_long_text():
    ids = list(range(7)) * 30  # 210 characters
    x_ids, y_ids = charlm.make_windows(ids)
    assert x_ids.shape[1] == charlm.WINDOW
    pairs = {(int(a), int(b)) for a, b in zip(x_ids.flatten(), y_ids.flatten())}
    assert pairs == set(zip(ids[:-1], ids[1:]))
    # every position of the text is the start of some window or inside one
    assert (x_ids[-1] == torch.tensor(ids[-1 - charlm.WINDOW : -1])).all()


@pytest.mark.parametrize("cell", charlm.CELLS)
def test_default_training_learns_hello(cell):
    rec = charlm.train(CharLMConfig(cell=cell, steps=150 if cell != "rnn" else 60))
    assert rec.p_target[-1].min() >= 0.9
    assert rec.loss[-1] < 0.1 * rec.loss[0]


def test_same_seed_same_numbers_and_other_seed_differs():
    a = charlm.train(CharLMConfig(seed=3, steps=20))
    b = charlm.train(CharLMConfig(seed=3, steps=20))
    c = charlm.train(CharLMConfig(seed=4, steps=20))
    assert np.array_equal(a.theta, b.theta) and np.array_equal(a.probs, b.probs)
    assert not np.allclose(a.theta, c.theta)


def test_memory_off_cannot_tell_the_two_ls_apart():
    """Without the recurrent term, 'hel' and 'hell' both end in 'l': P(l) = P(o) = 1/2."""
    off = charlm.train(CharLMConfig(memory=False, steps=300))
    p = off.probs[-1]
    l, o = 2, 3
    assert np.allclose(p[2], p[3], atol=1e-5)  # the same input gives the same prediction
    assert p[2, l] == pytest.approx(0.5, abs=0.05) and p[2, o] == pytest.approx(0.5, abs=0.05)
    on = charlm.train(CharLMConfig(memory=True, steps=300))
    assert on.probs[-1][2, l] > 0.95 and on.probs[-1][3, o] > 0.95


def test_memory_off_hidden_state_depends_only_on_current_input():
    rec = charlm.train(CharLMConfig(memory=False, steps=5))
    assert np.allclose(rec.hidden[-1][2], rec.hidden[-1][3])  # both inputs are 'l'
    on = charlm.train(CharLMConfig(memory=True, steps=5))
    assert not np.allclose(on.hidden[-1][2], on.hidden[-1][3])


def test_next_char_table_counts_bigrams():
    assert charlm.next_char_table("hello") == {"h": {"e": 1}, "e": {"l": 1}, "l": {"l": 1, "o": 1}}


@pytest.mark.parametrize(
    "text, fragment",
    [("", "empty"), ("   \n", "whitespace"), ("h", "single character"), ("x" * 2001, "at most"), ("aaaa", "two different")],
)
def test_bad_texts_get_a_clear_reason(text, fragment):
    with pytest.raises(TextError, match=fragment):
        charlm.check_text(text)


def test_chain_rule_multiplies_the_factors():
    probs = np.array([[0.1, 0.6, 0.2, 0.1], [0.2, 0.2, 0.5, 0.1], [0.25, 0.25, 0.25, 0.25]])
    targets = np.array([1, 2, 3])
    cr = charlm.chain_rule(probs, targets)
    assert cr.probability == pytest.approx(0.6 * 0.5 * 0.25)
    assert cr.log_prob == pytest.approx(math.log(0.6 * 0.5 * 0.25))
    uniform = charlm.chain_rule(np.full((4, 4), 0.25), np.array([0, 1, 2, 3]))
    assert uniform.perplexity == pytest.approx(4.0)  # guessing among V has perplexity V


def test_greedy_sampling_spells_hello_and_temperature_zero_is_deterministic():
    rec = charlm.train(CharLMConfig())
    out = charlm.sample(rec.config, rec.itos, rec.theta[-1], "h", 4, 0.0, 3)
    assert out == ["hello"] * 3
    many = charlm.sample(rec.config, rec.itos, rec.theta[0], "h", 30, 1.5, 4, seed=1)
    assert len(set(many)) > 1  # an untrained model at high temperature babbles differently
    with pytest.raises(TextError):
        charlm.sample(rec.config, rec.itos, rec.theta[-1], "z", 4, 0.0, 1)


def test_sampling_follows_the_model_distribution():
    """At temperature 1 the first sampled character's frequencies match the softmax."""
    rec = charlm.train(CharLMConfig(steps=3))
    out = charlm.sample(rec.config, rec.itos, rec.theta[-1], "h", 1, 1.0, 4000, seed=0)
    freq = np.array([sum(s[1] == c for s in out) for c in rec.itos]) / len(out)
    assert np.allclose(freq, rec.probs[-1][0], atol=0.03)


def test_long_text_records_every_kth_step_within_budget():
    text = ("the quick brown fox jumps over the lazy dog. " * 40)[:1500]
    rec = charlm.train(CharLMConfig(text=text, hidden_size=32, steps=200))
    assert rec.meta["windows"] > 1 and rec.probs.shape[1] == charlm.WINDOW
    assert rec.steps[0] == 0 and rec.steps[-1] == 200
    assert rec.probs.size + rec.hidden.size + rec.theta.size <= charlm.SNAPSHOT_BUDGET * 1.1
    assert rec.snapshot_index(200) == len(rec.steps) - 1
    assert rec.loss[-1] < rec.loss[0]
