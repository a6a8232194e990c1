"""Graves' mixture density output, soft window and sampling, checked against direct formulas and torch."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from conftest import at_the_same_moment

from core.common.runtime import torch_thread_policy
from core.handwriting import model as Mo
from core.handwriting import strokes as S

torch_thread_policy()  # as the training door runs them: two intra-op threads only fight over a shared CPU

# A small synthesis net, trained once for this module (a few seconds): enough for the window to walk.
HUGE = 1e4  # large enough that even near-equal mixture weights become one-hot
SMALL = Mo.HandConfig(kind="synthesis", hidden=48, mixtures=4, window=3, steps=80, batch=24, max_chars=6, seed=3)


@pytest.fixture(scope="module")
def trained():
    return Mo.train(SMALL)


def _random_output(M, shape=(2, 5), scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, 1 + 6 * M, generator=g) * scale


def test_mdn_loss_equals_direct_mixture_density():
    """−log Σ_j π_j N(x | μ_j, Σ_j) − log Bernoulli(eos), each Gaussian built by torch.distributions."""
    M = 3
    y_hat = _random_output(M, scale=1.0)
    g = torch.Generator().manual_seed(1)
    target = torch.cat([torch.randn(2, 5, 2, generator=g), (torch.rand(2, 5, 1, generator=g) < 0.3).float()], -1)
    got = Mo.mdn_loss(y_hat, target, M)
    y = y_hat.double().numpy()
    for b in range(2):
        for t in range(5):
            v = y[b, t]
            e = 1 / (1 + math.exp(-v[0]))
            pi = np.exp(v[1 : 1 + M]) / np.exp(v[1 : 1 + M]).sum()
            mu = v[1 + M : 1 + 3 * M].reshape(M, 2)
            sd = np.exp(v[1 + 3 * M : 1 + 5 * M]).reshape(M, 2)
            rho = np.tanh(v[1 + 5 * M :]) * Mo.RHO_MAX
            density = 0.0
            for j in range(M):
                cov = torch.tensor([[sd[j, 0] ** 2, rho[j] * sd[j, 0] * sd[j, 1]],
                                    [rho[j] * sd[j, 0] * sd[j, 1], sd[j, 1] ** 2]], dtype=torch.float64)
                normal = torch.distributions.MultivariateNormal(torch.tensor(mu[j]), covariance_matrix=cov)
                density += pi[j] * math.exp(float(normal.log_prob(target[b, t, :2].double())))
            eos = float(target[b, t, 2])
            want = -math.log(density) - math.log(e if eos else 1 - e)
            assert float(got[b, t]) == pytest.approx(want, rel=1e-4, abs=1e-4)


def test_mixture_nll_is_the_masked_sum_of_mdn_loss_and_its_gradient():
    """Training's compiled loss (MixtureNLL): the same number and gradient as autograd through mdn_loss, in
    float64; padding (mask 0) gets no gradient; finite differences agree; and in float32 as training runs it."""
    M = 4
    y_hat = _random_output(M, shape=(3, 40), scale=1.5, seed=2).double()
    g = torch.Generator().manual_seed(3)
    target = torch.cat([torch.randn(3, 40, 2, generator=g, dtype=torch.float64),
                        (torch.rand(3, 40, 1, generator=g) < 0.3).double()], -1)
    mask = (torch.rand(3, 40, generator=g) < 0.8).double()
    ours, ref = y_hat.clone().requires_grad_(), y_hat.clone().requires_grad_()
    got = Mo.MixtureNLL.apply(ours, target, mask, M)
    want = (Mo.mdn_loss(ref, target, M) * mask).sum()
    (2.5 * got).backward(), (2.5 * want).backward()  # the gradient it passes on is scaled as asked
    assert got.item() == pytest.approx(want.item(), rel=1e-13)
    assert torch.allclose(ours.grad, ref.grad, rtol=1e-10, atol=1e-12)
    assert torch.all(ours.grad[mask == 0] == 0) and ours.grad[mask == 1].abs().sum() > 0
    assert torch.autograd.gradcheck(lambda y: Mo.MixtureNLL.apply(y, target[:1, :6], mask[:1, :6], M),
                                    (y_hat[:1, :6].clone().requires_grad_(),))
    with torch.no_grad():  # the held-out score: no gradient asked, the same number
        assert Mo.MixtureNLL.apply(y_hat, target, mask, M).item() == got.item()
    y32 = y_hat.float().requires_grad_()
    got32 = Mo.MixtureNLL.apply(y32, target.float(), mask.float(), M)
    got32.backward()
    assert got32.dtype == torch.float32 and got32.item() == pytest.approx(want.item(), rel=1e-5)
    assert torch.allclose(y32.grad.double(), ref.grad / 2.5, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("bias", [0.0, 2.0, 10.0])
def test_mixture_parameters_are_valid(bias):
    """π sums to 1, σ > 0, |ρ| < 1 and 0 ≤ e ≤ 1, even for large raw outputs and any bias."""
    M = 5
    e, pi, mu, sigma, rho = Mo.mdn_params(_random_output(M, shape=(4, 7), scale=5.0), M, bias)
    assert torch.allclose(pi.sum(-1), torch.ones(4, 7), atol=1e-5)
    assert (pi >= 0).all() and (sigma > 0).all() and (rho.abs() < 1).all()
    assert ((e >= 0) & (e <= 1)).all()
    assert mu.shape == (4, 7, M, 2) and sigma.shape == (4, 7, M, 2) and rho.shape == (4, 7, M)


def test_window_is_a_sum_of_gaussians_over_positions():
    """φ(t, u) = Σ_k α_k exp(−β_k (κ_k − u)²) with κ = κ_prev + exp(κ̂); w = Σ_u φ(t, u) c_u."""
    K, U, V = 2, 4, len(S.ALPHABET)
    p_hat = torch.tensor([[0.1, -0.3, 0.2, 0.5, -0.2, 0.4]])
    kappa_prev = torch.tensor([[1.0, 2.0]])
    c = torch.zeros(1, U, V)
    c[0, torch.arange(U), torch.tensor(S.encode("more"))] = 1
    w, kappa, phi = Mo.soft_window(p_hat, kappa_prev, c)
    a, b, k = np.exp(p_hat.numpy()[0, :K]), np.exp(p_hat.numpy()[0, K : 2 * K]), np.exp(p_hat.numpy()[0, 2 * K :])
    kap = kappa_prev.numpy()[0] + k
    want = [sum(a[j] * math.exp(-b[j] * (kap[j] - u) ** 2) for j in range(K)) for u in range(U + 1)]
    assert np.allclose(phi.numpy()[0], want, atol=1e-6)
    assert np.allclose(kappa.numpy()[0], kap)
    assert np.allclose(w.numpy()[0], (np.array(want[:U])[:, None] * c.numpy()[0]).sum(0), atol=1e-6)


def test_layer1_window_matches_lstmcell_and_autograd():
    """Layer1Window's forward is nn.LSTMCell + soft_window, and its hand-written backpropagation through
    time gives autograd's gradients for every weight, the pen input, the text and the starting state."""
    g = torch.Generator().manual_seed(0)
    B, T, U, H, K, V = 3, 37, 4, 5, 2, len(S.ALPHABET)
    net = Mo.SynthesisNet(H, 2, K).double()
    with torch.no_grad():
        for p in net.parameters():
            p.uniform_(-0.6, 0.6, generator=g)
    x = torch.randn(B, T, 3, generator=g, dtype=torch.float64, requires_grad=True)
    c = torch.zeros(B, U, V, dtype=torch.float64)
    c[:, torch.arange(U), torch.randint(0, V, (U,), generator=g)] = 1
    c.requires_grad_()
    state = [torch.randn(B, n, generator=g, dtype=torch.float64, requires_grad=True) for n in (H, H, K, V)]
    cell = net.cell1
    args = (x, c, cell.weight_ih, cell.weight_hh, cell.bias_ih + cell.bias_hh, net.window.weight, net.window.bias, *state)
    got = Mo.Layer1Window.apply(*args)
    want = Mo.layer1_by_autograd(net, x, c, *state)
    for a, b in zip(got, want):
        assert torch.allclose(a, b, atol=1e-12)
    weights = [torch.randn(a.shape, generator=g, dtype=torch.float64) for a in got]  # a random loss of every output
    leaves = [x, c, *state, *net.cell1.parameters(), *net.window.parameters()]
    grads_got = torch.autograd.grad(sum((a * m).sum() for a, m in zip(got, weights)), leaves)
    grads_want = torch.autograd.grad(sum((b * m).sum() for b, m in zip(want, weights)), leaves)
    for a, b in zip(grads_got, grads_want):
        assert torch.allclose(a, b, atol=1e-10)
    # two at once on two threads (the compiled loops release Python's lock): each bit for bit as alone
    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(lambda: Mo.Layer1Window.apply(*args)) for _ in range(2)]
        for job in jobs:
            assert all(torch.equal(a, b) for a, b in zip(job.result(), got))
    # and against finite differences (a shorter case: gradcheck perturbs every input number one at a time)
    cell_w = [a.detach() for a in (cell.weight_ih, cell.weight_hh, cell.bias_ih + cell.bias_hh,
                                    net.window.weight, net.window.bias)]
    x2, c2 = x.detach()[:2, :4].clone().requires_grad_(), c.detach()[:2]
    h2, cc2, k2, w2 = (s.detach()[:2].clone() for s in state)
    wanted = [a.clone().requires_grad_() for a in (*cell_w, h2, cc2, k2)]

    def layer1(x_, W_ih, W_hh, b, W_p, b_p, h_, cc_, k_):
        return Mo.Layer1Window.apply(x_, c2, W_ih, W_hh, b, W_p, b_p, h_, cc_, k_, w2)

    assert torch.autograd.gradcheck(layer1, (x2, *wanted))


