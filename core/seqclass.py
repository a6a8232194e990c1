"""Sequence classification over time, the pattern of emotion-from-audio (Anand, 2015), on
synthetic signals.

The signals are made up by this module (honestly synthetic, not recordings): a pitch contour that
rises, falls, or rises then falls, drawn as spectrogram-like frames (one column of F frequency
bins per time frame) with noise. Because the start pitch is random, a single frame says little
about the class: the change over time does. A GRU reads the frames one at a time and a softmax after
every frame gives P(class | frames so far), so a page can show the decision forming.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OnStep = Callable[[int, int], None]

CLASSES = ("rising", "falling", "rise then fall")
N_FREQ = 24  # frequency bins per frame (n_x)
N_FRAMES = 40  # frames per signal


def contour(label: int, rng: np.random.Generator, n_frames: int = N_FRAMES) -> np.ndarray:
    """(n_frames,) pitch in frequency-bin units for one class, with a random start and slope.

    "Rise then fall" climbs at the same rates as "rising", so the two look alike until the turn.
    """
    t = np.arange(n_frames, dtype=float)
    delta = rng.uniform(6.0, 11.0)  # how far a rising or falling pitch moves over the signal
    slope = delta / (n_frames - 1)  # bins per frame
    if label == 0:  # rising
        p0 = rng.uniform(2.0, N_FREQ - 3.0 - delta)
        return p0 + slope * t
    if label == 1:  # falling
        p0 = rng.uniform(2.0 + delta, N_FREQ - 3.0)
        return p0 - slope * t
    turn = rng.uniform(0.4, 0.7) * (n_frames - 1)  # rise then fall: the turn comes somewhere in the middle
    p0 = rng.uniform(2.0 + 0.2 * delta, N_FREQ - 3.0 - 0.7 * delta)
    return p0 + slope * np.where(t < turn, t, 2 * turn - t)


def spectrogram(pitch: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """(T, N_FREQ) float32 frames: a band of energy at the pitch of each frame, plus noise."""
    bins = np.arange(N_FREQ)
    frames = np.exp(-0.5 * ((bins[None, :] - pitch[:, None]) / 0.9) ** 2)
    frames += noise * rng.normal(size=frames.shape)
    return frames.astype(np.float32)


@dataclass(frozen=True)
class SignalData:
    """Frames (N, T, N_FREQ), labels (N,), and the pitch contours (N, T) they were drawn from."""

    frames: np.ndarray
    labels: np.ndarray
    pitch: np.ndarray


def make_dataset(n: int, seed: int, noise: float = 0.35) -> SignalData:
    """``n`` signals, classes balanced in turn; the same seed gives the same signals."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(CLASSES)
    rng.shuffle(labels)
    pitch = np.stack([contour(int(c), rng) for c in labels]) if n else np.zeros((0, N_FRAMES))
    frames = np.stack([spectrogram(p, rng, noise) for p in pitch]) if n else np.zeros((0, N_FRAMES, N_FREQ))
    return SignalData(frames.astype(np.float32), labels, pitch)


def make_signal(label: int, seed: int, noise: float = 0.35) -> SignalData:
    """One signal of a chosen class (a "draw another" button changes the seed)."""
    rng = np.random.default_rng(seed)
    pitch = contour(label, rng)
    return SignalData(spectrogram(pitch, rng, noise)[None], np.array([label]), pitch[None])


class FrameClassifier(nn.Module):
    """A GRU over the frames; a linear layer + softmax after every frame: P(class | x_1..x_t)."""

    def __init__(self, hidden_size: int = 32):
        super().__init__()
        self.gru = nn.GRU(N_FREQ, hidden_size, batch_first=True)
        self.W_hy = nn.Linear(hidden_size, len(CLASSES))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """frames (B, T, N_FREQ) → logits (B, T, classes), one set per frame."""
        hidden, _ = self.gru(frames)
        return self.W_hy(hidden)


@dataclass(frozen=True)
class SeqClassConfig:
    """Everything that decides a training run. Equal configs give identical runs."""

    n_train: int = 1500  # generated training signals
    n_heldout: int = 600  # generated held-out signals (another seed)
    noise: float = 0.35  # std of the noise added to every bin (the band's peak is 1)
    hidden_size: int = 32
    steps: int = 300  # training steps
    batch_size: int = 64
    lr: float = 5e-3  # Adam
    seed: int = 0


@dataclass(frozen=True)
class SeqClassRun:
    """What training leaves for the page; ``model`` is shared and read-only (eval mode)."""

    config: SeqClassConfig
    loss: np.ndarray  # (S,) training cross-entropy, averaged over every frame
    heldout: SignalData
    heldout_probs: np.ndarray  # (N, T, classes): P(class | frames so far) for every held-out signal
    model: FrameClassifier = field(repr=False, compare=False)

    @property
    def accuracy_by_frame(self) -> np.ndarray:
        """(T,): held-out accuracy if the decision were taken after frame t."""
        return (self.heldout_probs.argmax(-1) == self.heldout.labels[:, None]).mean(axis=0)

    @property
    def accuracy(self) -> float:
        """Held-out accuracy after the last frame."""
        return float(self.accuracy_by_frame[-1])

    def confusion(self) -> np.ndarray:
        """(classes, classes): rows true class, columns the class chosen after the last frame."""
        K = len(CLASSES)
        pred = self.heldout_probs[:, -1].argmax(-1)
        return np.bincount(self.heldout.labels * K + pred, minlength=K * K).reshape(K, K)


def frame_probs(model: FrameClassifier, frames: np.ndarray) -> np.ndarray:
    """(N, T, classes) softmax after every frame of frames (N, T, N_FREQ)."""
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(frames, dtype=torch.float32)), dim=-1).numpy()


def train(cfg: SeqClassConfig, on_step: OnStep | None = None) -> SeqClassRun:
    """Train with the loss at every frame, so each frame's softmax is the best guess so far."""
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    data = make_dataset(cfg.n_train, cfg.seed, cfg.noise)
    held = make_dataset(cfg.n_heldout, 10_000 + cfg.seed, cfg.noise)
    x, y = torch.from_numpy(data.frames), torch.from_numpy(data.labels).long()
    model = FrameClassifier(cfg.hidden_size)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(cfg.seed)
    losses = []
    for step in range(1, cfg.steps + 1):
        idx = torch.randint(0, cfg.n_train, (cfg.batch_size,), generator=gen)
        logits = model(x[idx])  # (B, T, K)
        targets = y[idx, None].expand(-1, logits.shape[1])  # the same label at every frame
        loss = F.cross_entropy(logits.reshape(-1, len(CLASSES)), targets.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step, cfg.steps)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # shared by every session: read-only from here on
    return SeqClassRun(cfg, np.array(losses), held, frame_probs(model, held.frames), model)


def chance_loss() -> float:
    """Cross-entropy of guessing uniformly: ln(number of classes)."""
    return math.log(len(CLASSES))
