"""Lesson: the lecture's "hello" language model, trained live and replayed step by step."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from ui.legacy import numbers, once, progress_callback, setup_page, show_chart, show_code, url_choice, url_number
from core import charlm
from core.figures import hello as figs
from core.figures.style import char_label

setup_page("Language modelling", icon=":material/text_fields:")

LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
CELL_NAMES = ["RNN", "GRU", "LSTM"]  # shown as-is, and the URL value (?cell=GRU)
MAX_SHOWN = 8  # per-step bar charts beyond this many steps would be unreadable


@once(st.cache_data(show_spinner=False, max_entries=256))
def train_cached(cfg: charlm.CharLMConfig, _on_step=None) -> charlm.TrainingRecord:
    """Shared by every student: the same settings train once on the server."""
    return charlm.train(cfg, on_step=_on_step)


def position_labels(inputs: list[str], targets: list[str]) -> list[str]:
    """One legend entry per shown position: 'after “hel” → l'."""
    return [f"after “{char_label(''.join(inputs[: t + 1])[-10:])}” → {char_label(targets[t])}"
            for t in range(min(len(inputs), MAX_SHOWN))]


@once(st.cache_resource(show_spinner=False, max_entries=512))
def replay_figures(cfg: charlm.CharLMConfig, shown_step: int) -> dict:
    """The replay charts of one (settings, step), built once for the whole class.

    Building them costs far more than drawing them, and students scrub the same steps. They are
    shared by every session, so never changed in place (show_chart copies before it alters one).
    """
    rec = train_cached(cfg)
    i = rec.snapshot_index(shown_step)
    vocab = list(rec.itos)
    inputs, targets = [vocab[j] for j in rec.inputs], [vocab[j] for j in rec.targets]
    k = min(len(inputs), MAX_SHOWN)
    return {
        "unrolled": figs.unrolled_network(
            inputs, targets, vocab, rec.probs[i], rec.hidden[i],
            title=f"Step {shown_step}: inputs at the bottom, predictions on top",
        ),
        "bars": figs.next_char_bars(inputs[:k], targets[:k], vocab, rec.probs[i][:k]),
        "ptarget": figs.target_prob_curves(
            rec.steps, rec.p_target[:, :k], position_labels(inputs, targets), shown_step
        ),
        "loss": figs.loss_curve(rec.steps, rec.loss, shown_step, math.log(len(vocab))),
    }


@once(st.cache_data(show_spinner=False, max_entries=512))
def sample_cached(cfg, itos, step, start, length, temperature, n, seed):
    rec = train_cached(cfg)
    theta = rec.theta[rec.snapshot_index(step)]
    return charlm.sample(cfg, itos, theta, start, length, temperature, n, seed)


st.title("Language modelling: predicting the next character")
st.markdown(
    r"""