def test_trained_net_beats_the_one_gaussian_reference(trained):
    """Even a small, briefly trained network predicts held-out pen points better than one Gaussian."""
    assert trained.heldout_nll[-1] < trained.reference_nll
    assert trained.heldout_nll[-1] < trained.heldout_nll[0]


def test_window_weights_nonnegative_and_peak_never_moves_back(trained):
    """On held-out lines (words never trained on) the window only reads forward."""
    texts, lines = Mo.heldout_lines(n=12)
    for text, off in zip(texts, lines):
        phi = Mo.read(trained, off, text).phi[1:]
        assert (phi >= 0).all()
        assert Mo.monotone(phi), text


def test_huge_bias_takes_the_most_likely_path(trained):
    """As b → ∞, π becomes one-hot and σ → 0: each point is the mean of the heaviest Gaussian."""
    (w,) = Mo.write(trained, "more of", bias=HUGE, seed=0)
    t = np.arange(1, len(w.offsets))
    k = w.pi[t].argmax(axis=1)
    assert np.allclose(w.offsets[t, :2], w.mu[t, k], atol=1e-3)
    assert (w.sigma[t] < 1e-6).all()


def test_huge_bias_shows_little_variety(trained):
    """At a huge bias every offset is the heaviest Gaussian's mean, so samples with different seeds
    trace the same path until their pen-up coins (which the bias leaves alone, Graves §5.4) first differ;
    at b = 0 they part while their coins still agree."""
    def prefixes(bias):
        ws = Mo.write(trained, "more of", bias=bias, seed=7, n=6)
        out = []
        for i in range(len(ws)):
            for j in range(i + 1, len(ws)):
                a, b = ws[i].offsets, ws[j].offsets
                n = min(len(a), len(b))
                differ = np.flatnonzero(a[:n, 2] != b[:n, 2])
                until = int(differ[0]) if len(differ) else n
                same = np.isclose(a[:until, :2], b[:until, :2], atol=1e-4).all(axis=1)
                out.append((until, until if same.all() else int(np.argmin(same))))
        return out

    assert all(agree == until for until, agree in prefixes(HUGE))
    unbiased = [(until, agree) for until, agree in prefixes(0.0) if until >= 3]
    assert unbiased and any(agree < until for until, agree in unbiased)


