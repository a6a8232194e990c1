"""Lesson: an encoder–decoder whose context vector C you can see, move and decode."""

import numpy as np
import pandas as pd
import streamlit as st

from ui.legacy import numbers, once, progress_callback, setup_page, show_chart, show_code, url_choice, url_number, url_text
from core import seq2seq as s2s
from core import seq2seq_data as sd
from core.figures import seq2seq as figs
from core.figures.style import char_label

setup_page("Encoder–decoder", icon=":material/swap_horiz:")

TASK_KEYS = list(sd.TASKS)
HIDDEN_SIZES = [32, 64, 128]
STEP_CHOICES = [100, 200, 400, 800]
TF_RATIOS = [0.0, 0.25, 0.5, 0.75, 1.0]
N_MAP = 300  # held-out inputs drawn in the map of C
SPECIAL_LABELS = {"<eos>": "⟨eos⟩", "<bos>": "⟨bos⟩", "<unk>": "⟨unk⟩", "<pad>": "⟨pad⟩"}


def show_tok(tok: str) -> str:
    return SPECIAL_LABELS.get(tok, char_label(tok))


@once(st.cache_resource(show_spinner=False, max_entries=12))
def trained(cfg: s2s.Seq2SeqConfig, _on_step=None) -> s2s.TrainedSeq2Seq:
    """One model per setting for the whole server; shared read-only (eval mode, no gradients)."""
    return s2s.train(cfg, on_step=_on_step)


# Everything below is computed once per (settings, input, slider values) for the whole class and
# shared by every session, like the model: never change a result or a figure in place (arrays are
# locked; show_chart copies a figure before presenter mode enlarges it). Streamlit reruns this page
# on every click, so a click on something already seen only looks results up.
# Only the most recent charts of each kind are kept, so the server's memory stays bounded.
# (With Streamlit's post-run gc.collect() on, every kept figure also cost each rerun a GC walk;
# it is off in .streamlit/config.toml.)
FIGURES = 32


def read_only(result):
    """Lock the numpy arrays of a shared result: a session that tried to change them would fail loudly."""
    for value in vars(result).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return result


@once(st.cache_resource(show_spinner=False, max_entries=256))
def decoded(cfg: s2s.Seq2SeqConfig, x: str, teacher: str | None = None,
            force: tuple[int, str] | None = None) -> s2s.Decoding:
    """Greedy decoding of x (free running, teacher-forced, or with one token forced)."""
    return read_only(s2s.decode(trained(cfg), x, teacher=teacher, force=force))


@once(st.cache_resource(show_spinner=False, max_entries=4))
def training_scene(cfg: s2s.Seq2SeqConfig) -> dict:
    """The training curves, and the model's output for a few held-out inputs."""
    tm = trained(cfg)
    sample = tm.data.test[:8]
    return {"curves": figs.training_curves(tm.loss, tm.eval_steps, tm.exact_match), "sample": sample,
            "outputs": s2s.greedy_batch(tm.model, tm.data, [e.source for e in sample])}


@once(st.cache_resource(show_spinner=False, max_entries=FIGURES))
def encoder_scene(cfg: s2s.Seq2SeqConfig, x: str) -> dict:
    """The encoder on x, the model's greedy output and the correct one, and section 1's charts."""
    enc, free = read_only(s2s.encode(trained(cfg), x)), decoded(cfg, x)
    return {"enc": enc, "free": free, "reference": sd.reference_target(cfg.task, x),
            "heatmap": figs.encoder_heatmap(list(enc.tokens), enc.states, enc.context),
            "funnel": figs.bottleneck(list(x), enc.context, list(free.text))}