A language model gives the probability of a sequence one element at a time:
$\mathbb{P}(y^{[1]}, \dots, y^{[T]}) = \prod_{i=1}^T \mathbb{P}(y^{[i]} \mid y^{[1]}, \dots, y^{[i-1]})$.
Here, as on the slides, the characters of **“hello”** go into an RNN one at a time, each as a
one-hot vector over {h, e, l, o}. At every step the network outputs a **softmax over the next
character**. Training raises the probability of the correct letter (outlined, the slides' green
arrows) and lowers the others.
"""
)

# ---- What if? ------------------------------------------------------------------------------
for key, lo, hi in (("hidden", 1, 64), ("steps", 1, 1000), ("seed", 0, 999)):
    url_number(key, lo, hi)
url_choice("cell", CELL_NAMES)
url_choice("lr", LEARNING_RATES)

with st.container(border=True):
    st.markdown("**What if?** Change anything: the model retrains (once per setting, shared by the class).")
    c1, c2, c3 = st.columns([2, 1, 1])
    text = c1.text_input(
        "Training text", value="hello", key="text", bind="query-params",
        help=f"Any short text (up to {charlm.MAX_TEXT_CHARS:,} characters). The vocabulary, and so the "
        "size of each one-hot vector, comes from its characters.",
    )
    cell = c2.selectbox(
        "Cell type", CELL_NAMES, key="cell", bind="query-params",
        help="RNN: the vanilla cell of the slides, h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h). "
        "GRU and LSTM add gates that decide what to keep.",
    ).lower()
    memory = c3.toggle(
        "Memory (recurrent term)", value=True, key="memory", bind="query-params",
        help="Off removes h_{t-1} from the update: each h_t then depends on x_t alone.",
    )
    c4, c5, c6, c7 = st.columns(4)
    hidden_size = c4.slider("Hidden size", 1, 64, 8, key="hidden", bind="query-params")
    lr = c5.select_slider("Learning rate", LEARNING_RATES, value=0.1, key="lr", bind="query-params")
    steps = c6.slider("Training steps", 1, 1000, 60, key="steps", bind="query-params")
    # A slider, not number_input: Streamlit's bound number_input crashes on ?seed=inf.
    seed = c7.slider("Seed", 0, 999, 0, key="seed", bind="query-params",
                     help="The initial weights. The same seed always gives the same numbers.")

try:
    charlm.check_text(text)
except charlm.TextError as err:
    st.error(str(err))
    st.stop()

cfg = charlm.CharLMConfig(
    text=text, cell=cell, hidden_size=int(hidden_size), lr=float(lr), steps=int(steps),
    seed=int(seed), memory=bool(memory),
)
on_step, slot = progress_callback("Training")
rec = train_cached(cfg, _on_step=on_step)
slot.empty()

vocab = list(rec.itos)
V = len(vocab)
inputs = [vocab[i] for i in rec.inputs]
targets = [vocab[i] for i in rec.targets]
T = len(inputs)
if rec.meta["windows"] > 1:
    st.caption(
        f"Your text has {len(text):,} characters, so it trains as {rec.meta['windows']} windows of "
        f"{T} steps; the pictures show the first window."
    )

# ---- Replay --------------------------------------------------------------------------------
st.header("1 · The unrolled network, live")
url_number("step", 0, cfg.steps)
if st.session_state.get("step", 0) > cfg.steps:
    st.session_state["step"] = cfg.steps
step = st.slider(
    "Training step (replays the recorded run — it never retrains)", 0, cfg.steps, cfg.steps,
    key="step", bind="query-params",
)
i = rec.snapshot_index(step)
shown_step = int(rec.steps[i])
probs, hidden = rec.probs[i], rec.hidden[i]
cr = charlm.chain_rule(probs, rec.targets)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Loss at this step", f"{rec.loss[i]:.4f}", help="Mean cross-entropy over the whole text, in nats.")
m2.metric("ln V (guessing)", f"{math.log(V):.4f}", help=f"V = {V} characters; a uniform guess scores ln V.")
m3.metric("Mean P(target)", f"{float(cr.factors.mean()):.3f}")
m4.metric("Vocabulary size V", V, help="= length of each one-hot vector")
if shown_step != step:
    st.caption(f"This long run was recorded every {rec.meta['record_every']} steps; showing step {shown_step}.")

scene = replay_figures(cfg, shown_step)
show_chart(scene["unrolled"], key="unrolled")
show_chart(scene["bars"], key="bars")
if T > MAX_SHOWN:
    st.caption(f"Bars for the first {MAX_SHOWN} steps; the heatmap above has all {T}.")

with numbers("Numbers: P(next character) at each step (target column marked)", key="num_probs") as shown:
    if shown:
        table = pd.DataFrame(probs, columns=[char_label(c) for c in vocab])
        table.insert(0, "target", [char_label(c) for c in targets])
        table.insert(0, "input so far", ["".join(inputs[: t + 1])[-20:] for t in range(T)])
        table["P(target)"] = cr.factors
        st.dataframe(
            table.style.format(precision=4, subset=[char_label(c) for c in vocab] + ["P(target)"]).apply(
                lambda row: ["font-weight: bold; border: 2px solid black" if col == row["target"] else ""
                             for col in row.index],
                axis=1,
            ),
            hide_index=True,
        )
        st.dataframe(pd.DataFrame(hidden, columns=[f"h{j + 1}" for j in range(hidden.shape[1])],
                                  index=table["input so far"]).round(4))

st.markdown(
    "**What to notice:** at step 0 every bar is about 1/V and the loss is about ln V — the untrained "
    "network is guessing. Drag the step slider: the outlined (correct) bar rises while the others fall."
)

# ---- Training curves -------------------------------------------------------------------------
st.header("2 · Training, step by step")
shown_positions = list(range(min(T, MAX_SHOWN)))
labels = position_labels(inputs, targets)
c1, c2 = st.columns(2)
with c1:
    show_chart(scene["ptarget"], key="ptarget")
with c2:
    show_chart(scene["loss"], key="loss")
with numbers("Numbers: loss and P(target) per recorded step", key="num_curves") as shown:
    if shown:
        curves = pd.DataFrame(rec.p_target[:, shown_positions], columns=labels)
        curves.insert(0, "loss", rec.loss)
        curves.insert(0, "step", rec.steps)
        st.dataframe(curves.round(4), hide_index=True)

# ---- Memory ----------------------------------------------------------------------------------
st.header("3 · Why memory matters")
follow = charlm.next_char_table(text[: T + 1])
ambiguous = {c: row for c, row in follow.items() if len(row) > 1}
if not ambiguous:
    st.info("In this text every character is always followed by the same character, so even a model "
            "without memory can be perfect. Try “hello”, where “l” is followed by “l” once and by “o” once.")
else:
    mem_cfg = charlm.CharLMConfig(**{**cfg.__dict__, "memory": True})
    nomem_cfg = charlm.CharLMConfig(**{**cfg.__dict__, "memory": False})
    on_step2, slot2 = progress_callback("Training the comparison model")
    twin = train_cached(nomem_cfg if cfg.memory else mem_cfg, _on_step=on_step2)
    slot2.empty()
    with_mem, without = (rec, twin) if cfg.memory else (twin, rec)
    rows = []
    for t in range(T):
        if inputs[t] in ambiguous:
            rows.append({
                "input so far": "".join(inputs[: t + 1])[-20:],
                "current char": char_label(inputs[t]),
                "true next": char_label(targets[t]),
                "P(true next), memory ON": float(with_mem.p_target[-1, t]),
                "P(true next), memory OFF": float(without.p_target[-1, t]),
            })
    c = next(iter(ambiguous))
    seen = ", ".join(f"“{char_label(n)}” ×{k}" for n, k in ambiguous[c].items())
    st.markdown(
        f"Without memory, h_t sees only the current character. After “{char_label(c)}” the text continues with "
        f"{seen}, so a memoryless model can at best split its bet between them. With memory, the "
        "hidden state remembers what came before and can tell the positions apart. "
        f"Both models below are fully trained ({cfg.steps} steps)."
    )
    st.dataframe(pd.DataFrame(rows).round(4), hide_index=True)
    if not cfg.memory:
        st.warning("Memory is **off** in the pictures above: look at the steps whose input repeats.")

# ---- Chain rule ------------------------------------------------------------------------------
st.header("4 · The chain rule, with this step's numbers")
shown_text = "".join(inputs[:MAX_SHOWN]) + targets[min(T, MAX_SHOWN) - 1]
terms = " \\cdot ".join(
    f"P(\\text{{{_c}}} \\mid \\text{{{_ctx}}})"
    for _c, _ctx in zip((char_label(c) for c in targets[:MAX_SHOWN]),
                        ("".join(inputs[: t + 1])[-6:].replace(" ", "␣") for t in range(min(T, MAX_SHOWN))))
)
factor_values = " \\cdot ".join(f"{p:.3f}" for p in cr.factors[:MAX_SHOWN])
dots = " \\cdots" if T > MAX_SHOWN else ""
st.latex(f"P(\\text{{{char_label(shown_text[:12])}}}{'…' if T > MAX_SHOWN else ''} \\mid \\text{{{char_label(inputs[0])}}}) = {terms}{dots}")
st.latex(f"= {factor_values}{dots} = {cr.probability:.4g}")
c1, c2, c3 = st.columns(3)
c1.metric("Probability of the text", f"{cr.probability:.4g}")
c2.metric("Log-probability (nats)", f"{cr.log_prob:.4f}")
c3.metric("Perplexity", f"{cr.perplexity:.3f}", help=f"exp(mean −log P). 1 = certain; {V} = guessing among V characters.")
st.markdown(f"**What to notice:** perplexity runs from {V} (guessing) at step 0 towards 1 as training makes every factor close to 1.")

# ---- Sampling --------------------------------------------------------------------------------
@st.fragment
def sampling_section(cfg: charlm.CharLMConfig, itos: tuple, shown_step: int) -> None:
    """Section 5 reruns on its own (st.fragment) when a sampling knob moves: the model is already trained."""
    text, vocab = cfg.text, list(itos)
    st.header("5 · Sampling: let the model write")
    url_number("temp", 0.0, 2.0, float)
    url_number("n", 1, 10)
    url_number("length", 1, 200)
    c1, c2, c3, c4 = st.columns(4)
    start = c1.text_input("Start with", value=text[0], key="start", bind="query-params")
    temperature = c2.slider("Temperature (0 = greedy)", 0.0, 2.0, 1.0, 0.1, key="temp", bind="query-params")
    n_samples = c3.slider("Samples", 1, 10, 5, key="n", bind="query-params")
    length = c4.slider("New characters", 1, 200, max(1, min(len(text) - 1, 200)), key="length", bind="query-params")
    unknown = sorted({ch for ch in start if ch not in vocab})
    if not start:
        st.info("Type at least one character to start from.")
    elif unknown:
        st.error(
            "The model only knows the characters of its training text: "
            f"{', '.join(repr(c) for c in vocab)}. Not known: {', '.join(repr(c) for c in unknown)}."
        )
    elif len(start) > 200:
        st.error("The start text is limited to 200 characters.")
    else:
        samples = sample_cached(cfg, itos, shown_step, start, int(length), float(temperature), int(n_samples), cfg.seed)
        st.caption(f"Generated with the weights of step {shown_step} (move the step slider to compare).")
        st.dataframe(pd.DataFrame({"sample": samples}), hide_index=True)
        st.markdown(
            "**What to notice:** at temperature 0 the model always picks its most likely letter, so every "
            "sample is the same. Higher temperature flattens the softmax and the samples differ."
        )


sampling_section(cfg, rec.itos, shown_step)


# ---- Code ------------------------------------------------------------------------------------
st.header("6 · The code that ran")
show_code(charlm.rnn_step, charlm.forward, key="code_forward", label="Show the code: one RNN tick and the unrolled forward pass")
show_code(charlm.rnn_loss_and_grad, key="code_bptt", label="Show the code: the loss and its gradient (backpropagation through time)")
