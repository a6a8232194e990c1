"""An encoder–decoder (seq2seq) GRU, as on the slides: the context C is the encoder's final hidden state.

The encoder reads x^[1..n_x] and keeps its final hidden state as the fixed-length context vector C.
The decoder is a conditional language model p(y^[t] | C; y^[1..t-1]) = f(y^[t-1], g^[t], C): its
hidden state starts at g^[0] = C, and C is fed again at every step, both into the GRU (concatenated
with the previous token's embedding) and into the output layer, as in the lecture's figure
(Cho et al., 2014). The attention variant (Bahdanau et al., 2015) replaces the fixed C in each step
by c_t = Σ_i α_ti h_i, a mix of *all* encoder states, weighted by how well each matches g^[t-1].

Training returns a ``TrainedSeq2Seq``: the model (eval mode, shared read-only by the lesson's
scenes in ui/seq2seq.py), its data, and the record of loss and held-out exact match. What pages get
are frozen dataclasses of arrays (``Record``, ``Encoding``, ``Decoding``, ``TeacherForcing`` …), never
the model. Every decode function runs under ``no_grad``. All randomness of a training (data split,
initial weights, batches, teacher-forcing coins) comes from generators seeded by ``cfg.seed``: the same
config gives the same model bit for bit, whatever other trainings run at the same time.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.common import beam as beam_lib
from core.common.pca import Projection, pca_2d
from core.common.runtime import OnStep, report
from core.seq2seq.data import BOS_ID, EOS_ID, MAX_INPUT_CHARS, PAD_ID, SPECIALS, UNK_ID, Dataset, make_dataset

CLIP_NORM = 1.0


@dataclass(frozen=True)
class Seq2SeqConfig:
    """Everything that decides a training run. Equal configs give identical models and numbers."""

    task: str = "dates"  # see core.seq2seq.data.TASKS
    n_train: int = 6000  # distinct training items (dates, numbers, strings)
    n_test: int = 500  # held-out items, never trained on
    hidden_size: int = 64  # size of h_t, g_t and so of the context C
    embed_size: int = 32  # character embeddings (encoder and decoder each have their own)
    steps: int = 400  # at most this many mini-batch updates (training stops at the target first)
    batch_size: int = 128
    lr: float = 0.015  # Adam, decayed to 10 % along a cosine over `steps`
    teacher_forcing: float = 1.0  # probability of feeding the true previous token while training
    attention: bool = False  # Bahdanau attention over all encoder states instead of a fixed C
    max_train_len: int = 0  # >0: train only on inputs with at most this many characters
    reverse_len: tuple[int, int] = (3, 12)  # string lengths of the reverse/sort baselines
    seed: int = 0  # data split, initial weights, batch order, teacher-forcing coins
    eval_every: int = 25  # steps between validation exact-match checks
    n_val: int = 300  # training items set aside to decide when to stop (never the held-out ones)
    target: float = 0.99  # stop once validation exact match reaches this (0: run every step)
    bucket: bool = False  # batches of similar input lengths: less padding for the encoder to run over


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


class Seq2Seq(nn.Module):
    """GRU encoder → context C → GRU decoder fed [embed(y^[t-1]); C] and read out from [g_t; embed; C]."""

    def __init__(self, n_src: int, n_tgt: int, embed_size: int, hidden_size: int, attention: bool = False):
        super().__init__()
        E, H = embed_size, hidden_size
        self.attention = attention
        self.src_embed = nn.Embedding(n_src, E, padding_idx=PAD_ID)
        self.encoder = nn.GRU(E, H, batch_first=True)
        self.tgt_embed = nn.Embedding(n_tgt, E, padding_idx=PAD_ID)
        self.decoder = nn.GRU(E + H, H, batch_first=True)
        self.out = nn.Linear(H + E + H, n_tgt)  # f(y^[t-1], g^[t], C)
        if attention:  # e_ti = v_a · tanh(W_a g^[t-1] + U_a h_i)
            self.W_a = nn.Linear(H, H, bias=False)
            self.U_a = nn.Linear(H, H)
            self.v_a = nn.Linear(H, 1, bias=False)

    def encode(self, x: torch.Tensor, n_x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Read padded inputs x (B, T) of true lengths n_x (B,); return all h_t (B, T, H) and C (B, H).

        Padding sits after each input, so h at position n_x − 1 is exactly the state after the last
        real character: C, the final hidden state of that input.
        """
        states, _ = self.encoder(self.src_embed(x))  # (B, T, H)
        context = states[torch.arange(x.shape[0]), n_x - 1]  # (B, H)
        return states, context

    def attend(self, g_prev: torch.Tensor, states: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor):
        """Bahdanau weights α (B, T) over encoder states and their mix c_t (B, H)."""
        scores = self.v_a(torch.tanh(self.W_a(g_prev)[:, None, :] + keys)).squeeze(-1)  # (B, T)
        alpha = torch.softmax(scores.masked_fill(~mask, -1e9), dim=-1)
        return alpha, torch.bmm(alpha[:, None, :], states).squeeze(1)

    def step(self, prev: torch.Tensor, state: tuple):
        """One decoder tick: previous tokens (K,) and state → log-probs (K, V), new state, α or None.

        The state is (g, C) for the plain model and (g, C, states, keys, mask) with attention;
        every part has one row per hypothesis, so beam search can reorder it.
        """
        g, context = state[0], state[1]
        emb = self.tgt_embed(prev)  # (K, E)
        alpha = None
        if self.attention:
            states, keys, mask = state[2], state[3], state[4]
            alpha, c_t = self.attend(g, states, keys, mask)
        else:
            c_t = context  # the same C at every step: the bottleneck
        dec = self.decoder  # one tick of the same GRU (torch.gru_cell: what nn.GRU computes per step)
        g_new = torch.gru_cell(torch.cat([emb, c_t], -1), g, dec.weight_ih_l0, dec.weight_hh_l0,
                               dec.bias_ih_l0, dec.bias_hh_l0)  # (K, H)
        logits = self.out(torch.cat([g_new, emb, c_t], -1))
        return F.log_softmax(logits, -1), (g_new, *state[1:]), alpha

    def initial_state(self, states: torch.Tensor, context: torch.Tensor, n_x: torch.Tensor) -> tuple:
        """g^[0] = C; the attention model also carries the encoder states it looks at."""
        if not self.attention:
            return (context, context)
        mask = torch.arange(states.shape[1])[None, :] < n_x[:, None]
        return (context, context, states, self.U_a(states), mask)

    def forward_teacher(self, x, n_x, y_in, tf_ratio: float = 1.0, gen: torch.Generator | None = None):
        """Training pass: logits (B, n_y, V). With probability 1 − tf_ratio a step is fed the model's own guess."""
        states, context = self.encode(x, n_x)
        if tf_ratio >= 1.0 and not self.attention:  # all steps at once: [embed(y^[t-1]); C] for every t
            emb = self.tgt_embed(y_in)  # (B, n_y, E)
            C = context[:, None, :].expand(-1, y_in.shape[1], -1)
            g, _ = self.decoder(torch.cat([emb, C], -1), context[None].contiguous())
            return self.out(torch.cat([g, emb, C], -1))
        state = self.initial_state(states, context, n_x)
        prev = y_in[:, 0]
        logits = []
        for t in range(y_in.shape[1]):
            log_probs, state, _ = self.step(prev, state)
            logits.append(log_probs)
            if t + 1 < y_in.shape[1]:
                truth = y_in[:, t + 1]
                if tf_ratio >= 1.0:
                    prev = truth
                else:
                    own = log_probs.argmax(-1).detach()
                    use_truth = torch.rand(truth.shape, generator=gen) < tf_ratio
                    prev = torch.where(use_truth, truth, own)
        return torch.stack(logits, 1)


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def pad(seqs: list[list[int]], value: int = PAD_ID) -> torch.Tensor:
    T = max(len(s) for s in seqs)
    return torch.tensor([s + [value] * (T - len(s)) for s in seqs], dtype=torch.long)