@once(st.cache_resource(show_spinner=False, max_entries=2 * FIGURES))
def topk_chart(cfg: s2s.Seq2SeqConfig, x: str, k: int, teacher: str | None = None,
               force: tuple[int, str] | None = None):
    """The decoder's top-k at each step: free running, teacher-forced, or continuing after a forced token."""
    shown = decoded(cfg, x, teacher, force)
    if force is not None:
        title = "After forcing: the decoder continues from the forced token (dashed)"
    elif teacher is not None:
        title = "Teacher forcing: each step is fed the correct previous token; the decoder's own choice outlined"
    else:
        title = "Free running: each step is fed the token it chose before (outlined)"
    return figs.decoder_topk(list(shown.prev_tokens), list(shown.tokens), shown.probs, list(trained(cfg).data.tgt.itos),
                             k, shown.forced_step, title=title)


@once(st.cache_resource(show_spinner=False, max_entries=FIGURES))
def teacher_scene(cfg: s2s.Seq2SeqConfig, x: str, truth: str) -> dict:
    """P(correct token) at each step, fed the true previous tokens or the decoder's own."""
    tgt = trained(cfg).data.tgt
    forced, free = decoded(cfg, x, truth), decoded(cfg, x)
    y_ids = tgt.encode(truth) + [sd.EOS_ID]
    p_teacher = np.array([forced.probs[t, y_ids[t]] for t in range(len(y_ids))])
    p_free = np.array([free.probs[t, y_ids[t]] if t < len(free.probs) else np.nan for t in range(len(y_ids))])
    labels = [f"{t + 1} · {show_tok(tgt.token(i))}" for t, i in enumerate(y_ids)]
    p_teacher.flags.writeable = p_free.flags.writeable = False
    return {"forced": forced, "labels": labels, "p_teacher": p_teacher, "p_free": p_free,
            "chart": figs.teacher_vs_free(labels, p_teacher, p_free)}


@once(st.cache_resource(show_spinner=False, max_entries=8))
def context_map_data(cfg: s2s.Seq2SeqConfig):
    """C of N_MAP held-out inputs in 2D (PCA), their inputs, and the properties that can colour them."""
    tm = trained(cfg)
    examples = tm.data.test[:N_MAP]
    C = s2s.contexts(tm, [e.source for e in examples])
    return read_only(s2s.pca_2d(C)), [e.source for e in examples], sd.properties(cfg.task, examples)


@once(st.cache_resource(show_spinner=False, max_entries=128))
def interpolation_scene(cfg: s2s.Seq2SeqConfig, x: str, x_b: str) -> dict:
    """Decoding from 11 points between C(x) and C(x_b), and where they lie on the map of C."""
    interp = read_only(s2s.interpolate(trained(cfg), x, x_b, 11))
    path = context_map_data(cfg)[0].project(interp.contexts)
    path.flags.writeable = False
    return {"interp": interp, "path": path, "labels": [f"α={a:.1f}: {o}" for a, o in zip(interp.alphas, interp.outputs)]}


@once(st.cache_resource(show_spinner=False, max_entries=FIGURES))
def context_map_chart(cfg: s2s.Seq2SeqConfig, x: str, x_b: str | None, colour_by: str):
    """The map of C coloured by one property, your input's C, and the path to x_b's (None: no path)."""
    proj, map_sources, props = context_map_data(cfg)
    here = proj.project(encoder_scene(cfg, x)["enc"].context)[0]
    path = interpolation_scene(cfg, x, x_b) if x_b is not None else {"path": None, "labels": None}
    return figs.context_map(proj.points, np.asarray(props[colour_by], dtype=float), colour_by, map_sources, here, x,
                            path["path"], path["labels"],
                            (f"PC 1 ({proj.explained[0]:.0%} of variance)", f"PC 2 ({proj.explained[1]:.0%})"),
                            title=f"C of {len(map_sources)} held-out inputs (PCA, scikit-learn), coloured by {colour_by}")


