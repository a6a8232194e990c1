"""Lesson: an encoder–decoder whose context vector C you can see, move and decode."""

import numpy as np
import pandas as pd
import streamlit as st

from app import progress_callback, setup_page, show_chart, show_code, url_choice, url_number, url_text
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


@st.cache_resource(show_spinner=False, max_entries=12)
def trained(cfg: s2s.Seq2SeqConfig, _on_step=None) -> s2s.TrainedSeq2Seq:
    """One model per setting for the whole server; shared read-only (eval mode, no gradients)."""
    return s2s.train(cfg, on_step=_on_step)


@st.cache_data(show_spinner=False, max_entries=24)
def context_map_cached(cfg: s2s.Seq2SeqConfig):
    tm = trained(cfg)
    examples = tm.data.test[:N_MAP]
    C = s2s.contexts(tm, [e.source for e in examples])
    return s2s.pca_2d(C), [e.source for e in examples], sd.properties(cfg.task, examples)


@st.cache_data(show_spinner=False, max_entries=8)
def length_curve_cached(cfg: s2s.Seq2SeqConfig):
    c = s2s.accuracy_by_length(trained(cfg))
    return c.lengths, c.exact_match, c.counts


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
url_choice("hidden", HIDDEN_SIZES)
url_choice("steps", STEP_CHOICES)
url_choice("tf", TF_RATIOS)
url_number("seed", 0, 99)
with st.container(border=True):
    st.markdown("**The task and the training.** Each setting trains once on the server and is shared by the class.")
    c1, c2, c3, c4, c5 = st.columns([3, 1, 1, 2, 1])
    task = c1.selectbox(  # no format_func: a shared link carries the option itself (?task=numbers)
        "Task", TASK_KEYS, key="task", bind="query-params",
        help=" · ".join(f"{k}: {t.title}" for k, t in sd.TASKS.items()),
    )
    c1.caption(f"**{sd.TASKS[task].title}**, e.g. “{sd.TASKS[task].example_in}” → “{sd.TASKS[task].example_out}”")
    hidden = c2.select_slider("Size of C (hidden units)", HIDDEN_SIZES, value=128, key="hidden", bind="query-params")
    steps = c3.select_slider("Training steps", STEP_CHOICES, value=400, key="steps", bind="query-params")
    tf_ratio = c4.select_slider(
        "Teacher-forcing ratio", TF_RATIOS, value=1.0, key="tf", bind="query-params",
        help="While training, the probability that a decoder step is fed the *true* previous token; otherwise it "
        "is fed its own guess (free running). 1 = always the truth.",
    )
    seed = c5.slider("Seed", 0, 99, 0, key="seed", bind="query-params")  # a slider: Streamlit's number_input raises on ?seed=inf

cfg = s2s.Seq2SeqConfig(task=task, hidden_size=int(hidden), steps=int(steps), teacher_forcing=float(tf_ratio), seed=int(seed))
tm = train_with_progress(cfg, "Training encoder and decoder")
data, spec = tm.data, sd.TASKS[task]

m1, m2, m3, m4 = st.columns(4)
m1.metric("Held-out exact match", f"{tm.final_exact_match:.1%}", help=f"{len(data.test)} inputs never trained on; the whole output must be right.")
m2.metric("Training time", f"{tm.seconds:.1f} s", help="On this server, the first time these settings were asked for.")
m3.metric("Training examples", f"{len(data.train):,}", help=f"{tm.examples_seen:,} seen in {cfg.steps} steps of {cfg.batch_size}.")
m4.metric("Vocabularies", f"{len(data.src)} in / {len(data.tgt)} out", help="Characters, plus <pad>, <bos>, <eos>, <unk>.")
with st.expander("Training curve and a few held-out examples"):
    show_chart(figs.training_curves(tm.loss, tm.eval_steps, tm.exact_match), key="training")
    st.dataframe(pd.DataFrame({"step": tm.eval_steps, "held-out exact match": tm.exact_match}), hide_index=True)
    sample = data.test[:8]
    outs = s2s.greedy_batch(tm.model, data, [e.source for e in sample])
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
enc = s2s.encode(tm, x)
if enc.unknown:
    st.warning(
        f"The model never saw {', '.join(repr(c) for c in enc.unknown)} in training. Each such character is read "
        "as the special token `<unk>` (“unknown”), so the encoder gets no information about which character it "
        "was — expect the output to suffer."
    )
free = s2s.decode(tm, x)
reference = sd.reference_target(task, x)
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
show_chart(figs.encoder_heatmap(list(enc.tokens), enc.states, enc.context), key="encoder")
show_chart(figs.bottleneck(list(x), enc.context, list(free.text)), key="funnel")
with st.expander("Numbers: h_t after each input character, and C"):
    states = pd.DataFrame(enc.states, index=figs.step_labels(list(enc.tokens)), columns=[f"u{j + 1}" for j in range(cfg.hidden_size)])
    states.loc["C"] = enc.context
    st.dataframe(states.round(3))
st.markdown("**What to notice:** the last column of the heatmap (dotted) *is* C. Change one character of the input "
            "and watch which units of C move.")

