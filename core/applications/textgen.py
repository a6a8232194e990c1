"""Generating sequences (Graves, 2013): a character-level GRU/LSTM trained on a real corpus, then
sampled with a temperature after a priming text.

The default corpus is English Wikipedia: the shortened dump that ships with gensim's test data
(about 3 million characters of articles, parsed in-process by ``core.common.wiki``); the Lee news
corpus (about 360,000 characters of Australian news) is the other bundled choice. Nothing is
downloaded. A student may upload their own UTF-8 text instead (``check_upload`` says why a file can't
be used). Training reports held-out bits per character against a unigram model (which knows how
often each character occurs, but not what came before it) and against guessing (log₂ V).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.applications.rng import build
from core.common.paths import gensim_test_data
from core.common.runtime import OnStep, report


CORPORA = {"lee": "lee_background.cor"}  # name → file in gensim's test data ("wiki" comes from core.common.wiki)
WIKI_MIN_COUNT = 300  # Wikipedia characters seen fewer times (accents, symbols, other scripts) are left out
MIN_TEMPERATURE = 1e-3  # a positive temperature below this samples as if it were this (no overflow)
MAX_UPLOAD_BYTES = 1_000_000  # 1 MB of text is plenty for a minute of training
MIN_CHARS = 2_000  # fewer characters leave too little to learn from and to hold out
MAX_VOCAB = 200  # distinct characters; more usually means the file isn't text
HELDOUT_FRACTION = 0.1  # the text's last tenth is never trained on
CELLS = ("lstm", "gru")


class CorpusError(ValueError):
    """The text can't be used; the message says why, for a student to read."""


def corpus_path(name: str = "lee") -> str:
    """Where gensim keeps a test corpus (found without importing gensim)."""
    try:
        return gensim_test_data(CORPORA[name])
    except FileNotFoundError:
        raise CorpusError("gensim is not installed, so its corpora are missing. Upload a text instead.") from None


def corpus_text(name: str = "wiki") -> str:
    """The whole text of a bundled corpus: "wiki" (gensim's Wikipedia dump) or "lee" (news)."""
    if name == "wiki":
        return wiki_text()
    with open(corpus_path(name), encoding="utf-8") as f:
        return f.read()


def wiki_text() -> str:
    """The Wikipedia dump's articles as one text, bold/italic quote marks and rare characters left out."""
    from core.common.wiki import article_texts

    text = "\n".join(re.sub(r"'{2,}", "", article) for article in article_texts())  # ''bold'' → bold
    points, counts = np.unique(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), return_counts=True)
    rare = "".join(map(chr, points[counts < WIKI_MIN_COUNT].tolist()))
    return re.sub(f"[{re.escape(rare)}]", "", text) if rare else text


