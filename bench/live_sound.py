"""Live demos of the sound lesson, each trained from scratch with default settings in a fresh process.

- classification: emotion from speech (the lecture's "classification over time"): the clips spoken by
  the synthesiser, log-mel frames, the CNN + LSTM trained; held-out accuracy (other speakers, other
  sentences) after all frames, against chance and an order-blind reference.
- visually_indicated_sounds: the silent clips made, the video-to-sound CNN + LSTM trained, its predicted
  envelopes turned into sounds; a material classifier's accuracy on those sounds against the true ones.

Run: python bench/live_sound.py  → ``live demo=<name> seconds=<s> quality=<q> cpu_s=… load1=…``
(bench/live.py aggregates the lessons' files).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def classification() -> tuple[float, str]:
    from bench.live import timed
    from core.sound import emotion

    seconds, e = timed(emotion.train, emotion.EmotionConfig())
    return seconds, (f"heldout_accuracy={e.accuracy_at[1.0]:.3f} after_half={e.accuracy_at[0.5]:.3f} "
                     f"chance={e.chance:.3f} order_blind={e.order_blind:.3f}")


def visually_indicated_sounds() -> tuple[float, str]:
    from bench.live import timed
    from core.sound import vis

    seconds, v = timed(vis.train, vis.VisConfig())
    return seconds, (f"material_from_predicted_sounds={v.acc_pred:.3f} from_true_sounds={v.acc_true:.3f} "
                     f"chance={v.chance:.3f} envelope_mse/mean_ref={v.mse / v.mse_mean:.2f}")


DEMOS = {"classification": classification, "visually_indicated_sounds": visually_indicated_sounds}


def _imports() -> None:
    """What the demos use, and what loads on first use (a server pays it once, in its warm-up): torch's
    optimizer and meta-device modules, librosa's lazily imported STFT and mel filters (about 4 s), the
    eSpeak NG library, scikit-learn's logistic regression."""
    import numpy as np
    import sklearn.linear_model  # noqa: F401  (the order-blind reference)

    from bench.live import torch_first_use
    from core.common.runtime import torch_thread_policy
    from core.sound import emotion, features, speech, vis  # noqa: F401

    torch_thread_policy()  # what the training door does before each job
    torch_first_use()
    features.log_mel(np.zeros(speech.SAMPLE_RATE // 10, np.float32), speech.SAMPLE_RATE)
    speech.act("Hello.", emotion.CLASSES[0], speech.TRAIN_SPEAKERS[0], seed=0)


if __name__ == "__main__":
    from bench.live import run_lesson

    run_lesson(__file__, DEMOS, _imports)
