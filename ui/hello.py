"""The hello lesson's scenes: trainings through the door, replay charts and tables shared by the class.

Everything a student sees comes from one training record (``core.hello.model.train``). The replay
(sections 1–2) is sent to the browser whole (``replay_frames``, drawn by ``ui.replay``), where moving
the step slider only indexes the recorded steps. Text from a student (the training text, the start of a
sample) reaches charts through ``esc_label`` and formulas through ``esc_latex``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.common.style import char_label
from core.hello import figures
from core.hello import model
from core.hello.model import CharLMConfig, MemoryComparison, TextProbability, TrainingRecord
from ui import replay as rp
from ui.cache import shared
from ui.show import esc_label, esc_latex, for_projector
from ui.train import run

DEFAULT = CharLMConfig()
MAX_SHOWN = 8  # per-step bar charts and formula factors beyond this many steps would be unreadable
MAX_BAR_SLOTS = 40  # bars + one gap per step: 8 steps of "hello"'s 4 letters fit a projector's width


def bar_steps(n_steps: int, vocab_size: int) -> int:
    """How many steps the bar chart shows: up to MAX_SHOWN, fewer for a larger vocabulary, so its letters
    stay level and readable (with 8 characters, 8 steps made 64 bars whose letters turned sideways)."""
    return max(1, min(n_steps, MAX_SHOWN, MAX_BAR_SLOTS // (vocab_size + 1)))


def training(cfg: CharLMConfig) -> TrainingRecord:
    """The record of one training run, shared by the class (the same settings train once)."""
    return run("Training the model", model.train, cfg, key=cfg)


def comparison_config(cfg: CharLMConfig) -> CharLMConfig:
    """The same settings with memory switched the other way."""
    return replace(cfg, memory=not cfg.memory)


REPLAY_BUDGET = 120_000  # numbers sent for one run's replay; a longer record is sent every k-th frame
TITLE = "Step {}: inputs at the bottom, predictions on top"


@dataclass(frozen=True)
class ReplayFrames:
    """Everything the replay slider and the chain rule show, one entry per frame sent (shared: read only).

    The browser indexes these (``ui.replay``): moving the slider never reaches the server.
    """

    steps: tuple[int, ...]  # the recorded training step of each frame
    player: bytes  # section 1's frames, ui.replay.pack_player (drawn on ``replay_figures``)
    follower: bytes  # section 2's, ui.replay.pack_follower
    formula: str  # the chain rule with characters (LaTeX), the same at every step
    covered: int  # characters the chain rule covers (the first window and its first character)
    sig: str  # names this run's frames

    def index(self, step: int) -> int:
        """The frame shown for a link's ``step``: the last one recorded at or before it."""
        return max(0, int(np.searchsorted(self.steps, step, side="right")) - 1)


def _chars(rec: TrainingRecord) -> tuple[list[str], list[str], list[str]]:
    """Vocabulary, inputs and targets of the displayed window, each character safe for a chart label."""
    vocab = [esc_label(c) for c in rec.itos]
    return vocab, [vocab[j] for j in rec.inputs], [vocab[j] for j in rec.targets]


def replay_notice(rec: TrainingRecord, i: int, first: TextProbability, text: TextProbability) -> str:
    """Section 1's "what to notice" at snapshot ``i``, from the numbers it shows."""
    V, loss, loss0 = len(rec.itos), float(rec.loss[i]), float(rec.loss[0])
    if i == 0:
        return (f"at step 0 every bar is about 1/V = {1 / V:.2f} and the loss ({loss:.3f}) is about "
                f"ln V = {math.log(V):.3f}: the untrained network is guessing. Drag the step slider.")
    p0, p = float(first.chain.factors.mean()), float(text.chain.factors.mean())
    moved = "rose" if p > p0 else "did not rise"
    return (f"from step 0 to step {text.step} the mean P(target) {moved} ({p0:.3f} → {p:.3f}) and the loss went "
            f"from {loss0:.3f} to {loss:.3f}.")


