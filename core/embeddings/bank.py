"""A small word-level GRU language model whose input layer is frozen GloVe: the lecture's "warm start".

x_t = GloVe[word_t] (frozen, 50d) → GRU → h_t (H) → softmax over the next word. The point of the
lesson: GloVe gives "bank" one vector in every sentence, while h_t at "bank" depends on the words
before it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.embeddings import Embeddings

UNK = "<unk>"


@dataclass(frozen=True)
class ContextLMConfig:
    """Settings of the GRU LM; the defaults train in well under a minute on this CPU."""

    corpus: str = "wiki+lee"
    vocab_size: int = 5000  # most frequent corpus words that GloVe knows; the rest are <unk>
    hidden_size: int = 64  # H, the size of h_t
    seq_len: int = 24  # words per training window (truncated BPTT)
    batch_size: int = 32
    steps: int = 300
    lr: float = 0.01
    seed: int = 0


@dataclass(frozen=True)
class ContextLM:
    """A trained model (read-only: shared by every session) and its training record."""

    cfg: ContextLMConfig
    itos: tuple[str, ...]  # index 0 is <unk>
    stoi: dict
    model: object  # torch module, eval mode
    loss: np.ndarray  # (steps,) training cross-entropy per step
    seconds: float


def build_vocab(sentences, emb: Embeddings, size: int) -> tuple[str, ...]:
    """<unk> plus the `size` most frequent corpus words that have a GloVe vector."""
    counts = Counter(w for s in sentences for w in s if w in emb.stoi)
    return (UNK,) + tuple(w for w, _ in counts.most_common(size))


def make_model(emb: Embeddings, itos, hidden_size: int):
    import torch
    from torch import nn

    class GloveGRU(nn.Module):
        def __init__(self):
            super().__init__()
            W = np.zeros((len(itos), emb.D), np.float32)  # <unk> stays the zero vector
            for i, w in enumerate(itos[1:], start=1):
                W[i] = emb.vectors[emb.stoi[w]]
            self.embed = nn.Embedding.from_pretrained(torch.from_numpy(W), freeze=True)  # frozen GloVe
            self.gru = nn.GRU(emb.D, hidden_size, batch_first=True)
            self.out = nn.Linear(hidden_size, len(itos))

        def forward(self, ids):
            h, _ = self.gru(self.embed(ids))  # (B, T, H): h_t at every position
            return self.out(h), h

    return GloveGRU()


def train(
    cfg: ContextLMConfig, sentences, emb: Embeddings, on_step: Callable[[int, int], None] | None = None
) -> ContextLM:
    """Train the GRU LM on random windows of the corpus with Adam; same seed → same model."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    itos = build_vocab(sentences, emb, cfg.vocab_size)
    stoi = {w: i for i, w in enumerate(itos)}
    stream = np.array([stoi.get(w, 0) for s in sentences for w in s], dtype=np.int64)
    model = make_model(emb, itos, cfg.hidden_size)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)
    losses = []
    t0 = time.perf_counter()
    T = cfg.seq_len
    for step in range(cfg.steps):
        starts = rng.integers(0, len(stream) - T - 1, size=cfg.batch_size)
        batch = np.stack([stream[s:s + T + 1] for s in starts])
        x, y = torch.from_numpy(batch[:, :-1]), torch.from_numpy(batch[:, 1:])
        logits, _ = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(itos)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if on_step:
            on_step(step + 1, cfg.steps)
    model.eval()
    return ContextLM(cfg, itos, stoi, model, np.array(losses), time.perf_counter() - t0)


def tokenize(sentence: str) -> list[str]:
    """Lower-case word tokens, as the corpus was tokenised."""
    from gensim.utils import simple_preprocess

    return simple_preprocess(sentence, min_len=1)


@dataclass(frozen=True)
class ContextStates:
    """h_t at the target word for each sentence, and what the model expects next."""

    sentences: tuple[str, ...]
    found: tuple[bool, ...]  # the target word occurs in the sentence
    hidden: np.ndarray  # (N, H) h_t at the first occurrence of the target (zeros if not found)
    next_words: tuple[tuple[str, ...], ...]  # top-5 next-word predictions at that position
    unknown: tuple[tuple[str, ...], ...]  # words of each sentence outside the model's vocabulary


def hidden_at(lm: ContextLM, sentences: list[str], target: str = "bank") -> ContextStates:
    """Run each sentence through the trained GRU and read h_t where `target` occurs (read-only)."""
    import torch

    H = lm.cfg.hidden_size
    hidden, found, nxt, unk = [], [], [], []
    with torch.no_grad():
        for s in sentences:
            toks = tokenize(s)
            unk.append(tuple(w for w in toks if w not in lm.stoi))
            if target not in toks:
                found.append(False)
                hidden.append(np.zeros(H, np.float32))
                nxt.append(())
                continue
            pos = toks.index(target)
            ids = torch.tensor([[lm.stoi.get(w, 0) for w in toks[: pos + 1]]])
            logits, h = lm.model(ids)
            found.append(True)
            hidden.append(h[0, pos].numpy().copy())
            top = torch.topk(logits[0, pos], 6).indices.tolist()
            nxt.append(tuple(lm.itos[i] for i in top if i != 0)[:5])
    return ContextStates(tuple(sentences), tuple(found), np.array(hidden), tuple(nxt), tuple(unk))


def pca_2d(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and project rows onto the top two principal directions; (N, 2) and variance shares (2,)."""
    Xc = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    var = S**2 / max(float((S**2).sum()), 1e-12)
    Y = Xc @ Vt[:2].T
    if Y.shape[1] < 2:
        Y = np.pad(Y, ((0, 0), (0, 2 - Y.shape[1])))
        var = np.pad(var, (0, 2 - len(var)))
    return Y, var[:2]


def sense_separation(X: np.ndarray, senses: list[str]) -> tuple[float, float]:
    """Mean cosine between centred h vectors of the same sense, and of different senses.

    Centring removes what every sentence shares, so the number shows how the states differ.
    """
    X = X - X.mean(axis=0)
    U = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    C = U @ U.T
    same, diff = [], []
    for i in range(len(X)):
        for j in range(i + 1, len(X)):
            (same if senses[i] == senses[j] else diff).append(C[i, j])
    return (float(np.mean(same)) if same else float("nan"), float(np.mean(diff)) if diff else float("nan"))