@once(st.cache_resource(show_spinner=False, max_entries=FIGURES))
def moved_scene(cfg: s2s.Seq2SeqConfig, x: str, x_b: str, i: int) -> dict:
    """Decoding from C(α_i); and, fed your output's tokens, how likely each is with your C and with C(α_i)."""
    tm = trained(cfg)
    interp, free = interpolation_scene(cfg, x, x_b)["interp"], decoded(cfg, x)
    scene = {"at": read_only(s2s.decode(tm, context=interp.contexts[i]))}
    if free.text and interp.alphas[i] > 0:
        # Same previous tokens (your output, teacher-forced), only C changed: how much does each step rely on C?
        own = s2s.decode(tm, context=interp.contexts[0], teacher=free.text)
        moved = s2s.decode(tm, context=interp.contexts[i], teacher=free.text)
        ids = tm.data.tgt.encode(free.text) + [sd.EOS_ID]
        p_own = np.array([own.probs[t, j] for t, j in enumerate(ids)])
        p_moved = np.array([moved.probs[t, j] for t, j in enumerate(ids)])
        p_own.flags.writeable = p_moved.flags.writeable = False
        labels = [f"{t + 1} · {show_tok(tm.data.tgt.token(j))}" for t, j in enumerate(ids)]
        scene.update(labels=labels, p_own=p_own, p_moved=p_moved, chart=figs.paired_bars(
            labels, p_own, p_moved, "your C", f"C(α = {interp.alphas[i]:.1f})",
            "P(your output's token)", "output step · your output's token (same previous tokens fed)"))
    return scene


@once(st.cache_resource(show_spinner=False, max_entries=FIGURES))
def beam_scene(cfg: s2s.Seq2SeqConfig, x: str, width: int) -> dict:
    """Beam search on x: the finished hypotheses and the tree of every node it tried."""
    tm = trained(cfg)
    res = s2s.beam(tm, x, width)
    node_tokens = [tm.data.tgt.token(n.token) for n in res.nodes]
    tree = figs.beam_tree([n.step for n in res.nodes], [n.parent for n in res.nodes], [show_tok(t) for t in node_tokens],
                          [n.score for n in res.nodes], [n.kept for n in res.nodes], s2s.best_path(res))
    return {"res": res, "node_tokens": node_tokens, "tree": tree,
            "outputs": [tm.data.tgt.decode(h) for h, _ in res.hypotheses]}


@once(st.cache_resource(show_spinner=False, max_entries=4))
def length_scene(seed: int) -> dict:
    """Held-out exact match by input length, fixed C against attention (both models already trained)."""
    lp, ap = [s2s.accuracy_by_length(trained(s2s.bottleneck_config(attention, seed))) for attention in (False, True)]
    return {"plain": lp, "attention": ap, "chart": figs.accuracy_vs_length(
        {"encoder–decoder (fixed C)": (lp.lengths, lp.exact_match), "with attention": (ap.lengths, ap.exact_match)},
        s2s.bottleneck_config(False, seed).max_train_len)}


@once(st.cache_resource(show_spinner=False, max_entries=FIGURES))
def reversal_scene(seed: int, rx: str) -> dict:
    """Both bottleneck models reversing one string, and where the attention model looked."""
    d_plain = read_only(s2s.decode(trained(s2s.bottleneck_config(False, seed)), rx))
    d_att = read_only(s2s.decode(trained(s2s.bottleneck_config(True, seed)), rx))
    out_tok = [show_tok(t) for t in d_att.tokens]
    return {"plain": d_plain, "attention": d_att, "out_tokens": out_tok,
            "chart": figs.attention_heatmap(d_att.attention, list(rx), out_tok, title="Attention weights α_ti for your string")}


def train_with_progress(cfg: s2s.Seq2SeqConfig, label: str) -> s2s.TrainedSeq2Seq:
    on_step, slot = progress_callback(label)
    tm = trained(cfg, _on_step=on_step)
    slot.empty()
    return tm


