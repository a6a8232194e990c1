"""Visually indicated sounds: clips, subband envelopes, parametric inversion, retrieval, the model."""

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

from core.sound import vis
from ui import sound as lesson
from ui.train import without_page

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def record():
    """The default model, trained through the door as the page trains it (the page tests reuse it)."""
    with without_page():
        return lesson.vis_record(vis.VisConfig())


def test_clip_is_repeatable_and_shaped():
    spec = vis.ClipSpec("water", "hit", 5)
    a, b = vis.make_clip(spec), vis.make_clip(spec)
    assert a.frames.shape == (vis.N_VIDEO, vis.IMG, vis.IMG, 3) and a.frames.dtype == np.uint8
    assert a.audio.shape == (vis.N_SAMPLES,)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.audio, b.audio)


def test_materials_look_and_sound_different():
    clips = {m: vis.make_clip(vis.ClipSpec(m, "hit", 1)) for m in vis.MATERIALS}
    colours = {m: c.frames[0, vis.SURFACE:].reshape(-1, 3).mean(axis=0) for m, c in clips.items()}
    for a in vis.MATERIALS:
        for b in vis.MATERIALS:
            if a < b:
                assert np.abs(colours[a] - colours[b]).max() > 10, (a, b)
    # one strike: metal rings on (decaying modes), wood is brief, cloth is a short thump
    def after(material, seconds=0.15):
        x = vis._impact(material, 1.0, np.random.default_rng(0), vis.RATE)
        return np.sum(x[int(seconds * vis.RATE):] ** 2) / np.sum(x ** 2)
    assert after("metal") > 0.3
    assert after("wood") < 0.01 and after("cloth") < 0.01


def test_sound_starts_when_the_stick_touches():
    clip = vis.make_clip(vis.ClipSpec("wood", "hit", 2))
    first = int(np.nonzero(clip.contact)[0][0])
    per_frame = vis.N_SAMPLES // vis.N_VIDEO
    loud = np.abs(clip.audio) > 0.2 * np.abs(clip.audio).max()
    assert first * per_frame <= np.argmax(loud) < (first + 1) * per_frame


def test_envelopes_shape_and_silence():
    assert vis.envelopes(np.zeros(vis.N_SAMPLES)).shape == (vis.N_STEPS, vis.N_BANDS)
    assert vis.envelopes(np.zeros(vis.N_SAMPLES)).max() == 0


@pytest.mark.parametrize("material", vis.MATERIALS)
@pytest.mark.parametrize("action", vis.ACTIONS)
def test_parametric_inversion_recovers_true_envelopes(material, action):
    env = vis.envelopes(vis.make_clip(vis.ClipSpec(material, action, 7)).audio)
    back = vis.envelopes(vis.invert(env, seed=0))
    assert np.abs(back - env).mean() / np.abs(env).mean() < 0.15
    assert np.corrcoef(back.ravel(), env.ravel())[0, 1] > 0.95


def test_inversion_is_seeded():
    env = vis.envelopes(vis.make_clip(vis.ClipSpec("leaves", "scratch", 3)).audio)
    assert np.array_equal(vis.invert(env, 4), vis.invert(env, 4))
    assert not np.array_equal(vis.invert(env, 4), vis.invert(env, 5))


def test_batched_envelopes_and_inversion_match_one_by_one():
    """train() makes the envelopes and parametric sounds of many clips at once; the page makes one."""
    audio = np.stack([vis.make_clip(vis.ClipSpec(m, "hit", 11)).audio for m in ("metal", "water", "cloth")])
    env = vis.envelopes(audio)
    assert env.shape == (3, vis.N_STEPS, vis.N_BANDS)
    for a, e in zip(audio, env):
        np.testing.assert_array_equal(vis.envelopes(a), e)
    many = vis.invert(env, seed=[4, 5, 6])
    assert many.shape == (3, vis.N_SAMPLES)
    for e, s, y in zip(env, (4, 5, 6), many):
        np.testing.assert_allclose(vis.invert(e, seed=s), y, rtol=0, atol=1e-6)


