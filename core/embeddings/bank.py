"""A small word-level GRU language model whose input layer is GloVe: the lecture's "warm start", and "bank".

x_t = GloVe[word_t] (50d) → GRU → h_t (H) → softmax over the next word. The point of the lesson:
GloVe gives "bank" one vector in every sentence, while h_t at "bank" depends on the words before it.
``warm_start`` trains one small GRU classifier on little labelled text with GloVe inputs (frozen or
fine-tuned) and with random inputs, and records the held-out loss of each as it trains.

All randomness (weights, batches) comes from generators each training owns: the same settings give the
same numbers bit for bit, even while other trainings run in other threads.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from core.common.pca import pca_2d
from core.common.runtime import OnStep, report
from core.embeddings.vectors import Embeddings, WordError

UNK = "<unk>"
INPUTS = ("GloVe, frozen", "GloVe, fine-tuned", "random, trained")  # how the input layer x_t starts


@dataclass(frozen=True)
class ContextLMConfig:
    """Settings of the GRU LM; the defaults train in a few seconds on this CPU (bench/live_embeddings.py)."""

    corpus: str = "wiki+lee"
    vocab_size: int = 2000  # most frequent corpus words that GloVe knows; the rest are <unk>
    hidden_size: int = 64  # H, the size of h_t
    seq_len: int = 16  # words per training window (truncated BPTT)
    batch_size: int = 32
    steps: int = 150  # with lr 0.02 the senses already separate (bench/live_embeddings.py prints both cosines)
    lr: float = 0.02
    seed: int = 0
    inputs: str = "GloVe, frozen"  # one of INPUTS: how the input layer starts, and whether it trains


@dataclass(frozen=True)
class ContextLM:
    """A trained model (read-only: shared by every session) and its training record."""

    cfg: ContextLMConfig
    itos: tuple[str, ...]  # index 0 is <unk>
    stoi: dict
    model: object  # torch module, eval mode
    loss: np.ndarray  # (steps,) training cross-entropy per step
    heldout_steps: np.ndarray  # (E,) steps at which the held-out loss was measured
    heldout: np.ndarray  # (E,) held-out cross-entropy (nats) at those steps
    seconds: float


def build_vocab(sentences, emb: Embeddings, size: int) -> tuple[str, ...]:
    """<unk> plus the `size` most frequent corpus words that have a GloVe vector (ties: first seen first)."""
    counts = Counter(w for s in sentences for w in s if w in emb.stoi)
    return (UNK,) + tuple(w for w, _ in counts.most_common(size))


def make_model(emb: Embeddings, itos, hidden_size: int, generator, inputs: str = "GloVe, frozen"):
    """GloVe (or random) input layer → GRU → linear, every weight drawn from ``generator``.

    The modules are built on the meta device (no weights, so no global RNG), then initialised as
    PyTorch would (uniform ±1/√fan_in), from the training's own generator.
    """
    import torch
    from torch import nn

    if inputs not in INPUTS:
        raise ValueError(f"inputs must be one of {INPUTS}")
    W = np.zeros((len(itos), emb.D), np.float32)  # <unk> stays the zero vector
    for i, w in enumerate(itos[1:], start=1):
        W[i] = emb.vectors[emb.stoi[w]]

    class GloveGRU(nn.Module):
        def __init__(self):
            super().__init__()
            weight = torch.from_numpy(W.copy())
            if inputs.startswith("random"):  # same scale as GloVe, no meaning
                nn.init.normal_(weight, 0.0, float(W[1:].std()), generator=generator)
            self.embed = nn.Embedding.from_pretrained(weight, freeze=inputs == "GloVe, frozen")
            self.gru = nn.GRU(emb.D, hidden_size, batch_first=True, device="meta").to_empty(device="cpu")
            self.out = nn.Linear(hidden_size, len(itos), device="meta").to_empty(device="cpu")
            with torch.no_grad():
                for p in self.gru.parameters():
                    nn.init.uniform_(p, -hidden_size**-0.5, hidden_size**-0.5, generator=generator)
                for p in self.out.parameters():
                    nn.init.uniform_(p, -hidden_size**-0.5, hidden_size**-0.5, generator=generator)

        def forward(self, ids):
            h, _ = self.gru(self.embed(ids))  # (B, T, H): h_t at every position
            return self.out(h), h

    return GloveGRU()


HELDOUT_SHARE = 0.1  # the corpus's last tenth is never trained on
HELDOUT_WINDOWS = 64


def _stream(sentences, stoi) -> np.ndarray:
    return np.array([stoi.get(w, 0) for s in sentences for w in s], dtype=np.int64)


def train(cfg: ContextLMConfig, sentences, emb: Embeddings, on_step: OnStep | None = None,
          eval_every: int = 0) -> ContextLM:
    """Train the GRU LM on random windows of the corpus with Adam; same seed → same model, bit for bit.

    With ``eval_every`` > 0 the held-out loss (on fixed windows of the corpus's last tenth) is measured
    every that-many steps and at the end.
    """
    import torch

    g = torch.Generator().manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    itos = build_vocab(sentences, emb, cfg.vocab_size)
    stoi = {w: i for i, w in enumerate(itos)}
    stream = _stream(sentences, stoi)
    split = int(len(stream) * (1 - HELDOUT_SHARE))
    train_ids, held = stream[:split], stream[split:]
    T = cfg.seq_len
    if len(train_ids) < T + 2 or len(held) < T + 2:
        raise ValueError("the corpus is too short for this window length")
    held_starts = np.random.default_rng(12345).integers(0, len(held) - T - 1, size=HELDOUT_WINDOWS)
    held_batch = torch.from_numpy(np.stack([held[s:s + T + 1] for s in held_starts]))
    model = make_model(emb, itos, cfg.hidden_size, g, cfg.inputs)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    V = len(itos)

    def heldout_loss() -> float:
        with torch.no_grad():
            logits, _ = model(held_batch[:, :-1])
            return float(torch.nn.functional.cross_entropy(logits.reshape(-1, V), held_batch[:, 1:].reshape(-1)))

    losses, ev_steps, ev_loss = [], [], []
    t0 = time.perf_counter()
    for step in range(cfg.steps):
        if eval_every and step % eval_every == 0:
            ev_steps.append(step)
            ev_loss.append(heldout_loss())
        starts = rng.integers(0, len(train_ids) - T - 1, size=cfg.batch_size)
        batch = torch.from_numpy(np.stack([train_ids[s:s + T + 1] for s in starts]))
        logits, _ = model(batch[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        report(on_step, step + 1, cfg.steps)
    if eval_every:
        ev_steps.append(cfg.steps)
        ev_loss.append(heldout_loss())
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # shared by every session from now on
    return ContextLM(cfg, itos, stoi, model, np.array(losses), np.array(ev_steps), np.array(ev_loss),
                     time.perf_counter() - t0)


@dataclass(frozen=True)
class WarmStartConfig:
    """The warm-start experiment: one small GRU classifier, little labelled text, three ways to start its inputs.

    The task: is a passage of ``passage_len`` words from a Wikipedia article or from a news story (the
    Lee corpus)? Only ``train_passages`` passages of each are labelled for training; the held-out
    passages come from other parts of both corpora.
    """

    passage_len: int = 12  # words per passage
    train_passages: int = 64  # per source: little labelled text, where a warm start has most to give
    test_passages: int = 300  # per source, held out
    vocab_size: int = 5000  # most frequent words GloVe knows; the rest are <unk>
    hidden_size: int = 32
    steps: int = 150
    batch_size: int = 16
    lr: float = 0.003
    eval_every: int = 10
    seed: int = 0


@dataclass(frozen=True)
class WarmStart:
    """Held-out loss (and accuracy) against steps for each way of starting the input layer."""

    cfg: WarmStartConfig
    inputs: tuple[str, ...]  # INPUTS
    steps: np.ndarray  # (E,)
    heldout: np.ndarray  # (len(inputs), E) held-out cross-entropy, nats
    accuracy: np.ndarray  # (len(inputs), E) held-out share of passages classified right
    chance: float  # ln 2: the loss of a coin flip
    seconds: float


def _passages(ids: np.ndarray, lo: int, hi: int, n: int, T: int, rng) -> np.ndarray:
    starts = rng.integers(lo, hi - T, size=n)
    return np.stack([ids[s:s + T] for s in starts])  # (n, T)


def warm_start(cfg: WarmStartConfig, wiki, news, emb: Embeddings, on_step: OnStep | None = None) -> WarmStart:
    """Train the same GRU classifier three times (GloVe frozen, GloVe fine-tuned, random inputs) on the same
    passages, recording held-out loss and accuracy every ``eval_every`` steps."""
    import torch
    from torch import nn

    t0 = time.perf_counter()
    itos = build_vocab(list(wiki) + list(news), emb, cfg.vocab_size)
    stoi = {w: i for i, w in enumerate(itos)}
    ids = [_stream(c, stoi) for c in (wiki, news)]
    rng = np.random.default_rng(cfg.seed)
    T = cfg.passage_len
    # Training passages from each corpus's first fifth, held-out ones from its last fifth.
    train_x = np.concatenate([_passages(x, 0, len(x) // 5, cfg.train_passages, T, rng) for x in ids])
    test_x = np.concatenate([_passages(x, len(x) * 4 // 5, len(x), cfg.test_passages, T, rng) for x in ids])
    train_y = np.repeat([0, 1], cfg.train_passages)
    test_y = np.repeat([0, 1], cfg.test_passages)
    train_x, train_y, test_x, test_y = map(torch.from_numpy, (train_x, train_y, test_x, test_y))
    curves, accs, steps = [], [], []
    for k, inputs in enumerate(INPUTS):
        g = torch.Generator().manual_seed(cfg.seed)
        model = make_model(emb, itos, cfg.hidden_size, g, inputs)
        head = nn.Linear(cfg.hidden_size, 2, device="meta").to_empty(device="cpu")
        with torch.no_grad():
            for p in head.parameters():
                nn.init.uniform_(p, -cfg.hidden_size**-0.5, cfg.hidden_size**-0.5, generator=g)
        params = [p for p in [*model.embed.parameters(), *model.gru.parameters(), *head.parameters()]
                  if p.requires_grad]  # the language model's next-word layer is not used here
        opt = torch.optim.Adam(params, lr=cfg.lr)
        batches = np.random.default_rng(cfg.seed + 1)

        def logits_of(x):
            h, _ = model.gru(model.embed(x))  # (B, T, H)
            return head(h[:, -1])  # the state after the whole passage

        loss_k, acc_k, steps = [], [], []
        for step in range(cfg.steps + 1):
            if step % cfg.eval_every == 0 or step == cfg.steps:
                with torch.no_grad():
                    out = logits_of(test_x)
                    loss_k.append(float(nn.functional.cross_entropy(out, test_y)))
                    acc_k.append(float((out.argmax(1) == test_y).float().mean()))
                steps.append(step)
            if step == cfg.steps:
                break
            b = torch.from_numpy(batches.integers(0, len(train_x), size=cfg.batch_size))
            loss = nn.functional.cross_entropy(logits_of(train_x[b]), train_y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            report(on_step, k * cfg.steps + step + 1, len(INPUTS) * cfg.steps)
        curves.append(loss_k)
        accs.append(acc_k)
    return WarmStart(cfg, INPUTS, np.array(steps), np.array(curves), np.array(accs), float(np.log(2)),
                     time.perf_counter() - t0)


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


@dataclass(frozen=True)
class BankStates:
    """The "bank" picture: GloVe's one point among sense words, and the GRU's h_t at "bank" per sentence."""

    sentences: tuple[str, ...]  # sentences that contain the target, money ones first
    senses: tuple[str, ...]  # "money" or "river", per sentence
    missing: tuple[str, ...]  # sentences without the target (left out)
    hidden_xy: np.ndarray  # (N, 2) PCA of the centred h_t
    hidden_var: np.ndarray  # (2,) share of the states' spread each axis keeps
    glove_words: tuple[str, ...]  # the target, then the money and river words GloVe knows
    glove_groups: tuple[str, ...]
    glove_xy: np.ndarray  # (M, 2) PCA of those words' unit GloVe vectors
    same: float  # mean cosine of centred h_t, same sense
    diff: float  # mean cosine of centred h_t, different senses
    next_words: tuple[tuple[str, ...], ...]
    unknown: tuple[tuple[str, ...], ...]
    loss: np.ndarray  # (steps,) the model's training loss
    ln_V: float


def bank_states(lm: ContextLM, emb: Embeddings, money_sentences: list[str], river_sentences: list[str],
                money_words: list[str], river_words: list[str], target: str = "bank") -> BankStates:
    """Read h_t at ``target`` in every sentence, and place it and GloVe's one vector on PCA pictures."""
    senses = ["money"] * len(money_sentences) + ["river"] * len(river_sentences)
    states = hidden_at(lm, list(money_sentences) + list(river_sentences), target)
    keep = np.array(states.found, bool)
    if keep.sum() < 2:
        raise WordError(f"Write at least two sentences that contain the word “{target}”.")
    h = states.hidden[keep]
    kept_senses = [s for s, k in zip(senses, keep) if k]
    same, diff = sense_separation(h, kept_senses)
    gw = [target] + [w for w in list(money_words) + list(river_words) if w in emb.stoi and w != target]
    gg = ["“" + target + "”"] + ["money words" if w in money_words else "river words" for w in gw[1:]]
    hp, gp = pca_2d(h), pca_2d(emb.unit([emb.stoi[w] for w in gw]))
    pick = lambda xs: tuple(x for x, k in zip(xs, keep) if k)  # noqa: E731
    return BankStates(
        sentences=pick(states.sentences), senses=tuple(kept_senses),
        missing=tuple(s for s, k in zip(states.sentences, keep) if not k),
        hidden_xy=hp.points, hidden_var=hp.explained, glove_words=tuple(gw), glove_groups=tuple(gg),
        glove_xy=gp.points, same=same, diff=diff, next_words=pick(states.next_words),
        unknown=pick(states.unknown), loss=lm.loss, ln_V=float(np.log(len(lm.itos))),
    )


def states_notice(st: BankStates) -> str:
    """Whether the GRU's states at "bank" separate by sense, from the two mean cosines."""
    if np.isnan(st.same) or np.isnan(st.diff):
        return "Write sentences of both senses to compare them."
    if st.same > st.diff + 0.1:
        return (f"on the left, “bank” is one star whatever the sentence. On the right, each sentence puts h_t "
                f"somewhere else, and sentences of the same sense sit together (mean cosine {st.same:.2f} within "
                f"a sense against {st.diff:.2f} across senses).")
    return (f"here the states do not separate by sense (mean cosine {st.same:.2f} within a sense against "
            f"{st.diff:.2f} across): the model has not learnt enough yet, or the words before “bank” don't "
            "tell the senses apart. Try more training steps.")


def warm_notice(ws: WarmStart) -> str:
    """Which start reaches the lowest held-out loss, and how far apart they are, from the curves."""
    best_loss = ws.heldout.min(axis=1)  # each start's best point on its curve
    best_acc = ws.accuracy[np.arange(len(ws.inputs)), ws.heldout.argmin(axis=1)]
    rnd = ws.inputs.index("random, trained")
    glove = [i for i in range(len(ws.inputs)) if i != rnd]
    g = min(glove, key=lambda i: best_loss[i])
    lines = "; ".join(f"{name}: {loss:.2f} nats ({acc:.0%} right)"
                      for name, loss, acc in zip(ws.inputs, best_loss, best_acc))
    gap = float(best_loss[rnd] - best_loss[g])
    if gap > 0.05:
        verdict = (f"starting from GloVe ({ws.inputs[g]}) ends {gap:.2f} nats below random inputs: vectors learnt "
                   "from billions of words carry what 2 × "
                   f"{ws.cfg.train_passages} short passages can't teach.")
    elif gap < -0.05:
        verdict = "here the random start does better than GloVe: the warm start did not help on this task."
    else:
        verdict = "here the starts end about level: the warm start made no clear difference."
    return f"Lowest held-out loss of each start: {lines}. {verdict}"