st.title("Encoder–decoder: a context vector you can see, move and decode")
st.markdown(
    r"""
An **encoder** RNN reads an input $x^{[1]},\dots,x^{[n_x]}$ one character at a time and keeps its final hidden
state as a fixed-length **context vector $C$**. A **decoder** RNN then writes an output of a *different*
length $n_y$, one token at a time, as a language model conditioned on $C$:
$\;\mathbb{P}(y^{[1]},\dots,y^{[n_y]} \mid x) = \prod_{t=1}^{n_y} p(y^{[t]} \mid C;\, y^{[1]},\dots,y^{[t-1]})$,
with $p(y^{[t]} \mid \dots) = f(y^{[t-1]}, g^{[t]}, C)$. Here the decoder's state starts at $g^{[0]} = C$ and $C$ is
fed again at **every** step, as in the lecture's figure. Both halves are GRUs, **trained jointly** on data this
app generates itself (dates written by `babel`, numbers by `num2words`); held-out items are never trained on.
"""
)

# ---- Settings ------------------------------------------------------------------------------
url_choice("task", TASK_KEYS)
url_choice("s2s_hidden", HIDDEN_SIZES)
url_choice("s2s_steps", STEP_CHOICES)
url_choice("tf", TF_RATIOS)
url_number("s2s_seed", 0, 99)
with st.container(border=True):
    st.markdown("**The task and the training.** Each setting trains once on the server and is shared by the class.")
    c1, c2, c3, c4, c5 = st.columns([3, 1, 1, 2, 1])
    task = c1.selectbox(  # no format_func: a shared link carries the option itself (?task=numbers)
        "Task", TASK_KEYS, key="task", bind="query-params",
        help=" · ".join(f"{k}: {t.title}" for k, t in sd.TASKS.items()),
    )
    c1.caption(f"**{sd.TASKS[task].title}**, e.g. “{sd.TASKS[task].example_in}” → “{sd.TASKS[task].example_out}”")
    hidden = c2.select_slider("Size of C (hidden units)", HIDDEN_SIZES, value=128, key="s2s_hidden", bind="query-params")
    steps = c3.select_slider("Training steps", STEP_CHOICES, value=400, key="s2s_steps", bind="query-params")
    tf_ratio = c4.select_slider(
        "Teacher-forcing ratio", TF_RATIOS, value=1.0, key="tf", bind="query-params",
        help="While training, the probability that a decoder step is fed the *true* previous token; otherwise it "
        "is fed its own guess (free running). 1 = always the truth.",
    )
    seed = c5.slider("Seed", 0, 99, 0, key="s2s_seed", bind="query-params")  # a slider: Streamlit's number_input raises on ?seed=inf

cfg = s2s.Seq2SeqConfig(task=task, hidden_size=int(hidden), steps=int(steps), teacher_forcing=float(tf_ratio), seed=int(seed))
tm = train_with_progress(cfg, "Training encoder and decoder")
data, spec = tm.data, sd.TASKS[task]

m1, m2, m3, m4 = st.columns(4)
m1.metric("Held-out exact match", f"{tm.final_exact_match:.1%}", help=f"{len(data.test)} inputs never trained on; the whole output must be right.")
m2.metric("Training time", f"{tm.seconds:.1f} s", help="On this server, the first time these settings were asked for.")
m3.metric("Training examples", f"{len(data.train):,}", help=f"{tm.examples_seen:,} seen in {cfg.steps} steps of {cfg.batch_size}.")
m4.metric("Vocabularies", f"{len(data.src)} in / {len(data.tgt)} out", help="Characters, plus <pad>, <bos>, <eos>, <unk>.")
with numbers("Training curve and a few held-out examples", key="num_training") as shown:
    if shown:
        training = training_scene(cfg)
        show_chart(training["curves"], key="training")
        st.dataframe(pd.DataFrame({"step": tm.eval_steps, "held-out exact match": tm.exact_match}), hide_index=True)
        sample, outs = training["sample"], training["outputs"]
        st.dataframe(
            pd.DataFrame({"input x": [e.source for e in sample], "target y": [e.target for e in sample],
                          "model output": outs, "right?": ["yes" if o == e.target else "no" for o, e in zip(outs, sample)]}),
            hide_index=True,
        )