# ---- Decoder -------------------------------------------------------------------------------
st.header("2 · The decoder, step by step")
url_number("k", 2, 10)
c1, c2 = st.columns([1, 3])
k = c1.slider("Top-k shown", 2, 10, 5, key="k", bind="query-params")
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
if mode == "teacher forcing" and truth:
    shown = s2s.decode(tm, x, teacher=truth)
    title = "Teacher forcing: each step is fed the correct previous token; the decoder's own choice outlined"
else:
    shown = free
    title = "Free running: each step is fed the token it chose before (outlined)"
show_chart(figs.decoder_topk(list(shown.prev_tokens), list(shown.tokens), shown.probs, list(data.tgt.itos), k, title=title),
           key="topk")
with st.expander("Numbers: the softmax at each step (top-k)"):
    top = np.argsort(-shown.probs, axis=1, kind="stable")[:, :k]
    st.dataframe(pd.DataFrame({
        "step": np.arange(1, len(shown.tokens) + 1), "fed": [show_tok(t) for t in shown.prev_tokens],
        "chosen": [show_tok(t) for t in shown.tokens],
        **{f"#{r + 1}": [f"{show_tok(data.tgt.token(top[t, r]))} {shown.probs[t, top[t, r]]:.4f}" for t in range(len(top))]
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
    forced = s2s.decode(tm, x, teacher=truth)
    y_ids = data.tgt.encode(truth) + [sd.EOS_ID]
    p_teacher = np.array([forced.probs[t, y_ids[t]] for t in range(len(y_ids))])
    p_free = np.array([free.probs[t, y_ids[t]] if t < len(free.probs) else np.nan for t in range(len(y_ids))])
    labels = [f"{t + 1} · {show_tok(data.tgt.token(i))}" for t, i in enumerate(y_ids)]
    show_chart(figs.teacher_vs_free(labels, p_teacher, p_free), key="teacher")
    with st.expander("Numbers: teacher forcing against free running"):
        st.dataframe(pd.DataFrame({
            "step · correct token": labels,
            "fed (teacher forcing)": [show_tok(t) for t in forced.prev_tokens],
            "P(correct), teacher forcing": p_teacher,
            "fed (free running)": [show_tok(free.prev_tokens[t]) if t < len(free.prev_tokens) else "(ended)" for t in range(len(y_ids))],
            "P(correct), free running": p_free,
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
proj, map_sources, props = context_map_cached(cfg)
here = proj.project(enc.context)[0]
url_number("alpha", 0.0, 1.0, float)
c0, c1, c2 = st.columns([1, 2, 2])
url_choice(f"colour_{task}", list(props))
colour_by = c0.selectbox("Colour by", list(props), key=f"colour_{task}", bind="query-params")
values = np.asarray(props[colour_by], dtype=float)
default_b = data.test[1].source
url_text(f"xb_{task}", 200)
x_b = c1.text_input("Second input, for interpolation", value=default_b, key=f"xb_{task}", bind="query-params", max_chars=200)
alpha = c2.slider("α: decode from C(α) = (1 − α)·C(your input) + α·C(second input)", 0.0, 1.0, 0.5, 0.1,
                  key="alpha", bind="query-params")
path = labels_path = interp = None
try:
    s2s.check_input(data, x_b)
    interp = s2s.interpolate(tm, x, x_b, 11)
    path = proj.project(interp.contexts)
    labels_path = [f"α={a:.1f}: {o}" for a, o in zip(interp.alphas, interp.outputs)]
except s2s.InputError as err:
    st.info(f"Second input: {err}")
show_chart(
    figs.context_map(proj.points, values, colour_by, map_sources, here, x, path, labels_path,
                     (f"PC 1 ({proj.explained[0]:.0%} of variance)", f"PC 2 ({proj.explained[1]:.0%})"),
                     title=f"C of {len(map_sources)} held-out inputs (PCA, scikit-learn), coloured by {colour_by}"),
    key="pca",
)
if interp is not None:
    i = int(round(alpha * 10))
    at = s2s.decode(tm, context=interp.contexts[i])
    st.metric(f"Decoded from C(α = {interp.alphas[i]:.1f})", at.text or "(empty)")
    if free.text and interp.alphas[i] > 0:
        # Same previous tokens (your output, teacher-forced), only C changed: how much does each step rely on C?
        own = s2s.decode(tm, context=interp.contexts[0], teacher=free.text)
        moved = s2s.decode(tm, context=interp.contexts[i], teacher=free.text)
        ids = data.tgt.encode(free.text) + [sd.EOS_ID]
        p_own = np.array([own.probs[t, j] for t, j in enumerate(ids)])
        p_moved = np.array([moved.probs[t, j] for t, j in enumerate(ids)])
        dep_labels = [f"{t + 1} · {show_tok(data.tgt.token(j))}" for t, j in enumerate(ids)]
        show_chart(figs.paired_bars(dep_labels, p_own, p_moved, "your C", f"C(α = {interp.alphas[i]:.1f})",
                                    "P(your output's token)", "output step · your output's token (same previous tokens fed)"),
                   key="dependence")
        with st.expander("Numbers: each step with your C and with the moved C"):
            st.dataframe(pd.DataFrame({"step · token": dep_labels, "P with your C": p_own,
                                       f"P with C(α = {interp.alphas[i]:.1f})": p_moved}).round(4), hide_index=True)
        st.caption("Both rows of bars feed the decoder the same previous tokens; only C differs. The steps whose bar "
                   "drops are the ones that read their answer from C — the others follow from the previous tokens.")
    with st.expander("Numbers: the interpolation path"):
        st.dataframe(pd.DataFrame({"α": interp.alphas, "PC 1": path[:, 0], "PC 2": path[:, 1], "decoded output": interp.outputs}).round(3),
                     hide_index=True)
with st.expander("Numbers: the map of C"):
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
pushed = s2s.decode(tm, x, force=(force_k - 1, force_tok))
if force_k - 1 >= len(free.tokens):
    st.info(f"The free-running output ended (⟨eos⟩) at step {len(free.tokens)}, so the token is forced there instead.")
    pushed = s2s.decode(tm, x, force=(min(force_k, len(free.tokens)) - 1, force_tok))
c1, c2 = st.columns(2)
c1.metric("Greedy output", free.text or "(empty)")
c2.metric(f"With “{show_tok(force_tok)}” forced at step {pushed.forced_step + 1}", pushed.text or "(empty)")
show_chart(figs.decoder_topk(list(pushed.prev_tokens), list(pushed.tokens), pushed.probs, list(data.tgt.itos), k,
                             pushed.forced_step, title="After forcing: the decoder continues from the forced token (dashed)"),
           key="forced")
with st.expander("Numbers: each step after forcing"):
    st.dataframe(pd.DataFrame({"fed": [show_tok(t) for t in pushed.prev_tokens], "written": [show_tok(t) for t in pushed.tokens],
                               "p(written)": [pushed.probs[t, data.tgt.stoi[tok]] for t, tok in enumerate(pushed.tokens)]}).round(4),
                 hide_index=True)
st.markdown("**What to notice:** the decoder is a language model: after a forced token it continues as if it had "
            "chosen it, so one change can rewrite everything after it (or be repaired).")

st.subheader("…we search with a beam instead of greedily?")
url_number("beam", 1, 8)
width = st.slider("Beam width (1 = greedy)", 1, 8, 3, key="beam", bind="query-params")
res = s2s.beam(tm, x, int(width))
best = res.hypotheses[0]
node_tokens = [data.tgt.token(n.token) for n in res.nodes]
best_path = s2s.best_path(res)
show_chart(figs.beam_tree([n.step for n in res.nodes], [n.parent for n in res.nodes], [show_tok(t) for t in node_tokens],
                          [n.score for n in res.nodes], [n.kept for n in res.nodes], best_path), key="beamtree")
hyps = pd.DataFrame({"output": [data.tgt.decode(h) for h, _ in res.hypotheses], "log p": [sc for _, sc in res.hypotheses],
                     "p": [float(np.exp(sc)) for _, sc in res.hypotheses]})
c1, c2, c3 = st.columns(3)
c1.metric("Greedy", free.text or "(empty)", help=f"log p = {free.log_prob:.3f}")
c2.metric(f"Beam (width {width})", hyps["output"][0] or "(empty)", help=f"log p = {best[1]:.3f}")
c3.metric("Beam gained (log p)", f"{best[1] - free.log_prob:+.3f}")
with st.expander("Numbers: the finished hypotheses and every node of the tree"):
    st.dataframe(hyps.round(4), hide_index=True)
    st.dataframe(pd.DataFrame({"step": [n.step + 1 for n in res.nodes], "token": [show_tok(t) for t in node_tokens],
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
    plain = train_with_progress(s2s.bottleneck_config(False, int(seed)), "Training the plain encoder–decoder")
    att = train_with_progress(s2s.bottleneck_config(True, int(seed)), "Training the attention model")
    lp, ap = length_curve_cached(plain.cfg), length_curve_cached(att.cfg)
    show_chart(figs.accuracy_vs_length({"encoder–decoder (fixed C)": (lp[0], lp[1]), "with attention": (ap[0], ap[1])},
                                       plain.cfg.max_train_len), key="length")
    with st.expander("Numbers: held-out exact match by input length"):
        st.dataframe(pd.DataFrame({"n_x": lp[0], "held-out inputs": lp[2], "fixed C": lp[1], "attention": ap[1]}).round(3),
                     hide_index=True)
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
        d_plain, d_att = s2s.decode(plain, rx), s2s.decode(att, rx)
        c1, c2, c3 = st.columns(3)
        c1.metric("Correct", rx[::-1])
        c2.metric("Fixed C", d_plain.text or "(empty)")
        c3.metric("Attention", d_att.text or "(empty)")
        out_tok = list(d_att.tokens)
        show_chart(figs.attention_heatmap(d_att.attention, list(rx), [show_tok(t) for t in out_tok],
                                          title="Attention weights α_ti for your string"), key="attention")
        with st.expander("Numbers: the attention weights"):
            st.dataframe(pd.DataFrame(d_att.attention, index=figs.step_labels([show_tok(t) for t in out_tok]),
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
