"""The "hello" language model, checked against references: torch.nn, autograd, ln V, the data."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import at_the_same_moment

from core.hello import model as charlm
from core.common.vocab import Vocab
from core.hello.model import CharLMConfig, TextError


def reinit(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    """PyTorch's RNN init, U(-1/sqrt(H), 1/sqrt(H)), drawn from our own generator (no global seed)."""
    g = torch.Generator().manual_seed(seed)
    k = 1 / math.sqrt(module.hidden_size)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-k, k, generator=g)
    return module


def random_one_hot(V: int, shape: tuple[int, int], seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return F.one_hot(torch.randint(0, V, shape, generator=g), V).float()


def test_vocab_follows_first_appearance_and_one_hot_size_comes_from_text():
    assert Vocab.from_text("hello").itos == ("h", "e", "l", "o")
    assert Vocab.from_text("hello").stoi == {"h": 0, "e": 1, "l": 2, "o": 3}
    assert Vocab.from_text("hello").decode(Vocab.from_text("hello").encode("hole")) == "hole"
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
    V, H = 5, 7
    ref = reinit(torch.nn.RNN(V, H, batch_first=True), seed)
    P = {
        "W_xh": ref.weight_ih_l0.detach().T, "W_hh": ref.weight_hh_l0.detach().T,
        "b_h": (ref.bias_ih_l0 + ref.bias_hh_l0).detach(),
        "W_hy": torch.zeros(H, V), "b_y": torch.zeros(V),
    }
    x = random_one_hot(V, (3, 6), seed)
    _, hidden = charlm.forward("rnn", P, x)
    expected, _ = ref(x)
    torch.testing.assert_close(hidden, expected.detach(), rtol=0, atol=1e-6)


def test_explicit_gru_and_lstm_equal_torch_modules():
    V, H = 4, 6
    x = random_one_hot(V, (2, 5), 0)
    gru = reinit(torch.nn.GRU(V, H, batch_first=True), 0)
    b_ih, b_hh = gru.bias_ih_l0.detach(), gru.bias_hh_l0.detach()
    P = {
        "W_xh": gru.weight_ih_l0.detach().T, "W_hh": gru.weight_hh_l0.detach().T,
        # r and z gates add both biases; the candidate keeps its recurrent bias inside r * (...)
        "b_h": torch.cat([b_ih[: 2 * H] + b_hh[: 2 * H], b_ih[2 * H :]]), "b_hn": b_hh[2 * H :],
        "W_hy": torch.zeros(H, V), "b_y": torch.zeros(V),
    }
    torch.testing.assert_close(charlm.forward("gru", P, x)[1], gru(x)[0].detach(), rtol=0, atol=1e-6)
    lstm = reinit(torch.nn.LSTM(V, H, batch_first=True), 1)
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


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_training_steps_are_clipped_adam_steps_on_the_autograd_gradient(cell):
    """Each recorded step = torch.optim.Adam on autograd's gradient, clipped to CLIP_NORM (a reference loop)."""
    cfg = CharLMConfig(text="hello world", cell=cell, steps=4, seed=5, lr=0.3)
    rec = charlm.train(cfg)
    V, H = len(rec.itos), cfg.hidden_size
    x_ids, y_ids = charlm.make_windows(Vocab.from_text(cfg.text).encode(cfg.text))
    theta = torch.nn.Parameter(charlm.init_theta(cell, V, H, cfg.seed))
    opt = torch.optim.Adam([theta], lr=cfg.lr)
    for step in range(cfg.steps):
        torch.testing.assert_close(torch.from_numpy(rec.theta[step]), theta.detach(), rtol=1e-4, atol=1e-5)
        opt.zero_grad()
        logits, _ = charlm.forward(cell, charlm.unflatten(theta, cell, V, H), F.one_hot(x_ids, V).float())
        F.cross_entropy(logits.reshape(-1, V), y_ids.reshape(-1)).backward()
        torch.nn.utils.clip_grad_norm_([theta], charlm.CLIP_NORM)
        opt.step()
    torch.testing.assert_close(torch.from_numpy(rec.theta[-1]), theta.detach(), rtol=1e-4, atol=1e-5)


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


@pytest.mark.parametrize("temperature", [1e-320, 5e-324, 1e-6, float("nan")])
def test_tiny_or_broken_temperatures_sample_greedily_instead_of_crashing(temperature):
    """logits / 1e-320 overflow to inf and softmax gives nan: temperatures are floored at MIN_TEMPERATURE."""
    rec = charlm.train(CharLMConfig())
    out = charlm.sample(rec.config, rec.itos, rec.theta[-1], "h", 4, temperature, 3)
    assert out == charlm.sample(rec.config, rec.itos, rec.theta[-1], "h", 4, 0.0, 3) == ["hello"] * 3


def test_two_trainings_in_two_threads_equal_their_solo_runs_bit_for_bit():
    """Different settings trained at the same time draw only from their own generators."""
    configs = [CharLMConfig(text="hello world", hidden_size=12, seed=7, steps=40),
               CharLMConfig(text="banana bandana", cell="gru", hidden_size=6, seed=3, steps=40),
               CharLMConfig(text="banana bandana", cell="lstm", hidden_size=6, seed=3, steps=40, memory=False)]
    solo = [charlm.train(cfg) for cfg in configs]
    results = at_the_same_moment([lambda cfg=cfg: charlm.train(cfg) for cfg in configs])
    for i, ref in enumerate(solo):
        assert np.array_equal(results[i].theta, ref.theta) and np.array_equal(results[i].probs, ref.probs)
        assert np.array_equal(results[i].loss, ref.loss)
    assert not np.array_equal(solo[0].loss, solo[1].loss)  # the two runs really differ


def test_training_never_touches_the_global_random_state():
    before = torch.get_rng_state().clone(), np.random.get_state()[1].copy()
    rec = charlm.train(CharLMConfig(cell="lstm", steps=5))
    charlm.sample(rec.config, rec.itos, rec.theta[-1], "h", 10, 1.0, 3, seed=2)
    assert torch.equal(torch.get_rng_state(), before[0]) and np.array_equal(np.random.get_state()[1], before[1])


@pytest.mark.parametrize("hidden, uses", [(1, False), (8, True)])
def test_memory_comparison_says_whether_memory_beats_the_memoryless_limit(hidden, uses):
    """After 'l' in hello, the memoryless limit is 1/2; hidden size 1 can't beat it, 8 can."""
    on = charlm.train(CharLMConfig(hidden_size=hidden))
    off = charlm.train(CharLMConfig(hidden_size=hidden, memory=False))
    cmp = charlm.memory_comparison(on, off)
    assert [(r.so_far, r.true_next) for r in cmp.rows] == [("hel", "l"), ("hell", "o")]
    assert [r.best_off for r in cmp.rows] == [0.5, 0.5]
    assert [r.p_on for r in cmp.rows] == pytest.approx(on.p_target[-1, 2:].tolist())
    assert [r.p_off for r in cmp.rows] == pytest.approx(off.p_target[-1, 2:].tolist())
    assert cmp.uses_memory is uses
    if not uses:
        assert [r.so_far for r in cmp.worse_with_memory] == ["hell"]  # the 0.33 against 0.48


def test_memory_comparison_is_empty_when_every_character_has_one_follower():
    rec = charlm.train(CharLMConfig(text="abcd", steps=2))
    assert charlm.memory_comparison(rec, rec).rows == ()


def test_text_probability_is_the_chain_rule_of_the_shown_window():
    rec = charlm.train(CharLMConfig(steps=5))
    tp = charlm.text_probability(rec, 3)
    assert tp.targets == tuple("ello") and tp.contexts == ("h", "he", "hel", "hell")
    assert tp.chain.probability == pytest.approx(float(np.prod(rec.p_target[3])), rel=1e-6)
    assert tp.whole_text and tp.covered == 5
    long = charlm.train(CharLMConfig(text=("abcde " * 20), steps=1))
    tp = charlm.text_probability(long, 1)
    assert not tp.whole_text and tp.covered == charlm.WINDOW + 1 and tp.text_length == 120


@pytest.mark.parametrize("memory", [True, False])
def test_hand_written_bptt_equals_the_numpy_min_char_rnn(memory):
    """Same weights, same text: our loss, gradient and softmax are min-char-rnn's (mean instead of sum)."""
    from min_char_rnn import init, loss_and_grads

    text = "hello world"
    vocab = Vocab.from_text(text)
    V, H = len(vocab), 8
    ref = init(V, H, seed=4)
    ref = {k: v * 30 for k, v in ref.items()}  # weights large enough for the tanh to bend
    ref["bh"] += 0.1
    ref["by"] += np.linspace(-0.2, 0.2, V)[:, None]
    ids = vocab.encode(text)
    ref_loss, ref_grad, ref_probs = loss_and_grads(ref, ids[:-1], ids[1:], memory)
    f32 = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731  (the lesson trains in float32)
    P = {"W_xh": f32(ref["Wxh"].T), "W_hh": f32(ref["Whh"].T), "b_h": f32(ref["bh"][:, 0]),
         "W_hy": f32(ref["Why"].T), "b_y": f32(ref["by"][:, 0])}
    n = len(ids) - 1
    loss, grad, probs, _ = charlm.rnn_loss_and_grad(P, torch.tensor([ids[:-1]]), torch.tensor([ids[1:]]), memory)
    assert float(loss) == pytest.approx(ref_loss / n, rel=1e-5)
    expected = np.concatenate([ref_grad["Wxh"].T.ravel(), ref_grad["Whh"].T.ravel(), ref_grad["bh"].ravel(),
                               ref_grad["Why"].T.ravel(), ref_grad["by"].ravel()]) / n
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(probs[0].numpy(), ref_probs, rtol=1e-5)


def random_case(cell: str, V: int, H: int, n: int, seed: int):
    """A random text of n ids in windows and weights away from their initial values: (theta, x_ids, y_ids)."""
    g = torch.Generator().manual_seed(seed)
    x_ids, y_ids = charlm.make_windows(torch.randint(0, V, (n,), generator=g).tolist())
    theta = charlm.init_theta(cell, V, H, seed=seed - 1) + 0.3 * torch.randn(
        sum(math.prod(s) for s in charlm.param_shapes(cell, V, H).values()), generator=g)
    return theta, x_ids, y_ids


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_fused_training_path_equals_the_explicit_loop(cell):
    """GRU/LSTM train through torch's fused module; loss, gradient and states equal the explicit loop's."""
    V, H = 6, 5
    theta, x_ids, y_ids = random_case(cell, V, H, n=120, seed=3)
    fused = charlm.fused_loss_and_grad(theta, cell, V, H, x_ids, y_ids)
    loop = charlm.autograd_loss_and_grad(theta, cell, V, H, x_ids, y_ids, True)
    for a, b in zip(fused, loop):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_memoryless_path_from_bigram_counts_equals_a_tick_at_every_position(cell):
    """Memory off trains from one tick per character and the bigram counts; loss, gradient, P and h_t
    equal the explicit tick run at every position of the text (autograd's reference)."""
    V, H = 7, 5
    theta, x_ids, y_ids = random_case(cell, V, H, n=130, seed=4)
    fast = charlm.memoryless_loss_and_grad(theta, cell, V, H, x_ids, y_ids)
    every_position = charlm.autograd_loss_and_grad(theta, cell, V, H, x_ids, y_ids, False)
    for a, b in zip(fast, every_position):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