# ---- Input ---------------------------------------------------------------------------------
st.header("1 · The encoder at work")
x_key = f"x_{task}"
url_text(x_key, 200)
x = st.text_input(
    "Your input x", value=spec.example_in, key=x_key, bind="query-params", max_chars=200,
    help=f"For example “{spec.example_in}” → “{spec.example_out}”. The model knows these characters: "
    + "".join(c for c in data.src.itos[4:]),
)
try:
    x = s2s.check_input(data, x)
except s2s.InputError as err:
    if x and x.strip():
        st.error(str(err))
    else:
        st.info(str(err))
    st.stop()
scene = encoder_scene(cfg, x)
enc, free, reference = scene["enc"], scene["free"], scene["reference"]
if enc.unknown:
    st.warning(
        f"The model never saw {', '.join(repr(c) for c in enc.unknown)} in training. Each such character is read "
        "as the special token `<unk>` (“unknown”), so the encoder gets no information about which character it "
        "was — expect the output to suffer."
    )
r1, r2, r3 = st.columns(3)
r1.metric("Model output ŷ (greedy)", free.text or "(empty)")
r2.metric("Correct output y", reference if reference is not None else "unknown")
r3.metric("n_x → n_y", f"{len(x)} → {len(free.text)}")
if reference is None:
    st.caption("The app can't work out the correct output for this input, so teacher forcing below uses the field you fill in.")

st.markdown(
    f"The encoder reads the {len(x)} characters one by one. Its last hidden state is **C**: {cfg.hidden_size} numbers "
    "that must carry *everything* the decoder will need."
)
show_chart(scene["heatmap"], key="encoder")
show_chart(scene["funnel"], key="funnel")
with numbers("Numbers: h_t after each input character, and C", key="num_states") as shown:
    if shown:
        states = pd.DataFrame(enc.states, index=figs.step_labels(list(enc.tokens)),
                              columns=[f"u{j + 1}" for j in range(cfg.hidden_size)])
        states.loc["C"] = enc.context
        st.dataframe(states.round(3))
st.markdown("**What to notice:** the last column of the heatmap (dotted) *is* C. Change one character of the input "
            "and watch which units of C move.")

# ---- Decoder -------------------------------------------------------------------------------
st.header("2 · The decoder, step by step")
url_number("top_k", 2, 10)
c1, c2 = st.columns([1, 3])
k = c1.slider("Top-k shown", 2, 10, 5, key="top_k", bind="query-params")
url_text("y_true", 60)
truth = c2.text_input(
    "Correct output y for teacher forcing (empty = the app's own answer)", value="", key="y_true",
    bind="query-params", max_chars=60,
)
MAX_TRUTH = data.max_target + 10  # teacher forcing runs one decoder step per character of y
if not truth and reference is not None:
    st.info(f"No correct output typed, so teacher forcing uses the app's own answer “{reference}”.")
elif truth and len(truth) > MAX_TRUTH:
    st.error(f"The correct output you typed has {len(truth):,} characters; outputs of this task have at most "
             f"{data.max_target}, so teacher forcing is left out.")
    truth = ""
truth = truth or reference
MODES = ["free running", "teacher forcing"]
url_choice("mode", MODES)
mode = st.radio("Feed each step with", MODES, horizontal=True, key="mode", bind="query-params",
                help="Free running: the token the decoder chose at the step before. Teacher forcing: the correct one.")
if mode == "teacher forcing" and not truth:
    st.info("Teacher forcing needs the correct output: type it in the field above. Showing free running.")
teacher = truth if mode == "teacher forcing" and truth else None
show_chart(topk_chart(cfg, x, k, teacher), key="topk")
with numbers("Numbers: the softmax at each step (top-k)", key="num_topk") as shown:
    if shown:
        fed = decoded(cfg, x, teacher)
        top = np.argsort(-fed.probs, axis=1, kind="stable")[:, :k]
        st.dataframe(pd.DataFrame({
            "step": np.arange(1, len(fed.tokens) + 1), "fed": [show_tok(t) for t in fed.prev_tokens],
            "chosen": [show_tok(t) for t in fed.tokens],
            **{f"#{r + 1}": [f"{show_tok(data.tgt.token(top[t, r]))} {fed.probs[t, top[t, r]]:.4f}" for t in range(len(top))]
               for r in range(top.shape[1])},
        }), hide_index=True)
