"""Lesson: further applications — one encoder → C → decoder pattern in images, text and signals."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui.legacy import int_input, numbers, once, progress_callback, setup_page, show_chart, show_code, url_choice, url_number, url_text
from core import captioning as cap
from core import chargen as cg
from core import seqclass as sc
from core.figures import applications as figs
from core.figures.style import char_label
from core.overview import APPLICATIONS

setup_page("Further applications", icon=":material/extension:")

ROOT = Path(__file__).resolve().parents[1]
TRANSLATION_PAGE = "pages/3_Encoder_decoder.py"
DEMOS = ["Show and Tell", "Generating text", "Classification over time"]


# ---- Cached training: once per setting for the whole server ---------------------------------
@once(st.cache_resource(show_spinner=False, max_entries=8))
def caption_run(cfg: cap.CaptionConfig, _on_step=None) -> cap.CaptionRun:
    return cap.train(cfg, on_step=_on_step)


@once(st.cache_resource(show_spinner=False, max_entries=8))
def chargen_run(text: str, cfg: cg.CharGenConfig, _on_step=None) -> cg.CharGenRun:
    return cg.train(text, cfg, on_step=_on_step)


@once(st.cache_resource(show_spinner=False, max_entries=8))
def seqclass_run(cfg: sc.SeqClassConfig, _on_step=None) -> sc.SeqClassRun:
    return sc.train(cfg, on_step=_on_step)


@once(st.cache_data(show_spinner=False))
def lee_text() -> str:
    return cg.load_corpus("lee")


@once(st.cache_data(show_spinner=False, max_entries=256))
def describe_cached(cfg: cap.CaptionConfig, scene: cap.Scene, picture_seed: int, width: int):
    image = cap.render(scene, np.random.default_rng(picture_seed))
    return image, cap.describe(caption_run(cfg).model, image, width)


@once(st.cache_data(show_spinner=False, max_entries=256))
def generate_cached(text: str, cfg: cg.CharGenConfig, prime: str, length: int, temperature: float, n: int, seed: int):
    return cg.generate(chargen_run(text, cfg), prime, length, temperature, n, seed)


@once(st.cache_data(show_spinner=False, max_entries=256))
def classify_cached(cfg: sc.SeqClassConfig, label: int, sig_seed: int) -> tuple[sc.SignalData, np.ndarray]:
    """One signal of a class and the classifier's softmax after each of its frames, (T, K)."""
    signal = sc.make_signal(label, sig_seed, cfg.noise)
    return signal, sc.frame_probs(seqclass_run(cfg).model, signal.frames)[0]


# ---- Charts every student shares: built once per server ---------------------------------------
# Building a Plotly figure costs more than drawing it. Cached charts are shared by every session, so
# never changed in place (show_chart copies a figure before presenter mode alters one). Arguments
# named _x are not hashed: the ones before them decide them.
@once(st.cache_resource(show_spinner=False, max_entries=1))
def overview_chart():
    return figs.overview_diagram([a.__dict__ for a in APPLICATIONS])


@once(st.cache_resource(show_spinner=False, max_entries=8))
def caption_loss_chart(cfg: cap.CaptionConfig):
    run = caption_run(cfg)
    ln_v = math.log(len(run.itos))
    return figs.loss_vs_baseline(np.arange(1, len(run.loss) + 1), run.loss, ln_v, f"ln V = {ln_v:.2f} (guessing a word)",
                                 title="Training loss per batch")


@once(st.cache_resource(show_spinner=False, max_entries=8))
def chargen_loss_chart(text: str, cfg: cg.CharGenConfig):
    grun = chargen_run(text, cfg)
    return figs.loss_vs_baseline(grun.steps, grun.loss, grun.ln_v, f"ln V = {grun.ln_v:.2f} (uniform guess)",
                                 grun.eval_steps, grun.heldout_loss, title="Cross-entropy against guessing")


@once(st.cache_resource(show_spinner=False, max_entries=8))
def classifier_charts(cfg: sc.SeqClassConfig) -> dict:
    crun = seqclass_run(cfg)
    return {"acc": figs.accuracy_by_frame(crun.accuracy_by_frame, 1 / len(sc.CLASSES)),
            "conf": figs.confusion(crun.confusion(), sc.CLASSES)}


