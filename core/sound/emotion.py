"""Emotion from speech over time (Anand, 2015): a small CNN + LSTM over log-mel frames, as in the paper.

The clips are acted by eSpeak NG (``speech.py``): each style is prosody, not felt emotion. A causal
CNN looks at a few neighbouring frames (never future ones), an LSTM carries what it has heard so far,
and a softmax after every frame gives P(style | frames so far), so a page can show the decision
forming and what happens when the clip is cut short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.common.runtime import OnStep, helper_threads, report
from core.sound import features, speech

CLASSES = speech.STYLES
# The convolutions' weights, and so their outputs, keep each position's channels side by side in memory:
# oneDNN runs a training step about a fifth faster so (bench/sound.py --seeds … --layout contiguous).
MEMORY_FORMAT = torch.channels_last


@dataclass(frozen=True)
class EmotionConfig:
    """What decides a training (the cache key). Defaults train in a few seconds on 2 cores."""

    seed: int = 0
    repeats: int = 2  # each (training sentence, style) is spoken this many times, by random training speakers
    channels: int = 8  # CNN feature maps
    hidden: int = 32  # LSTM units
    epochs: int = 16  # ~100 Adam steps
    lr: float = 6e-3  # over seeds 0–9 as good as a GRU at 12 epochs and 3e-3, and 0.8 s faster (bench/sound.py)
    batch: int = 32


@dataclass(frozen=True)
class Corpus:
    """Log-mel frames of acted clips (ragged: one (T_i, N_MELS) array each) and what was acted."""

    frames: tuple  # of (T_i, N_MELS) float32
    labels: np.ndarray  # (N,) style index
    speakers: tuple
    texts: tuple


def make_corpus(sentences, speakers, repeats: int, seed: int, every_speaker: bool = False,
                on_clip=None) -> Corpus:
    """Every sentence in every style, ``repeats`` times, each by a speaker drawn from ``speakers``
    (or, with ``every_speaker``, by each of them)."""
    rng = np.random.default_rng(seed)
    frames, labels, who, texts = [], [], [], []
    voices = [speakers] if every_speaker else [None] * repeats
    jobs = [(t, c, v) for vs in voices for t in sentences for c in range(len(CLASSES))
            for v in (vs if vs is not None else [None])]
    for i, (text, c, speaker) in enumerate(jobs):
        if speaker is None:
            speaker = speakers[int(rng.integers(len(speakers)))]
        clip = speech.act(text, CLASSES[c], speaker, seed=int(rng.integers(2**31)))
        frames.append(features.log_mel(clip.audio, speech.SAMPLE_RATE))
        labels.append(c)
        who.append(speaker)
        texts.append(text)
        if on_clip is not None:
            on_clip(i + 1, len(jobs))
    return Corpus(tuple(frames), np.array(labels), tuple(who), tuple(texts))


class EmotionNet(nn.Module):
    """Frames (B, T, N_MELS) → logits (B, T, C): causal CNN per frame neighbourhood, then an LSTM.

    Anand's recurrent layers are LSTMs. torch also trains nn.LSTM as one fused oneDNN call per batch, where
    nn.GRU's backward is unrolled step by step."""

    def __init__(self, n_mels: int, n_classes: int, channels: int = 8, hidden: int = 32):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, kernel_size=3)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3)
        self.lstm = nn.LSTM(channels * (n_mels // 4), hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.unsqueeze(1)  # (B, 1, T, M)
        for conv in (self.conv1, self.conv2):
            h = F.pad(h, (1, 1, 2, 0))  # pad 2 past frames, none future: frame t never sees t+1
            h = F.max_pool2d(F.relu(conv(h)), kernel_size=(1, 2))  # halve the mel axis, keep time
        B, C, T, M = h.shape
        h = h.permute(0, 2, 1, 3).reshape(B, T, C * M)  # (B, T, C·M/4): one vector per frame
        h_t, _ = self.lstm(h)  # (B, T, H): what the net has heard up to each frame
        return self.out(h_t)  # (B, T, C)


def _pad(frames, mean, std) -> tuple[torch.Tensor, torch.Tensor]:
    """Standardised frames zero-padded to the longest clip (B, T, M), and the lengths (B,)."""
    lengths = torch.tensor([len(f) for f in frames])
    x = torch.zeros(len(frames), int(lengths.max()), frames[0].shape[1])
    for i, f in enumerate(frames):
        x[i, : len(f)] = torch.from_numpy((f - mean) / std)
    return x, lengths


@dataclass(frozen=True)
class EmotionRecord:
    """A trained classifier and what the lesson shows about it. Read-only: shared by the class."""

    cfg: EmotionConfig
    net: EmotionNet  # eval mode; use ``probabilities``, never train it further
    mean: np.ndarray  # (N_MELS,) training-frame mean and std, for standardising
    std: np.ndarray
    losses: np.ndarray  # (epochs,) mean per-frame cross-entropy
    test_probs: tuple  # held-out clips' (T_i, C) per-frame probabilities
    test_labels: np.ndarray
    test_texts: tuple
    test_speakers: tuple
    accuracy: float  # held-out accuracy after all frames
    accuracy_at: dict  # {0.25: …, 0.5: …, 1.0: …} accuracy after that fraction of each clip
    order_blind: float  # held-out accuracy of logistic regression on time-averaged frames
    chance: float
    seconds: float
    n_train: int


def probabilities(rec: EmotionRecord, frames: np.ndarray) -> np.ndarray:
    """(T, C) P(style | frames 1..t) for one clip's log-mel frames (T, N_MELS)."""
    x, _ = _pad([frames], rec.mean, rec.std)
    with torch.no_grad():
        return torch.softmax(rec.net(x)[0], dim=-1).numpy()


def _accuracy_at(probs, labels, fraction: float) -> float:
    """Accuracy when each clip is cut after ``fraction`` of its frames."""
    picks = [p[max(1, int(np.ceil(fraction * len(p)))) - 1].argmax() for p in probs]
    return float(np.mean(np.array(picks) == labels))


def accuracy_curve(rec: EmotionRecord, fractions) -> np.ndarray:
    """Held-out accuracy when every clip is cut after each fraction of its frames."""
    return np.array([_accuracy_at(rec.test_probs, rec.test_labels, q) for q in fractions])


def train(cfg: EmotionConfig = EmotionConfig(), on_step: OnStep | None = None) -> EmotionRecord:
    """Speak the corpus, then train the CNN + LSTM on every frame's label; evaluate on held-out clips."""
    t0 = time.perf_counter()
    n_train_clips = cfg.repeats * len(speech.TRAIN_SENTENCES) * len(CLASSES)
    total = n_train_clips + cfg.epochs
    train_set = make_corpus(speech.TRAIN_SENTENCES, speech.TRAIN_SPEAKERS, cfg.repeats, cfg.seed,
                            on_clip=lambda i, n: report(on_step, i, total))
    # The held-out clips are spoken on a helper thread while the network trains (the synthesiser takes
    # one caller at a time, and its own generator gives each clip).
    with helper_threads(1, "emotion-held-out") as pool:
        held_out = pool.submit(make_corpus, speech.HELD_OUT_SENTENCES, speech.HELD_OUT_SPEAKERS, 1,
                               cfg.seed + 7919, every_speaker=True)
        net, losses, mean, std = _fit(cfg, train_set, on_step, total)
        test_set = held_out.result()

    probe = EmotionRecord(cfg, net, mean, std, np.array(losses), (), np.zeros(0), (), (), 0.0, {}, 0.0, 0.0, 0.0, 0)
    test_probs = tuple(probabilities(probe, f) for f in test_set.frames)
    acc_at = {q: _accuracy_at(test_probs, test_set.labels, q) for q in (0.25, 0.5, 1.0)}

    from sklearn.linear_model import LogisticRegression

    def averaged(frames):
        return np.stack([((f - mean) / std).mean(axis=0) for f in frames])

    blind = LogisticRegression(max_iter=2000).fit(averaged(train_set.frames), train_set.labels)
    order_blind = float((blind.predict(averaged(test_set.frames)) == test_set.labels).mean())
    return EmotionRecord(cfg, net, mean, std, np.array(losses), test_probs, test_set.labels, test_set.texts,
                         test_set.speakers, acc_at[1.0], acc_at, order_blind, 1.0 / len(CLASSES),
                         time.perf_counter() - t0, len(train_set.labels))


def _fit(cfg: EmotionConfig, train_set: Corpus, on_step, total: int):
    """Train the CNN + LSTM on every training frame's label from the config's seeds: (net in eval mode,
    losses per epoch, and the frames' mean and std it standardises with)."""
    n_train_clips = len(train_set.labels)
    all_frames = np.concatenate(train_set.frames)
    mean, std = all_frames.mean(axis=0), all_frames.std(axis=0) + 1e-5

    gen = torch.Generator().manual_seed(cfg.seed)
    torch_init = torch.Generator().manual_seed(cfg.seed + 1)
    net = EmotionNet(features.N_MELS, len(CLASSES), cfg.channels, cfg.hidden)
    with torch.no_grad():  # initialise from our own generator (never the global one)
        for p in net.parameters():
            bound = 1.0 / np.sqrt(p.shape[-1] if p.dim() > 1 else p.shape[0])
            p.uniform_(-bound, bound, generator=torch_init)
    net = net.to(memory_format=MEMORY_FORMAT)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    x_all, len_all = _pad(train_set.frames, mean, std)
    y_all = torch.from_numpy(train_set.labels)
    losses = []
    for epoch in range(cfg.epochs):
        order = torch.randperm(len(y_all), generator=gen)
        epoch_loss = 0.0
        for b in range(0, len(order), cfg.batch):
            idx = order[b: b + cfg.batch]
            T = int(len_all[idx].max())
            x, lengths, y = x_all[idx, :T], len_all[idx], y_all[idx]
            logits = net(x)  # (B, T, C)
            mask = (torch.arange(T)[None, :] < lengths[:, None]).float()  # (B, T) real frames
            ce = F.cross_entropy(logits.reshape(-1, len(CLASSES)), y.repeat_interleave(T), reduction="none")
            loss = (ce.view(len(idx), T) * mask).sum() / mask.sum()  # every frame is asked for the style
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_loss += float(loss.detach()) * len(idx)
        losses.append(epoch_loss / len(y_all))
        report(on_step, n_train_clips + epoch + 1, total)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net, losses, mean, std