st.markdown(
    "Every column is one softmax $p(y^{[t]} \\mid C; y^{[1..t-1]})$. The step reads only **C** and the **previous "
    "token** (the column label) through its state $g^{[t]}$ — nothing else from the input."
)
if truth:
    unknown_y = data.tgt.unknown_chars(truth)
    if unknown_y:
        st.warning(f"The decoder can't write {', '.join(repr(c) for c in unknown_y)}: they are not in its output vocabulary.")
    tvf = teacher_scene(cfg, x, truth)
    show_chart(tvf["chart"], key="teacher")
    with numbers("Numbers: teacher forcing against free running", key="num_teacher") as shown:
        if shown:
            labels = tvf["labels"]
            st.dataframe(pd.DataFrame({
                "step · correct token": labels,
                "fed (teacher forcing)": [show_tok(t) for t in tvf["forced"].prev_tokens],
                "P(correct), teacher forcing": tvf["p_teacher"],
                "fed (free running)": [show_tok(free.prev_tokens[t]) if t < len(free.prev_tokens) else "(ended)"
                                       for t in range(len(labels))],
                "P(correct), free running": tvf["p_free"],
            }).round(4), hide_index=True)
    st.markdown(
        "**What to notice:** with teacher forcing every step is fed the *true* previous token, as in training at "
        "ratio 1. Free running feeds the model its own guesses: once one is wrong, later steps are conditioned on a "
        "history the model never saw in training, and the bars fall apart (*exposure bias*)."
    )
else:
    st.info("Type the correct output above to compare teacher forcing with free running for this input.")

# ---- Space of meanings ---------------------------------------------------------------------
st.header("3 · The space of meanings")
proj, map_sources, props = context_map_data(cfg)
url_number("alpha", 0.0, 1.0, float)
c0, c1, c2 = st.columns([1, 2, 2])
url_choice(f"colour_{task}", list(props))
colour_by = c0.selectbox("Colour by", list(props), key=f"colour_{task}", bind="query-params")
default_b = data.test[1].source
url_text(f"xb_{task}", 200)
x_b = c1.text_input("Second input, for interpolation", value=default_b, key=f"xb_{task}", bind="query-params", max_chars=200)
alpha = c2.slider("α: decode from C(α) = (1 − α)·C(your input) + α·C(second input)", 0.0, 1.0, 0.5, 0.1,
                  key="alpha", bind="query-params")
try:
    s2s.check_input(data, x_b)
except s2s.InputError as err:
    st.info(f"Second input: {err}")
    x_b = None  # no second input: no interpolation path
show_chart(context_map_chart(cfg, x, x_b, colour_by), key="pca")
if x_b is not None:
    between = interpolation_scene(cfg, x, x_b)
    interp, path = between["interp"], between["path"]
    i = int(round(alpha * 10))
    moved = moved_scene(cfg, x, x_b, i)
    st.metric(f"Decoded from C(α = {interp.alphas[i]:.1f})", moved["at"].text or "(empty)")
    if "chart" in moved:  # your output is not empty and C has moved
        show_chart(moved["chart"], key="dependence")
        with numbers("Numbers: each step with your C and with the moved C", key="num_dependence") as shown:
            if shown:
                st.dataframe(pd.DataFrame({"step · token": moved["labels"], "P with your C": moved["p_own"],
                                           f"P with C(α = {interp.alphas[i]:.1f})": moved["p_moved"]}).round(4),
                             hide_index=True)
        st.caption("Both rows of bars feed the decoder the same previous tokens; only C differs. The steps whose bar "
                   "drops are the ones that read their answer from C — the others follow from the previous tokens.")
    with numbers("Numbers: the interpolation path", key="num_path") as shown:
        if shown:
            st.dataframe(pd.DataFrame({"α": interp.alphas, "PC 1": path[:, 0], "PC 2": path[:, 1],
                                       "decoded output": interp.outputs}).round(3), hide_index=True)