# ---- Charts of one picture or signal: the last few, for whoever asks again -------------------
# The default scene, and a scene from a link the teacher shares, are the same for the whole class;
# a student's own random pictures pass through. Only a few are kept: each cached figure is a few
# hundred Python objects that every full garbage collection walks (with Streamlit's post-run
# collection on, 150 cached random pictures tripled the CPU of every rerun).
@once(st.cache_resource(show_spinner=False, max_entries=32))
def picture_charts(cfg: cap.CaptionConfig, scene: cap.Scene, picture_seed: int, _image: np.ndarray,
                   _desc: cap.Description) -> dict:
    """The picture and its greedy softmax: the model (cfg) and the picture decide them, whatever the beam width."""
    chosen = [cap.ITOS[i] for i in _desc.greedy_ids] + ["<eos>"]
    return {"image": figs.image_figure(_image, "The picture"),
            "softmax": figs.word_softmax(chosen, list(cap.ITOS[1:]), _desc.word_probs[:, 1:])}  # <pad> never comes


@once(st.cache_resource(show_spinner=False, max_entries=32))
def beam_chart(cfg: cap.CaptionConfig, scene: cap.Scene, picture_seed: int, width: int, _desc: cap.Description):
    return figs.beam_tree(_desc.beam_nodes, cap.ITOS, cap.encode_caption(_desc.beam[0][0]))


@once(st.cache_resource(show_spinner=False, max_entries=32))
def signal_charts(cfg: sc.SeqClassConfig, label: int, sig_seed: int, _signal: sc.SignalData, _probs: np.ndarray) -> dict:
    return {"spec": figs.spectrogram(_signal.frames[0], _signal.pitch[0], "The input: spectrogram-like frames"),
            "probs": figs.frame_probabilities(_probs, sc.CLASSES, label)}


def train_with_progress(fn, label: str, *args):
    on_step, slot = progress_callback(label)
    out = fn(*args, _on_step=on_step)
    slot.empty()
    return out


st.title("Further applications: one pattern, many media")
st.markdown(
    r"""
The encoder–decoder idea does not care what the sequences are made of. An **encoder** turns the
input — an image, a sentence, a sound — into a context vector **C**; a **decoder** (an RNN) turns
C into the output one step at a time, each step a softmax:
$p(y^{[t]} \mid C; y^{[1]}, \dots, y^{[t-1]})$. Below, the lecture's applications side by side, then
three of them made small enough to **train live on this machine**.
"""
)

# ---- Overview ------------------------------------------------------------------------------
st.header("The applications, as encoder → C → decoder")
show_chart(overview_chart(), key="overview")
with numbers("Numbers: what is encoded, what C is, what is decoded, and what each paper reported",
             key="num_overview") as shown:
    if shown:
        table = pd.DataFrame([a.__dict__ for a in APPLICATIONS]).rename(columns={
            "name": "application", "paper": "paper", "encoded": "encoded", "encoder": "encoder", "context": "C",
            "decoder": "decoder", "decoded": "decoded", "result": "reported result", "demo": "live demo below",
        })
        st.dataframe(table, hide_index=True)
if (ROOT / TRANSLATION_PAGE).exists():
    label = "Machine translation is the encoder–decoder lesson: open it"
    try:
        st.page_link(TRANSLATION_PAGE, label=label, icon="▶️")
    except StreamlitPageNotFoundError:  # only when this page runs as its own entry point (AppTest)
        st.markdown(f"▶️ [{label}](Encoder_decoder)")
else:
    st.caption("Machine translation (Sutskever et al.) is the subject of the encoder–decoder lesson.")
st.markdown(
    "**What to notice:** only the encoder changes with the medium (a CNN for pixels, an RNN for "
    "words or audio frames). The decoder is always a recurrent network writing one softmax at a time — "
    "or, for classification, a softmax read once the whole input is in."
)

tabs = st.tabs(DEMOS, key="demo", bind="query-params")