def check_upload(data: bytes | None) -> str:
    """Turn an uploaded file into text, or raise CorpusError with the reason (empty, too big, binary)."""
    if not data:
        raise CorpusError("The file is empty. Upload a plain-text file (.txt) with some prose in it.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise CorpusError(
            f"The file has {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} (1 MB). "
            "Upload a shorter excerpt: a minute of training cannot use more anyway."
        )
    if b"\x00" in data[:100_000]:
        raise CorpusError(
            "This looks like a binary file (it contains zero bytes), not text. Upload a plain-text "
            "file saved as UTF-8 (.txt), not a PDF, Word document, image or archive."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CorpusError(
            f"The file is not valid UTF-8 text (byte {err.start:,} can't be read). Save it as "
            "UTF-8 plain text and upload it again."
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if len(text.strip()) < MIN_CHARS:
        raise CorpusError(
            f"The text has only {len(text.strip()):,} characters; at least {MIN_CHARS:,} are needed "
            "to train on and to hold some out."
        )
    n_chars = len(set(text))
    if n_chars > MAX_VOCAB:
        raise CorpusError(
            f"The text uses {n_chars:,} different characters (the limit is {MAX_VOCAB}); the "
            "one-hot vectors would be too wide. Is it really prose in one language?"
        )
    return text


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


class CharRNN(nn.Module):
    """Characters in, a GRU or LSTM layer, a softmax over the V characters out.

    The slides feed one-hot vectors x_t; multiplying a one-hot x_t by a matrix W_xe just picks row x_t
    of it, so ``W_xe`` is that product done as a lookup (nn.Embedding), without building the one-hot.
    """

    def __init__(self, V: int, hidden_size: int, cell: str = "gru", embed_size: int = 48):
        super().__init__()
        self.V = V
        self.W_xe = nn.Embedding(V, embed_size)  # one-hot x_t times W_xe, as a lookup
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(embed_size, hidden_size, batch_first=True)
        self.W_hy = nn.Linear(hidden_size, V)

    def forward(self, x_ids: torch.Tensor, state=None):
        """x_ids (B, T) → logits (B, T, V), hidden states h_t (B, T, H), last state."""
        hidden, state = self.rnn(self.W_xe(x_ids), state)
        return self.W_hy(hidden), hidden, state


@dataclass(frozen=True)
class CharGenConfig:
    """Everything that decides a training run (besides the text). Equal configs give equal runs."""

    cell: str = "lstm"  # "lstm" (Graves) or "gru"
    hidden_size: int = 128  # units in h_t
    seq_len: int = 32  # characters per training window (truncated backprop through time)
    batch_size: int = 64  # windows per step
    steps: int = 150  # training steps
    lr: float = 3e-2  # Adam's peak rate (one-cycle schedule)
    seed: int = 0
    eval_every: int = 50  # held-out loss every this many steps


@dataclass(frozen=True)
class CharGenRun:
    """What training leaves; ``model`` is shared by every student and read-only (eval mode, no grads)."""

    config: CharGenConfig
    itos: tuple[str, ...]
    n_train_chars: int
    n_heldout_chars: int
    steps: np.ndarray  # (S,) 1..steps
    loss: np.ndarray  # (S,) training cross-entropy (nats) per step
    eval_steps: np.ndarray  # (E,) steps where the held-out loss was measured (0 = untrained)
    heldout_loss: np.ndarray  # (E,) held-out cross-entropy (nats)
    unigram_bits: float  # held-out bits/char of the characters' own frequencies (add-one smoothed)
    words: frozenset[str]  # the training text's words, to tell real words in samples from invented ones
    model: CharRNN = field(repr=False, compare=False)

    @property
    def ln_v(self) -> float:
        """Cross-entropy of guessing uniformly among V characters."""
        return math.log(len(self.itos))

    @property
    def bits_per_char(self) -> float:
        """Final held-out cross-entropy in bits (log base 2) per character."""
        return float(self.heldout_loss[-1] / math.log(2))


def split(text: str) -> tuple[str, str]:
    """The first 90 % to train on, the last 10 % held out (contiguous, so no sentence leaks)."""
    cut = int(len(text) * (1 - HELDOUT_FRACTION))
    return text[:cut], text[cut:]


def encode(text: str, itos: tuple[str, ...]) -> torch.Tensor:
    """Character ids of ``text`` (every character must be in ``itos``), via one lookup table."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    points = np.array([ord(ch) for ch in itos], dtype=np.int64)
    table = np.zeros(int(points.max()) + 1 if len(points) else 1, dtype=np.int64)  # code point → id
    table[points] = np.arange(len(points))
    return torch.from_numpy(table[codes])


def unigram_bits(train_ids: torch.Tensor, held_ids: torch.Tensor, V: int) -> float:
    """Held-out bits/char of a model that knows only how often each character occurs (add-one smoothed)."""
    counts = torch.bincount(train_ids, minlength=V).double() + 1
    return float(-(counts / counts.sum()).log2()[held_ids].mean())


WORD = re.compile(r"[A-Za-z]+")


def real_word_share(samples: list[str], words: frozenset[str]) -> tuple[float, int]:
    """Of the whole words in ``samples`` (letters only; a sample's cut-off last word left out), the share
    that occur in ``words``, and how many words were checked."""
    checked = [w for s in samples for w in WORD.findall(s.rsplit(" ", 1)[0] if " " in s else "")]
    if not checked:
        return 0.0, 0
    return sum(w in words for w in checked) / len(checked), len(checked)


def heldout_loss(model: CharRNN, ids: torch.Tensor, chunk: int = 400, max_chars: int = 20_000) -> float:
    """Mean cross-entropy (nats) over up to ``max_chars`` held-out characters, read in chunks."""
    ids = ids[: max_chars + 1]
    n = (len(ids) - 1) // chunk
    if n == 0:
        chunk, n = len(ids) - 1, 1
    x = ids[: n * chunk].view(n, chunk)
    y = ids[1 : n * chunk + 1].view(n, chunk)
    with torch.no_grad():
        logits, _, _ = model(x)
        return float(F.cross_entropy(logits.reshape(-1, model.V), y.reshape(-1)))


def train(text: str, cfg: CharGenConfig, on_step: OnStep | None = None) -> CharGenRun:
    """Train on the first 90 % of ``text`` with random windows; measure the held-out 10 %.

    Weights and windows come from one generator seeded by ``cfg.seed``: the same text and config give
    the same numbers bit for bit, whatever else trains at the same time.
    """
    if cfg.cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, not {cfg.cell!r}")
    itos = tuple(sorted(set(text)))
    train_text, held_text = split(text)
    train_ids, held_ids = encode(train_text, itos), encode(held_text, itos)
    T = min(cfg.seq_len, len(train_ids) - 1)
    gen = torch.Generator().manual_seed(cfg.seed)
    model = build(lambda: CharRNN(len(itos), cfg.hidden_size, cfg.cell), gen)
    with torch.no_grad():  # start from the characters' own frequencies, not from a uniform guess
        counts = torch.bincount(train_ids, minlength=len(itos)).float() + 1
        model.W_hy.bias.copy_((counts / counts.sum()).log())
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.steps, pct_start=0.1)
    losses, eval_steps, eval_losses = [], [0], [heldout_loss(model, held_ids)]
    offsets = torch.arange(T + 1)
    for step in range(1, cfg.steps + 1):
        starts = torch.randint(0, len(train_ids) - T, (cfg.batch_size,), generator=gen)
        window = train_ids[starts[:, None] + offsets]  # (B, T + 1)
        logits, _, _ = model(window[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, len(itos)), window[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)  # keeps an unlucky batch from exploding
        opt.step()
        schedule.step()
        losses.append(loss.item())
        if step % cfg.eval_every == 0 or step == cfg.steps:
            eval_steps.append(step)
            eval_losses.append(heldout_loss(model, held_ids))
        report(on_step, step, cfg.steps)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # shared by every session: read-only from here on
    return CharGenRun(
        cfg, itos, len(train_text), len(held_text), np.arange(1, cfg.steps + 1), np.array(losses),
        np.array(eval_steps), np.array(eval_losses), unigram_bits(train_ids, held_ids, len(itos)),
        frozenset(WORD.findall(train_text)), model,
    )


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """``samples`` texts (priming text included); the first sample's hidden states, char by char."""

    samples: tuple[str, ...]
    hidden: np.ndarray  # (L, H): h_t after reading each character of samples[0]
    chars: tuple[str, ...]  # (L,) the characters of samples[0]


def generate(
    run: CharGenRun, prime: str, length: int, temperature: float, n_samples: int, seed: int = 0
) -> Generation:
    """Read ``prime``, then write ``length`` characters, ``n_samples`` at once.

    Each step samples from softmax(logits / temperature); temperature 0 means greedy (argmax), and as
    the temperature falls towards 0 sampling turns into greedy decoding. Positive temperatures are
    floored at ``MIN_TEMPERATURE``; a NaN or infinite one is refused.
    """
    if not math.isfinite(temperature):
        raise CorpusError("The temperature must be a number between 0 and 2.")
    stoi = {ch: i for i, ch in enumerate(run.itos)}
    if not prime:
        raise CorpusError("Type a priming text: at least one character for the model to start from.")
    unknown = sorted({ch for ch in prime if ch not in stoi})
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:10])
        raise CorpusError(f"The priming text uses characters the corpus never shows: {shown}.")
    gen = torch.Generator().manual_seed(seed)
    model = run.model
    ids = torch.tensor([[stoi[c] for c in prime]] * n_samples)  # (N, P)
    out, hs = [], []
    with torch.no_grad():
        logits, hidden, state = model(ids)  # read the whole priming text at once
        hs.append(hidden[0])
        for _ in range(length):
            last = logits[:, -1]  # (N, V)
            if temperature <= 0:
                nxt = last.argmax(dim=-1)
            else:  # floored: 1e-320 would overflow the division and give inf/nan probabilities
                tau = max(float(temperature), MIN_TEMPERATURE)
                nxt = torch.multinomial(torch.softmax(last / tau, dim=-1), 1, generator=gen)[:, 0]
            out.append(nxt)
            logits, hidden, state = model(nxt[:, None], state)
            hs.append(hidden[0])
    written = torch.stack(out, dim=1).tolist() if out else [[] for _ in range(n_samples)]
    samples = tuple(prime + "".join(run.itos[i] for i in row) for row in written)
    hidden = torch.cat(hs)  # (P + length, H): h_t after reading each character of samples[0]
    return Generation(samples, hidden.numpy(), tuple(samples[0]))


UNIT_FEATURES = (  # what Karpathy's neuron pictures showed units tracking, each as one number per character read
    ("a space was just read", lambda chars, i: chars[i] == " "),
    ("a space comes next (a word ends)", lambda chars, i: i + 1 < len(chars) and chars[i + 1] == " "),
    ("a word has just begun", lambda chars, i: chars[i].isalpha() and (i == 0 or not chars[i - 1].isalpha())),
    ("letters read since the word began", lambda chars, i: _letters_back(chars, i)),
    ("inside a number", lambda chars, i: chars[i].isdigit()),
    ("upper case", lambda chars, i: chars[i].isupper()),
)


def _letters_back(chars, i: int) -> int:
    n = 0
    while i - n >= 0 and chars[i - n].isalpha():
        n += 1
    return n


def unit_features(chars: tuple[str, ...], values: np.ndarray) -> list[tuple[str, float]]:
    """How closely one unit's value after each character follows each of ``UNIT_FEATURES`` along the text:
    Pearson's r, strongest first (features that never change along this text are left out)."""
    values = np.asarray(values, float)
    out = []
    for name, feature in UNIT_FEATURES:
        f = np.array([float(feature(chars, i)) for i in range(len(chars))])
        if f.std() > 0 and values.std() > 0:
            out.append((name, float(np.corrcoef(f, values)[0, 1])))
    return sorted(out, key=lambda nr: -abs(nr[1]))


def units_by_variation(hidden: np.ndarray) -> np.ndarray:
    """Hidden units ordered by how much they change along the text (std over time), largest first."""
    return np.argsort(-hidden.std(axis=0), kind="stable")