def test_same_seed_same_strokes(trained):
    a = Mo.write(trained, "national", bias=0.5, seed=11, n=2)
    b = Mo.write(trained, "national", bias=0.5, seed=11, n=2)
    c = Mo.write(trained, "national", bias=0.5, seed=12, n=2)
    for x, y in zip(a, b):
        assert np.array_equal(x.offsets, y.offsets)
    assert not np.array_equal(a[0].offsets, c[0].offsets)
    assert not np.array_equal(a[0].offsets, a[1].offsets)  # two samples in one call differ too


def test_same_seed_same_training():
    cfg = Mo.HandConfig(kind="prediction", hidden=16, mixtures=2, steps=3, batch=4, max_chars=5, seed=5)
    a, b = Mo.train(cfg), Mo.train(cfg)
    assert np.array_equal(a.loss, b.loss)
    assert all(torch.equal(a.state[k], b.state[k]) for k in a.state)
    c = Mo.train(Mo.HandConfig(kind="prediction", hidden=16, mixtures=2, steps=3, batch=4, max_chars=5, seed=6))
    assert not np.array_equal(a.loss, c.loss)


def test_length_batches_use_every_line_once_and_pad_less():
    """Batching by length: a partition of the drawn lines into full batches, each of neighbouring lengths,
    so the padded time steps summed over the batches fall well below random batches'."""
    rng = np.random.default_rng(0)
    words = S.corpus_words().train
    lines = [S.random_line(words, rng, 8) for _ in range(4 * 48)]
    offsets = [S.render(t, rng) for t in lines]
    batches = Mo._by_length(lines, offsets, 48, np.random.default_rng(1))
    assert [len(b[0]) for b in batches] == [48] * 4
    got = sorted((t, len(o)) for b in batches for t, o in zip(*b))
    assert got == sorted((t, len(o)) for t, o in zip(lines, offsets))
    spans = sorted((min(map(len, b[1])), max(map(len, b[1]))) for b in batches)
    assert all(hi <= lo_next for (_, hi), (lo_next, _) in zip(spans, spans[1:]))  # no overlap: cut by length
    padded = sum(48 * max(map(len, b[1])) for b in batches)
    random_padded = sum(48 * max(map(len, offsets[i : i + 48])) for i in range(0, len(offsets), 48))
    assert padded < 0.85 * random_padded


