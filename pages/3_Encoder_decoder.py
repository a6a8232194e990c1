"""Lesson: an encoder–decoder whose context vector C you can see, move and decode."""

import streamlit as st

from core.seq2seq import data as sd
from core.seq2seq import model as s2s
from ui import seq2seq as scenes
from ui.params import Choice, Float, Int, Text, select, slider, text
from ui.shell import setup_page
from ui.show import esc, numbers, show, show_code

setup_page("Encoder–decoder")

TASK = Choice("task", tuple(sd.TASKS), "dates")
HIDDEN = Choice("s2s_hidden", (32, 64, 128), scenes.DEFAULT.hidden_size)
STEPS = Choice("s2s_steps", (100, 200, 400, 800), scenes.DEFAULT.steps)
TF = Choice("tf", (0.0, 0.25, 0.5, 0.75, 1.0), 1.0)
SEED = Int("s2s_seed", 0, 99, 0)
TOP_K = Int("top_k", 2, 10, 5)
Y_TRUE = Text("y_true", "", 60)
MODE = Choice("mode", ("free running", "teacher forcing"), "free running")
ALPHA = Float("alpha", 0.0, 1.0, 0.5, 0.1)
FORCE_K = Int("force_k", 1, 64, 1)
BEAM = Int("beam", 1, scenes.MAX_BEAM, 3)
REV_X = Text("rev_x", "attention", 60)

HELP = {
    "teacher forcing": "While training, a decoder step is fed the *true* previous token y^[t−1] instead of its "
    "own guess. The ratio is the probability of that; 1 = always the truth.",
    "exposure bias": "Trained only on true histories, the decoder never saw its own mistakes; at test time it "
    "feeds itself its guesses, and one wrong token puts it in a state it never learned from.",
    "beam width": "How many partial outputs beam search keeps at each step. 1 is greedy decoding: always the "
    "single most probable next token.",
    "exact match": "The share of held-out inputs whose whole output is exactly right, character for character. "
    "Translation papers report BLEU instead: the overlap of 1- to 4-word sequences with reference "
    "translations (BLEU-1 counts single words only, so it is much more forgiving).",
    "attention": "Bahdanau attention (Bahdanau, Cho & Bengio, 2015): at each output step the decoder scores every "
    "encoder state h_i against its own state, turns the scores into weights α_ti with a softmax, and reads "
    "the mix c_t = Σ_i α_ti h_i instead of one fixed C.",
}

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
with st.container(border=True):
    st.markdown("**The task and the training.** Each setting trains once on the server and is shared by the class.")
    c1, c2, c3, c4, c5 = st.columns([3, 1, 1, 2, 1])
    task = select(TASK, "Task", c1, help=" · ".join(f"{k}: {t.title}" for k, t in sd.TASKS.items()))
    spec = sd.TASKS[task]
    c1.caption(f"**{esc(spec.title)}**, e.g. “{esc(spec.example_in)}” → “{esc(spec.example_out)}”")
    hidden = select(HIDDEN, "Size of C (hidden units)", c2, widget="select_slider")
    steps = select(STEPS, "Training steps", c3, widget="select_slider",
                   help="At most this many; training stops earlier once 99 % of a validation split is exactly right.")
    tf_ratio = select(TF, "Teacher-forcing ratio", c4, widget="select_slider", help=HELP["teacher forcing"])
    seed = slider(SEED, "Seed", c5, help="Data split and initial weights. The same seed always gives the same model.")

cfg = scenes.config(task, hidden, steps, tf_ratio, seed)
rec = scenes.record(cfg)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Held-out exact match", f"{rec.held_out:.1%}",
          help=f"{rec.n_test} inputs never trained on. " + HELP["exact match"])
m2.metric("Training time", f"{rec.seconds:.1f} s",
          help=f"On this server, the first time these settings were asked for: {rec.steps_run} of {cfg.steps} steps.")
m3.metric("Training examples", f"{rec.n_train_used:,}", help=f"{rec.examples_seen:,} seen in {rec.steps_run} steps "
          f"of {cfg.batch_size}; {rec.n_train - rec.n_train_used} more set aside to decide when to stop.")
m4.metric("Vocabularies (in / out)", f"{len(rec.src_itos)} / {len(rec.tgt_itos)}",
          help="Input and output characters, each side plus <pad>, <bos>, <eos>, <unk>.")
with numbers("Training curve and a few held-out examples", key="num_training") as shown:
    if shown:
        show(scenes.training_chart(cfg), key="training")
        st.dataframe(scenes.sample_table(rec), hide_index=True)