# =============================================================================================
# 1 · Show and Tell
# =============================================================================================
with tabs[0]:
    if tabs[0].open is not False:
        st.subheader("Show and Tell: a CNN encodes the picture, a GRU describes it")
        st.markdown(
            "The pictures are **generated by this app** (so every caption is exactly right): one or two "
            "coloured shapes on a 32×32 canvas, with captions such as *a red circle above a blue square*. "
            "A small CNN turns the picture into **C** (64 numbers). C is the GRU decoder's initial "
            "state h₀ and is also fed in beside every word; the decoder writes the caption word by word."
        )
        url_number("cap_epochs", 2, 20)
        url_choice("cap_n", [500, 1000, 2000, 4000])
        with st.expander("Training settings (the class shares each trained model)"):
            c1, c2, c3 = st.columns(3)
            n_train = c1.select_slider("Training images", [500, 1000, 2000, 4000], 2000, key="cap_n", bind="query-params")
            epochs = c2.slider("Epochs", 2, 20, cap.CaptionConfig.epochs, key="cap_epochs", bind="query-params")
            cap_seed = int_input(c3, "Seed", 0, 999, 0, key="cap_seed")
        cap_cfg = cap.CaptionConfig(n_train=int(n_train), epochs=int(epochs), seed=int(cap_seed))
        run = train_with_progress(caption_run, "Training the captioner", cap_cfg)
        s_g, s_b = run.scores["greedy"], run.scores["beam"]
        st.markdown(f"**Held-out images** ({cap_cfg.n_heldout}, never seen in training):")
        m = st.columns(5)
        m[0].metric("Exact match, greedy", f"{s_g['exact match %']:.1f} %")
        m[1].metric(f"Exact match, beam {cap_cfg.beam_width}", f"{s_b['exact match %']:.1f} %")
        m[2].metric("BLEU (greedy)", f"{s_g['BLEU']:.1f}", help="sacrebleu corpus BLEU-4, 0–100")
        m[3].metric("BLEU-1 (greedy)", f"{s_g['BLEU-1']:.1f}", help="Unigram BLEU, the measure Show and Tell reported")
        m[4].metric("Held-out loss", f"{run.heldout_loss:.3f}", help=f"per word, nats; guessing = ln V = {math.log(len(run.itos)):.3f}")

        # ---- The composer ----
        st.markdown("#### Compose a picture, read its caption")
        things_keys = ("cap_shape1", "cap_colour1", "cap_rel", "cap_shape2", "cap_colour2")
        relations = ["alone", "above", "below", "left of", "right of"]
        for key, options in zip(things_keys, (cap.SHAPES, list(cap.COLOURS), relations, cap.SHAPES, list(cap.COLOURS))):
            url_choice(key, list(options))
        url_number("cap_width", 1, 6)

        def random_scene() -> None:
            rng = np.random.default_rng()
            st.session_state["cap_shape1"] = str(rng.choice(cap.SHAPES))
            st.session_state["cap_colour1"] = str(rng.choice(list(cap.COLOURS)))
            st.session_state["cap_rel"] = str(rng.choice(relations))
            st.session_state["cap_shape2"] = str(rng.choice(cap.SHAPES))
            st.session_state["cap_colour2"] = str(rng.choice(list(cap.COLOURS)))
            st.session_state["cap_pic"] = float(rng.integers(10_000))

        c = st.columns([1, 1, 1, 1, 1, 1])
        shape1 = c[0].selectbox("Shape", cap.SHAPES, key="cap_shape1", bind="query-params")
        colour1 = c[1].selectbox("Colour", list(cap.COLOURS), key="cap_colour1", bind="query-params")
        rel = c[2].selectbox("Placed", relations, index=1, key="cap_rel", bind="query-params")
        shape2 = c[3].selectbox("Second shape", cap.SHAPES, index=1, key="cap_shape2", bind="query-params",
                                disabled=rel == "alone")
        colour2 = c[4].selectbox("Its colour", list(cap.COLOURS), index=2, key="cap_colour2", bind="query-params",
                                 disabled=rel == "alone")
        pic = int_input(c[5], "Picture seed", 0, 9999, 0, key="cap_pic",
                                help="Moves and resizes the shapes a little and changes the noise.")
        c1, c2 = st.columns([1, 3])
        c1.button("Random scene", key="cap_random", on_click=random_scene)
        width = c2.slider("Beam width (1 = greedy)", 1, 6, 3, key="cap_width", bind="query-params")
        scene = cap.compose(shape1, colour1, rel, shape2, colour2)
        image, desc = describe_cached(cap_cfg, scene, int(pic), int(width))
        truth = scene.caption()

        pic_charts = picture_charts(cap_cfg, scene, int(pic), image, desc)
        left, right = st.columns([1, 2])
        with left:
            show_chart(pic_charts["image"], key="cap_image")
            with numbers(f"Numbers: C, the picture as {len(desc.context)} numbers", key="num_cap_context") as shown:
                if shown:
                    st.dataframe(pd.DataFrame({"unit": np.arange(len(desc.context)), "C": desc.context.round(4)}),
                                 hide_index=True, height=240)
        with right:
            best_beam, best_lp = desc.beam[0]
            st.markdown(f"**True caption:** {truth}")
            st.markdown(f"**Greedy:** {desc.greedy} — {'right' if desc.greedy == truth else 'wrong'} "
                        f"(log P = {desc.greedy_log_prob:.3f})")
            st.markdown(f"**Beam {width}:** {best_beam} — {'right' if best_beam == truth else 'wrong'} "
                        f"(log P = {best_lp:.3f})")
            st.dataframe(pd.DataFrame(
                [{"rank": i + 1, "caption": t, "log P": round(s, 4), "P": round(math.exp(s), 4), "correct": t == truth}
                 for i, (t, s) in enumerate(desc.beam)]), hide_index=True)
        if rel in ("below", "right of"):
            st.caption(f"“{rel}” swaps the shapes: captions always name the top or left shape first.")
        chosen = [cap.ITOS[i] for i in desc.greedy_ids] + ["<eos>"]
        vocab = list(cap.ITOS[1:])  # <pad> is never predicted
        show_chart(pic_charts["softmax"], key="cap_softmax")
        with numbers("Numbers: the softmax at each greedy step", key="num_cap_softmax") as shown:
            if shown:
                st.dataframe(pd.DataFrame(desc.word_probs[:, 1:], columns=vocab,
                                          index=[f"t={t + 1} · {w}" for t, w in enumerate(chosen)]).round(4))
        show_chart(beam_chart(cap_cfg, scene, int(pic), int(width), desc), key="cap_beam")
        with numbers("Numbers: every node of the beam tree", key="num_cap_beam") as shown:
            if shown:
                st.dataframe(pd.DataFrame([
                    {"node": i, "step": n.step + 1, "parent": n.parent, "word": cap.ITOS[n.token],
                     "total log P": round(n.score, 4), "status": "kept" if n.kept else "finished"}
                    for i, n in enumerate(desc.beam_nodes)]), hide_index=True)
        st.markdown(
            "**What to notice:** change only the colour or the shape and the softmax moves with it — the "
            "decoder is the same network every time; only C, the picture's vector, differs. The caption's "
            "words after *a* are where the picture matters; *of* after *left* is pure grammar (P ≈ 1). "
            "Beam search keeps several partial captions and can overtake a greedy first choice that "
            "leads to a less probable whole caption."
        )
        c1, c2 = st.columns(2)
        with c1:
            show_chart(caption_loss_chart(cap_cfg), key="cap_loss")
        with c2:
            wrong = [i for i, (t, g) in enumerate(zip(run.heldout.captions, run.greedy_captions)) if t != g]
            st.markdown(f"**Held-out mistakes (greedy):** {len(wrong)} of {len(run.greedy_captions)}")
            st.dataframe(pd.DataFrame({"true caption": [run.heldout.captions[i] for i in wrong],
                                       "greedy": [run.greedy_captions[i] for i in wrong],
                                       "beam": [run.beam_captions[i] for i in wrong]}), hide_index=True, height=260)
        with numbers("Numbers: loss per step and the held-out scores", key="num_cap_loss") as shown:
            if shown:
                st.dataframe(pd.DataFrame(run.scores).T.round(2))
                st.dataframe(pd.DataFrame({"step": np.arange(1, len(run.loss) + 1), "loss": run.loss.round(4)}),
                             hide_index=True)
        show_code(cap.CaptionNet, cap.describe, label="Show the code: the CNN encoder, the GRU decoder, greedy and beam")