def encode_sources(data: Dataset, sources: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded source ids (B, T) and their lengths n_x (B,); empty strings are not allowed."""
    ids = [data.src.encode(s) for s in sources]
    return pad(ids), torch.tensor([len(s) for s in ids])


def make_batch(data: Dataset, examples) -> tuple[torch.Tensor, ...]:
    x, n_x = encode_sources(data, [e.source for e in examples])
    y = [data.tgt.encode(e.target) for e in examples]
    y_in = pad([[BOS_ID] + s for s in y])  # the decoder reads <bos> y1 … y_{n_y}
    y_out = pad([s + [EOS_ID] for s in y])  # and must write y1 … y_{n_y} <eos>
    return x, n_x, y_in, y_out


class Batches:
    """Every training example encoded once; ``take(rows)`` gives what ``make_batch`` would for those rows
    (padded to the batch's own longest input and output), without encoding text at every step."""

    def __init__(self, data: Dataset, examples):
        self.x, self.n_x, self.y_in, self.y_out = make_batch(data, examples)
        self.n_y = torch.tensor([len(e.target) + 1 for e in examples])  # decoder steps, <eos> included

    def take(self, rows: list[int]) -> tuple[torch.Tensor, ...]:
        idx = torch.tensor(rows)
        n_x, T_y = self.n_x[idx], int(self.n_y[idx].max())
        return self.x[idx, : int(n_x.max())], n_x, self.y_in[idx, :T_y], self.y_out[idx, :T_y]


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def init_weights(model: Seq2Seq, gen: torch.Generator) -> Seq2Seq:
    """PyTorch's own default initialisation, drawn from ``gen`` instead of the global RNG.

    Embeddings N(0, 1) with the <pad> row zero; GRU weights U(−1/√H, 1/√H); linear layers
    U(−1/√fan_in, 1/√fan_in) (what kaiming_uniform(a=√5) gives), biases alike.
    """
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, generator=gen)
                if module.padding_idx is not None:
                    module.weight[module.padding_idx].zero_()
            elif isinstance(module, nn.GRU):
                bound = 1 / math.sqrt(module.hidden_size)
                for p in module.parameters():
                    nn.init.uniform_(p, -bound, bound, generator=gen)
            elif isinstance(module, nn.Linear):
                bound = 1 / math.sqrt(module.in_features)
                nn.init.uniform_(module.weight, -bound, bound, generator=gen)
                if module.bias is not None:
                    nn.init.uniform_(module.bias, -bound, bound, generator=gen)
    return model


def build_model(data: Dataset, cfg: Seq2SeqConfig, gen: torch.Generator) -> Seq2Seq:
    """A fresh model whose weights come only from ``gen`` (built on the meta device: no global RNG draw)."""
    with torch.device("meta"):
        model = Seq2Seq(len(data.src), len(data.tgt), cfg.embed_size, cfg.hidden_size, cfg.attention)
    return init_weights(model.to_empty(device="cpu"), gen)


@dataclass(frozen=True)
class Record:
    """What a page shows about a training: the curves and the sizes, no model."""

    task: str
    loss: np.ndarray  # (steps run,) mean cross-entropy per target token, nats
    eval_steps: np.ndarray  # (k,) steps at which exact match was measured
    exact_match: np.ndarray  # (k,) validation exact match at those steps (training stops at its target)
    held_out: float  # final held-out exact match (greedy), on items never trained or validated on
    seconds: float  # wall-clock training time
    steps_run: int  # ≤ cfg.steps: training stops once validation exact match reaches the target
    examples_seen: int
    n_train: int  # training examples of the task
    n_train_used: int  # of those, the ones short enough (max_train_len)
    n_test: int
    src_itos: tuple[str, ...]  # input vocabulary (specials first)
    tgt_itos: tuple[str, ...]  # output vocabulary
    max_target: int  # longest output n_y: the decoding limit
    sample: tuple[tuple[str, str, str], ...]  # a few held-out (x, y, greedy output)


@dataclass(frozen=True)
class TrainedSeq2Seq:
    """A trained model (eval mode, no gradients: share it read-only), its data and its record."""

    cfg: Seq2SeqConfig
    data: Dataset
    model: Seq2Seq
    record: Record

    @property
    def final_exact_match(self) -> float:
        return self.record.held_out


def train_examples(data: Dataset, cfg: Seq2SeqConfig):
    if cfg.max_train_len > 0:
        return tuple(e for e in data.train if len(e.source) <= cfg.max_train_len)
    return data.train


def epoch_batches(examples, batch_size: int, bucket: bool, gen: torch.Generator) -> list[list[int]]:
    """One pass over the examples in random batches (the last, incomplete one dropped).

    With ``bucket``, each pool of 16 batches is sorted by input length before it is cut, so a batch
    holds inputs of similar length; the batches themselves come in random order.
    """
    order = torch.randperm(len(examples), generator=gen).tolist()
    if bucket:
        pool = 16 * batch_size
        order = [i for k in range(0, len(order), pool)
                 for i in sorted(order[k : k + pool], key=lambda i: len(examples[i].source))]
    batches = [order[k : k + batch_size] for k in range(0, len(order) - batch_size + 1, batch_size)]
    shuffled = torch.randperm(len(batches), generator=gen).tolist()
    return [batches[i] for i in shuffled]


def lr_at(step: int, cfg: Seq2SeqConfig) -> float:
    """Cosine decay from lr to lr/10 over the run."""
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / max(cfg.steps, 1))))