def test_video_input_is_each_frame_and_its_change_for_one_clip_or_many():
    """train() converts all clips in one tensor; the page converts one clip. Both match numpy's formula."""
    frames = np.stack([vis.make_clip(vis.ClipSpec(m, a, 3)).frames
                       for m, a in (("water", "hit"), ("leaves", "scratch"))])  # (2, T, H, W, 3) uint8
    f = frames.astype(np.float32).transpose(0, 1, 4, 2, 3) / np.float32(255)  # (2, T, 3, H, W)
    want = np.concatenate([f - np.float32(0.5), np.float32(4) * np.diff(f, axis=1, prepend=f[:, :1])], axis=2)
    many = vis.video_input(frames)
    assert many.dtype == torch.float32 and many.shape == (2, vis.N_VIDEO, 6, vis.IMG, vis.IMG)
    np.testing.assert_array_equal(many.numpy(), want)
    for one, w in zip(frames, want):
        np.testing.assert_array_equal(vis.video_input(one).numpy(), w)
    assert not many[:, 0, 3:].any() and many[:, 1:, 3:].abs().max() > 0  # no change before the first frame
    # each pixel's six numbers side by side in memory (what oneDNN's convolutions run fastest on), also
    # for a training batch picked from it and for the frames the CNN sees
    batch = many[torch.tensor([1, 0])]
    assert batch.reshape(-1, 6, vis.IMG, vis.IMG).is_contiguous(memory_format=torch.channels_last)


def test_sound_net_never_looks_ahead():
    net = vis.SoundNet().eval()
    x = torch.randn(1, 10, 6, vis.IMG, vis.IMG, generator=torch.Generator().manual_seed(0))
    y = x.clone()
    y[:, 6:] = 0
    with torch.no_grad():
        torch.testing.assert_close(net(x)[:, :6], net(y)[:, :6])


def test_retrieval_returns_a_training_sound(record):
    for i in range(0, len(record.test_specs), 7):
        j = vis.retrieve(record.train_env, record.pred_env[i])
        assert j == record.retrieved[i]
        made = vis.make_clip(record.train_specs[j])  # the retrieved sound is that training clip's sound
        np.testing.assert_allclose(vis.envelopes(made.audio), record.train_env[j], atol=1e-6)
        dists = ((record.train_env - record.pred_env[i]) ** 2).sum(axis=(1, 2))
        assert dists[j] == dists.min()


def test_trained_model_predicts_better_than_the_mean(record):
    assert record.mse < 0.6 * record.mse_mean
    assert record.acc_true > 0.8
    assert record.acc_pred > record.chance + 0.3
    one = vis.predict(record, vis.make_clip(record.test_specs[0]).frames)
    np.testing.assert_allclose(one, record.pred_env[0], atol=1e-4)


def test_same_seed_same_training():
    cfg = vis.VisConfig(per_class=1, held_out_per_class=1, epochs=1)
    a, b = vis.train(cfg), vis.train(cfg)
    assert np.array_equal(a.pred_env, b.pred_env) and np.array_equal(a.losses, b.losses)


def test_clips_made_on_two_threads_are_the_clips_in_order_and_progress_stays_on_the_caller():
    """train() makes the training clips on two threads and the held-out ones while the network trains:
    each is still its spec's clip, in the specs' order, and progress is reported on the caller's thread."""
    import threading

    cfg = vis.VisConfig(per_class=2, held_out_per_class=1, epochs=2)
    calls = []
    rec = vis.train(cfg, on_step=lambda step, total: calls.append((step, total, threading.get_ident())))
    for specs, env in ((rec.train_specs, rec.train_env), (rec.test_specs, rec.test_env)):
        want = np.stack([vis.envelopes(vis.make_clip(s).audio) for s in specs])
        np.testing.assert_array_equal(env, want)
    n_train = len(rec.train_specs)
    assert [c[0] for c in calls] == list(range(1, n_train + cfg.epochs + 1))
    assert {c[1] for c in calls} == {n_train + cfg.epochs}
    assert {c[2] for c in calls} == {threading.get_ident()}


def test_a_cancelled_training_leaves_no_clip_being_made():
    """The training door cancels by raising from on_step: no helper thread may keep drawing after that."""
    import threading

    class Stop(Exception):
        pass

    def on_step(step, total):
        if step == 3:
            raise Stop()

    with pytest.raises(Stop):
        vis.train(vis.VisConfig(per_class=4, held_out_per_class=2, epochs=1), on_step=on_step)
    assert not [t for t in threading.enumerate() if t.name.startswith("vis-clips")]