# ---- 1 · Encoder ---------------------------------------------------------------------------
st.header("1 · The encoder at work")
x = text(Text(f"x_{task}", spec.example_in, 200), "Your input x",
         help=f"For example “{spec.example_in}” → “{spec.example_out}”. The model knows these characters: "
         + "".join(rec.src_itos[4:]))
problem = scenes.input_problem(cfg, x)
if problem:
    (st.error if x.strip() else st.info)(esc(problem))
    st.stop()
scene = scenes.encoder_scene(cfg, x)
enc, free, reference = scene.enc, scene.free, scene.reference
if enc.unknown:
    st.warning(f"The model never saw {', '.join(esc(repr(c)) for c in enc.unknown)} in training. Each such character "
               "is read as the special token `<unk>` (“unknown”), so the encoder gets no information about which "
               "character it was — expect the output to suffer.")
st.table(scenes.outputs_table(x, free.text, reference))
st.metric("n_x → n_y", f"{len(x)} → {len(free.text)}", help="Input and output lengths: they need not be equal.")
if reference is None:
    st.caption("The app can't work out the correct output for this input, so teacher forcing below uses the field you fill in.")
st.markdown(f"The encoder reads the {len(x)} characters one by one. Its last hidden state is **C**: "
            f"{cfg.hidden_size} numbers that must carry *everything* the decoder will need.")
show(scene.heatmap, key="encoder", table=lambda: scenes.states_table(scene.enc),
     label="Numbers: h_t after each input character, and C")
show(scene.funnel, key="funnel")
st.markdown("**What to notice:** the last column of the heatmap (dotted) *is* C. Change one character of the input "
            "and watch which units of C move.")

# ---- 2 · Decoder ---------------------------------------------------------------------------
st.header("2 · The decoder, step by step")
c1, c2 = st.columns([1, 3])
k = slider(TOP_K, "Top-k shown", c1)
truth = text(Y_TRUE, "Correct output y for teacher forcing (empty = the app's own answer)", c2)
if not truth and reference is not None:
    st.info(f"No correct output typed, so teacher forcing uses the app's own answer “{esc(reference)}”.")
elif len(truth) > rec.max_target + 10:
    st.error(f"The correct output you typed has {len(truth):,} characters; outputs of this task have at most "
             f"{rec.max_target}, so teacher forcing is left out.")
    truth = ""
truth = truth or reference
mode = select(MODE, "Feed each step with", widget="radio", horizontal=True,
              help="Free running: the token the decoder chose at the step before. " + HELP["teacher forcing"])
if mode == "teacher forcing" and not truth:
    st.info("Teacher forcing needs the correct output: type it in the field above. Showing free running.")
teacher = truth if mode == "teacher forcing" and truth else None
show(scenes.topk_chart(cfg, x, k, teacher), key="topk", label="Numbers: the softmax at each step (top-k)",
     table=lambda: scenes.topk_table(scenes.decoding(cfg, x, teacher), rec.tgt_itos, k))
st.markdown(
    "Every column is one softmax $p(y^{[t]} \\mid C; y^{[1..t-1]})$. The step reads only **C** and the **previous "
    "token** (the column label) through its state $g^{[t]}$ — nothing else from the input."
)
if truth:
    unknown_y = sorted({c for c in truth if c not in rec.tgt_itos})
    if unknown_y:
        st.warning(f"The decoder can't write {', '.join(esc(repr(c)) for c in unknown_y)}: they are not in its output vocabulary.")
    tvf = scenes.teacher_scene(cfg, x, truth)
    show(tvf.chart, key="teacher", label="Numbers: teacher forcing against free running",
         table=lambda: scenes.teacher_table(tvf))
    st.markdown("**What to notice:** " + scenes.teacher_notice(tvf), help=HELP["exposure bias"])
else:
    st.info("Type the correct output above to compare teacher forcing with free running for this input.")

# ---- 3 · Space of meanings -----------------------------------------------------------------
st.header("3 · The space of meanings")
cmap = scenes.context_map(cfg)
c0, c1, c2 = st.columns([1, 2, 2])
colour_by = select(Choice(f"colour_{task}", tuple(cmap.properties), next(iter(cmap.properties))), "Colour by", c0)
x_b = text(Text(f"xb_{task}", scenes.second_input(rec), 200), "Second input, for interpolation", c1)
alpha = slider(ALPHA, "α: decode from C(α) = (1 − α)·C(your input) + α·C(second input)", c2)
if scenes.input_problem(cfg, x_b):
    st.info(f"Second input: {esc(scenes.input_problem(cfg, x_b))}")
    x_b = None  # no second input: no interpolation path
show(scenes.map_chart(cfg, x, x_b, colour_by), key="pca", label="Numbers: the map of C",
     table=lambda: scenes.map_table(cmap))
