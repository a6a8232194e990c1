"""Both sound trainings use helper threads (clips drawn, held-out clips spoken while the network trains).
Trainings that run at the same moment, as two students' would, still give each one's own numbers."""

import numpy as np
from conftest import at_the_same_moment

from core.sound import emotion, vis


def test_sound_trainings_at_the_same_moment_give_the_numbers_each_gives_alone():
    jobs = [(emotion.train, emotion.EmotionConfig(seed=0, repeats=1, epochs=2)),
            (emotion.train, emotion.EmotionConfig(seed=1, repeats=1, epochs=2)),
            (vis.train, vis.VisConfig(seed=0, per_class=3, held_out_per_class=2, epochs=2))]
    alone = [train(cfg) for train, cfg in jobs]
    together = at_the_same_moment([lambda train=train, cfg=cfg: train(cfg) for train, cfg in jobs])
    for a, b in zip(alone[:2], together[:2]):
        assert np.array_equal(a.losses, b.losses)
        assert all(np.array_equal(x, y) for x, y in zip(a.test_probs, b.test_probs, strict=True))
    assert np.array_equal(alone[2].losses, together[2].losses)
    assert np.array_equal(alone[2].pred_env, together[2].pred_env)