def train(cfg: Seq2SeqConfig, on_step: OnStep | None = None, data: Dataset | None = None) -> TrainedSeq2Seq:
    """Train encoder and decoder jointly on the task's training split; measure held-out exact match.

    Every ``eval_every`` steps the greedy exact match is measured on a validation split (the last
    ``n_val`` training items, not trained on); training stops once it reaches ``cfg.target``. The
    held-out split is only measured at the end.
    """
    gen = torch.Generator().manual_seed(cfg.seed)  # initial weights, batch order, teacher-forcing coins
    data = data or make_dataset(cfg.task, cfg.n_train, cfg.n_test, cfg.seed, cfg.reverse_len)
    examples = train_examples(data, cfg)
    n_val = min(cfg.n_val, len(examples) // 5)
    examples, val = examples[: len(examples) - n_val], examples[len(examples) - n_val :]
    if not examples:
        raise ValueError("no training example is that short")
    model = build_model(data, cfg, gen)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, fused=True)  # one kernel for all parameters
    losses, eval_steps, exact = [], [], []
    t0 = time.perf_counter()
    encoded = Batches(data, examples)
    batches: list[list[int]] = []
    seen = 0
    for step in range(1, cfg.steps + 1):
        if not batches:
            batches = epoch_batches(examples, cfg.batch_size, cfg.bucket, gen)
        batch = batches.pop()
        x, n_x, y_in, y_out = encoded.take(batch)
        model.train()
        logits = model.forward_teacher(x, n_x, y_in, cfg.teacher_forcing, gen)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y_out.reshape(-1), ignore_index=PAD_ID)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        opt.step()
        losses.append(float(loss.detach()))
        seen += len(batch)
        report(on_step, step, cfg.steps)
        if val and (step % cfg.eval_every == 0 or step == cfg.steps):
            model.eval()
            eval_steps.append(step)
            exact.append(exact_match(model, data, val))
            if cfg.target and exact[-1] >= cfg.target:
                break
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # shared read-only from here on
    seconds = time.perf_counter() - t0
    sample = data.test[:8]
    outputs = greedy_batch(model, data, [e.source for e in sample])
    record = Record(
        cfg.task, np.array(losses), np.array(eval_steps), np.array(exact), exact_match(model, data, data.test),
        seconds, len(losses), seen, len(data.train), len(examples), len(data.test), data.src.itos, data.tgt.itos,
        data.max_target, tuple((e.source, e.target, o) for e, o in zip(sample, outputs)),
    )
    return TrainedSeq2Seq(cfg, data, model, _frozen(record))