with numbers("Numbers: the map of C", key="num_map") as shown:
    if shown:
        st.dataframe(pd.DataFrame({"input": map_sources, **props, "PC 1": proj.points[:, 0],
                                   "PC 2": proj.points[:, 1]}).round(3), hide_index=True)
st.markdown(
    "**What to notice:** inputs with similar meaning land near each other even when they are written differently. "
    "Walk α from 0 to 1: the decoder, reading only C, turns one answer into the other — sometimes through outputs "
    "that belong to neither input."
)

# ---- What-ifs ------------------------------------------------------------------------------
st.header("4 · What if…")
st.subheader("…we force a token at step k?")
n_steps = max(len(free.tokens), 1)
url_number("force_k", 1, data.max_target + 1)
out_tokens = [t for t in data.tgt.itos if t not in ("<pad>", "<bos>", "<unk>")]
url_choice("force_tok", out_tokens)
c1, c2 = st.columns(2)
if st.session_state.get("force_k", 1) > data.max_target + 1:
    st.session_state["force_k"] = 1
force_k = c1.slider("Step k", 1, data.max_target + 1, 1, key="force_k", bind="query-params")
runner_up = data.tgt.token(int(np.argsort(-free.probs[0], kind="stable")[1]))  # step 1's second choice
default_tok = out_tokens.index(runner_up) if runner_up in out_tokens else 0
force_tok = c2.selectbox("Token to force", out_tokens, index=default_tok, key="force_tok", bind="query-params")
if force_tok not in out_tokens:
    force_tok = out_tokens[0]
if force_k - 1 >= len(free.tokens):
    st.info(f"The free-running output ended (⟨eos⟩) at step {len(free.tokens)}, so the token is forced there instead.")
force = (min(force_k, len(free.tokens)) - 1, force_tok)
pushed = decoded(cfg, x, force=force)
c1, c2 = st.columns(2)
c1.metric("Greedy output", free.text or "(empty)")
c2.metric(f"With “{show_tok(force_tok)}” forced at step {pushed.forced_step + 1}", pushed.text or "(empty)")
show_chart(topk_chart(cfg, x, k, force=force), key="forced")
with numbers("Numbers: each step after forcing", key="num_forced") as shown:
    if shown:
        stoi = data.tgt.stoi
        st.dataframe(pd.DataFrame({"fed": [show_tok(t) for t in pushed.prev_tokens],
                                   "written": [show_tok(t) for t in pushed.tokens],
                                   "p(written)": [pushed.probs[t, stoi[tok]] for t, tok in enumerate(pushed.tokens)]}).round(4),
                     hide_index=True)
st.markdown("**What to notice:** the decoder is a language model: after a forced token it continues as if it had "
            "chosen it, so one change can rewrite everything after it (or be repaired).")

st.subheader("…we search with a beam instead of greedily?")
url_number("beam", 1, 8)
width = st.slider("Beam width (1 = greedy)", 1, 8, 3, key="beam", bind="query-params")
search = beam_scene(cfg, x, int(width))
res = search["res"]
best = res.hypotheses[0]
show_chart(search["tree"], key="beamtree")
c1, c2, c3 = st.columns(3)
c1.metric("Greedy", free.text or "(empty)", help=f"log p = {free.log_prob:.3f}")
c2.metric(f"Beam (width {width})", search["outputs"][0] or "(empty)", help=f"log p = {best[1]:.3f}")
gained = best[1] - free.log_prob
c3.metric("Beam gained (log p)", f"{0.0 if abs(gained) < 5e-4 else gained:+.3f}")  # width 1 is greedy: +0.000, not -0.000
with numbers("Numbers: the finished hypotheses and every node of the tree", key="num_beam") as shown:
    if shown:
        st.dataframe(pd.DataFrame({"output": search["outputs"], "log p": [sc for _, sc in res.hypotheses],
                                   "p": [float(np.exp(sc)) for _, sc in res.hypotheses]}).round(4), hide_index=True)
        st.dataframe(pd.DataFrame({"step": [n.step + 1 for n in res.nodes],
                                   "token": [show_tok(t) for t in search["node_tokens"]],
                                   "total log p": [n.score for n in res.nodes], "kept": [n.kept for n in res.nodes],
                                   "parent node": [n.parent for n in res.nodes]}).round(4))
