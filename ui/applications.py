"""The further-applications lesson's scenes: trainings through the door, charts and tables cached once.

The page calls one function per section and gets a frozen dataclass of plain data and figures back.
Trained models stay here (inside the door's cache, shared and read-only); pages never hold them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from core.applications import captioning as cap
from core.applications import figures as figs
from core.applications import textgen as tg
from core.applications.overview import APPLICATIONS
from ui.cache import shared
from ui.show import esc_label
from ui.train import run

IMAGE_AT_LABELS = {"first": "once, as the first input (Show and Tell)", "every": "at every step (what-if)"}
IMAGE_AT = {label: at for at, label in IMAGE_AT_LABELS.items()}  # the widget's label → CaptionConfig.image_at
SOURCES = {"Wikipedia (gensim)": "wiki", "Lee news corpus (gensim)": "lee", "Upload my own text": "upload"}


# ---- Overview ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverviewScene:
    figure: Any
    table: pd.DataFrame  # one row per application: kind, what it reads/carries/writes, result, measured on


@shared("scenes")
def overview() -> OverviewScene:
    rows = [a.__dict__ for a in APPLICATIONS]
    table = pd.DataFrame(rows).drop(columns=["page", "demo"]).rename(columns={"name": "application"})
    return OverviewScene(figs.overview_diagram(rows), table)


# ---- Show and Tell ----------------------------------------------------------------------------------
def _train_captioner(cfg: cap.CaptionConfig) -> cap.CaptionRun:
    return run("Training the captioner", cap.train, cfg, key=cfg)


@dataclass(frozen=True)
class Scores:
    """Held-out scores of one captioner (greedy and beam): exact match %, BLEU-4, BLEU-1, loss."""

    image_at: str
    greedy: dict
    beam: dict
    heldout_loss: float


@dataclass(frozen=True)
class CaptionerScene:
    config: cap.CaptionConfig
    scores: Scores
    ln_v: float  # guessing a word: ln V nats
    n_heldout: int
    loss_figure: Any
    loss_table: pd.DataFrame  # step, loss
    scores_table: pd.DataFrame  # greedy / beam rows
    mistakes: pd.DataFrame  # held-out captions greedy got wrong: true, greedy, beam
    n_wrong_greedy: int


def _scores(r: cap.CaptionRun) -> Scores:
    return Scores(r.config.image_at, dict(r.scores["greedy"]), dict(r.scores["beam"]), r.heldout_loss)


@shared("scenes")
def captioner(cfg: cap.CaptionConfig) -> CaptionerScene:
    r = _train_captioner(cfg)
    ln_v = math.log(len(r.itos))
    steps = np.arange(1, len(r.loss) + 1)
    fig = figs.loss_vs_baseline(steps, r.loss, ln_v, f"ln V = {ln_v:.2f} (guessing a word)",
                                title="Training loss per batch")
    wrong = [i for i, (t, g) in enumerate(zip(r.heldout.captions, r.greedy_captions)) if t != g]
    mistakes = pd.DataFrame({"true caption": [r.heldout.captions[i] for i in wrong],
                             "greedy": [r.greedy_captions[i] for i in wrong],
                             # "same as greedy" where the beam agrees: three full captions side by side don't fit a projector
                             f"beam {cfg.beam_width}": ["same as greedy" if r.beam_captions[i] == r.greedy_captions[i]
                                                        else r.beam_captions[i] for i in wrong]})
    scores_table = pd.DataFrame(r.scores).T.round(2).rename_axis("decoding").reset_index()
    return CaptionerScene(cfg, _scores(r), ln_v, cfg.n_heldout, fig,
                          pd.DataFrame({"step": steps, "loss": r.loss.round(4)}), scores_table, mistakes, len(wrong))


@dataclass(frozen=True)
class WhatIfScene:
    """The paper's captioner and the what-if side by side (same data, seed and budget)."""

    paper: Scores
    what_if: Scores
    table: pd.DataFrame