def chain_notice(text: TextProbability, V: int) -> str:
    """Section 2's "what to notice": where the perplexity sits between 1 and V."""
    ppl = text.chain.perplexity
    where = ("close to V (guessing)" if ppl > 0.9 * V else "close to 1 (certain)" if ppl < 1.1
             else "between 1 (certain) and V (guessing)")
    return (f"at step {text.step} the perplexity is {ppl:.3f} with V = {V}: {where}. "
            "Drag the step slider above: it falls as the factors grow.")


def _four(a: np.ndarray) -> list:
    """Four decimals, what the Numbers table shows (and a third of the bytes of a float's full digits)."""
    return np.round(a, 4).tolist()


@shared("scenes")
def replay_figures(cfg: CharLMConfig, presenter: bool) -> list[dict]:
    """The unrolled network and the bars at step 0, which the replay's frames change (``ui.replay.player``)."""
    rec = training(cfg)
    vocab, inputs, targets = _chars(rec)
    kb = bar_steps(len(inputs), len(vocab))
    unrolled = figures.unrolled_network(inputs, targets, vocab, rec.probs[0], rec.hidden[0], title=TITLE.format(0))
    bars = figures.next_char_bars(inputs[:kb], targets[:kb], vocab, rec.probs[0][:kb])
    return [rp.figure_json(for_projector(f) if presenter else f) for f in (unrolled, bars)]


@shared("scenes")
def replay_frames(cfg: CharLMConfig) -> ReplayFrames:
    """Sections 1–2 for every recorded step of the run ``cfg``, ready for the browser (the same in presenter
    mode: only ``replay_figures`` differ)."""
    rec = training(cfg)
    vocab, inputs, targets = _chars(rec)
    T, V, H = len(inputs), len(vocab), rec.hidden.shape[2]
    kb = bar_steps(T, V)
    keep = rp.thin(len(rec.steps), T * (V + H) + kb * V, REPLAY_BUDGET)
    texts = [model.text_probability(rec, int(rec.steps[i])) for i in keep]
    is_target = [c == targets[t] for t in range(kb) for c in vocab]  # as next_char_bars lays the bars out
    unrolled_frames, bar_frames = [], []
    for i in keep:
        unrolled_frames.append({"traces": [{"z": _four(rec.probs[i].T)}, {"z": _four(rec.hidden[i].T)}, None],
                                "title": TITLE.format(int(rec.steps[i]))})
        p = rec.probs[i][:kb].ravel()
        bar_frames.append({"traces": [{"y": _four(p), "text": [f"{q:.2f}<br>target" if m else ""
                                                               for q, m in zip(p, is_target)]}]})
    loss = [float(rec.loss[i]) for i in keep]
    every = rec.meta["record_every"]
    thinned = (f" The slider moves {keep[1] * every} steps at a time, so that what the page sends stays small."
               if len(keep) > 1 and keep[1] > 1 else "")
    so_far = [char_label("".join(rec.itos[j] for j in rec.inputs[max(0, t - 19): t + 1])) for t in range(T)]
    whole = texts[0].whole_text
    lines = [rp.line([replay_notice(rec, i, texts[0], tp) for i, tp in zip(keep, texts)], lead="What to notice:")]
    if T > kb:
        lines.insert(0, rp.line([f"Bars for the first {kb} steps (fewer for a larger vocabulary, so the letters stay "
                                 f"readable); the heatmap above has all {T}."] * len(keep), kind="caption"))
    return ReplayFrames(
        steps=tuple(int(rec.steps[i]) for i in keep),
        sig=f"{hash(cfg) & 0xFFFFFFFF:08x}-{len(keep)}",
        covered=texts[0].covered,
        player=rp.pack_player(
            label="Training step (replays the recorded run — it never retrains)",
            help="0 is the untrained network. Each position of the slider is a recorded step."
            + (f" This long run was recorded every {every} steps." if every > 1 else "") + thinned,
            frame_values=[int(rec.steps[i]) for i in keep],
            frame_labels=[f"step {int(rec.steps[i])}" for i in keep],
            metrics=[
                rp.metric("Loss at this step", [f"{x:.4f}" for x in loss],
                          helps=["Cross-entropy: the mean of −ln P(true next character) over the whole text, in nats "
                                 f"(natural log). In bits (log base 2) that is {x / 0.6931:.4f}: nats ÷ ln 2."
                                 for x in loss]),
                rp.metric("ln V (guessing)", [f"{math.log(V):.4f}"] * len(keep),
                          help=f"V = {V} characters. A network that guesses gives each one P = 1/V, so its loss is "
                          "−ln(1/V) = ln V."),
                rp.metric("Mean P(target)", [f"{float(tp.chain.factors.mean()):.3f}" for tp in texts],
                          help="The average probability of the correct next character over the positions shown "
                          "(1 = always right and sure)."),
                rp.metric("Vocabulary size V", [str(V)] * len(keep), help="= length of each one-hot vector"),
            ],
            charts=[rp.chart("unrolled", unrolled_frames), rp.chart("bars", bar_frames)],
            lines=lines,
            table={"label": "Numbers: P(next character) at each step (target column marked), and h_t",
                   "vocab": [char_label(c) for c in rec.itos], "rowLabels": so_far,
                   "targets": [int(j) for j in rec.targets]},
        ),
        follower=rp.pack_follower(
            n_frames=len(keep),
            metrics=[
                rp.metric("Probability of the text" if whole else
                          f"Probability of its first {texts[0].covered} characters",
                          [f"{tp.chain.probability:.4g}" for tp in texts],
                          help="The product of the factors above: P(every next character | what came before), "
                          "given the first character."),
                rp.metric("Log-probability (nats)", [f"{tp.chain.log_prob:.4f}" for tp in texts],
                          helps=["ln of the probability: the sum of the factors' logs. Nats use the natural log; "
                                 f"bits use log base 2 (here {tp.chain.log_prob / 0.6931:.4f} bits)." for tp in texts]),
                rp.metric("Perplexity", [f"{tp.chain.perplexity:.3f}" for tp in texts],
                          help=f"exp(mean −ln P): as unsure as choosing uniformly among this many characters. "
                          f"1 = certain; V = {V} = guessing."),
            ],
            lines=[rp.line([chain_values(tp) for tp in texts], kind="formula"),
                   rp.line([chain_notice(tp, V) for tp in texts], lead="What to notice:")],
        ),
        formula=chain_rule_latex(texts[0]),
    )


