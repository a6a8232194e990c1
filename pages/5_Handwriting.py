"""Lesson: Graves' handwriting. An RNN trained here writes a line of text as pen strokes, point by point."""

import streamlit as st

from core.handwriting import loops, model as Mo  # loops: numba, which the training imports anyway
from ui import handwriting as hw
from ui.params import Float, Flag, Int, Text, slider, text, toggle
from ui.shell import setup_page
from ui.show import esc, show, show_code

DEFAULT = Mo.HandConfig()
HIDDEN = Int("hw_hidden", 16, 192, default=DEFAULT.hidden, step=16)
MIXTURES = Int("hw_mixtures", 1, 20, default=DEFAULT.mixtures)
WINDOW = Int("hw_window", 1, 10, default=DEFAULT.window)
STEPS = Int("hw_steps", 50, 600, default=DEFAULT.steps, step=10)
SEED = Int("hw_seed", 0, 99, default=0)
BIAS = Float("hw_bias", 0.0, hw.BIAS_MAX, default=2.0, step=hw.BIAS_STEP)
LINE = Text("hw_text", default=hw.LINE, max_chars=80)
POINT = Int("hw_point", 1, 2000, default=hw.POINT_DEFAULT)
FREE = Flag("hw_free", default=False)

setup_page("Handwriting")
st.title("Handwriting: an RNN that writes “more of national temperament”")
st.markdown(
    "The lecture's slide shows one line of real pen strokes and, under it, the same line *written by "
    "RNNs* (Graves, 2013, *Generating Sequences With Recurrent Neural Networks*). Handwriting is a "
    "sequence like text, only each step is a **pen offset** (Δx, Δy) plus whether the pen **lifts** "
    "after it. The network never outputs one point: it outputs a **probability distribution** over the "
    "next point, a mixture of Gaussians (a *mixture density network*), and the writing is a sample from it."
)
st.warning(
    "**These strokes are not people's handwriting.** Graves trained on pen recordings of real writers "
    "(the IAM online database), which we don't have offline. Every line here is rendered from a vector "
    "font (Hershey's cursive, from the `hershey-fonts` package) and varied at random: slant, size, "
    "baseline drift, letter spacing, jitter and smoothing. The words come from a real corpus (the Lee "
    "news corpus); some words are held out and only used to test."
)

st.subheader("What if?")
c1, c2, c3, c4 = st.columns(4)
hidden = slider(HIDDEN, "LSTM units per layer", where=c1)
mixtures = slider(MIXTURES, "Mixture components M", where=c2)
window = slider(WINDOW, "Window components K", where=c3)
steps = slider(STEPS, "Training steps", where=c4)
c5, c6, c7 = st.columns([1, 1, 2])
seed = slider(SEED, "Seed", where=c5)
bias = slider(BIAS, "Sampling bias b", where=c6, help="0 samples the model as trained; larger is neater.")
raw_text = text(LINE, "Text to write (letters a–z and spaces)", where=c7)
st.caption(f"A new number of units, components, steps or seed trains the network again, with its progress shown: "
           f"about {hw.train_seconds('synthesis', steps)} s here for {steps} steps at the default {DEFAULT.hidden} "
           "units (fewer units are quicker, more are slower), then under a second to write the rows of the slide's "
           "line. The bias and the text only write again.")
line, problem = hw.check_text(raw_text)
if problem:
    st.error(esc(problem))

# --- 1 · data ---------------------------------------------------------------------------------
st.header("1 · The data: pen offsets")
fig, table, texts, n_train, n_held, per_char, n_lines = hw.data_scene(seed)
st.markdown(
    f"The training set is {n_lines:,} lines, each one to three of {n_train} corpus words in its own random "
    "style, rendered once, as Graves had a fixed set of recorded lines; each training reads them in an order "
    f"of its own seed. {n_held} other words are held out. A line becomes rows (Δx, Δy, pen-up): the three "
    f"below, from the set, have {per_char:.1f} rows per character, spaces included."
)
show(fig, "hwc_data", table=table, label="Numbers: the first example's last offsets")

# --- 2 · the synthesis network --------------------------------------------------------------
st.header("2 · Train the synthesis network (Graves §5)")
st.markdown(
    "Two LSTM layers read the pen offsets. Between them a **soft window** reads the text: K Gaussians "
    "over character positions whose centres κ only move forward. The output layer gives M bivariate "
    "Gaussians (weights π, means μ, spreads σ, correlations ρ) for the next offset and a probability e "
    "that the pen lifts. Loss = −log of the probability the network gave the real next point."
)
cfg = hw.config("synthesis", hidden, mixtures, window, steps, seed)
rec = hw.trained(cfg)
fig, table = hw.loss_scene(cfg, rec)
show(fig, "hwc_loss", table=table)
gain = rec.reference_nll - rec.heldout_nll[-1]
st.markdown(
    f"**What to notice:** on held-out lines the network needs **{rec.heldout_nll[-1]:.2f} nats per point**, "
    f"{'less' if gain > 0 else 'more'} than the reference (one Gaussian fitted to all offsets plus the "
    f"pen-up frequency, {rec.reference_nll:.2f}) by {abs(gain):.2f}. It trained for {rec.seconds:.0f} s"
    + (", its LSTM layers in 16-bit bfloat16 numbers, which this CPU multiplies in hardware." if rec.bf16 else ".")
)
show_code(Mo.mdn_params, Mo.mdn_loss, loops.mixture_nll.py_func,  # the formula, then the compiled pass training runs
          label="Show the code: the mixture density loss", key="hw_code_mdn")