def test_prediction_net_writes_unconditionally():
    cfg = Mo.HandConfig(kind="prediction", hidden=16, mixtures=2, steps=2, batch=4, max_chars=5)
    (w,) = Mo.write(Mo.train(cfg), bias=0.0, seed=0, max_points=50)
    assert w.offsets.shape == (51, 3) and w.phi.shape == (51, 0)


def test_next_point_density_integrates_to_one(trained):
    """The density grid is a probability density: it sums to ≈ 1 over a wide enough grid."""
    (w,) = Mo.write(trained, "of", seed=0)
    xs, ys, Z, p_up = Mo.next_point_density(w, 5, n=201, extent=8.0)
    cell = (xs[1] - xs[0]) * (ys[1] - ys[0])
    assert Z.sum() * cell == pytest.approx(1.0, abs=0.02)
    assert 0 <= p_up <= 1
    # a grid fitted to a sharp (biased) density: extent × σ past every component of 1 % or more, and still a density
    (w,) = Mo.write(trained, "of", bias=3.0, seed=0)
    xs, ys, Z, _ = Mo.next_point_density(w, 5, n=201, extent=8.0, floor=1e-3)
    pi, mu, sigma = w.pi[5], w.mu[5], w.sigma[5]
    kept = pi >= 0.01
    reach = np.abs(mu[kept] - (pi[:, None] * mu).sum(0)) + 8.0 * sigma[kept]
    assert xs[-1] - xs[0] == pytest.approx(2 * reach.max(), rel=1e-4) and sigma[kept].max() < 1.0
    assert Z.sum() * (xs[1] - xs[0]) * (ys[1] - ys[0]) == pytest.approx(1.0, abs=0.02)


