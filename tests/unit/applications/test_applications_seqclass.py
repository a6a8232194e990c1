"""Classification over time on synthetic pitch contours: per-frame softmax, causality, accuracy."""

import math

import numpy as np
import pytest
import torch

from core import seqclass as sc

SMALL = sc.SeqClassConfig(n_train=600, n_heldout=300, steps=150, seed=0)


@pytest.fixture(scope="module")
def run():
    return sc.train(SMALL)


def test_contours_do_what_their_class_says():
    rng = np.random.default_rng(0)
    for _ in range(20):
        rising, falling, arch = (sc.contour(k, rng) for k in range(3))
        assert np.all(np.diff(rising) > 0) and np.all(np.diff(falling) < 0)
        peak = int(arch.argmax())
        assert 0 < peak < len(arch) - 1 and arch[-1] < arch[peak]
        for c in (rising, falling, arch):
            assert c.min() >= 0 and c.max() <= sc.N_FREQ - 1


def test_start_pitch_alone_does_not_tell_the_class():
    """Each class starts over a wide, overlapping range of pitches: the class is only in the change."""
    data = sc.make_dataset(600, seed=1)
    starts = [data.pitch[data.labels == k, 0] for k in range(3)]
    lo = max(s.min() for s in starts)
    hi = min(s.max() for s in starts)
    assert hi - lo > 3  # a band of start pitches that every class uses


def test_dataset_is_balanced_and_reproducible():
    a, b = sc.make_dataset(90, seed=2), sc.make_dataset(90, seed=2)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.labels, b.labels)
    assert np.bincount(a.labels).tolist() == [30, 30, 30]
    assert a.frames.shape == (90, sc.N_FRAMES, sc.N_FREQ)


def test_per_frame_probabilities_sum_to_one(run):
    probs = run.heldout_probs
    assert probs.shape == (SMALL.n_heldout, sc.N_FRAMES, len(sc.CLASSES))
    assert np.allclose(probs.sum(axis=-1), 1, atol=1e-5) and (probs >= 0).all()


def test_frame_t_only_sees_frames_up_to_t(run):
    """Changing the future leaves earlier decisions alone: the RNN reads left to right."""
    frames = run.heldout.frames[:5].copy()
    before = sc.frame_probs(run.model, frames)
    frames[:, 20:] = 0.0
    after = sc.frame_probs(run.model, frames)
    assert np.allclose(before[:, :20], after[:, :20], atol=1e-6)
    assert not np.allclose(before[:, 20:], after[:, 20:])


def test_per_frame_probs_match_torch_gru(run):
    """The classifier is nn.GRU then a softmax per frame; recompute with the GRU cell by hand."""
    model = run.model
    x = torch.from_numpy(run.heldout.frames[:3])
    cell = torch.nn.GRUCell(sc.N_FREQ, SMALL.hidden_size)
    cell.load_state_dict({k.replace("_l0", ""): v for k, v in model.gru.state_dict().items()})
    h = torch.zeros(3, SMALL.hidden_size)
    out = []
    with torch.no_grad():
        for t in range(x.shape[1]):
            h = cell(x[:, t], h)
            out.append(torch.softmax(model.W_hy(h), dim=-1))
    assert np.allclose(torch.stack(out, 1).numpy(), run.heldout_probs[:3], atol=1e-5)


def test_small_run_learns_far_better_than_chance(run):
    assert run.accuracy > 0.6  # chance is 1/3
    assert run.loss[-20:].mean() < 0.6 * sc.chance_loss()
    acc = run.accuracy_by_frame
    assert acc[-1] > acc[0] + 0.15  # more frames, more evidence
    assert run.confusion().sum() == SMALL.n_heldout
    assert math.isclose(np.trace(run.confusion()) / SMALL.n_heldout, run.accuracy)


def test_same_seed_same_numbers():
    cfg = sc.SeqClassConfig(n_train=90, n_heldout=30, steps=10, seed=4)
    a, b = sc.train(cfg), sc.train(cfg)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.heldout_probs, b.heldout_probs)