@dataclass(frozen=True)
class Curves:
    """The whole run's training curves, one figure each (shared: never change them)."""

    ptarget: object  # go.Figure, one curve per shown position
    loss: object


@shared("scenes")
def curves(cfg: CharLMConfig) -> Curves:
    """P(target) per position and the loss against training step, without a step marker.

    They are the same at every replay step, so the browser keeps them as drawn when the slider moves.
    """
    rec = training(cfg)
    vocab, inputs, targets = _chars(rec)
    k = min(len(inputs), MAX_SHOWN)
    labels = figures.step_labels(inputs, targets, k)
    return Curves(ptarget=figures.target_prob_curves(rec.steps, rec.p_target[:, :k], labels),
                  loss=figures.loss_curve(rec.steps, rec.loss, None, math.log(len(vocab))))


@shared("scenes")
def memory(cfg: CharLMConfig) -> MemoryComparison:
    """P(true next) with memory on and off, both fully trained with the other settings of ``cfg``."""
    rec = training(cfg)
    twin = run("Training the comparison model", model.train, comparison_config(cfg), key=comparison_config(cfg))
    return model.memory_comparison(rec, twin) if cfg.memory else model.memory_comparison(twin, rec)


@shared("scenes")
def samples(cfg: CharLMConfig, step: int, start: str, length: int, temperature: float, n: int) -> tuple[str, ...]:
    """``n`` texts written by the weights of the recorded ``step``, starting with ``start``."""
    rec = training(cfg)
    theta = rec.theta[rec.snapshot_index(step)]
    return tuple(model.sample(cfg, rec.itos, theta, start, length, temperature, n, cfg.seed))