def test_listening_test_and_score():
    trials = vis.listening_test(5, 80, seed=3)
    assert trials == vis.listening_test(5, 80, seed=3)
    assert len({c for c, _ in trials}) == 5 and all(real in (0, 1) for _, real in trials)
    right = [real for _, real in trials]
    assert vis.score(right, trials) == (5, 5)
    assert vis.score([1 - r for r in right], trials) == (0, 5)
    assert vis.score([None] * 5, trials) == (0, 0)


def test_figures_never_import_torch_or_streamlit():
    tree = ast.parse((ROOT / "core" / "sound" / "figures.py").read_text())
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not names & {"torch", "streamlit"}
    assert "plotly" in names


def test_envelope_maps_titles_sit_over_their_own_panels():
    """Each panel's title is centred on its panel (Plotly's "auto" anchor had pushed both to the middle)."""
    from core.sound import figures

    env = np.zeros((vis.N_STEPS, vis.N_BANDS), np.float32)
    fig = figures.envelope_maps(env, env, vis.BAND_EDGES[:-1], vis.HOP / vis.RATE, frame=3)
    titles = {a.text: a for a in fig.layout.annotations}
    for text, axis in (("true sound", fig.layout.xaxis), ("predicted from the silent frames", fig.layout.xaxis2)):
        a = titles[text]
        assert a.xanchor == "center" and a.x == pytest.approx(sum(axis.domain) / 2)


def test_loudness_peaks_are_the_hits_a_listener_would_count():
    """Three hits on a decaying floor are three peaks; ripples smaller than a quarter of the range are not
    peaks; a silent clip has none."""
    t = np.arange(vis.N_STEPS)
    curve = 1.0 + 0.05 * np.sin(t)  # ripples
    for hit, height in ((11, 3.5), (19, 4.0), (42, 3.0)):
        curve += np.where(t >= hit, height * np.exp(-(t - hit) / 3.0), 0.0)
    assert vis.loudness_peaks(curve).tolist() == [11, 19, 42]
    assert vis.loudness_peaks(np.ones(vis.N_STEPS)).size == 0


def test_loudness_notice_counts_the_true_peaks_the_prediction_found():
    step = vis.HOP / vis.RATE
    t = np.arange(vis.N_STEPS)

    def env(hits):
        loud = np.ones(vis.N_STEPS) + sum(np.where(t >= h, 3 * np.exp(-(t - h) / 3.0), 0.0) for h in hits)
        return np.repeat(loud[:, None] / 2, 2, axis=1)  # two bands that sum to the loudness

    said = lesson.loudness_notice(env([11, 19, 42]), env([11, 20, 30]))
    assert f"the true sound peaks at {11 * step:.2f}, {19 * step:.2f}, {42 * step:.2f} s" in said
    assert f"peaks at {11 * step:.2f}, {20 * step:.2f}, {30 * step:.2f} s: 2 of the 3 true peaks" in said
    flat = lesson.loudness_notice(env([11]), np.ones((vis.N_STEPS, 2)))
    assert "the prediction at" in flat and "loudest" in flat  # no peak to count: the loudest moments instead


def test_loudness_notice_for_a_scratch_compares_when_each_sound_is_on():
    """A scratch's loudness is a plateau, whose 'peak' means nothing: the sentence gives when each curve is loud
    (above half its range) and how far the prediction starts and stops from the true sound."""
    step = vis.HOP / vis.RATE
    t = np.arange(vis.N_STEPS)

    def env(start, stop, ripple=0.0):
        loud = 1.0 + 2.5 * ((t >= start) & (t <= stop)) + ripple * np.sin(3.0 * t)
        return np.repeat(loud[:, None] / 2, 2, axis=1)

    assert vis.loud_span(env(7, 30).sum(1)) == (7, 30) and vis.loud_span(np.ones(vis.N_STEPS)) is None
    said = lesson.loudness_notice(env(7, 30, 0.3), env(9, 30), "scratch")
    assert f"loud from {7 * step:.2f} to {31 * step:.2f} s" in said
    assert f"from {9 * step:.2f} to {31 * step:.2f} s" in said
    assert f"starts {2 * step:.2f} s later and stops at the same moment" in said
    early = lesson.loudness_notice(env(7, 30), env(5, 26), "scratch")
    assert f"starts {2 * step:.2f} s earlier and stops {4 * step:.2f} s earlier" in early
    assert "peaks" in lesson.loudness_notice(env(7, 30), env(9, 30), "hit")  # hits keep the peak count