def test_next_point_density_keeps_a_small_second_mode_inside_its_grid():
    """Two sharp components a few units apart, one weighing 5 %: the grid holds both, so it sums to ≈ 1 (a grid
    sized by the typical σ alone cut the small one off and summed to 0.95)."""
    nan = np.full((2, 2), np.nan)
    w = Mo.Written(text="", bias=3.0, offsets=np.zeros((3, 3), np.float32), e=np.array([np.nan, 0.1, 0.1]),
                   pi=np.array([[np.nan] * 2, [0.95, 0.05], [0.95, 0.05]]),
                   mu=np.stack([nan, [[1.1, -3.1], [3.4, -1.7]], [[1.1, -3.1], [3.4, -1.7]]]),
                   sigma=np.stack([nan, [[0.05, 0.04], [0.04, 0.04]], [[0.05, 0.04], [0.04, 0.04]]]),
                   rho=np.array([[np.nan] * 2, [0.3, 0.5], [0.3, 0.5]]), phi=np.zeros((3, 0)), finished=True)
    xs, ys, Z, _ = Mo.next_point_density(w, 1, n=401, extent=8.0, floor=1e-3)
    assert xs[0] < 1.1 and xs[-1] > 3.4 and ys[0] < -3.1 and ys[-1] > -1.7
    assert Z.sum() * (xs[1] - xs[0]) * (ys[1] - ys[0]) == pytest.approx(1.0, abs=0.02)


def test_chamfer_ignores_position_and_scale_but_not_shape():
    a = S.render("more")
    moved = a.copy()
    moved[0, :2] += [30.0, -7.0]  # the whole line shifts
    scaled = moved.copy()
    scaled[:, :2] *= 1.7
    assert Mo.chamfer(a, a) == 0.0
    assert Mo.chamfer(a, scaled) < 1e-5
    assert Mo.chamfer(a, S.render("mere")) > 0.05


@pytest.mark.parametrize("kind", Mo.KINDS)
def test_bfloat16_training_step_follows_the_float32_one(kind):
    """Training in bfloat16 (where the CPU does it natively) rounds the layers' products, nothing more: the loss
    and every weight's gradient point where float32's do. The soft window's layer stays float32 inside."""
    from core.common.runtime import native_bf16

    if not native_bf16():
        pytest.skip("this CPU has no native bfloat16: trainings run in float32")
    cfg = Mo.HandConfig(kind=kind, hidden=64, mixtures=4, window=3, max_chars=8)
    texts, lines = Mo.training_lines(cfg.max_chars)
    batch = Mo._batch(list(texts[:24]), list(lines[:24]))
    net = Mo._build(cfg, 9.0, torch.Generator().manual_seed(0))
    grads = {}
    for bf16 in (False, True):
        net.zero_grad()
        loss = Mo._nll(net, cfg, *batch, bf16=bf16)
        assert loss.dtype == torch.float32
        loss.backward()
        grads[bf16] = (float(loss.detach()), [p.grad.clone() for p in net.parameters()])
        assert all(p.grad.dtype == torch.float32 for p in net.parameters())
    (l32, g32), (l16, g16) = grads[False], grads[True]
    assert l16 != l32 and abs(l16 - l32) < 0.005 * abs(l32)  # rounded, so not equal
    for a, b in zip(g32, g16):
        cos = float((a * b).sum() / (a.norm() * b.norm() + 1e-30))
        assert cos > 0.999, cos
    if kind == "synthesis":
        with torch.autocast("cpu", dtype=torch.bfloat16):
            x, _, c = batch
            _, phi, _ = net(x[:, :-1], c)
        assert phi.dtype == torch.float32


