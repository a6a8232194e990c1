"""The hello lesson's scenes: trainings through the door, replay charts and tables shared by the class.

Everything a student sees comes from one training record (``core.hello.model.train``); moving the
replay slider only indexes that record. Text from a student (the training text, the start of a
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
from ui.cache import shared
from ui.show import esc_label, esc_latex
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


@dataclass(frozen=True)
class Replay:
    """One recorded step of one run: its numbers and its two charts (shared: never change them)."""

    step: int  # the recorded step shown
    loss: float  # mean cross-entropy over the whole text, nats
    vocab_size: int
    mean_p_target: float  # over the displayed window
    text: TextProbability
    unrolled: object  # go.Figure
    bars: object  # the first ``bar_steps`` steps
    bar_steps: int

    @property
    def ln_v(self) -> float:
        return math.log(self.vocab_size)


def _chars(rec: TrainingRecord) -> tuple[list[str], list[str], list[str]]:
    """Vocabulary, inputs and targets of the displayed window, each character safe for a chart label."""
    vocab = [esc_label(c) for c in rec.itos]
    return vocab, [vocab[j] for j in rec.inputs], [vocab[j] for j in rec.targets]


@shared("scenes")
def replay(cfg: CharLMConfig, step: int) -> Replay:
    """The scene at a recorded ``step`` of the run ``cfg`` (the page passes recorded steps only)."""
    rec = training(cfg)
    i = rec.snapshot_index(step)
    shown = int(rec.steps[i])
    vocab, inputs, targets = _chars(rec)
    kb = bar_steps(len(inputs), len(vocab))
    text = model.text_probability(rec, shown)
    return Replay(
        step=shown, loss=float(rec.loss[i]), vocab_size=len(vocab), mean_p_target=float(text.chain.factors.mean()),
        text=text,
        unrolled=figures.unrolled_network(inputs, targets, vocab, rec.probs[i], rec.hidden[i],
                                          title=f"Step {shown}: inputs at the bottom, predictions on top"),
        bars=figures.next_char_bars(inputs[:kb], targets[:kb], vocab, rec.probs[i][:kb]), bar_steps=kb,
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
def probs_table(rec: TrainingRecord, step: int) -> list[pd.DataFrame]:
    """P(next character) at each position (target cell in bold), then the hidden states h_t."""
    i = rec.snapshot_index(step)
    vocab = [char_label(c) for c in rec.itos]
    inputs = [rec.itos[j] for j in rec.inputs]
    so_far = [char_label("".join(inputs[max(0, t - 19): t + 1])) for t in range(len(inputs))]
    table = pd.DataFrame(rec.probs[i], columns=vocab)
    table.insert(0, "target", [vocab[j] for j in rec.targets])
    table.insert(0, "input so far", so_far)
    table["P(target)"] = rec.p_target[i]
    styled = table.style.format(precision=4, subset=vocab + ["P(target)"]).apply(
        lambda row: ["font-weight: bold; border: 2px solid black" if col == row["target"] else "" for col in row.index],
        axis=1,
    )
    hidden = pd.DataFrame(rec.hidden[i], columns=[f"h{j + 1}" for j in range(rec.hidden.shape[2])],
                          index=so_far).round(4)
    return [styled, hidden]


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
    return pd.DataFrame([{
        "input so far": char_label(r.so_far[-20:]),
        "current char": char_label(r.current),
        "true next": char_label(r.true_next),
        "P(true next), memory ON": r.p_on,
        "P(true next), memory OFF": r.p_off,
        "best possible without memory": r.best_off,
    } for r in cmp.rows]).round(4)


# ---- the chain rule as LaTeX, every character of the student's text escaped ------------------------------
def _tex(text: str) -> str:
    return r"\text{" + esc_latex(char_label(text)) + "}"


def chain_rule_latex(text: TextProbability) -> tuple[str, str]:
    """The formula with characters, then with this step's numbers (at most ``MAX_SHOWN`` factors)."""
    k = min(len(text.targets), MAX_SHOWN)
    more = len(text.targets) > k
    dots = r" \cdots" if more else ""
    shown = text.contexts[k - 1] + text.targets[k - 1]
    cut = r"\ldots" if more or len(shown) > 12 else ""
    lhs = rf"P({_tex(shown[:12])}{cut} \mid {_tex(text.contexts[0])})"
    terms = r" \cdot ".join(rf"P({_tex(text.targets[t])} \mid {_tex(text.contexts[t][-6:])})" for t in range(k))
    values = r" \cdot ".join(f"{p:.3f}" for p in text.chain.factors[:k])
    return f"{lhs} = {terms}{dots}", f"= {values}{dots} = {latex_number(text.chain.probability)}"


def latex_number(x: float) -> str:
    """4 significant digits, a power of ten written as one (1.692e-22 → 1.692 \times 10^{-22})."""
    mantissa, _, exponent = f"{x:.4g}".partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


# ---- warm-up: the default scene, ready before the first student ---------------------------------------
def warm() -> None:
    """Train the default model and its memory twin, and build the default step's charts and samples."""
    training(DEFAULT)
    replay(DEFAULT, 0)
    curves(DEFAULT)
    memory(DEFAULT)
    samples(DEFAULT, 0, DEFAULT.text[0], min(len(DEFAULT.text) - 1, 200), 1.0, 5)
