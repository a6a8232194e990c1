"""The sound lesson's scenes: trained records through the door, and what the page shows of them.

Pages get plain data (numbers, arrays, WAV and GIF bytes, Plotly figures), never the torch models.
Everything built from the shared records is memoised for the class in the ``scenes`` cache.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from core.sound import audio, emotion, features, figures, speech, vis
from ui.cache import shared
from ui.train import run

FRACTIONS = tuple(np.round(np.arange(0.1, 1.0001, 0.1), 2))
SPEAKERS = speech.HELD_OUT_SPEAKERS + speech.TRAIN_SPEAKERS


def emotion_record(cfg: emotion.EmotionConfig) -> emotion.EmotionRecord:
    return run("Speaking the clips and training the CNN + LSTM", emotion.train, cfg, key=cfg)


def vis_record(cfg: vis.VisConfig) -> vis.VisRecord:
    return run("Making the clips and training the video-to-sound CNN + LSTM", vis.train, cfg, key=cfg)


def train_both(ecfg: emotion.EmotionConfig, vcfg: vis.VisConfig) -> None:
    """Train (or find) both models, with the door's progress bar, before any scene waits on them."""
    emotion_record(ecfg)
    vis_record(vcfg)


@dataclass(frozen=True)
class EmotionSummary:
    accuracy_at: dict
    order_blind: float
    chance: float
    seconds: float
    n_train: int
    n_test: int
    curve: np.ndarray  # accuracy after each of FRACTIONS
    losses: np.ndarray


@shared("scenes")
def emotion_summary(cfg: emotion.EmotionConfig) -> EmotionSummary:
    rec = emotion_record(cfg)
    return EmotionSummary(rec.accuracy_at, rec.order_blind, rec.chance, rec.seconds, rec.n_train,
                          len(rec.test_labels), emotion.accuracy_curve(rec, FRACTIONS), rec.losses)


@shared("scenes")
def accuracy_figure(cfg: emotion.EmotionConfig):
    s = emotion_summary(cfg)
    return figures.accuracy_by_fraction(FRACTIONS, s.curve, s.chance, s.order_blind)


@dataclass(frozen=True)
class Heard:
    """One clip as the classifier heard it."""

    wav: bytes
    frames: np.ndarray  # (T, N_MELS)
    probs: np.ndarray  # (T, C)
    seconds: float
    error: str = ""


@shared("scenes")
def acted_clip(cfg: emotion.EmotionConfig, text: str, style: str, speaker: str, seed: int) -> Heard:
    """``text`` acted by the synthesiser, and the trained model's belief after every frame."""
    try:
        text = speech.check_sentence(text)
    except ValueError as err:
        return Heard(b"", np.zeros((0, features.N_MELS)), np.zeros((0, len(emotion.CLASSES))), 0.0, str(err))
    clip = speech.act(text, style, speaker, seed)
    return _hear(cfg, clip.audio)


def _hear(cfg: emotion.EmotionConfig, x: np.ndarray) -> Heard:
    frames = features.log_mel(x, speech.SAMPLE_RATE)
    probs = emotion.probabilities(emotion_record(cfg), frames)
    return Heard(audio.wav_bytes(x, speech.SAMPLE_RATE), frames, probs, len(x) / speech.SAMPLE_RATE)


@shared("scenes")
def cut_wav(cfg: emotion.EmotionConfig, text: str, style: str, speaker: str, seed: int, k: int) -> bytes:
    """The clip's first ``k`` frames as audio (what the network has heard at the cut)."""
    clip = speech.act(speech.check_sentence(text), style, speaker, seed)
    return audio.wav_bytes(clip.audio[: k * features.HOP], speech.SAMPLE_RATE)


def heard_upload(cfg: emotion.EmotionConfig, data: bytes) -> Heard:
    """A student's recording or upload (not shared: it is theirs), or the reason it can't be used."""
    try:
        x = audio.check_speech(audio.read_wav(data, speech.SAMPLE_RATE), speech.SAMPLE_RATE)
    except audio.AudioError as err:
        return Heard(b"", np.zeros((0, features.N_MELS)), np.zeros((0, len(emotion.CLASSES))), 0.0, str(err))
    return _hear(cfg, x)


def beliefs_figure(heard: Heard, cut: int | None = None, title: str = ""):
    return figures.spectrogram_and_beliefs(heard.frames, heard.probs, emotion.CLASSES,
                                           features.HOP / speech.SAMPLE_RATE, cut=cut, title=title)


# ---- visually indicated sounds ---------------------------------------------------------------------
@dataclass(frozen=True)
class VisSummary:
    acc_true: float
    acc_pred: float
    acc_retrieved: float
    chance: float
    mse: float
    mse_mean: float
    seconds: float
    n_train: int
    test_specs: tuple


@shared("scenes")
def vis_summary(cfg: vis.VisConfig) -> VisSummary:
    r = vis_record(cfg)
    return VisSummary(r.acc_true, r.acc_pred, r.acc_retrieved, r.chance, r.mse, r.mse_mean, r.seconds,
                      len(r.train_specs), r.test_specs)


@dataclass(frozen=True)
class Scene:
    """A held-out silent clip, its three sounds and their envelopes."""

    frames: np.ndarray  # (N_VIDEO, IMG, IMG, 3) uint8
    big_frames: tuple  # PNG bytes of each frame, enlarged
    gif: bytes
    true_wav: bytes
    parametric_wav: bytes
    retrieved_wav: bytes
    true_env: np.ndarray
    pred_env: np.ndarray
    retrieved_env: np.ndarray
    retrieved_spec: vis.ClipSpec
    contact: np.ndarray