def test_bfloat16_and_float32_trainings_at_the_same_moment_give_each_ones_own_numbers():
    """autocast is per thread: a bfloat16 training and a float32 one running together, as two students'
    would, each give what they give alone, bit for bit."""
    cfgs = [Mo.HandConfig(kind=kind, hidden=24, mixtures=2, window=2, steps=6, batch=8, max_chars=6, seed=2, bf16=bf16)
            for kind, bf16 in (("prediction", True), ("prediction", False), ("synthesis", True))]
    alone = [Mo.train(cfg) for cfg in cfgs]
    together = at_the_same_moment([lambda cfg=cfg: Mo.train(cfg) for cfg in cfgs])
    for a, b in zip(alone, together):
        assert np.array_equal(a.loss, b.loss) and np.array_equal(a.heldout_nll, b.heldout_nll)
        assert all(torch.equal(a.state[k], b.state[k]) for k in a.state)
    from core.common.runtime import native_bf16

    assert [r.bf16 for r in alone] == [native_bf16(), False, native_bf16()]  # the record says what was used
    if native_bf16():  # the two prediction runs differ only in bfloat16, and it shows
        assert not np.array_equal(alone[0].loss, alone[1].loss)


@pytest.mark.parametrize("kind", Mo.KINDS)
def test_a_step_in_two_halves_is_the_whole_batchs_gradient(kind):
    """A training step splits its batch in two halves (one may go to a helper thread): every weight gets the
    gradient of the whole batch's mean NLL, as autograd gives it in one pass, whether the helper thread
    takes a half or not, and then bit for bit the same."""
    from concurrent.futures import ThreadPoolExecutor

    cfg = Mo.HandConfig(kind=kind, hidden=32, mixtures=3, window=2, max_chars=8, bf16=False)
    texts, lines = Mo.training_lines(cfg.max_chars)
    lines, offsets = zip(*sorted(zip(texts[:11], lines[:11]), key=lambda lo: -len(lo[1])))  # odd: halves of 6 and 5
    #                                                                                       lines, the longer first
    net = Mo._build(cfg, 9.0, torch.Generator().manual_seed(1))
    net.zero_grad()
    whole = Mo._nll(net, cfg, *Mo._batch(list(lines), list(offsets)))
    whole.backward()
    reference = [p.grad.clone() for p in net.parameters()]
    got = {}
    with ThreadPoolExecutor(1) as pool:
        for helper in (None, pool):
            for p in net.parameters():
                p.grad = torch.full_like(p, float("nan"))  # a weight the step forgot would stay NaN
            loss = Mo._step_gradients(net, cfg, list(lines), list(offsets), False, helper)
            got[helper is None] = (loss, [p.grad.clone() for p in net.parameters()])
    assert got[True][0] == got[False][0] and all(torch.equal(a, b) for a, b in zip(got[True][1], got[False][1]))
    assert got[True][0] == pytest.approx(whole.item(), rel=1e-6)
    for name_grad, ref in zip(got[True][1], reference):
        assert torch.allclose(name_grad, ref, rtol=1e-4, atol=1e-6 * float(ref.abs().max()))


@pytest.mark.parametrize("kind", Mo.KINDS)
def test_the_heldout_score_in_two_halves_is_the_whole_batchs(kind):
    """Training scores the held-out lines in two halves (one may go to the helper thread): the mean NLL per point
    of the whole batch in one pass, and the same number with the helper thread or without."""
    cfg = Mo.HandConfig(kind=kind, hidden=32, mixtures=3, window=2, bf16=False)
    texts, lines = Mo.heldout_lines()
    order = np.argsort([len(o) for o in lines], kind="stable")
    batch = Mo._batch([texts[i] for i in order], [lines[i] for i in order])
    net = Mo._build(cfg, 9.0, torch.Generator().manual_seed(2))
    with torch.no_grad():
        whole = Mo._nll(net, cfg, *batch).item()
    with ThreadPoolExecutor(1) as pool:
        got = [Mo._heldout_nll(net, cfg, batch, helper) for helper in (None, pool)]
    assert got[0] == got[1] and got[0] == pytest.approx(whole, rel=1e-6)
    assert torch.is_grad_enabled()  # scoring left this thread's gradient mode as it was


