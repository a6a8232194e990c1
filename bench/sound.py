"""What the sound lesson's two trainings reach, against references, and how long they take.

Emotion from (synthesised, acted) speech: held-out accuracy after all frames and after 25 % / 50 %
of each clip's frames, chance, and an order-blind reference (logistic regression on the same
log-mel frames averaged over time). Visually indicated sounds: a simple material classifier
(logistic regression on envelope statistics, trained on true training sounds) applied to the true
held-out sounds, to the parametric sounds made from the predicted envelopes, and to the retrieved
training sounds; the envelope error of the predictions against predicting the training mean.

    /work/main/.venv/bin/python bench/sound.py
    /work/main/.venv/bin/python bench/sound.py --seeds 0,1,2,3,4 [--layout contiguous]

With ``--seeds`` both networks train once per seed: each seed's wall and CPU seconds and held-out
figures, then their means (the first seed also pays what a process loads on first use).
``--layout contiguous`` trains both on torch's usual memory layout instead of channels last (the
video-to-sound input from ``vis.video_input``, the emotion network's convolutions from
``emotion.MEMORY_FORMAT``), to measure what that layout buys; the numbers agree up to rounding.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from core.common.runtime import torch_thread_policy  # noqa: E402
from core.sound import emotion, vis  # noqa: E402


def main() -> None:
    torch_thread_policy()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    t0, c0 = time.perf_counter(), time.process_time()
    e = emotion.train(emotion.EmotionConfig())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"emotion: {e.n_train} training clips (speakers {', '.join(emotion.speech.TRAIN_SPEAKERS)}), "
          f"{len(e.test_labels)} held-out clips (other speakers {', '.join(emotion.speech.HELD_OUT_SPEAKERS)}, "
          "other sentences)")
    print(f"emotion: held-out accuracy after all frames {e.accuracy_at[1.0]:.3f}, after 50 % "
          f"{e.accuracy_at[0.5]:.3f}, after 25 % {e.accuracy_at[0.25]:.3f}; chance {e.chance:.3f}; "
          f"order-blind (time-averaged frames, logistic regression) {e.order_blind:.3f}")
    print(f"emotion: training {wall:.1f} s wall, {cpu:.1f} s CPU (speaking the clips, features and "
          f"{e.cfg.epochs} epochs; one torch thread, and the held-out clips spoken on a helper thread while "
          "it trains, so CPU time can exceed the wall time)")
    print(f"load average between: {os.getloadavg()[0]:.2f}")
    t0, c0 = time.perf_counter(), time.process_time()
    v = vis.train(vis.VisConfig())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"sounds: {len(v.train_specs)} training clips, {len(v.test_specs)} held-out clips")
    print(f"sounds: material classifier on held-out true sounds {v.acc_true:.3f}, on parametric sounds "
          f"from predicted envelopes {v.acc_pred:.3f}, on retrieved training sounds {v.acc_retrieved:.3f}; "
          f"chance {v.chance:.3f}")
    print(f"sounds: envelope error (MSE, compressed) predicted {v.mse:.5f} vs training-mean reference "
          f"{v.mse_mean:.5f} (ratio {v.mse / v.mse_mean:.2f})")
    print(f"sounds: training {wall:.1f} s wall, {cpu:.1f} s CPU (making the clips, {v.cfg.epochs} epochs, "
          "inverting the predictions; the clips made on two threads, so CPU time can exceed the wall time)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def seeds(seed_list: list[int], layout: str) -> None:
    import torch

    torch_thread_policy()
    if layout == "contiguous":
        channels_last = vis.video_input
        vis.video_input = lambda frames: channels_last(frames).contiguous()
        emotion.MEMORY_FORMAT = torch.contiguous_format
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores); layout {layout}")
    emo, snd = [], []
    for seed in seed_list:
        t0, c0 = time.perf_counter(), time.process_time()
        e = emotion.train(emotion.EmotionConfig(seed=seed))
        emo.append((time.perf_counter() - t0, time.process_time() - c0, e.accuracy_at[1.0], e.accuracy_at[0.5],
                    e.accuracy_at[0.25]))
        print("emotion seed={} wall_s={:.2f} cpu_s={:.2f} heldout_all={:.3f} half={:.3f} quarter={:.3f}"
              .format(seed, *emo[-1]))
        t0, c0 = time.perf_counter(), time.process_time()
        v = vis.train(vis.VisConfig(seed=seed))
        snd.append((time.perf_counter() - t0, time.process_time() - c0, v.acc_pred, v.acc_retrieved,
                    v.acc_true, v.mse / v.mse_mean))
        print("sounds seed={} wall_s={:.2f} cpu_s={:.2f} from_predicted={:.3f} retrieved={:.3f} "
              "true={:.3f} mse/mean_ref={:.3f}".format(seed, *snd[-1]))
    print("emotion mean wall_s={:.2f} cpu_s={:.2f} heldout_all={:.3f} half={:.3f} quarter={:.3f}"
          .format(*(sum(col) / len(emo) for col in zip(*emo))))
    print("sounds mean wall_s={:.2f} cpu_s={:.2f} from_predicted={:.3f} retrieved={:.3f} true={:.3f} "
          "mse/mean_ref={:.3f}".format(*(sum(col) / len(snd) for col in zip(*snd))))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", help="comma-separated seeds: train both networks once per seed")
    ap.add_argument("--layout", choices=("channels_last", "contiguous"), default="channels_last")
    args = ap.parse_args()
    if args.seeds:
        seeds([int(x) for x in args.seeds.split(",")], args.layout)
    else:
        main()
