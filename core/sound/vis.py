"""Visually indicated sounds (Owens et al., 2016): predict what a silent clip sounds like.

The clips are made here and say so: a drumstick hits or scratches a surface of one of five
materials, drawn as small frames with each material's own look (and its own reaction: ripples on
water, jumping leaves, a flash on metal, a dent in cloth). Each clip's sound comes from a physically
motivated synthesis: decaying resonant modes for hard materials (metal rings long, wood briefly),
filtered noise bursts for soft or granular ones (a water splash with bubbles, crackling leaves, a
muffled thump on cloth). Scratching excites the same resonances with continuous noise.

As in the paper, the sound is summarised by its subband envelopes (a cochleagram-like (steps, bands)
array, compressed by a power of 0.3); a CNN looks at every frame (plus its difference from the last,
the paper's "space-time" input), an RNN runs over the frames and predicts the envelopes of that
frame's stretch of sound. Two ways back to audio: the paper's parametric one (noise shaped, band by
band and step by step, to the predicted envelopes) and its example-based one (the training sound
whose envelopes are nearest).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.common.runtime import OnStep, helper_threads, report

MATERIALS = ("metal", "wood", "water", "leaves", "cloth")
ACTIONS = ("hit", "scratch")
RATE = 16000  # sound samples per second
FPS = 25  # video frames per second
N_VIDEO = 25  # frames per clip (one second)
STEPS = 2  # envelope steps per video frame: the sound is described every 20 ms
HOP = RATE // (FPS * STEPS)  # 320 samples per envelope step
N_SAMPLES = N_VIDEO * STEPS * HOP  # 16,000
N_STEPS = N_VIDEO * STEPS  # 50
N_BANDS = 16
NPERSEG = 2 * HOP  # 40 ms Hann windows, half overlapping
BAND_EDGES = np.geomspace(100.0, 7000.0, N_BANDS + 1)  # log-spaced, like a cochlea
COMPRESS = 0.3  # envelopes are compressed as in the paper
IMG = 32  # frame side in pixels
SURFACE = 18  # the surface starts at this row; above it is the wall


# ---- sound ----------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _sos(kind: str, freq, order: int = 2) -> np.ndarray:
    from scipy.signal import butter

    return butter(order, freq, btype=kind, fs=RATE, output="sos")


def _filtered(noise: np.ndarray, kind: str, freq, order: int = 2) -> np.ndarray:
    from scipy.signal import sosfilt

    return sosfilt(_sos(kind, tuple(np.atleast_1d(freq).tolist()) if np.ndim(freq) else float(freq), order), noise)


def _modes(freqs, decays, amps, n: int) -> np.ndarray:
    """A struck object: a sum of exponentially decaying sinusoids (its resonant modes)."""
    t = np.arange(n) / RATE
    return sum(a * np.exp(-t / d) * np.sin(2 * np.pi * f * t) for f, d, a in zip(freqs, decays, amps))


def _bubble(n: int, f0: float, rng: np.random.Generator) -> np.ndarray:
    """A bubble: a short sinusoid whose pitch rises as it decays (Minnaert resonance)."""
    t = np.arange(n) / RATE
    freq = f0 * (1 + 2.0 * t / 0.03)
    return np.exp(-t / 0.02) * np.sin(2 * np.pi * np.cumsum(freq) / RATE + rng.uniform(0, 2 * np.pi))


def _material_modes(material: str, rng: np.random.Generator):
    """Mode frequencies, decay times and amplitudes for a hard material (drawn per clip)."""
    if material == "metal":
        f0 = rng.uniform(420, 700)
        ratios = np.array([1.0, 2.76, 5.40, 8.93])  # a free bar's inharmonic partials
        return f0 * ratios, rng.uniform(0.25, 0.45) / ratios ** 0.3, np.array([1.0, 0.7, 0.5, 0.3])
    f0 = rng.uniform(180, 320)  # wood: low, heavily damped
    ratios = np.array([1.0, 2.6, 4.1])
    return f0 * ratios, rng.uniform(0.02, 0.04) / ratios ** 0.5, np.array([1.0, 0.6, 0.35])


def _impact(material: str, velocity: float, rng: np.random.Generator, n: int) -> np.ndarray:
    """The sound of one strike, ``n`` samples long, starting at sample 0."""
    t = np.arange(n) / RATE
    if material in ("metal", "wood"):
        freqs, decays, amps = _material_modes(material, rng)
        out = _modes(freqs, decays, amps, n)
        click = _filtered(rng.normal(size=n), "highpass", 2000) * np.exp(-t / 0.002)
        return velocity * (0.5 * out + (0.3 if material == "wood" else 0.1) * click)
    if material == "water":
        splash = _filtered(rng.normal(size=n), "lowpass", 2500) * np.exp(-t / 0.06)
        out = 0.5 * splash
        for _ in range(int(rng.integers(3, 7))):
            start = int(rng.uniform(0.005, 0.15) * RATE)
            out[start:] += 0.35 * _bubble(n - start, rng.uniform(500, 1400), rng)
        return velocity * out
    if material == "leaves":
        clicks = np.zeros(n)
        times = rng.exponential(0.05, size=int(rng.integers(40, 80)))
        idx = (times[times < n / RATE] * RATE).astype(int)
        clicks[idx] = rng.uniform(0.3, 1.0, size=len(idx)) * rng.choice([-1, 1], size=len(idx))
        return velocity * 1.5 * _filtered(clicks, "bandpass", (1800, 6500))
    thump = _filtered(rng.normal(size=n), "lowpass", 450) * np.exp(-t / 0.035)  # cloth
    return velocity * 0.6 * thump


def _scratch(material: str, envelope: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Continuous contact: noise whose loudness follows the stick's speed, coloured by the material."""
    n = len(envelope)
    noise = rng.normal(size=n)
    if material == "metal":  # the bar's modes, excited continuously: a squeal
        freqs, _, amps = _material_modes("metal", rng)
        out = sum(a * _filtered(noise, "bandpass", (f * 0.98, f * 1.02)) for f, a in zip(freqs, amps)) * 3.0
    elif material == "wood":  # grain: mid-band noise with irregular ticks
        ticks = np.zeros(n)
        ticks[rng.integers(0, n, size=n // 300)] = rng.uniform(1, 3, size=n // 300)
        out = 0.4 * _filtered(noise, "bandpass", (500, 3000)) + _filtered(ticks, "bandpass", (800, 4000))
    elif material == "water":  # stirring: low gurgle and many bubbles
        out = 0.3 * _filtered(noise, "lowpass", 800)
        for start in np.sort(rng.integers(0, n, size=max(1, int(envelope.sum() / RATE * 40)))):
            if envelope[start] > 0.1:
                out[start:] += 0.3 * _bubble(n - start, rng.uniform(500, 1400), rng)
    elif material == "leaves":  # dense crackling
        clicks = np.zeros(n)
        k = n // 40
        clicks[rng.integers(0, n, size=k)] = rng.uniform(0.3, 1.0, size=k) * rng.choice([-1, 1], size=k)
        out = 1.2 * _filtered(clicks, "bandpass", (1800, 6500))
    else:  # cloth: a soft rustle
        out = 0.35 * _filtered(noise, "bandpass", (200, 1500))
    return out * envelope


# ---- one clip -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClipSpec:
    """Everything that decides one clip; the clip is made again from it whenever needed."""

    material: str
    action: str
    seed: int


@dataclass(frozen=True)
class Clip:
    frames: np.ndarray  # (N_VIDEO, IMG, IMG, 3) uint8, silent video
    audio: np.ndarray  # (N_SAMPLES,) float32 at RATE
    contact: np.ndarray  # (N_VIDEO,) bool: the stick touches the surface
    spec: ClipSpec


def _events(action: str, rng: np.random.Generator):
    """Stick tip (x, y) per frame and contact speed per frame (0 when in the air)."""
    x = np.full(N_VIDEO, rng.uniform(8, 24))
    y = np.full(N_VIDEO, float(SURFACE - 9))
    speed = np.zeros(N_VIDEO)
    if action == "hit":
        n_hits = int(rng.integers(1, 4))
        starts = np.sort(rng.choice(np.arange(3, N_VIDEO - 3, 6), size=n_hits, replace=False)
                         + rng.integers(0, 3, size=n_hits))
        for s in starts:
            v = rng.uniform(0.5, 1.0)
            y[s - 2], y[s - 1], y[s] = SURFACE - 9, SURFACE - 5, SURFACE + 1  # a fast swing down
            if s + 1 < N_VIDEO:
                y[s + 1] = SURFACE - 4  # and the rebound
            speed[s] = v
    else:
        start = int(rng.integers(1, 8))
        stop = int(min(N_VIDEO, start + rng.integers(10, 17)))
        direction = rng.choice([-1, 1])
        y[start:stop] = SURFACE + 1
        path = np.linspace(0, 1, stop - start)
        x[start:stop] = 16 + direction * (-10 + 20 * path) + rng.normal(0, 0.4, stop - start)
        speed[start:stop] = rng.uniform(0.4, 0.9) * (0.6 + 0.4 * np.abs(np.sin(np.pi * path * rng.uniform(1, 3))))
    return np.clip(x, 2, IMG - 3), y, speed


def _surface(material: str, rng: np.random.Generator) -> np.ndarray:
    """(IMG, IMG, 3) float image: a wall, and the material's surface below row SURFACE."""
    yy, xx = np.mgrid[0:IMG, 0:IMG].astype(float)
    img = np.empty((IMG, IMG, 3))
    img[:] = np.array([0.85, 0.84, 0.80])  # wall
    s = yy >= SURFACE
    phase = rng.uniform(0, 2 * np.pi)
    if material == "metal":  # brushed steel with a bright sheen
        base = 0.55 + 0.08 * np.sin(yy * 2.5 + phase) + 0.25 * np.exp(-((xx - 16 - 8 * np.sin(phase)) / 5) ** 2)
        colour = np.stack([base, base, base * 1.05], -1)
    elif material == "wood":  # brown boards with wavy grain
        grain = np.sin(xx * 0.9 + 2.0 * np.sin(yy * 0.4 + phase))
        colour = np.stack([0.55 + 0.08 * grain, 0.35 + 0.06 * grain, 0.18 + 0.03 * grain], -1)
    elif material == "water":  # blue with gentle ripples
        ripple = np.sin(xx * 0.7 + yy * 0.3 + phase)
        colour = np.stack([0.15 + 0.05 * ripple, 0.35 + 0.07 * ripple, 0.75 + 0.08 * ripple], -1)
    elif material == "leaves":  # a pile of green and yellow leaves
        colour = np.zeros((IMG, IMG, 3)) + np.array([0.25, 0.45, 0.15])
        for _ in range(30):
            cy, cx = rng.uniform(SURFACE, IMG), rng.uniform(0, IMG)
            leaf = ((xx - cx) / 2.5) ** 2 + ((yy - cy) / 1.5) ** 2 < 1
            colour[leaf] = rng.choice([[0.2, 0.6, 0.15], [0.6, 0.6, 0.1], [0.45, 0.3, 0.1]])
    else:  # cloth: a red and purple weave
        weave = ((xx.astype(int) // 2 + yy.astype(int) // 2) % 2).astype(float)
        colour = np.stack([0.65 + 0.1 * weave, 0.15 + 0.05 * weave, 0.35 + 0.15 * weave], -1)
    img[s] = colour[s]
    return img


def _draw(material: str, background: np.ndarray, x, y, speed, rng: np.random.Generator) -> np.ndarray:
    """(N_VIDEO, IMG, IMG, 3) uint8 frames: the surface reacting, and the stick on top."""
    yy, xx = np.mgrid[0:IMG, 0:IMG].astype(float)
    frames = np.repeat(background[None], N_VIDEO, axis=0)  # (N_VIDEO, IMG, IMG, 3)
    below = yy >= SURFACE
    lasts = {"water": 8, "metal": 2, "cloth": 4, "leaves": 5, "wood": 1}[material]  # frames a reaction shows
    last_hit, hit_x, jumps = None, 0.0, []
    for t in range(N_VIDEO):
        if speed[t] > 0 and (t == 0 or speed[t - 1] == 0 or material == "water"):
            last_hit, hit_x = t, x[t]
        if last_hit is None or t - last_hit >= lasts:
            continue  # nothing reacts in this frame
        age, img = t - last_hit, frames[t]  # img is a view: the reaction is drawn in place
        d = np.hypot(xx - hit_x, (yy - SURFACE) * 2)
        if material == "water":  # an expanding ring
            ring = np.exp(-((d - 3 * age - 1) / 1.2) ** 2) * (1 - age / 8) * below
            img += ring[..., None] * np.array([0.5, 0.5, 0.3])
        elif material == "metal":  # a flash where it was struck
            img += (np.exp(-(d / 4) ** 2) * below)[..., None] * (0.6 if age == 0 else 0.3)
        elif material == "cloth":  # a dent that relaxes
            img *= 1 - (0.35 * (1 - age / 4) * np.exp(-(d / 4) ** 2) * below)[..., None]
        elif material == "leaves":  # leaves fly up
            if age == 0:
                jumps = [(hit_x + rng.normal(0, 4), rng.uniform(2, 5)) for _ in range(int(rng.integers(3, 7)))]
            for jx, jv in jumps:
                jy = SURFACE - jv * age + 0.8 * age ** 2
                leaf = ((xx - jx) / 2) ** 2 + ((yy - jy) / 1.2) ** 2 < 1
                img[leaf] = [0.6, 0.55, 0.1]
        else:  # wood: a brief shadow
            img *= 1 - (0.2 * np.exp(-(d / 3) ** 2) * below)[..., None]
    # the drumstick, in every frame at once: a dark line from the top right corner to its tip
    ax, ay, bx, by = x[:, None, None], y[:, None, None], IMG + 4.0, -4.0  # tips (T, 1, 1), a point beyond the corner
    k = np.clip(((xx - ax) * (bx - ax) + (yy - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2), 0, 1)
    stick = np.hypot(xx - ax - k * (bx - ax), yy - ay - k * (by - ay)) < 1.2  # (T, IMG, IMG) near the segment
    frames[stick] = [0.25, 0.15, 0.08]
    frames += rng.normal(0, 0.02, size=frames.shape)  # camera noise
    return (np.clip(frames, 0, 1) * 255).astype(np.uint8)


def make_clip(spec: ClipSpec) -> Clip:
    """The silent frames and the true sound of one clip; the same spec gives the same clip."""
    rng = np.random.default_rng(spec.seed)
    x, y, speed = _events(spec.action, rng)
    frames = _draw(spec.material, _surface(spec.material, rng), x, y, speed, rng)
    audio = np.zeros(N_SAMPLES)
    per_frame = N_SAMPLES // N_VIDEO
    if spec.action == "hit":
        for t in np.nonzero(speed)[0]:
            start = t * per_frame + int(rng.integers(0, per_frame // 2))
            audio[start:] += _impact(spec.material, speed[t], rng, N_SAMPLES - start)
    else:
        env = np.interp(np.arange(N_SAMPLES), (np.arange(N_VIDEO) + 0.5) * per_frame, speed)
        env = np.convolve(env, np.hanning(321) / np.hanning(321).sum(), mode="same")  # no clicks at the ends
        audio += _scratch(spec.material, env, rng)
    audio += rng.normal(0, 1e-3, N_SAMPLES)  # room noise
    return Clip(frames, (0.5 * audio).astype(np.float32), speed > 0, spec)


# ---- subband envelopes and their inversion -------------------------------------------------------
def _stft(x: np.ndarray) -> np.ndarray:
    """(..., N_SAMPLES) sounds → (..., F, N_STEPS + 1) their STFTs."""
    from scipy.signal import stft

    return stft(x, fs=RATE, window="hann", nperseg=NPERSEG, noverlap=NPERSEG - HOP)[2]


def _istft(Z: np.ndarray) -> np.ndarray:
    """(..., F, N_STEPS + 1) STFTs → (..., N_SAMPLES) sounds."""
    from scipy.signal import istft

    return istft(Z, fs=RATE, window="hann", nperseg=NPERSEG, noverlap=NPERSEG - HOP)[1][..., :N_SAMPLES]


def _band_of_bin() -> np.ndarray:
    """(F,) band index of each STFT bin, -1 outside the bands."""
    freqs = np.fft.rfftfreq(NPERSEG, 1 / RATE)
    band = np.searchsorted(BAND_EDGES, freqs, side="right") - 1
    return np.where((band >= 0) & (band < N_BANDS), band, -1)


def _band_amplitudes(Z: np.ndarray) -> np.ndarray:
    """(..., steps, N_BANDS) root energy of each band in each STFT column of (..., F, steps) ``Z``."""
    band = _band_of_bin()
    power = np.abs(Z) ** 2  # (..., F, S)
    return np.sqrt(np.stack([power[..., band == b, :].sum(axis=-2) for b in range(N_BANDS)], axis=-1))


def envelopes(x: np.ndarray) -> np.ndarray:
    """(..., N_STEPS, N_BANDS) float32 subband envelopes of (..., N_SAMPLES) sounds, compressed (amplitude ** 0.3)."""
    return (_band_amplitudes(_stft(np.asarray(x, np.float64)))[..., :N_STEPS, :] ** COMPRESS).astype(np.float32)


def invert(env: np.ndarray, seed, iterations: int = 8) -> np.ndarray:
    """Parametric synthesis: white noise shaped, band by band and step by step, to ``env``.

    (..., N_STEPS, N_BANDS) compressed envelopes → (..., N_SAMPLES) float32, with one noise seed per
    sound (an int for one sound, a list for many: each sound is the same as when inverted alone). Each
    pass scales every band of every STFT column to the target amplitude and resynthesises; a few passes
    make the overlapping windows agree.
    """
    target = np.maximum(np.asarray(env, np.float64), 0) ** (1 / COMPRESS)  # undo the compression
    target = np.concatenate([target, target[..., -1:, :]], axis=-2)  # the STFT has one column more than steps
    band = _band_of_bin()
    seeds = np.asarray(seed)
    y = np.reshape([np.random.default_rng(s).normal(size=N_SAMPLES) for s in seeds.ravel()], seeds.shape + (-1,))
    for _ in range(iterations):
        Z = _stft(y)  # (..., F, S)
        now = _band_amplitudes(Z)  # (..., S, N_BANDS)
        gain = np.swapaxes(target / np.maximum(now, 1e-9), -1, -2)  # (..., N_BANDS, S)
        Z = np.where(band[:, None] >= 0, Z * gain[..., np.maximum(band, 0), :], 0)
        y = _istft(Z)
    return y.astype(np.float32)


# ---- the model -----------------------------------------------------------------------------------
class SoundNet(nn.Module):
    """Frames (B, T, 6, IMG, IMG) → envelopes (B, T, STEPS, N_BANDS): a CNN per frame, an LSTM over time.

    The paper's recurrent net has LSTM units. torch runs nn.LSTM's training as one fused oneDNN call per
    batch, where nn.GRU's backward is unrolled step by step: with a GRU the training took about 1 s longer
    here (5.5 s against 4.5 s) and scored the same (bench/sound.py --seeds 0,1,2,3,4)."""

    def __init__(self, channels: int = 16, hidden: int = 64):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(6, channels, 3, stride=2, padding=1), nn.ReLU(),  # 16×16 (5×5 scored no better)
            nn.Conv2d(channels, 2 * channels, 3, stride=2, padding=1), nn.ReLU(),  # 8×8
            nn.Conv2d(2 * channels, 2 * channels, 3, stride=2, padding=1), nn.ReLU(),  # 4×4
            nn.Flatten(), nn.Linear(2 * channels * 16, hidden), nn.ReLU())
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, STEPS * N_BANDS)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        B, T = video.shape[:2]
        x_t = self.cnn(video.reshape(B * T, *video.shape[2:])).view(B, T, -1)  # (B, T, hidden) per frame
        h_t, _ = self.lstm(x_t)  # (B, T, hidden): what has happened so far
        return self.out(h_t).view(B, T, STEPS, N_BANDS)


def video_input(frames: np.ndarray) -> torch.Tensor:
    """(..., T, IMG, IMG, 3) uint8 frames → (..., T, 6, IMG, IMG) float32: each RGB frame and its change
    since the previous frame.

    Written into one tensor in place: for the 280 training and held-out clips this takes 0.11 s, where
    converting clip by clip and stacking took 0.35 s on a quiet machine and 0.9 s under load (fresh
    memory for each clip's intermediates). Its memory holds each pixel's six numbers side by side
    ("channels last"): oneDNN's convolutions then skip their layout conversions, and a training step
    takes about 12.5 ms instead of 15 here (``bench/sound.py --seeds 0,1,2 --layout contiguous`` against
    the default times whole trainings); the numbers are the same, only their order in memory differs.
    """
    u8 = torch.from_numpy(np.ascontiguousarray(frames))
    out = torch.empty(*u8.shape[:-1], 6).movedim(-1, -3)  # (..., T, 6, H, W), channels last in memory
    f, diff = out[..., :3, :, :], out[..., 3:, :, :]
    f.copy_(u8.movedim(-1, -3)).div_(255.0)  # (..., T, 3, H, W)
    diff[..., 0, :, :, :].zero_()
    torch.sub(f[..., 1:, :, :, :], f[..., :-1, :, :, :], out=diff[..., 1:, :, :, :]).mul_(4.0)
    f.sub_(0.5)
    return out


@dataclass(frozen=True)
class VisConfig:
    """What decides a training (the cache key)."""

    seed: int = 0
    per_class: int = 20  # training clips per (material, action): 200 in all
    held_out_per_class: int = 8  # 80 held-out clips, drawn with another seed
    channels: int = 8  # CNN feature maps in the first layer (twice that after); 16 scored the same at 1.3x the CPU
    hidden: int = 64  # per-frame feature size and LSTM units
    epochs: int = 12  # 11 or fewer lost held-out quality
    lr: float = 6e-3  # the LSTM's; 3e-3 and 4e-3 scored lower from predicted sounds
    batch: int = 8  # more, smaller steps: 16 needed 14 epochs for the same held-out scores


def specs(per_class: int, seed: int) -> tuple[ClipSpec, ...]:
    rng = np.random.default_rng(seed)
    return tuple(ClipSpec(m, a, int(rng.integers(2**31)))
                 for _ in range(per_class) for m in MATERIALS for a in ACTIONS)


def summary(env: np.ndarray) -> np.ndarray:
    """(…, 3·N_BANDS) what a simple material classifier sees of a sound: each band's mean, peak and spread."""
    return np.concatenate([env.mean(axis=-2), env.max(axis=-2), env.std(axis=-2)], axis=-1)


@dataclass(frozen=True)
class VisRecord:
    """A trained video-to-sound model and what the lesson shows. Read-only: shared by the class."""

    cfg: VisConfig
    net: SoundNet  # eval mode
    train_specs: tuple
    train_env: np.ndarray  # (N_train, N_STEPS, N_BANDS)
    test_specs: tuple
    test_env: np.ndarray  # (N_test, N_STEPS, N_BANDS) true
    pred_env: np.ndarray  # (N_test, N_STEPS, N_BANDS) predicted from the silent frames
    retrieved: np.ndarray  # (N_test,) index of the nearest training sound
    losses: np.ndarray
    mse: float  # held-out envelope error of the predictions
    mse_mean: float  # … of predicting the training mean envelope every step
    acc_true: float  # material classifier on the true held-out sounds
    acc_pred: float  # … on the parametric sounds made from predicted envelopes
    acc_retrieved: float  # … on the retrieved training sounds
    chance: float
    seconds: float


def retrieve(train_env: np.ndarray, env: np.ndarray) -> int:
    """Index of the training sound whose envelopes are nearest (squared distance) to ``env``."""
    return int(((train_env - env[None]) ** 2).sum(axis=(1, 2)).argmin())


def train(cfg: VisConfig = VisConfig(), on_step: OnStep | None = None) -> VisRecord:
    """Make the clips, train CNN + LSTM to predict each frame's envelopes, evaluate on held-out clips."""
    t0 = time.perf_counter()
    train_specs = specs(cfg.per_class, cfg.seed)
    test_specs = specs(cfg.held_out_per_class, cfg.seed + 104729)
    n_train, total = len(train_specs), len(train_specs) + cfg.epochs
    # Each clip draws from its own generator, so making them on two threads gives the same clips: the
    # training clips first (numpy lets both cores draw), then the held-out clips and the material
    # classifier while the network trains.
    with helper_threads(2, "vis-clips") as pool:
        clips = []
        for clip in pool.map(make_clip, train_specs):
            clips.append(clip)
            report(on_step, len(clips), total)
        video = video_input(np.stack([c.frames for c in clips]))  # (N, T, 6, IMG, IMG)
        train_env = np.stack([envelopes(c.audio) for c in clips])  # (N, N_STEPS, N_BANDS)
        y_train = np.array([MATERIALS.index(s.material) for s in train_specs])
        held_out = pool.submit(_held_out, test_specs, train_env, y_train)
        mu, sd = train_env.mean(axis=(0, 1)), train_env.std(axis=(0, 1)) + 1e-6
        target = torch.from_numpy(((train_env - mu) / sd).reshape(n_train, N_VIDEO, STEPS, N_BANDS)
                                  .astype(np.float32))
        net, losses = _fit(cfg, video, target, on_step, total)
        test_frames, test_env, clf = held_out.result()
        with torch.no_grad():
            pred = net(video_input(test_frames)).numpy().reshape(-1, N_STEPS, N_BANDS) * sd + mu
        pred = np.maximum(pred, 0).astype(np.float32)
        seeds = [s.seed for s in test_specs]  # each sound the same as when the page inverts it alone
        parametric = envelopes(np.concatenate([invert(pred[i: i + 8], seed=seeds[i: i + 8])  # 8 at a time: in cache
                                               for i in range(0, len(pred), 8)]))

    y_test = np.array([MATERIALS.index(s.material) for s in test_specs])
    retrieved = np.array([retrieve(train_env, p) for p in pred])
    return VisRecord(
        cfg, net, train_specs, train_env, test_specs, test_env, pred, retrieved, np.array(losses),
        mse=float(((pred - test_env) ** 2).mean()),
        mse_mean=float(((train_env.mean(axis=(0, 1)) - test_env) ** 2).mean()),
        acc_true=float((clf.predict(summary(test_env)) == y_test).mean()),
        acc_pred=float((clf.predict(summary(parametric)) == y_test).mean()),
        acc_retrieved=float((y_train[retrieved] == y_test).mean()),
        chance=1.0 / len(MATERIALS), seconds=time.perf_counter() - t0)


def _held_out(test_specs, train_env: np.ndarray, y_train: np.ndarray):
    """The held-out clips' frames and true envelopes, and the material classifier fitted on the training
    sounds (a simple reference listener: logistic regression on each band's mean, peak and spread)."""
    from sklearn.linear_model import LogisticRegression

    clips = [make_clip(s) for s in test_specs]
    clf = LogisticRegression(max_iter=3000).fit(summary(train_env), y_train)
    return np.stack([c.frames for c in clips]), np.stack([envelopes(c.audio) for c in clips]), clf


def _fit(cfg: VisConfig, video: torch.Tensor, target: torch.Tensor, on_step, total: int):
    """Train CNN + LSTM on (video, target) from the config's seeds; the network comes back in eval mode."""
    n_train = len(video)

    init = torch.Generator().manual_seed(cfg.seed + 1)
    net = SoundNet(cfg.channels, cfg.hidden)
    with torch.no_grad():  # initialise from our own generator
        for p in net.parameters():
            fan_in = int(np.prod(p.shape[1:])) if p.dim() > 1 else p.shape[0]
            p.uniform_(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), generator=init)
    gen = torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    losses = []
    for epoch in range(cfg.epochs):
        order = torch.randperm(n_train, generator=gen)
        total_loss = 0.0
        for b in range(0, n_train, cfg.batch):
            idx = order[b: b + cfg.batch]
            loss = F.mse_loss(net(video[idx]), target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total_loss += float(loss.detach()) * len(idx)
        losses.append(total_loss / n_train)
        report(on_step, n_train + epoch + 1, total)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net, losses


def predict(rec: VisRecord, frames: np.ndarray) -> np.ndarray:
    """(N_STEPS, N_BANDS) envelopes the trained model predicts for one silent clip's frames."""
    mu_sd = rec.train_env.mean(axis=(0, 1)), rec.train_env.std(axis=(0, 1)) + 1e-6
    with torch.no_grad():
        out = rec.net(video_input(frames)[None]).numpy().reshape(N_STEPS, N_BANDS)
    return np.maximum(out * mu_sd[1] + mu_sd[0], 0).astype(np.float32)


def listening_test(n: int, n_clips: int, seed: int) -> tuple[tuple[int, int], ...]:
    """``n`` trials of "which one is real?": (held-out clip index, position 0/1 of the real sound)."""
    rng = np.random.default_rng(seed)
    clips = rng.choice(n_clips, size=min(n, n_clips), replace=False)
    return tuple((int(c), int(rng.integers(2))) for c in clips)


def score(answers, trials) -> tuple[int, int]:
    """(right, answered): answers are positions 0/1 (None = not answered yet)."""
    given = [(a, real) for a, (_, real) in zip(answers, trials) if a is not None]
    return sum(a == real for a, real in given), len(given)


def _rise(loudness: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A loudness curve as floats, its quietest value and its range (0 for a flat curve)."""
    loudness = np.asarray(loudness, float)
    return loudness, float(loudness.min()), float(loudness.max() - loudness.min())


def loud_span(loudness: np.ndarray, share: float = 0.5) -> tuple[int, int] | None:
    """The first and last envelope step where a clip's loudness is above its quietest by ``share`` of its range:
    when a long sound (a scratch) is on. None for a flat curve."""
    loudness, low, span = _rise(loudness)
    if span <= 0:
        return None
    on = np.flatnonzero(loudness > low + share * span)
    return int(on[0]), int(on[-1])


def loudness_peaks(loudness: np.ndarray, share: float = 0.25) -> np.ndarray:
    """The envelope steps where a clip's loudness (envelopes summed over bands) peaks: hits, as a listener
    would count them. A peak must stand out of its surroundings by ``share`` of the curve's range
    (scipy's ``find_peaks`` prominence)."""
    from scipy.signal import find_peaks

    loudness, _, span = _rise(loudness)
    if span <= 0:
        return np.zeros(0, int)
    return find_peaks(loudness, prominence=share * span)[0]