def test_a_training_gives_the_same_numbers_with_or_without_the_other_core():
    """Whether the other core is free (runtime.spare_core) changes only the speed: all steps on one thread,
    all with a helper thread, or switching from step to step as students' pages come and go."""
    from core.common import runtime

    cfgs = [Mo.HandConfig(kind=kind, hidden=24, mixtures=2, window=2, steps=6, batch=9, max_chars=6, seed=4)
            for kind in Mo.KINDS]
    flips = iter(range(1000))
    runs, before = {}, runtime.set_spare_core_check(lambda: True)
    try:
        for name, check in (("both", lambda: True), ("one", lambda: False), ("switching", lambda: next(flips) % 2 == 0)):
            runtime.set_spare_core_check(check)
            runs[name] = [Mo.train(cfg) for cfg in cfgs]
    finally:
        runtime.set_spare_core_check(before)
    assert next(flips) == 12  # the switching run asked at each of its 2 × 6 steps
    with pytest.raises(ValueError, match="at least 2 lines"):
        Mo.train(Mo.HandConfig(kind="prediction", hidden=8, mixtures=2, steps=1, batch=1))
    for other in ("one", "switching"):
        for a, b in zip(runs["both"], runs[other]):
            assert np.array_equal(a.loss, b.loss) and np.array_equal(a.heldout_nll, b.heldout_nll)
            assert all(torch.equal(a.state[k], b.state[k]) for k in a.state)


@pytest.fixture
def small_training_set(monkeypatch, tmp_path):
    """A training set of 64 lines in a folder of its own, nothing of it in memory yet."""
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    monkeypatch.setattr(Mo, "TRAIN_LINES", 64)
    monkeypatch.setattr(Mo, "_training_set", {})
    return tmp_path / "handwriting"


def test_the_training_set_is_rendered_once_then_read_back_the_same(small_training_set):
    """Rendered with its own seed from training words, written to the app's folder, read back bit for bit by a
    process that has none of it in memory; read-only, as every training shares it."""
    texts, lines = Mo.training_lines(6)
    (path,) = small_training_set.glob("training-lines-6-*.npz")
    words = set(S.corpus_words().train)
    assert len(texts) == len(lines) == 64 and all(set(t.split()) <= words for t in texts)
    assert all(o.dtype == np.float32 and o.shape[1] == 3 and not o.flags.writeable for o in lines)
    Mo._training_set.clear()
    again = Mo.training_lines(6)
    assert again[0] == texts and all(np.array_equal(a, b) for a, b in zip(again[1], lines))
    assert Mo.training_lines(6) is again  # from memory now


def test_a_damaged_or_pickled_training_set_file_is_rendered_again(small_training_set):
    """A file cut short, or one whose texts are Python objects (which loading would have to unpickle), is
    never trusted: the set is rendered again, the same as before, and the file replaced."""
    texts, lines = Mo.training_lines(6)
    (path,) = small_training_set.glob("training-lines-6-*.npz")
    for bad in (path.read_bytes()[:100], None):
        if bad is None:  # an object array: np.load refuses it without allow_pickle
            with open(path, "wb") as f:
                np.savez(f, texts=np.array(list(texts), dtype=object), rows=np.zeros((3, 3)), ends=np.array([3]))
        else:
            path.write_bytes(bad)
        Mo._training_set.clear()
        again = Mo.training_lines(6)
        assert again[0] == texts and all(np.array_equal(a, b) for a, b in zip(again[1], lines))
        with np.load(path, allow_pickle=False) as f:
            assert len(f["texts"]) == 64


def test_a_training_reads_every_line_once_before_any_again(small_training_set):
    """The order a training reads the set in: every line once, then a new order, as far as its steps go."""
    cfg = Mo.HandConfig(kind="prediction", hidden=8, mixtures=1, steps=5, batch=24, max_chars=6, buckets=2)
    texts, lines, order = Mo._reading(cfg, np.random.default_rng(0))
    assert len(texts) == 64 and len(order) >= (cfg.steps + cfg.buckets) * cfg.batch
    assert sorted(order[:64]) == list(range(64)) and sorted(order[64:128]) == list(range(64))
    assert not np.array_equal(order[:64], Mo._reading(cfg, np.random.default_rng(1))[2][:64])  # a seed's own order
    rec = Mo.train(cfg)  # reads past the set's end into its second pass
    assert len(rec.loss) == 5 and np.isfinite(rec.loss).all()