def _frozen(result):
    """Lock the numpy arrays of a result that every student shares: changing one fails loudly."""
    for value in vars(result).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return result


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


@torch.no_grad()
def greedy_batch(model: Seq2Seq, data: Dataset, sources: list[str], max_len: int | None = None) -> list[str]:
    """Greedy decoding of many inputs at once (for accuracy), stopping each at its <eos>."""
    max_len = max_len or data.max_target + 1
    x, n_x = encode_sources(data, sources)
    states, C = model.encode(x, n_x)
    state = model.initial_state(states, C, n_x)
    prev = torch.full((len(sources),), BOS_ID)
    out, ended = [], torch.zeros(len(sources), dtype=torch.bool)
    for _ in range(max_len):
        log_probs, state, _ = model.step(prev, state)
        prev = log_probs.argmax(-1)
        out.append(prev)
        ended |= prev == EOS_ID
        if bool(ended.all()):  # every output is complete: more steps would only follow <eos>
            break
    ids = torch.stack(out, 1).tolist()
    return [data.tgt.decode(row) for row in ids]


def exact_match(model: Seq2Seq, data: Dataset, examples, batch: int = 500) -> float:
    """Fraction of examples whose greedy output equals the target exactly."""
    hits = 0
    for i in range(0, len(examples), batch):
        chunk = examples[i : i + batch]
        outs = greedy_batch(model, data, [e.source for e in chunk])
        hits += sum(o == e.target for o, e in zip(outs, chunk))
    return hits / max(len(examples), 1)