if line is None:
    st.info("Type a line the network can write (above) to see it written.")
    st.stop()

# --- 3 · the slide --------------------------------------------------------------------------
st.header("3 · The slide: one font row, four written rows")
scene = hw.slide_scene(cfg, line, bias, seed, rec)
show(scene["fig"], "hwc_slide", table=scene["table"])
better = "closer to" if scene["score"] < scene["score_zero"] else "no closer to"
st.markdown(
    f"**What to notice:** at bias b = {bias:g} the written rows are {scene['score']:.2f} (Chamfer distance, "
    f"letter-height units) from the font's shape; four samples at b = 0 (same seed) are {scene['score_zero']:.2f}: "
    f"the bias makes them {better} the font. The font row with its random variation scores "
    f"{scene['score_real']:.2f}. The four rows differ from each other by {scene['spread']:.2f} on average: "
    f"every sample is a new draw. {scene['finished']} of {hw.ROWS} rows finished the text "
    "(the window moved past its last character)."
)


# --- 4 · watch it write ------------------------------------------------------------------------
@st.fragment
def watch_it_write(cfg: Mo.HandConfig, rec: Mo.HandRecord, line: str, bias: float, seed: int) -> None:
    """Section 4; the pen-point slider reruns only this section (st.fragment), not the whole page."""
    st.header("4 · Watch it write, one point at a time")
    w = hw.writing(cfg, line, bias, seed, rec)
    n_points = len(w.offsets) - 1
    t = slider(POINT.within(1, n_points), "Pen point", help="Scrub through the first written row.")
    figs = hw.replay_figures(cfg, line, bias, seed, t, w)
    left, right = st.columns(2)
    with left:
        show(figs["pen"], "hwc_pen", table=figs["pen_table"])
    with right:
        show(figs["density"], "hwc_density", table=figs["density_table"],
             label="Numbers: the mixture for this point (π, μ, σ, ρ) and P(pen up)")
    show(figs["window"], "hwc_window", table=figs["window_table"], label="Numbers: the window's peak every 5 points")
    ok, total = hw.window_monotone_rate(cfg, rec)
    moves = ("never steps back" if figs["backsteps"] == 0
             else f"steps back {figs['backsteps']} time{'s' if figs['backsteps'] > 1 else ''}")
    st.markdown(
        f"**What to notice:** at point {t} the window weighs the character "
        f"‘{esc(figs['reading'])}’ most and the network gives P(pen up) = {figs['p_up']:.2f}. Along this row "
        f"the window's peak {moves} and reaches character {figs['last_peak'] + 1} of {len(line)}. On {ok} of "
        f"{total} held-out lines (words never trained on) the peak only moves forward."
    )


watch_it_write(cfg, rec, line, bias, seed)
show_code(Mo.soft_window, Mo.SynthesisNet.forward, loops.forward.py_func,  # the compiled loop that runs, as written
          label="Show the code: the soft window", key="hw_code_window")

# --- 5 · the prediction network -----------------------------------------------------------------
st.header("5 · Without text: the prediction network (Graves §4)")
st.markdown(
    "The same network without the window can only predict the next point from the strokes so far. "
    "Sampled freely it writes letter-like strokes, but no words: nothing tells it what to write."
)
st.caption(f"Training it takes about {hw.train_seconds('prediction', steps)} s here for {steps} steps at the "
           f"default {DEFAULT.hidden} units, with its progress shown; the warm-up has already trained the default one.")
if toggle(FREE, "Train and sample the prediction network too (same settings)"):
    pcfg = hw.config("prediction", hidden, mixtures, window, steps, seed)
    prec = hw.trained(pcfg)
    fig, table = hw.loss_scene(pcfg, prec)
    show(fig, "hwc_free_loss", table=table)
    babble = hw.babble_scene(pcfg, bias, seed, prec)
    show(babble["fig"], "hwc_free", table=babble["table"])
    st.markdown(
        f"**What to notice:** held-out NLL {prec.heldout_nll[-1]:.2f} nats per point against the "
        f"reference {prec.reference_nll:.2f} and the synthesis network's {rec.heldout_nll[-1]:.2f}: knowing "
        f"the text {'helps' if rec.heldout_nll[-1] < prec.heldout_nll[-1] else 'does not help yet'}. "
        f"The free samples lift the pen {babble['lifts']:.0f} times in 250 points."
    )
