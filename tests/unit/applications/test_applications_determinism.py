"""Hall safety: each training draws only from its own generators, so two students training different
settings at the same moment (two threads) get, bit for bit, what each gets alone."""

import threading

import numpy as np
import torch

from core.applications import captioning as cap
from core.applications import textgen as tg


def _weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def _in_threads(*jobs):
    """Run each (fn, args) in its own thread, started together; return their results in order."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def work(i, fn, args):
        start.wait()
        results[i] = fn(*args)

    threads = [threading.Thread(target=work, args=(i, fn, args)) for i, (fn, args) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_captioners_trained_at_once_equal_their_solo_runs():
    a_cfg = cap.CaptionConfig(n_train=200, n_heldout=20, epochs=2, seed=1, image_at="first")
    b_cfg = cap.CaptionConfig(n_train=200, n_heldout=20, epochs=2, seed=2, image_at="every")
    a_solo, b_solo = cap.train(a_cfg), cap.train(b_cfg)
    a_both, b_both = _in_threads((cap.train, (a_cfg,)), (cap.train, (b_cfg,)))
    for solo, both in ((a_solo, a_both), (b_solo, b_both)):
        assert _same(_weights(solo.model), _weights(both.model))
        assert np.array_equal(solo.loss, both.loss) and solo.greedy_captions == both.greedy_captions
    assert not np.array_equal(a_solo.loss, b_solo.loss)  # the two settings really differ


def test_two_text_models_trained_at_once_equal_their_solo_runs():
    text = tg.corpus_text("lee")[:30_000]
    a_cfg = tg.CharGenConfig(hidden_size=32, steps=15, eval_every=5, seed=1)
    b_cfg = tg.CharGenConfig(cell="lstm", hidden_size=48, steps=15, eval_every=5, seed=2)
    a_solo, b_solo = tg.train(text, a_cfg), tg.train(text, b_cfg)
    a_both, b_both = _in_threads((tg.train, (text, a_cfg)), (tg.train, (text, b_cfg)))
    for solo, both in ((a_solo, a_both), (b_solo, b_both)):
        assert _same(_weights(solo.model), _weights(both.model))
        assert np.array_equal(solo.loss, both.loss) and np.array_equal(solo.heldout_loss, both.heldout_loss)
    # sampling draws from its own generator too: the same samples while the other model samples
    solo = [tg.generate(r, "The ", 60, 1.0, 2, seed=7).samples for r in (a_solo, b_solo)]
    both = _in_threads((tg.generate, (a_solo, "The ", 60, 1.0, 2, 7)), (tg.generate, (b_solo, "The ", 60, 1.0, 2, 7)))
    assert solo == [g.samples for g in both]


def test_training_leaves_the_global_generators_alone():
    """A training neither reads nor reseeds torch's or numpy's global RNG."""
    torch.manual_seed(123)
    np.random.seed(123)
    expected_t, expected_np = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    tg.train(tg.corpus_text("lee")[:10_000], tg.CharGenConfig(hidden_size=16, steps=3, eval_every=3))
    cap.train(cap.CaptionConfig(n_train=50, n_heldout=5, epochs=1))
    assert torch.equal(torch.rand(3), expected_t) and np.array_equal(np.random.rand(3), expected_np)


def test_every_weight_comes_from_the_training_s_generator():
    """build(): same seed, same weights; another seed changes every drawn weight (norms start at 1 and 0)."""
    from core.applications.rng import build

    for make in (lambda: cap.CaptionNet(), lambda: tg.CharRNN(50, 32, "lstm")):
        a, b, c = (build(make, torch.Generator().manual_seed(s)) for s in (0, 0, 1))
        assert _same(_weights(a), _weights(b))
        norms = (torch.nn.LayerNorm, torch.nn.BatchNorm2d)
        for ma, mc in zip(a.modules(), c.modules()):
            for p, q in zip(ma.parameters(recurse=False), mc.parameters(recurse=False)):
                assert torch.equal(p, q) == isinstance(ma, norms), type(ma).__name__