@dataclass(frozen=True)
class Encoding:
    """The encoder at work on one input x: its tokens, every h_t, and the context C."""

    tokens: tuple[str, ...]  # n_x source characters as the model sees them (<unk> for unseen ones)
    ids: np.ndarray  # (n_x,)
    states: np.ndarray  # (n_x, H) h_t after each character
    C: np.ndarray  # (H,) C = h_{n_x}
    unknown: tuple[str, ...]  # characters of the input that the model never saw


class InputError(ValueError):
    """An input the model can't read; the message says why, for a student."""


def check_input(data: Dataset, text: str | None) -> str:
    """Return the text if the encoder can read it, else raise InputError (unseen characters are allowed: <unk>)."""
    if text is None or not text.strip():
        raise InputError("The input is empty. Type something like the examples shown.")
    longest = max(len(e.source) for e in data.train)
    limit = max(MAX_INPUT_CHARS, longest)
    if len(text) > limit:
        raise InputError(
            f"The input has {len(text)} characters; this model was trained on inputs of at most "
            f"{longest} and reads at most {limit}."
        )
    return text


@torch.no_grad()
def encode(tm: TrainedSeq2Seq, x: str) -> Encoding:
    """Run the encoder over one input; C is its final hidden state."""
    data = tm.data
    check_input(data, x)
    ids_t, n_x = encode_sources(data, [x])
    states, C = tm.model.encode(ids_t, n_x)
    ids = ids_t[0].numpy()
    tokens = tuple(data.src.token(i) if i != UNK_ID else "<unk>" for i in ids)
    return _frozen(Encoding(tokens, ids, states[0].numpy().copy(), C[0].numpy().copy(),
                            tuple(data.src.unknown_chars(x))))


@dataclass(frozen=True)
class Decoding:
    """A decoder run, step by step: what went in, the softmax, what came out."""

    prev_tokens: tuple[str, ...]  # the token fed at each step (<bos> first)
    tokens: tuple[str, ...]  # the token chosen at each step (ends with <eos> if reached)
    probs: np.ndarray  # (n_y, V) softmax over target tokens at each step
    text: str  # the output without specials
    log_prob: float  # sum of log p of the chosen tokens
    forced_step: int  # -1 if nothing was forced
    attention: np.ndarray | None  # (n_y, n_x) attention weights, attention model only


def _state_for(tm: TrainedSeq2Seq, x: str | None, C: np.ndarray | None):
    model, data = tm.model, tm.data
    if C is not None:
        if model.attention:
            raise ValueError("an attention decoder needs the encoder states, not only C")
        C_t = torch.tensor(np.array(C, dtype=np.float32))[None]
        return (C_t, C_t)
    ids, n_x = encode_sources(data, [check_input(data, x)])
    states, C_t = model.encode(ids, n_x)
    return model.initial_state(states, C_t, n_x)