@shared("scenes")
def image_at_what_if(cfg: cap.CaptionConfig) -> WhatIfScene:
    paper = _scores(_train_captioner(replace(cfg, image_at="first")))
    what_if = _scores(_train_captioner(replace(cfg, image_at="every")))
    table = pd.DataFrame([
        {"image enters the decoder": IMAGE_AT_LABELS[s.image_at], "exact match, greedy %": s.greedy["exact match %"],
         f"exact match, beam {cfg.beam_width} %": s.beam["exact match %"], "BLEU-4": s.greedy["BLEU"],
         "held-out loss (nats/word)": s.heldout_loss} for s in (paper, what_if)]).round(3)
    return WhatIfScene(paper, what_if, table)


@dataclass(frozen=True)
class PictureScene:
    """One composed picture, captioned by a trained captioner."""

    truth: str
    image_figure: Any
    softmax_figure: Any
    beam_figure: Any
    context: pd.DataFrame  # unit, C
    greedy: str
    greedy_log_prob: float
    beam: pd.DataFrame  # rank, caption, log P, P, correct
    softmax: pd.DataFrame  # one row per greedy step, one column per word
    beam_nodes: pd.DataFrame  # every node of the beam tree
    colour_step: tuple[str, float] | None  # the colour word chosen after "a" and its probability


@shared("scenes")
def picture(cfg: cap.CaptionConfig, scene: cap.Scene, picture_seed: int, width: int) -> PictureScene:
    model = _train_captioner(cfg).model
    image = cap.render(scene, np.random.default_rng(picture_seed))
    d = cap.describe(model, image, width)
    truth = scene.caption()
    chosen = [cap.ITOS[i] for i in d.greedy_ids] + ["<eos>"]
    vocab = list(cap.ITOS[1:])  # <pad> is never predicted
    beam = pd.DataFrame([{"rank": i + 1, "caption": t, "log P": round(s, 4), "P": round(math.exp(s), 4),
                          "correct": t == truth} for i, (t, s) in enumerate(d.beam)])
    softmax = pd.DataFrame(d.word_probs[:, 1:], columns=vocab,
                           index=[f"t={t + 1} · {w}" for t, w in enumerate(chosen)]).round(4)
    nodes = pd.DataFrame([{"node": i, "step": n.step + 1, "parent": n.parent, "word": cap.ITOS[n.token],
                           "total log P": round(n.score, 4), "status": "kept" if n.kept else "finished"}
                          for i, n in enumerate(d.beam_nodes)])
    colour_step = None
    if len(chosen) > 1 and chosen[1] in cap.COLOURS:
        colour_step = (chosen[1], float(d.word_probs[1, cap.STOI[chosen[1]]]))
    return PictureScene(
        truth, figs.image_figure(image, "The picture"), figs.word_softmax(chosen, vocab, d.word_probs[:, 1:]),
        figs.beam_tree(d.beam_nodes, cap.ITOS, cap.encode_caption(d.beam[0][0])),
        pd.DataFrame({"unit": np.arange(len(d.context)), "C": d.context.round(4)}),
        d.greedy, d.greedy_log_prob, beam, softmax, nodes, colour_step,
    )


# ---- Generating text --------------------------------------------------------------------------------
@shared("scenes")
def corpus(name: str) -> str:
    """A bundled corpus' text ("wiki" or "lee"), read once for the class."""
    return tg.corpus_text(name)


@shared("scenes")
def _upload_text(digest: str, _data: bytes) -> str:
    return tg.check_upload(_data)


def read_upload(data: bytes) -> str:
    """An uploaded file checked and decoded once per file (its hash is the key); raises CorpusError.

    ``check_upload`` refuses anything over ``MAX_UPLOAD_BYTES`` before decoding, so the work is bounded.
    """
    return _upload_text(hashlib.sha1(data).hexdigest(), data)


def text_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _train_text(digest: str, text: str, cfg: tg.CharGenConfig) -> tg.CharGenRun:
    return run("Training the character model", tg.train, text, cfg, key=(digest, cfg))


@dataclass(frozen=True)
class TextModelScene:
    config: tg.CharGenConfig
    V: int
    heldout_nats: float
    bits_per_char: float
    unigram_bits: float  # a model that knows only each character's frequency
    log2_v: float  # guessing among V characters
    ln_v: float
    n_train_chars: int
    n_heldout_chars: int
    loss_figure: Any
    curve: pd.DataFrame  # step, held-out loss (nats), bits per char