def _png(frame: np.ndarray, scale: int = 8) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(frame).resize((vis.IMG * scale, vis.IMG * scale), Image.NEAREST).save(buf, format="PNG")
    return buf.getvalue()


def _gif(frames: np.ndarray, scale: int = 8) -> bytes:
    from PIL import Image

    images = [Image.fromarray(f).resize((vis.IMG * scale, vis.IMG * scale), Image.NEAREST) for f in frames]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=1000 // vis.FPS, loop=0)
    return buf.getvalue()


@shared("scenes")
def vis_scene(cfg: vis.VisConfig, index: int) -> Scene:
    r = vis_record(cfg)
    clip = vis.make_clip(r.test_specs[index])
    j = int(r.retrieved[index])
    retrieved = vis.make_clip(r.train_specs[j])
    parametric = vis.invert(r.pred_env[index], seed=r.test_specs[index].seed)
    return Scene(clip.frames, tuple(_png(f) for f in clip.frames), _gif(clip.frames),
                 audio.wav_bytes(clip.audio, vis.RATE), audio.wav_bytes(parametric, vis.RATE),
                 audio.wav_bytes(retrieved.audio, vis.RATE), r.test_env[index], r.pred_env[index],
                 r.train_env[j], r.train_specs[j], clip.contact)


@shared("scenes")
def envelope_figure(cfg: vis.VisConfig, index: int, frame: int):
    s = vis_scene(cfg, index)
    return figures.envelope_maps(s.true_env, s.pred_env, vis.BAND_EDGES[:-1], vis.HOP / vis.RATE, frame, vis.STEPS)


@shared("scenes")
def loudness_figure(cfg: vis.VisConfig, index: int):
    s = vis_scene(cfg, index)
    return figures.loudness_lines(s.true_env, s.pred_env, s.retrieved_env, vis.HOP / vis.RATE)


PEAK_TOLERANCE = 2  # envelope steps (40 ms): a predicted peak this close to a true one found that hit


def loudness_notice(true_env: np.ndarray, pred_env: np.ndarray, action: str = "hit") -> str:
    """What the loudness chart shows, from its two curves. For hits: where the true sound peaks and which of those
    the prediction from the silent frames peaks at too (the loudest moments when there is no clear peak). For a
    scratch, one long sound whose top is a plateau: when each curve is loud, and how far the prediction's start
    and stop are from the true ones."""
    step = vis.HOP / vis.RATE
    true_l, pred_l = true_env.sum(1), pred_env.sum(1)
    spans = (vis.loud_span(true_l), vis.loud_span(pred_l)) if action == "scratch" else (None,)
    if None not in spans:
        (t0, t1), (p0, p1) = [(a * step, (b + 1) * step) for a, b in spans]
        return (f"a scratch is one long sound, not hits: the true sound is loud from {t0:.2f} to {t1:.2f} s; the "
                f"prediction, made from the silent frames alone, from {p0:.2f} to {p1:.2f} s. It starts "
                f"{_apart(p0 - t0)} and stops {_apart(p1 - t1)} (loud: above half way from the quietest to the "
                "loudest moment of each curve).")
    hits, guesses = vis.loudness_peaks(true_l), vis.loudness_peaks(pred_l)
    times = lambda idx: ", ".join(f"{i * step:.2f}" for i in idx) + " s"  # noqa: E731
    if len(hits) == 0 or len(guesses) == 0:
        return (f"the true sound is loudest at {int(true_l.argmax()) * step:.2f} s, the prediction at "
                f"{int(pred_l.argmax()) * step:.2f} s; the network saw only the frames.")
    found = sum(bool(np.any(np.abs(guesses - h) <= PEAK_TOLERANCE)) for h in hits)
    return (f"the true sound peaks at {times(hits)}; the prediction, made from the silent frames alone, peaks at "
            f"{times(guesses)}: {found} of the {len(hits)} true peaks have a predicted one within "
            f"{PEAK_TOLERANCE * step:.2f} s.")


def _apart(dt: float) -> str:
    """A prediction's start or stop against the true one, in words."""
    if abs(dt) < 0.005:
        return "at the same moment"
    return f"{abs(dt):.2f} s {'later' if dt > 0 else 'earlier'}"


def clip_index(cfg: vis.VisConfig, material: str, action: str, take: int) -> int:
    """The held-out clip that is the ``take``-th of this material and action."""
    matches = [i for i, s in enumerate(vis_summary(cfg).test_specs) if s.material == material and s.action == action]
    return matches[take % len(matches)]


def warm() -> None:
    """The class's default scenes, trained once at server start and pinned."""
    ecfg, vcfg = emotion.EmotionConfig(), vis.VisConfig()
    emotion_summary(ecfg)
    accuracy_figure(ecfg)
    acted_clip(ecfg, speech.HELD_OUT_SENTENCES[0], "angry", speech.HELD_OUT_SPEAKERS[0], 0)
    vis_summary(vcfg)
    for material in vis.MATERIALS:  # the default action's first take of each (about 0.5 s each)
        first = clip_index(vcfg, material, vis.ACTIONS[0], 0)
        vis_scene(vcfg, first)
        envelope_figure(vcfg, first, 0)
        loudness_figure(vcfg, first)
    for clip, _ in vis.listening_test(5, len(vis_summary(vcfg).test_specs), seed=0):
        vis_scene(vcfg, clip)