@torch.no_grad()
def decode(
    tm: TrainedSeq2Seq,
    x: str | None = None,
    C: np.ndarray | None = None,
    teacher: str | None = None,
    force: tuple[int, str] | None = None,
    max_len: int | None = None,
) -> Decoding:
    """Greedy decoding of one input x (or of an arbitrary context C), step by step.

    ``teacher`` feeds the true previous token at every step (teacher forcing) instead of the model's
    own choice; ``force=(k, token)`` makes step k output ``token`` and lets the decoder continue.
    """
    model, data = tm.model, tm.data
    max_len = max_len or data.max_target + 1
    state = _state_for(tm, x, C)
    teacher_ids = data.tgt.encode(teacher) + [EOS_ID] if teacher is not None else None
    if teacher_ids is not None:
        max_len = len(teacher_ids)
    prev = torch.tensor([BOS_ID])
    prev_tokens, tokens, probs, alphas = [], [], [], []
    total = 0.0
    for t in range(max_len):
        log_probs, state, alpha = model.step(prev, state)
        chosen = int(log_probs[0].argmax())
        if force is not None and t == force[0]:
            chosen = data.tgt.stoi.get(force[1], UNK_ID)
        prev_tokens.append(data.tgt.token(int(prev[0])))
        tokens.append(data.tgt.token(chosen))
        probs.append(log_probs[0].exp().numpy())
        if alpha is not None:
            alphas.append(alpha[0].numpy())
        total += float(log_probs[0, chosen])
        fed = teacher_ids[t] if teacher_ids is not None else chosen
        if teacher_ids is None and chosen == EOS_ID:
            break
        prev = torch.tensor([fed])
    text_out = "".join(t for t in tokens if t not in SPECIALS)
    return _frozen(Decoding(
        tuple(prev_tokens), tuple(tokens), np.array(probs), text_out, total,
        force[0] if force is not None else -1, np.array(alphas) if alphas else None,
    ))


def _p_of(run: Decoding, ids: list[int]) -> np.ndarray:
    """P(ids[t]) at each step t of a run; NaN where the run had already ended."""
    return np.array([run.probs[t, j] if t < len(run.probs) else np.nan for t, j in enumerate(ids)])


@dataclass(frozen=True)
class TeacherForcing:
    """P(the correct token y^[t]) at each output step, fed the true previous tokens or the model's own."""

    y_tokens: tuple[str, ...]  # the correct output's tokens, <eos> last
    fed_teacher: tuple[str, ...]  # what teacher forcing feeds at each step: <bos>, y^[1], …
    fed_free: tuple[str, ...]  # what free running fed (shorter if it ended early)
    p_teacher: np.ndarray  # (n_y + 1,)
    p_free: np.ndarray  # (n_y + 1,) NaN after free running ended


def teacher_forcing(tm: TrainedSeq2Seq, x: str, y: str) -> TeacherForcing:
    """Decode x twice, teacher-forced with y and free running, and read P(y^[t]) off both."""
    forced, free = decode(tm, x, teacher=y), decode(tm, x)
    ids = tm.data.tgt.encode(y) + [EOS_ID]
    return _frozen(TeacherForcing(tuple(tm.data.tgt.token(i) for i in ids), forced.prev_tokens, free.prev_tokens,
                                  _p_of(forced, ids), _p_of(free, ids)))


@dataclass(frozen=True)
class Dependence:
    """Fed the same previous tokens (the output y of x), how likely is each y^[t] with C(x) and with another C."""

    y_tokens: tuple[str, ...]  # x's greedy output, <eos> last
    p_own: np.ndarray  # (n_y + 1,) with C(x)
    p_moved: np.ndarray  # (n_y + 1,) with the moved C


def dependence_on_C(tm: TrainedSeq2Seq, x: str, C_moved: np.ndarray) -> Dependence:
    """How much each step of x's output reads from C: same tokens fed, only C changed."""
    free = decode(tm, x)
    ids = tm.data.tgt.encode(free.text) + [EOS_ID]
    own = decode(tm, C=encode(tm, x).C, teacher=free.text)
    moved = decode(tm, C=C_moved, teacher=free.text)
    return _frozen(Dependence(tuple(tm.data.tgt.token(i) for i in ids), _p_of(own, ids), _p_of(moved, ids)))


