"""Same settings, same model, bit for bit — even while other trainings run in other threads."""

import threading

import numpy as np
import torch

from core.seq2seq import model as s2s

# Two different small settings: another seed, and teacher-forcing coins (ratio 0.5) in one of them.
A = s2s.Seq2SeqConfig(task="reverse", reverse_len=(2, 5), n_train=600, n_test=60, hidden_size=24, embed_size=8,
                      steps=25, eval_every=25, seed=1)
B = s2s.Seq2SeqConfig(task="reverse", reverse_len=(2, 5), n_train=600, n_test=60, hidden_size=24, embed_size=8,
                      steps=25, eval_every=25, seed=2, teacher_forcing=0.5)


def same(a: s2s.TrainedSeq2Seq, b: s2s.TrainedSeq2Seq) -> bool:
    weights = all(torch.equal(p, q) for p, q in zip(a.model.state_dict().values(), b.model.state_dict().values()))
    return weights and np.array_equal(a.record.loss, b.record.loss) and a.data.train == b.data.train


def test_training_leaves_the_global_rng_alone():
    """No torch.manual_seed and no draw from the global generator: its state is untouched by a training."""
    before = torch.get_rng_state()
    s2s.train(B)
    assert torch.equal(before, torch.get_rng_state())


def test_two_trainings_at_once_equal_their_solo_runs():
    solo = {cfg.seed: s2s.train(cfg) for cfg in (A, B)}
    assert not same(solo[1], solo[2])  # the check can tell two different models apart
    for _ in range(2):
        together, start = {}, threading.Barrier(2)

        def work(cfg):
            start.wait()  # both begin at the same moment: data, model and batches interleave
            together[cfg.seed] = s2s.train(cfg)

        threads = [threading.Thread(target=work, args=(cfg,)) for cfg in (A, B)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert same(together[1], solo[1]) and same(together[2], solo[2])