# ---- tables (built only while a student has the Numbers expander open) ---------------------------------
def curves_table(rec: TrainingRecord) -> pd.DataFrame:
    """Loss and P(target) at each shown position, per recorded step."""
    vocab = [char_label(c) for c in rec.itos]
    inputs, targets = [vocab[j] for j in rec.inputs], [vocab[j] for j in rec.targets]
    k = min(len(inputs), MAX_SHOWN)
    curves = pd.DataFrame(rec.p_target[:, :k], columns=figures.step_labels(inputs, targets, k))
    curves.insert(0, "loss", rec.loss)
    curves.insert(0, "step", rec.steps)
    return curves.round(4)


def curves_notice(rec: TrainingRecord) -> str:
    """What the two curves show, from their numbers: where the loss went, when every P(target) passed 0.9."""
    k = min(len(rec.inputs), MAX_SHOWN)
    loss, ln_v = rec.loss, math.log(len(rec.itos))
    moved = "fell" if loss[-1] < loss[0] else "did not fall"
    said = (f"over the {int(rec.steps[-1])} steps the loss {moved}, from {loss[0]:.3f} (ln V = {ln_v:.3f}) "
            f"to {loss[-1]:.3f}")
    high = np.flatnonzero((rec.p_target[:, :k] >= 0.9).all(axis=1))
    if high.size:
        return said + f"; every P(target) shown is 0.9 or more for the first time at step {int(rec.steps[high[0]])}."
    return said + "; at no recorded step is every P(target) shown 0.9 or more."


def memory_table(cmp: MemoryComparison) -> pd.DataFrame:
    """One row per position with a repeated character; headers short enough for a projector's half page."""
    return pd.DataFrame([{
        "so far": char_label(r.so_far[-20:]),
        "current": char_label(r.current),
        "true next": char_label(r.true_next),
        "P(next), memory on": r.p_on,
        "P(next), memory off": r.p_off,
        "best P without memory": r.best_off,
    } for r in cmp.rows]).round(4)


# ---- the chain rule as LaTeX, every character of the student's text escaped ------------------------------
def _tex(text: str) -> str:
    return r"\text{" + esc_latex(char_label(text)) + "}"


def chain_rule_latex(text: TextProbability) -> str:
    """The formula with characters (at most ``MAX_SHOWN`` factors); ``chain_values`` has its numbers."""
    k = min(len(text.targets), MAX_SHOWN)
    more = len(text.targets) > k
    dots = r" \cdots" if more else ""
    shown = text.contexts[k - 1] + text.targets[k - 1]
    cut = r"\ldots" if more or len(shown) > 12 else ""
    lhs = rf"P({_tex(shown[:12])}{cut} \mid {_tex(text.contexts[0])})"
    terms = r" \cdot ".join(rf"P({_tex(text.targets[t])} \mid {_tex(text.contexts[t][-6:])})" for t in range(k))
    return f"{lhs} = {terms}{dots}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def chain_values(text: TextProbability) -> str:
    """The chain rule's second line as plain text, for the browser: "= 0.250 · 0.310 = 0.0775"."""
    k = min(len(text.targets), MAX_SHOWN)
    dots = " ⋯" if len(text.targets) > k else ""
    mantissa, _, exponent = f"{text.chain.probability:.4g}".partition("e")
    number = f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}" if exponent else mantissa
    return "= " + " · ".join(f"{p:.3f}" for p in text.chain.factors[:k]) + f"{dots} = {number}"


# ---- warm-up: the default scene, ready before the first student ---------------------------------------
def warm() -> None:
    """Train the default model and its memory twin, and build the default step's charts and samples."""
    training(DEFAULT)
    replay_frames(DEFAULT)
    replay_figures(DEFAULT, False)
    curves(DEFAULT)
    memory(DEFAULT)
    samples(DEFAULT, 0, DEFAULT.text[0], min(len(DEFAULT.text) - 1, 200), 1.0, 5)