def step_fn(model: Seq2Seq):
    """The decoder as core.common.beam wants it: (prev_tokens, state) → (log_probs, new_state)."""

    def step(prev, state):
        log_probs, new_state, _ = model.step(prev, state)
        return log_probs, new_state

    return step


@torch.no_grad()
def beam(tm: TrainedSeq2Seq, x: str, width: int, max_len: int | None = None) -> beam_lib.BeamResult:
    """Beam search over the decoder (core.common.beam); width 1 is greedy decoding."""
    state = _state_for(tm, x, None)
    return beam_lib.beam_search(step_fn(tm.model), state, BOS_ID, EOS_ID, width, max_len or tm.data.max_target + 1)


def best_path(result: beam_lib.BeamResult) -> list[int]:
    """Indices of the beam-tree nodes that spell the best hypothesis, last node first."""
    if not result.hypotheses:
        return []
    tokens, score = result.hypotheses[0]
    for i, node in enumerate(result.nodes):  # its last node: <eos>, or the last token if cut at max_len
        if abs(node.score - score) < 1e-6 and node.step in (len(tokens), len(tokens) - 1):
            path, j = [], i
            while j >= 0:
                path.append(j)
                j = result.nodes[j].parent
            if [result.nodes[p].token for p in reversed(path)][: len(tokens)] == tokens:
                return path
    return []


@dataclass(frozen=True)
class BeamSearch:
    """A beam search on one input, as plain data: the finished outputs and the tree it explored."""

    width: int
    outputs: tuple[str, ...]  # best first
    log_probs: np.ndarray  # (k,) their total log p
    greedy: str  # greedy decoding, for comparison
    greedy_log_prob: float
    step: np.ndarray  # (nodes,) 0-based output step of each node of the tree
    parent: np.ndarray  # (nodes,) index of its parent node, −1 for the root
    token: tuple[str, ...]  # (nodes,)
    score: np.ndarray  # (nodes,) total log p so far
    kept: np.ndarray  # (nodes,) bool: still in the beam after that step
    best_path: tuple[int, ...]  # nodes spelling the best output, last first


def beam_search(tm: TrainedSeq2Seq, x: str, width: int) -> BeamSearch:
    res = beam(tm, x, width)
    free = decode(tm, x)
    n = res.nodes
    return _frozen(BeamSearch(
        width, tuple(tm.data.tgt.decode(h) for h, _ in res.hypotheses), np.array([s for _, s in res.hypotheses]),
        free.text, free.log_prob, np.array([b.step for b in n], dtype=int), np.array([b.parent for b in n], dtype=int),
        tuple(tm.data.tgt.token(b.token) for b in n), np.array([b.score for b in n]),
        np.array([b.kept for b in n], dtype=bool), tuple(best_path(res)),
    ))


@dataclass(frozen=True)
class SearchScore:
    """Held-out exact match of greedy decoding and of beam searches, on the same inputs."""

    n: int  # held-out inputs used
    greedy: float
    widths: tuple[int, ...]
    beam: tuple[float, ...]  # exact match per width
    beam_beats_greedy_logp: tuple[int, ...]  # inputs where the beam's output is more probable than greedy's
    beam_below_greedy_logp: tuple[int, ...]  # and less probable (a correct beam search never is… unless pruned)


def search_scores(tm: TrainedSeq2Seq, widths: tuple[int, ...] = (1, 3, 5), n: int = 200) -> SearchScore:
    """Greedy against beam search on the first ``n`` held-out inputs: exact match, and which output is more probable."""
    examples = tm.data.test[:n]
    greedy = [decode(tm, e.source) for e in examples]
    g_hits = sum(d.text == e.target for d, e in zip(greedy, examples))
    beam_em, better, worse = [], [], []
    for w in widths:
        hits = up = down = 0
        for d, e in zip(greedy, examples):
            tokens, score = beam(tm, e.source, w).hypotheses[0]
            hits += tm.data.tgt.decode(tokens) == e.target
            up += score > d.log_prob + 1e-5
            down += score < d.log_prob - 1e-5
        beam_em.append(hits / len(examples))
        better.append(up)
        worse.append(down)
    return SearchScore(len(examples), g_hits / len(examples), tuple(widths), tuple(beam_em), tuple(better), tuple(worse))