@shared("scenes")
def text_model(digest: str, cfg: tg.CharGenConfig, _text: str) -> TextModelScene:
    r = _train_text(digest, _text, cfg)
    fig = figs.loss_vs_baseline(r.steps, r.loss, r.ln_v, f"ln V = {r.ln_v:.2f} (uniform guess)",
                                r.eval_steps, r.heldout_loss, title="Cross-entropy against guessing",
                                reference=(r.unigram_bits * math.log(2), "unigram (character frequencies only)"))
    curve = pd.DataFrame({"step": r.eval_steps, "held-out loss (nats)": r.heldout_loss.round(4),
                          "bits per char": (r.heldout_loss / math.log(2)).round(4)})
    return TextModelScene(cfg, len(r.itos), float(r.heldout_loss[-1]), r.bits_per_char, r.unigram_bits,
                          math.log2(len(r.itos)), r.ln_v, r.n_train_chars, r.n_heldout_chars, fig, curve)


@dataclass(frozen=True)
class GenerationScene:
    samples: pd.DataFrame  # one column "sample"
    n_distinct: int
    real_word_share: float  # share of generated words (after the priming text) that occur in the corpus
    n_words: int
    chars: tuple[str, ...]  # sample 1, character by character
    hidden: np.ndarray  # (L, H) h_t of sample 1
    unit_order: tuple[int, ...]  # units by how much they vary along sample 1


@shared("scenes")
def generation(digest: str, cfg: tg.CharGenConfig, prime: str, length: int, temperature: float, n: int,
               seed: int, _text: str) -> GenerationScene:
    """Samples from the trained model; raises CorpusError for a priming text it can't read."""
    r = _train_text(digest, _text, cfg)
    g = tg.generate(r, prime, length, temperature, n, seed)
    share, n_words = tg.real_word_share([s[len(prime):] for s in g.samples], r.words)
    return GenerationScene(pd.DataFrame({"sample": g.samples}), len(set(g.samples)), share, n_words, g.chars,
                           g.hidden, tuple(int(u) for u in tg.units_by_variation(g.hidden)))


@shared("scenes")
def unit_chart(digest: str, cfg: tg.CharGenConfig, prime: str, length: int, temperature: float, n: int,
               seed: int, unit: int, _scene: GenerationScene) -> tuple[Any, pd.DataFrame, list[tuple[str, float]]]:
    """Karpathy's neuron picture for one unit of sample 1, with its numbers (characters escaped), and how
    closely the unit follows each simple feature of the text (``textgen.unit_features``)."""
    chars = [esc_label(ch) for ch in _scene.chars]
    values = _scene.hidden[:, unit]
    table = pd.DataFrame({"position": np.arange(1, len(chars) + 1),
                          "character": [figs.char_label(ch) for ch in _scene.chars], f"h[{unit}]": values.round(4)})
    return (figs.hidden_unit_text(chars, values, unit, n_prime=len(prime)), table,
            tg.unit_features(_scene.chars, values))


CLEAR_R = 0.5  # |r| from which a unit is said to follow a feature clearly


def unit_notice(unit: int, follows: list[tuple[str, float]], n_chars: int) -> str:
    """What the neuron picture shows, from the correlations on screen: the feature the unit follows most."""
    if not follows:
        return f"unit {unit} follows none of the simple features here (none changes along this sample)."
    (name, r), rest = follows[0], follows[1:]
    said = (f"of the simple features checked, unit {unit} follows “{name}” most: correlation {r:+.2f} over the "
            f"{n_chars} characters of sample 1")
    if abs(r) >= CLEAR_R:
        return said + f": the unit is {'low' if r < 0 else 'high'} where that is true or large."
    nxt = f"; next “{rest[0][0]}”, {rest[0][1]:+.2f}" if rest else ""
    return said + nxt + ". That is weak: most units are hard to read one at a time."


# ---- Warm-up: the default scene, before the first student -------------------------------------------
def warm() -> None:
    overview()
    cfg = cap.CaptionConfig()
    captioner(cfg)
    picture(cfg, cap.compose("circle", "red", "above", "square", "blue"), 0, 3)
    text = corpus("wiki")
    gen_cfg = tg.CharGenConfig()
    text_model(text_digest(text), gen_cfg, text)