# =============================================================================================
# 2 · Generating text (Graves)
# =============================================================================================
with tabs[1]:
    if tabs[1].open is not False:
        st.subheader("Generating sequences: a character-level RNN writes text")
        st.markdown(
            "As in Graves (2013) and Karpathy's *char-rnn*: the network reads text one character at a time "
            "(one-hot, as in the lecture) and predicts the next. Trained on a real corpus, the **Lee news "
            "corpus** shipped with gensim's test data (≈360,000 characters of Australian news), or on your "
            "own text. The last 10 % is held out."
        )
        url_choice("gen_cell", list(cg.CELLS))
        url_choice("gen_hidden", [64, 128, 256])
        url_number("gen_steps", 50, 2000)
        c1, c2 = st.columns([1, 2])
        sources = ["Lee news corpus (gensim)", "Upload my own text"]
        url_choice("gen_source", sources)
        source = c1.radio("Corpus", sources, key="gen_source", bind="query-params")
        text = None
        if source.startswith("Upload"):
            upload = c2.file_uploader(f"A UTF-8 .txt file, up to {cg.MAX_UPLOAD_BYTES // 1_000_000} MB",
                                      type=["txt", "md", "csv"], key="gen_upload")
            if upload is None:
                st.info("Upload a plain-text file to train on it; the Lee corpus is used until then.")
            else:
                try:
                    text = cg.check_upload(upload.getvalue())
                except cg.CorpusError as err:
                    st.error(str(err))
        if text is None:
            text = lee_text()
        with st.expander("Training settings (the class shares each trained model)"):
            c1, c2, c3, c4 = st.columns(4)
            cell = c1.selectbox("Cell", cg.CELLS, format_func=str.upper, key="gen_cell", bind="query-params")
            hidden = c2.select_slider("Hidden units", [64, 128, 256], 128, key="gen_hidden", bind="query-params")
            steps = c3.slider("Training steps", 50, 2000, cg.CharGenConfig.steps, 50, key="gen_steps", bind="query-params")
            gen_seed = int_input(c4, "Seed", 0, 999, 0, key="gen_seed")
        gen_cfg = cg.CharGenConfig(cell=cell, hidden_size=int(hidden), steps=int(steps), seed=int(gen_seed))
        grun = train_with_progress(chargen_run, "Training the character model", text, gen_cfg)
        V = len(grun.itos)
        m = st.columns(5)
        m[0].metric("Held-out loss", f"{grun.heldout_loss[-1]:.3f} nats")
        m[1].metric("Guessing: ln V", f"{grun.ln_v:.3f} nats", help=f"V = {V} distinct characters")
        m[2].metric("Bits per character", f"{grun.bits_per_char:.2f}", help="held-out loss / ln 2")
        m[3].metric("Guessing: log₂ V", f"{math.log2(V):.2f} bits")
        m[4].metric("Training characters", f"{grun.n_train_chars:,}", help=f"{grun.n_heldout_chars:,} more are held out")
        show_chart(chargen_loss_chart(text, gen_cfg), key="gen_loss")
        with numbers("Numbers: held-out loss and bits per character", key="num_gen_loss") as shown:
            if shown:
                st.dataframe(pd.DataFrame({"step": grun.eval_steps, "held-out loss (nats)": grun.heldout_loss.round(4),
                                           "bits per char": (grun.heldout_loss / math.log(2)).round(4)}), hide_index=True)

        st.markdown("#### Let it write")
        url_number("gen_temp", 0.0, 2.0, float)
        url_number("gen_n", 1, 8)
        url_number("gen_len", 20, 400)
        c1, c2, c3, c4 = st.columns(4)
        url_text("gen_prime", 200)
        prime = c1.text_input("Priming text", "The ", key="gen_prime", bind="query-params", max_chars=200)
        temperature = c2.slider("Temperature (0 = greedy)", 0.0, 2.0, 0.7, 0.05, key="gen_temp", bind="query-params")
        n_samples = c3.slider("Samples", 1, 8, 4, key="gen_n", bind="query-params")
        length = c4.slider("New characters", 20, 400, 160, 20, key="gen_len", bind="query-params")
        try:
            gen = generate_cached(text, gen_cfg, prime, int(length), float(temperature), int(n_samples), int(gen_seed))
        except cg.CorpusError as err:
            st.error(f"{err} Try a start from the corpus itself, such as “{text.lstrip()[:12]}”.")
            gen = None
        if gen is not None:
            st.dataframe(pd.DataFrame({"sample": gen.samples}), hide_index=True)
            st.markdown(
                "**What to notice:** at temperature 0 every sample is the same greedy text, which soon loops. "
                "Around 0.5–0.8 the text looks most like the corpus; above 1 the softmax flattens and "
                "spelling falls apart."
            )
            st.markdown("#### One hidden unit, character by character (Karpathy's neuron picture)")
            order = cg.units_by_variation(gen.hidden)
            url_number("gen_unit", 0, int(hidden) - 1)
            if st.session_state.get("gen_unit", 0) >= int(hidden):
                st.session_state["gen_unit"] = 0
            unit = st.slider(f"Hidden unit (0–{int(hidden) - 1}); the most active units of this sample: "
                             f"{', '.join(str(u) for u in order[:5])}", 0, int(hidden) - 1, int(order[0]),
                             key="gen_unit", bind="query-params")
            show_chart(figs.hidden_unit_text(gen.chars, gen.hidden[:, unit], unit, n_prime=len(prime)), key="gen_unit_fig")
            with numbers("Numbers: this unit's value at every character of sample 1", key="num_gen_unit") as shown:
                if shown:
                    st.dataframe(pd.DataFrame({"position": np.arange(1, len(gen.chars) + 1),
                                               "character": [char_label(ch) for ch in gen.chars],
                                               f"h[{unit}]": gen.hidden[:, unit].round(4)}), hide_index=True)
            st.markdown(
                "**What to notice:** most units are hard to read, but some track something: the start of a "
                "word, being inside a number, or a space coming. Karpathy found units for quotes and line "
                "length in much larger networks trained far longer."
            )
        show_code(cg.CharRNN, cg.generate, label="Show the code: the model and sampling with a temperature")