@torch.no_grad()
def contexts(tm: TrainedSeq2Seq, sources: list[str]) -> np.ndarray:
    """C for many inputs at once, (N, H)."""
    ids, n_x = encode_sources(tm.data, sources)
    return tm.model.encode(ids, n_x)[1].numpy().copy()


@dataclass(frozen=True)
class Interpolation:
    alphas: np.ndarray  # (k,) 0 = input A, 1 = input B
    Cs: np.ndarray  # (k, H) C(α) = (1 − α) C_A + α C_B
    outputs: tuple[str, ...]  # greedy decoding from each C(α)


def interpolate(tm: TrainedSeq2Seq, x_a: str, x_b: str, n: int = 11) -> Interpolation:
    """Decode from points on the straight line between the contexts of two inputs."""
    C_a, C_b = encode(tm, x_a).C, encode(tm, x_b).C
    alphas = np.linspace(0.0, 1.0, n)
    Cs = (1 - alphas[:, None]) * C_a[None] + alphas[:, None] * C_b[None]
    return _frozen(Interpolation(alphas, Cs, tuple(decode(tm, C=C).text for C in Cs)))


@dataclass(frozen=True)
class ContextMap:
    """C of many held-out inputs in 2D, with the properties that can colour them."""

    projection: Projection
    sources: tuple[str, ...]
    properties: dict  # name → (N,) array; the first one shows the most structure


def context_map(tm: TrainedSeq2Seq, n: int = 300) -> ContextMap:
    from core.seq2seq.data import properties

    examples = tm.data.test[:n]
    proj = _frozen(pca_2d(contexts(tm, [e.source for e in examples])))
    props = {k: np.asarray(v, dtype=float) for k, v in properties(tm.cfg.task, examples).items()}
    for v in props.values():
        v.flags.writeable = False
    return ContextMap(proj, tuple(e.source for e in examples), props)


def property_fit(cmap: ContextMap, name: str) -> float:
    """R² of a least-squares plane over the map's two axes predicting the property: how much of it the map shows."""
    y = cmap.properties[name]
    X = np.column_stack([cmap.projection.points, np.ones(len(y))])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    total = float(((y - y.mean()) ** 2).sum())
    return 0.0 if total == 0 else 1.0 - float(((y - X @ coef) ** 2).sum()) / total


def bottleneck_config(attention: bool, seed: int = 0, max_train_len: int = 8) -> Seq2SeqConfig:
    """The bottleneck experiment: reverse letter strings of length 3–12, training only on the shorter ones.

    Reversal needs every input character in the output, so all of it must pass through C (or attention).
    Both models get the same budget: 200 steps of 64, a C of 48 numbers.
    """
    return Seq2SeqConfig(
        task="reverse", reverse_len=(3, 12), max_train_len=max_train_len, hidden_size=48, embed_size=32, steps=200,
        batch_size=64, lr=0.02, n_train=4000, n_test=600, attention=attention, seed=seed, n_val=0, target=0.0,
    )


@dataclass(frozen=True)
class LengthCurve:
    lengths: np.ndarray  # (L,) input lengths n_x
    exact_match: np.ndarray  # (L,) held-out exact match at that length
    counts: np.ndarray  # (L,) held-out examples of that length


def accuracy_by_length(tm: TrainedSeq2Seq) -> LengthCurve:
    """Held-out exact match grouped by input length n_x."""
    by_len: dict[int, list] = {}
    for e in tm.data.test:
        by_len.setdefault(len(e.source), []).append(e)
    lengths = sorted(by_len)
    acc = [exact_match(tm.model, tm.data, by_len[n]) for n in lengths]
    return _frozen(LengthCurve(np.array(lengths), np.array(acc), np.array([len(by_len[n]) for n in lengths])))
