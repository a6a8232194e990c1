"""Lesson: the lecture's "hello" language model, trained live and replayed step by step."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.common.style import char_label
from core.hello import model
from ui import hello, params, replay
from ui.params import Choice, Flag, Float, Int, Text
from ui.shell import setup_page
from ui.show import esc, numbers, presenter, show, show_code

setup_page("Language modelling")

TEXT = Text("text", hello.DEFAULT.text, max_chars=4 * model.MAX_TEXT_CHARS)  # longer pastes get a reason
CELL = Choice("cell", ("RNN", "GRU", "LSTM"), "RNN")  # shown as-is, and the URL value (?cell=GRU)
MEMORY = Flag("memory", True)
HIDDEN = Int("hidden", 1, 64, hello.DEFAULT.hidden_size)
LR = Choice("lr", (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0), hello.DEFAULT.lr)
STEPS = Int("steps", 1, 1000, hello.DEFAULT.steps)
SEED = Int("seed", 0, 999, hello.DEFAULT.seed)
STEP = Int("step", 0, hello.DEFAULT.steps, 0)
SAMPLE_STEP = Int("sample_step", 0, hello.DEFAULT.steps, hello.DEFAULT.steps)
TEMP = Float("temp", 0.0, 2.0, 1.0, 0.1)
N_SAMPLES = Int("n", 1, 10, 5)
LENGTH = Int("length", 1, 200, 4)
START = Text("start", "h", max_chars=200)

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
with st.container(border=True):
    st.markdown("**What if?** Change anything: the model retrains (once per setting, shared by the class).")
    c1, c2, c3 = st.columns([2, 1, 1])
    text = params.text(TEXT, "Training text", where=c1,
                       help=f"Any short text (up to {model.MAX_TEXT_CHARS:,} characters). The vocabulary, and so "
                       "the size of each one-hot vector, comes from its characters.")
    cell = params.select(CELL, "Cell type", where=c2,
                         help="RNN: the vanilla cell of the slides, h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h). "
                         "GRU and LSTM add gates that decide what to keep.")
    memory = params.toggle(MEMORY, "Memory $h_{t-1}$", where=c3,
                           help="The recurrent term. Off removes h_{t-1} from the update: each h_t then depends "
                           "on x_t alone.")
    c4, c5, c6, c7 = st.columns(4)
    hidden_size = params.slider(HIDDEN, "Hidden size", where=c4, help="How many numbers the memory h_t holds.")
    lr = params.select(LR, "Learning rate", where=c5, widget="select_slider", help="Adam's step size.")
    steps = params.slider(STEPS, "Training steps", where=c6,
                          help="Full passes over the text. With the defaults, every target passes 0.9 by step ≈ 8.")
    seed = params.slider(SEED, "Seed", where=c7, help="The initial weights. The same seed always gives the same numbers.")

try:
    model.check_text(text)
except model.TextError as err:
    st.error(esc(err))
    st.stop()

cfg = model.CharLMConfig(text=text, cell=str(cell).lower(), hidden_size=hidden_size, lr=float(lr), steps=steps,
                         seed=seed, memory=memory)
rec = hello.training(cfg)
T = len(rec.inputs)
if rec.meta["windows"] > 1:
    st.caption(f"Your text has {len(text):,} characters, so it trains as {rec.meta['windows']} windows of "
               f"{T} steps; the pictures, the chain rule and the memory table show the first window.")

# ---- Sections 1–5 -----------------------------------------------------------------------------
# Each section is a function, called below in the lecture's order. The step slider and what shows that
# step (sections 1–2) run in the student's browser (ui.replay): every recorded step is sent once, so
# moving the slider never reruns anything. The curves and the memory table are the same at every step;
# sampling has its own fragment and its own step.
def unrolled_section(cfg: model.CharLMConfig, rec: model.TrainingRecord) -> tuple[hello.ReplayFrames, int]:
    st.header("1 · The unrolled network, live")
    every = rec.meta["record_every"]
    frames = hello.replay_frames(cfg)
    step = params.link_value(replace(STEP, hi=cfg.steps - cfg.steps % every, step=every))
    init = frames.index(step)  # the frame a link's ?step= opens at
    replay.player("replay", frames.player, group="hello", sig=frames.sig, init=init, presenter=presenter(),
                  figures=hello.replay_figures(cfg, presenter()), url_key=STEP.key, url_default=STEP.default)
    return frames, init


def curves_section(cfg: model.CharLMConfig, rec: model.TrainingRecord) -> None:
    st.header("3 · Training, step by step")
    run = hello.curves(cfg)  # the whole run, the same at every replay step
    c1, c2 = st.columns(2)
    with c1:
        show(run.ptarget, key="ptarget")
    with c2:
        show(run.loss, key="loss")
    st.caption("Every recorded step of the run; the step slider in section 1 replays any of them. Hover a curve "
               "to read its numbers.")
    st.markdown(f"**What to notice:** {hello.curves_notice(rec)}")
    with numbers("Numbers: loss and P(target) per recorded step", key="num_curves") as shown:
        if shown:
            st.dataframe(hello.curves_table(rec), hide_index=True)


def memory_section(cfg: model.CharLMConfig) -> None:
    st.header("4 · Why memory matters")
    cmp = hello.memory(cfg)
    if not cmp.rows:
        st.info("In this text every character is always followed by the same character, so even a model "
                "without memory can be perfect. Try “hello”, where “l” is followed by “l” once and by “o” once.")
        return
    c, followers = cmp.followers[0]
    seen = ", ".join(f"“{esc(char_label(n))}” ×{k}" for n, k in followers)
    st.markdown(f"Without memory, h_t sees only the current character. After “{esc(char_label(c))}” the text "
                f"continues with {seen}, so a memoryless model can at best split its bet between them. With memory, "
                "the hidden state can remember what came before and tell the positions apart. "
                f"Both models below are fully trained ({cmp.steps} steps).")
    st.dataframe(hello.memory_table(cmp), hide_index=True)
    if cmp.uses_memory:
        st.markdown(f"**What to notice:** with memory, P(true next) is {cmp.rows[0].p_on:.2f}"
                    + "".join(f", {r.p_on:.2f}" for r in cmp.rows[1:])
                    + " at these positions, above what any memoryless model can reach"
                    + f" ({', '.join(f'{r.best_off:.2f}' for r in cmp.rows)}): memory helps here.")
    else:
        worse = cmp.worse_with_memory
        where = "; ".join(f"after “{esc(char_label(r.so_far[-10:]))}” {r.p_on:.2f} with memory against {r.p_off:.2f} "
                          "without" for r in worse)
        st.markdown(f"**What to notice:** with hidden size {cmp.hidden_size} and {cmp.steps} steps the network "
                    "does not use its memory here: at these positions it does no better than the best a memoryless "
                    "model can do" + (f", and it is worse at some ({where})." if worse else ".")
                    + " Try a larger hidden size or more training steps.")
    if not cfg.memory:
        st.warning("Memory is **off** in the pictures above: look at the steps whose input repeats.")


def chain_rule_section(cfg: model.CharLMConfig, frames: hello.ReplayFrames, init: int) -> None:
    st.header("2 · The chain rule, with this step's numbers")
    st.latex(frames.formula)
    replay.follower("chain_rule", frames.follower, group="hello", sig=frames.sig, init=init)
    if frames.covered < len(cfg.text):
        st.caption(f"Your text has {len(cfg.text):,} characters; this chain rule covers its first window "
                   f"({frames.covered} characters), the one the pictures show.")


@st.fragment
def sampling_section(cfg: model.CharLMConfig, rec: model.TrainingRecord) -> None:
    """Section 5 reruns on its own (st.fragment) when a sampling knob moves: the model is already trained."""
    st.header("5 · Sampling: let the model write")
    itos, every = rec.itos, rec.meta["record_every"]
    last = cfg.steps - cfg.steps % every
    if st.session_state.get("sample_step") == st.session_state.get("_sample_last", last):
        st.session_state["sample_step"] = last  # it was at the end of training: it stays there after a retrain
    st.session_state["_sample_last"] = last
    shown_step = params.slider(replace(SAMPLE_STEP, hi=last, default=last, step=every),
                               "Weights of training step (the end of training by default)",
                               help="The model writes with the weights recorded at this step: 0 is the untrained "
                               "network, the last step the trained one.")
    c1, c2, c3, c4 = st.columns(4)
    start = params.text(replace(START, default=cfg.text[0]), "Start with", where=c1)
    temperature = params.slider(TEMP, "Temperature (0 = greedy)", where=c2,
                                help="Divides the scores before the softmax: below 1 sharper, above 1 flatter.")
    n_samples = params.slider(N_SAMPLES, "Samples", where=c3)
    length = params.slider(replace(LENGTH, default=max(1, min(len(cfg.text) - 1, 200))), "New characters", where=c4)
    unknown = [ch for ch in dict.fromkeys(start) if ch not in itos]
    if not start:
        st.info("Type at least one character to start from.")
    elif unknown:
        st.error("The model only knows the characters of its training text: "
                 f"{esc(', '.join(repr(c) for c in itos))}. Not known: {esc(', '.join(repr(c) for c in unknown))}.")
    else:
        out = hello.samples(cfg, shown_step, start, length, temperature, n_samples)
        st.caption(f"Generated with the weights of step {shown_step} (move the slider above to compare).")
        st.dataframe(pd.DataFrame({"sample": out}), hide_index=True)
        distinct = len(set(out))
        st.markdown(f"**What to notice:** {distinct} different sample{'s' if distinct > 1 else ''} out of {len(out)}. "
                    + ("At temperature 0 the model always picks its most likely letter, so every sample is the same."
                       if temperature == 0 else "Higher temperature flattens the softmax, so samples differ more; "
                       "temperature 0 always picks the most likely letter."))


chain_rule_section(cfg, *unrolled_section(cfg, rec))
curves_section(cfg, rec)
memory_section(cfg)
sampling_section(cfg, rec)

# ---- Code ------------------------------------------------------------------------------------
st.header("6 · The code that ran")
show_code(model.rnn_step, model.forward, key="code_forward",
          label="Show the code: one RNN tick and the unrolled forward pass")
show_code(model.rnn_loss_and_grad, key="code_bptt",
          label="Show the code: the loss and its gradient (backpropagation through time)")