# =============================================================================================
# 3 · Classification over time
# =============================================================================================
with tabs[2]:
    if tabs[2].open is not False:
        st.subheader("Classification over time: what does the signal do?")
        st.markdown(
            "The emotion-from-audio pattern: spectrogram frames go into an RNN, and a softmax names the class. "
            "**These signals are synthetic**, made up by the app: a pitch that *rises*, *falls*, or *rises then "
            "falls*, drawn as spectrogram-like frames with noise. The start pitch is random, so a single "
            "frame says little about the class — the change over time does. The softmax after **every** frame shows "
            "the decision forming as evidence arrives."
        )
        url_choice("cls_noise", [0.1, 0.2, 0.35, 0.5, 0.75, 1.0])
        url_number("cls_steps", 50, 1000)
        url_number("cls_seed", 0, 999)
        with st.expander("Training settings (the class shares each trained model)"):
            c1, c2, c3 = st.columns(3)
            noise = c1.select_slider("Noise (std; the band's peak is 1)", [0.1, 0.2, 0.35, 0.5, 0.75, 1.0], 0.35,
                                     key="cls_noise", bind="query-params")
            cls_steps = c2.slider("Training steps", 50, 1000, sc.SeqClassConfig.steps, 50, key="cls_steps", bind="query-params")
            cls_seed = int_input(c3, "Seed", 0, 999, 0, key="cls_seed")
        cls_cfg = sc.SeqClassConfig(noise=float(noise), steps=int(cls_steps), seed=int(cls_seed))
        crun = train_with_progress(seqclass_run, "Training the classifier", cls_cfg)
        acc = crun.accuracy_by_frame
        m = st.columns(4)
        m[0].metric("Held-out accuracy (all frames)", f"{100 * crun.accuracy:.1f} %")
        m[1].metric("Chance", f"{100 / len(sc.CLASSES):.1f} %")
        m[2].metric("After 10 frames", f"{100 * acc[9]:.1f} %")
        m[3].metric("After 20 frames", f"{100 * acc[19]:.1f} %")

        st.markdown("#### One signal, frame by frame")
        url_choice("cls_class", list(sc.CLASSES))

        def another_signal() -> None:
            st.session_state["cls_sig"] = float(np.random.default_rng().integers(10_000))

        c1, c2, c3 = st.columns([2, 1, 1])
        label_name = c1.segmented_control("Class of the signal", sc.CLASSES, default=sc.CLASSES[2], key="cls_class",
                                          bind="query-params") or sc.CLASSES[2]
        sig_seed = int_input(c2, "Signal seed", 0, 9999, 0, key="cls_sig")
        c3.button("Another signal", key="cls_random", on_click=another_signal)
        label = sc.CLASSES.index(label_name)
        signal, probs = classify_cached(cls_cfg, label, int(sig_seed))  # probs: (T, K)
        sig_charts = signal_charts(cls_cfg, label, int(sig_seed), signal, probs)
        c1, c2 = st.columns(2)
        with c1:
            show_chart(sig_charts["spec"], key="cls_spec")
        with c2:
            show_chart(sig_charts["probs"], key="cls_probs")
        decided = int(np.argmax(probs[-1]))
        sure = np.flatnonzero(probs.argmax(-1) != label)
        first_right_for_good = int(sure[-1]) + 2 if len(sure) else 1
        st.markdown(
            f"After the last frame the classifier says **{sc.CLASSES[decided]}** "
            f"(P = {probs[-1, decided]:.3f}); the true class is **{label_name}**. "
            + (f"It has picked the true class at every frame since frame {first_right_for_good}."
               if decided == label and first_right_for_good <= len(probs) else "")
        )
        with numbers("Numbers: P(class | frames so far) at every frame, and the frames", key="num_cls_probs") as shown:
            if shown:
                table = pd.DataFrame(probs, columns=list(sc.CLASSES)).round(4)
                table.insert(0, "frame", np.arange(1, len(probs) + 1))
                table["sum"] = probs.sum(axis=1).round(6)
                table["pitch (bin)"] = signal.pitch[0].round(2)
                st.dataframe(table, hide_index=True)
                st.dataframe(pd.DataFrame(signal.frames[0].T.round(3),
                                          columns=[f"f{t + 1}" for t in range(signal.frames.shape[1])]))
        st.markdown(
            "**What to notice:** at first every class is about equally likely. *Falling* separates from the "
            "others within a few frames, but *rising* and *rise then fall* climb at the same rates, so they "
            "look the same until the turn (somewhere between frames 16 and 28): their probabilities split only "
            "once the pitch starts to come down. Held-out accuracy below shows the same story — a plateau near "
            "2/3 (falling is solved, the other two are a coin toss), then a climb after the turns."
        )
        c1, c2 = st.columns(2)
        cls_charts = classifier_charts(cls_cfg)
        with c1:
            show_chart(cls_charts["acc"], key="cls_acc")
        with c2:
            show_chart(cls_charts["conf"], key="cls_conf")
        with numbers("Numbers: held-out accuracy after each frame, and the confusion counts", key="num_cls_acc") as shown:
            if shown:
                st.dataframe(pd.DataFrame({"frames seen": np.arange(1, len(acc) + 1), "accuracy": acc.round(4)}),
                             hide_index=True)
                st.dataframe(pd.DataFrame(crun.confusion(), index=[f"true {c}" for c in sc.CLASSES],
                                          columns=[f"chose {c}" for c in sc.CLASSES]))
        show_code(sc.FrameClassifier, sc.train, label="Show the code: the GRU classifier and its per-frame loss")