st.markdown("**What to notice:** a beam keeps the few most probable *partial* outputs, so it can recover from a "
            "first token that looked best but leads nowhere. Width 1 gives exactly the greedy output.")

# ---- The bottleneck ------------------------------------------------------------------------
st.header("5 · The bottleneck, and attention")
st.markdown(
    "A fixed-size C must hold the whole input. To see where that breaks, two models learn to **reverse** strings "
    "of random letters (every input letter must reach the output), trained only on inputs of **at most 10 "
    "letters** and tested on lengths 3–14: the plain encoder–decoder above, and a **Bahdanau attention** variant "
    "whose decoder, at each step, mixes *all* encoder states $h_i$ with weights $\\alpha_{ti}$ instead of reading "
    "only C."
)
run_bottleneck = st.toggle("Train both models (one to three minutes the first time on this server, then shared)", value=False,
                           key="bottleneck", bind="query-params")
if run_bottleneck:
    train_with_progress(s2s.bottleneck_config(False, int(seed)), "Training the plain encoder–decoder")
    train_with_progress(s2s.bottleneck_config(True, int(seed)), "Training the attention model")
    curves = length_scene(int(seed))
    show_chart(curves["chart"], key="length")
    with numbers("Numbers: held-out exact match by input length", key="num_length") as shown:
        if shown:
            lp, ap = curves["plain"], curves["attention"]
            st.dataframe(pd.DataFrame({"n_x": lp.lengths, "held-out inputs": lp.counts, "fixed C": lp.exact_match,
                                       "attention": ap.exact_match}).round(3), hide_index=True)
    url_text("rev_x", 60)
    rx = st.text_input("A string of letters a–z to reverse", value="attention", key="rev_x", bind="query-params", max_chars=60)
    bad = sorted({c for c in rx if c not in "abcdefghijklmnopqrstuvwxyz"})
    if not rx:
        st.info("Type a few lowercase letters.")
    elif bad:
        st.error(f"These models only know the letters a–z; not {', '.join(repr(c) for c in bad)}.")
    elif len(rx) > 20:
        st.error("At most 20 letters: the models never saw anything longer than 14.")
    else:
        rev = reversal_scene(int(seed), rx)
        c1, c2, c3 = st.columns(3)
        c1.metric("Correct", rx[::-1])
        c2.metric("Fixed C", rev["plain"].text or "(empty)")
        c3.metric("Attention", rev["attention"].text or "(empty)")
        show_chart(rev["chart"], key="attention")
        with numbers("Numbers: the attention weights", key="num_attention") as shown:
            if shown:
                st.dataframe(pd.DataFrame(rev["attention"].attention, index=figs.step_labels(rev["out_tokens"]),
                                          columns=figs.step_labels(list(rx))).round(3))
    st.markdown(
        "**What to notice:** the fixed-C model is fine on short strings and falls off as n_x grows, *within* the "
        "lengths it trained on: its C is full. The attention model stays high up to the longest training length, "
        "and its map is the anti-diagonal — output step t looks at input character n_x + 1 − t. Beyond the "
        "training lengths (shaded) both fail: attention fixes the bottleneck, not extrapolation."
    )
else:
    st.info("Switch on the toggle to train both models (once per server; everyone after reuses them).")

# ---- Code ----------------------------------------------------------------------------------
st.header("6 · The code that ran")
show_code(s2s.Seq2Seq.encode, s2s.Seq2Seq.step, label="Show the code: the encoder (C = final state) and one decoder step")
show_code(s2s.Seq2Seq.attend, label="Show the code: Bahdanau attention")
show_code(s2s.decode, label="Show the code: greedy decoding, teacher forcing and forcing a token")