if x_b is not None:
    between = scenes.interpolation_scene(cfg, x, x_b)
    i = int(round(alpha * 10))
    moved = scenes.moved_scene(cfg, x, x_b, i)
    st.markdown(f"**Decoded from C(α = {between.interp.alphas[i]:.1f}):**")
    st.code(moved.at.text or "(empty)", language=None)
    if moved.chart is not None:  # your output is not empty and C has moved
        show(moved.chart, key="dependence", label="Numbers: each step with your C and with the moved C",
             table=lambda: scenes.dependence_table(moved, between.interp.alphas[i]))
        st.caption("Both rows of bars feed the decoder the same previous tokens; only C differs. The steps whose bar "
                   "drops are the ones that read their answer from C — the others follow from the previous tokens.")
    with numbers("Numbers: the interpolation path", key="num_path") as shown:
        if shown:
            st.dataframe(scenes.path_table(between), hide_index=True)
st.markdown("**What to notice:** " + scenes.map_notice(cmap, colour_by)
            + (" " + esc(scenes.path_notice(between.interp)) if x_b is not None else ""))

# ---- 4 · What-ifs --------------------------------------------------------------------------
st.header("4 · What if…")
st.subheader("…we force a token at step k?")
c1, c2 = st.columns(2)
force_k = slider(FORCE_K.within(1, rec.max_target + 1), "Step k", c1)
out_tokens = tuple(t for t in rec.tgt_itos if t not in ("<pad>", "<bos>", "<unk>"))
force_tok = select(Choice("force_tok", out_tokens, scene.runner_up), "Token to force", c2)
if force_k > len(free.tokens):
    st.info(f"The free-running output ended (⟨eos⟩) at step {len(free.tokens)}, so the token is forced there instead.")
force = (min(force_k, len(free.tokens)) - 1, force_tok)
pushed = scenes.decoding(cfg, x, force=force)
st.table(scenes.forced_table(free.text, pushed.text, force_tok, pushed.forced_step))
show(scenes.topk_chart(cfg, x, k, force=force), key="forced", label="Numbers: each step after forcing",
     table=lambda: scenes.written_table(pushed, rec.tgt_itos))
st.markdown("**What to notice:** " + esc(scenes.forced_notice(free, pushed)))


@st.fragment
def beam_what_if(cfg: s2s.Seq2SeqConfig, x: str) -> None:
    """The beam what-if; its slider reruns only this part of the page (st.fragment)."""
    st.subheader("…we search with a beam instead of greedily?")
    width = slider(BEAM, "Beam width (1 = greedy)", help=HELP["beam width"])
    search = scenes.beam_scene(cfg, x, width).search
    show(scenes.beam_scene(cfg, x, width).tree, key="beamtree",
         label="Numbers: the finished hypotheses and every node of the tree", table=lambda: scenes.beam_tables(search))
    st.table(scenes.search_outputs_table(search))
    st.metric("Beam gained (log p)", scenes.signed(search.log_probs[0] - search.greedy_log_prob),
              help="log p of the beam's best output minus log p of greedy's, for your input (natural log).")
    score = scenes.search_scores(cfg, width)
    st.table(scenes.search_score_table(score))
    st.markdown("**What to notice:** " + scenes.beam_notice(search, score), help=HELP["exact match"])


beam_what_if(cfg, x)

# ---- 5 · The bottleneck --------------------------------------------------------------------
st.header("5 · The bottleneck, and attention")
bn = scenes.bottleneck_scene(seed)
st.markdown(scenes.bottleneck_intro(bn, cfg.hidden_size), help=HELP["attention"])
show(bn.chart, key="length", label="Numbers: held-out exact match by input length", table=lambda: scenes.length_table(bn))
st.markdown("**What to notice:** " + scenes.bottleneck_notice(bn))
rx = text(REV_X, "A string of letters a–z to reverse")
problem = scenes.reversal_problem(rx)
if problem:
    (st.error if rx else st.info)(esc(problem))
else:
    rev = scenes.reversal_scene(seed, rx)
    st.table(scenes.reversal_table(rx, rev))
    show(rev.chart, key="attention", label="Numbers: the attention weights", table=lambda: scenes.attention_table(rev, rx))

# ---- 6 · Code ------------------------------------------------------------------------------
st.header("6 · The code that ran")
show_code(s2s.Seq2Seq.encode, s2s.Seq2Seq.step, label="Show the code: the encoder (C = final state) and one decoder step")
show_code(s2s.Seq2Seq.attend, label="Show the code: Bahdanau attention")
show_code(s2s.decode, label="Show the code: greedy decoding, teacher forcing and forcing a token")
show_code(scenes.beam_lib.beam_search, label="Show the code: beam search and when it stops")
