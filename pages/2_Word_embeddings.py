"""Lesson: word embeddings: real GloVe vectors, word2vec trained live, projections, analogies, and "bank"."""

import numpy as np
import pandas as pd
import streamlit as st

from core.embeddings import bank as B
from core.embeddings import sources as S
from core.embeddings import vectors as E
from ui import embeddings as scenes
from ui import params
from ui.params import Choice, Int, Text
from ui.shell import setup_page
from ui.show import esc, numbers, show, show_code
from ui.train import Cancelled

setup_page("Word embeddings")

# ---- The page's settings (each bound to the URL) ---------------------------------------------------
PRESETS = {  # words every source offers where it can (word2vec's tokeniser drops digits)
    "countries and capitals": "countries: france, germany, italy, spain, japan, india, russia, egypt\n"
                              "capitals: paris, berlin, rome, madrid, tokyo, delhi, moscow, cairo",
    "family and gender": "male: man, king, boy, father, son, brother, husband, prince\n"
                         "female: woman, queen, girl, mother, daughter, sister, wife, princess",
    "verb tenses": "present: walk, run, go, take, eat, see, write, give\n"
                   "past: walked, ran, went, took, ate, saw, wrote, gave",
    "comparatives": "base: good, bad, large, small, fast, low, high\n"
                    "comparative: better, worse, larger, smaller, faster, lower, higher\n"
                    "superlative: best, worst, largest, smallest, fastest, lowest, highest",
    "animals and vehicles": "animals: dog, horse, cow, sheep, lion, tiger, bird, fish\n"
                            "vehicles: car, bus, train, ship, plane, boat",
    "numbers": "number words: one, two, three, four, five, six, seven, eight, nine, ten\n"
               "digits: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
}
METHODS = {"PCA": "pca", "t-SNE": "tsne", "UMAP": "umap"}  # shown name (also the URL value) -> core name
RESTRICT = {"10k": 10_000, "30k": 30_000, "100k": 100_000, "400k": 400_000}
MONEY = "money, loan, cash, deposit, credit, finance"
RIVER = "river, shore, stream, lake, water, flood"
MONEY_SENTENCES = ("he borrowed money from the bank\nshe paid the cheque into her account at the bank\n"
                   "the central bank raised interest rates\ninvestors sold shares of the bank")
RIVER_SENTENCES = ("we fished from the grassy river bank\nthe boat drifted toward the muddy bank\n"
                   "flood water spilled over the river bank\nreeds grew thick along the stream bank")
OH_WORDS = "dog, horse, car, ship, king, queen"

OH = Text("oh_words", OH_WORDS, max_chars=500)
PRESET = Choice("preset", (*PRESETS, "custom"), "countries and capitals")
WORDS = Text("words", PRESETS["countries and capitals"], max_chars=2_000)
METHOD = Choice("method", tuple(METHODS), "PCA")
DIMS = Choice("dims", (2, 3), 2)
FIT = Choice("fit", ("words alone", "with background"), "words alone")
BACKGROUND = Int("background", 50, 3000, 500, 50)
MAP_SEED = Int("map_seed", 0, 9999, 0)
PERPLEXITY = Int("perplexity", 2, 50, 5)
UMAP_NN = Int("umap_nn", 2, 50, 10)
QUERY = Text("query", "france", max_chars=100)
K = Int("k", 1, 30, 8)
AN_A, AN_B, AN_C = Text("an_a", "man", 100), Text("an_b", "king", 100), Text("an_c", "woman", 100)
AN_K = Int("an_k", 1, 20, 5)
AXIS_X, AXIS_Y = Text("axis_x", "he, she", 200), Text("axis_y", "bad, good", 200)
RESTRICT_P = Choice("restrict", tuple(RESTRICT), "30k")
MONEY_P, RIVER_P = Text("money", MONEY, 500), Text("river", RIVER, 500)
LM_STEPS = Int("lm_steps", 50, 2000, B.ContextLMConfig.steps, 50)
LM_HIDDEN = Choice("lm_hidden", (16, 32, 64, 128, 256), B.ContextLMConfig.hidden_size)
MONEY_S = Text("money_s", MONEY_SENTENCES, 3_000)
RIVER_S = Text("river_s", RIVER_SENTENCES, 3_000)


# ---- Page --------------------------------------------------------------------------------------
st.title("Word embeddings: a dense vector for every word")
st.markdown(
    """
Instead of one-hot representations, each word gets a **dense vector of fixed size** that captures its
meaning. **Similar words lie close together**, and the dimension is far smaller than the number of
words. The two famous methods are **word2vec** (Google) and **GloVe** (Stanford). Here you explore the
real GloVe vectors (400,000 words learnt from 6 billion tokens), train word2vec yourself, and see the
limit of static vectors: “bank” has one vector, whether it is money or a river.
"""
)

# ---- 0 · Which vectors ------------------------------------------------------------------------
st.header("0 · Which vectors")
source = params.select(scenes.SOURCE, "Vectors", widget="radio", captions=list(scenes.SOURCES.values()), horizontal=True)
vectors = scenes.choose_source(source)  # the source's own settings, and its vectors
emb, source_id = vectors.emb, vectors.source_id

# ---- 1 · One-hot versus dense ------------------------------------------------------------------


@st.fragment
def onehot_section(emb, source_id) -> None:
    """Section 1 reruns on its own when its words change: nothing else depends on them."""
    st.header("1 · One-hot versus dense")
    oh_text = params.text(OH, "Words to compare")
    try:
        oh_words = scenes.word_list(emb, E.parse_words(oh_text)[:12], oh_text == OH.default)
        if len(oh_words) < 2:
            raise E.WordError("Type at least two words to compare.")
        scene = scenes.onehot_scene(source_id, tuple(E.check_words(emb, oh_words)), _emb=emb)
        oh, w0, w1 = scene.oh, esc(oh_words[0]), esc(oh_words[1])
        c1, c2, c3 = st.columns(3)
        c1.metric("One-hot length = vocabulary size V", f"{oh.V:,}")
        c2.metric("One-hot memory per word", f"{oh.onehot_bytes / 1024:,.0f} KB", help="float32 entries, all 0 but one.")
        c3.metric(f"One-hot cos({w0}, {w1})", f"{oh.onehot_cos[0, 1]:.0f}")
        c1, c2, c3 = st.columns(3)
        c1.metric("Dense length D", f"{oh.D}")
        c2.metric("Dense memory per word", f"{oh.dense_bytes} B")
        c3.metric(f"Dense cos({w0}, {w1})", f"{oh.dense_cos[0, 1]:.3f}")
        show(scene.heatmaps, key="onehot", label="Numbers: cosine similarities and the vectors",
             table=lambda: [pd.DataFrame(oh.dense_cos, index=oh_words, columns=oh_words).round(3).reset_index(),
                            pd.DataFrame(oh.dense, index=oh_words,
                                         columns=[f"d{j + 1}" for j in range(oh.D)]).round(3).reset_index()])
        show(scene.rows, key="dense_rows")
        off = oh.dense_cos[~np.eye(len(oh_words), dtype=bool)]
        st.markdown(f"**What to notice:** one-hot vectors make every pair of different words equally unrelated "
                    f"(cosine 0), and each needs {oh.V:,} numbers. The {oh.D} dense numbers give pairs of words "
                    f"cosines between {off.min():.2f} and {off.max():.2f} here: related words score higher.")
    except E.WordError as err:
        st.error(esc(err))


onehot_section(emb, source_id)

# ---- 2 · A map of words ------------------------------------------------------------------------
st.header("2 · A map of words: projections to 2D and 3D")
st.markdown(f"A picture has 2 or 3 axes, the vectors have {emb.D}. A projection squeezes them; the numbers "
            "under the map say how much it distorts.")
scenes.restore_preset(PRESET, WORDS, PRESETS)
c1, c2 = st.columns([1, 2])
params.select(PRESET, "Preset", where=c1, on_change=scenes.apply_preset, args=(PRESETS,))
words_text = params.text(WORDS, "Words (one group per line, “group: word, word…”)", where=c2, area=True, height=90)
c1, c2, c3, c4, c5 = st.columns([1.3, 0.8, 1.2, 1.2, 0.8])
method_name = params.select(METHOD, "Method", where=c1, widget="segmented_control") or "PCA"
method = METHODS[method_name]
dims = params.select(DIMS, "Dimensions", where=c2, widget="segmented_control") or 2
fit_on = params.select(FIT, "Fit on", where=c3, widget="radio",
                       help="t-SNE and UMAP on a dozen words alone are misleading; a background of frequent words "
                            "helps. Background words are drawn small and faint.")
n_bg = params.slider(BACKGROUND, "Background words", where=c4, disabled=fit_on != "with background")
seed = params.number(MAP_SEED, "Seed", where=c5)
c1, c2, c3, c4 = st.columns(4)
perplexity = params.slider(PERPLEXITY, "t-SNE perplexity", where=c1, disabled=method != "tsne",
                           help="t-SNE: roughly how many neighbours each point tries to keep close.")
umap_nn = params.slider(UMAP_NN, "UMAP neighbours", where=c2, disabled=method != "umap",
                        help="UMAP: how many nearest words shape each word's neighbourhood.")
query = params.text(QUERY, "Nearest neighbours of", where=c3).strip()
k = params.slider(K, "How many neighbours (k)", where=c4)

words, groups = E.parse_word_groups(words_text)
words_known = scenes.word_list(emb, words, words_text in PRESETS.values())
groups = [g for w, g in zip(words, groups) if w in set(words_known)]
nb = None
if not query:
    st.info("Type a word under “Nearest neighbours of” to ring its nearest words in the map.")
elif not scenes.defaults_missing(emb, (query,), (QUERY.default,)):
    try:
        nb = scenes.neighbours_of(source_id, query, int(k), _emb=emb)
    except E.WordError as err:
        st.error(f"Nearest neighbours: {esc(err)}")
try:
    map_scene = scenes.map_scene(source_id, emb, words_known, groups, nb, method, method_name, int(dims),
                                 int(n_bg) if fit_on == "with background" else 0, float(perplexity), int(umap_nn),
                                 int(seed))
    if map_scene is not None:  # None: a large t-SNE/UMAP waits for its button
        for note in map_scene.notes:
            st.info(esc(note))
        proj = map_scene.proj
        show(map_scene.figure, key="map")
        with numbers("Numbers: coordinates of every point", key="num_coords") as shown:
            if shown:
                st.dataframe(map_scene.table(), hide_index=True)
        m1, m2, m3 = st.columns(3)
        if proj.variance_explained is not None:
            m1.metric("Variance explained", f"{proj.variance_explained.sum():.1%}",
                      help="Share of the (unit) vectors' spread the PCA axes keep: "
                           + " + ".join(f"{v:.1%}" for v in proj.variance_explained) + " per axis.")
        else:
            m1.metric("Variance explained", "n/a", help="Only PCA is a linear projection with a variance share.")
        m2.metric(f"Trustworthiness (k={proj.k_trust})", f"{proj.trustworthiness:.3f}",
                  help="Trustworthiness (scikit-learn): are the words that look close in the picture really close in "
                       f"the {emb.D}-dimensional space? 1 = no false neighbours in the picture; lower = the picture "
                       "puts words together that are not.")
        m3.metric(f"Neighbours kept (k={proj.k_trust})", f"{proj.neighbours_kept:.0%}",
                  help=f"Share of each word's {proj.k_trust} nearest words (cosine, {emb.D}D) that are still "
                       "among its nearest in the picture.")
        if method == "tsne" and not map_scene.background:
            st.warning("t-SNE on a dozen words is misleading: with so few points it can place clusters "
                       "anywhere. Fit with the background words for a fairer picture.")
        st.markdown(f"**What to notice:** {esc(map_scene.notice)}")
except E.WordError as err:
    st.error(esc(err))
except Cancelled:
    st.stop()

if nb is not None:
    st.subheader(f"Nearest neighbours of “{esc(nb.query[0])}” over all {emb.V:,} words")
    st.dataframe(pd.DataFrame({"rank": range(1, len(nb.words) + 1), "word": nb.words,
                               "cosine similarity": np.round(nb.sims, 4)}), hide_index=True)
    st.caption("Ringed in the map above (a group with its own symbol), with dotted lines from the query word.")

# ---- 3 · Analogies -----------------------------------------------------------------------------


@st.fragment
def analogy_section(emb, source_id) -> None:
    """Section 3 reruns on its own when a, b, c or k change."""
    st.header("3 · Analogies: a is to b as c is to ?")
    st.markdown("**3CosAdd**: the answer is the word whose vector is nearest (by cosine) to **b − a + c**, the "
                "inputs themselves excluded. It is the rule of Mikolov et al. and gensim's `most_similar`.")
    c1, c2, c3, c4 = st.columns(4)
    a = params.text(AN_A, "a", where=c1).strip()
    b = params.text(AN_B, "b", where=c2).strip()
    c = params.text(AN_C, "c", where=c3).strip()
    an_k = params.slider(AN_K, "Top-k answers", where=c4)
    if scenes.defaults_missing(emb, (a, b, c), (AN_A.default, AN_B.default, AN_C.default)):
        return
    try:
        scene = scenes.analogy_scene(source_id, a, b, c, int(an_k), _emb=emb)
        pic = scene.picture
        left, right = st.columns([2, 1])
        with left:
            show(scene.figure, key="analogy", label="Numbers: the plotted coordinates",
                 table=lambda: pd.DataFrame(pic.xy, columns=["PC 1", "PC 2"]).assign(word=pic.words).round(4))
        with right:
            st.dataframe(pd.DataFrame({"answer": scene.answers.words,
                                       "cos(answer, b − a + c)": np.round(scene.answers.sims, 4)}), hide_index=True)
        st.markdown(f"**What to notice:** {esc(E.arrows_claim(pic))}")
    except E.WordError as err:
        st.error(esc(err))


analogy_section(emb, source_id)

# ---- 4 · Semantic axes -------------------------------------------------------------------------
st.header("4 · Semantic axes (word2viz)")
st.markdown("Pick two word pairs. Each word is placed by its cosine with the difference of each pair, "
            "for example he → she across and bad → good up.")
c1, c2 = st.columns(2)
px = E.parse_words(params.text(AXIS_X, "Horizontal pair", where=c1))
py = E.parse_words(params.text(AXIS_Y, "Vertical pair", where=c2))
try:
    if len(px) != 2 or len(py) != 2:
        raise E.WordError("Each axis needs exactly two words, like “he, she”.")
    if not words_known:
        raise E.WordError("No known words to place: type some words in section 2.")
    if not scenes.defaults_missing(emb, (*px, *py), (*E.parse_words(AXIS_X.default), *E.parse_words(AXIS_Y.default))):
        ax_scene = scenes.axes_scene(source_id, tuple(words_known), tuple(groups), tuple(px), tuple(py), _emb=emb)
        ax = ax_scene.axes
        show(ax_scene.figure, key="axes", label="Numbers: positions on the two axes",
             table=lambda: pd.DataFrame({"word": ax.words, "group": groups, f"{px[0]}→{px[1]}": ax.x,
                                         f"{py[0]}→{py[1]}": ax.y}).round(4))
        st.markdown(f"**What to notice:** {esc(scenes.axes_notice(ax, groups))} Axes are directions in the vector "
                    "space, so you read a meaning straight off the numbers.")
except E.WordError as err:
    st.error(esc(err))

# ---- 5 · Benchmarks ----------------------------------------------------------------------------
st.header("5 · How good are these vectors? The benchmarks")
st.markdown("**Google analogies**: 19,544 questions like *Athens : Greece :: Oslo : ?*, answered by 3CosAdd. "
            "**WordSim353** and **SimLex-999**: word pairs scored by people for relatedness (WordSim353) or strict "
            "similarity (SimLex-999). **Spearman** correlation compares rankings: 1 means the model orders the "
            "pairs exactly as people do, 0 means no relation.")
restrict_name = params.select(RESTRICT_P, "Vocabulary limit", widget="select_slider",
                              help="Questions with a word outside the first N words are skipped, as in gensim.")
bench = scenes.benchmarks(source_id, RESTRICT[restrict_name], emb)
if bench is not None:
    ab, ws, sl, restrict = bench.analogies, bench.wordsim, bench.simlex, bench.restrict
    m1, m2, m3 = st.columns(3)
    m1.metric("Google analogies", f"{ab.accuracy:.1%}",
              help=f"{int(ab.correct.sum()):,} of {int(ab.total.sum()):,} answered questions "
                   f"({ab.oov_ratio:.0%} skipped: a word outside the first {restrict:,}).")
    m2.metric("WordSim353 Spearman", f"{ws.spearman:.3f}", help=f"{ws.pairs} pairs with both words known.")
    m3.metric("SimLex-999 Spearman", f"{sl.spearman:.3f}", help=f"{sl.pairs} pairs with both words known.")
    st.caption(f"{int(ab.total.sum()):,} of {ab.questions:,} analogy questions answered with the first "
               f"{restrict:,} words. Same numbers as gensim's evaluate_word_analogies / evaluate_word_pairs.")
    show(bench.figure, key="sections", label="Numbers: accuracy per section, example answers and word pairs",
         table=bench.tables)
    st.markdown(f"**What to notice:** {esc(bench.notice)} Raise the vocabulary limit: more questions count, but "
                "there are more wrong candidates.")

# ---- 6 · "bank" ----------------------------------------------------------------------------------


@st.fragment
def bank_section() -> None:
    """Section 6 (always GloVe) reruns on its own when its words, sentences or settings change."""
    st.header("6 · One vector per word: the “bank” problem")
    if source != "GloVe":
        st.caption("This section always uses GloVe (the GRU below is built on it).")
    c1, c2 = st.columns(2)
    money = E.parse_words(params.text(MONEY_P, "Money words", where=c1))
    river = E.parse_words(params.text(RIVER_P, "River words", where=c2))
    try:
        scene = scenes.bank_scene(tuple(money), tuple(river))
        pos = scene.between
        left, right = st.columns([2, 1])
        with left:
            show(scene.figure, key="bank_axis", label="Numbers: positions on the money ↔ river axis",
                 table=lambda: pd.DataFrame({"word": pos.words, "group": scene.groups, "position": pos.position,
                                             "cos(money centre)": pos.cos_left,
                                             "cos(river centre)": pos.cos_right}).round(4))
        with right:
            st.dataframe(pd.DataFrame({"neighbour of bank": scene.neighbours.words,
                                       "cosine": np.round(scene.neighbours.sims, 3)}), hide_index=True)
        st.markdown(f"**What to notice:** {esc(scenes.bank_notice(pos))}")
    except E.WordError as err:
        st.error(esc(err))
        money, river = [], []

    st.subheader("Beyond static vectors: a GRU language model with GloVe as its frozen input layer")
    st.markdown(
        "A small word-level RNN language model (a GRU) reads the corpus with GloVe as its input layer (frozen) "
        "and learns to predict the next word. Its hidden state h_t at “bank” depends on the words before it, "
        "so it can differ between sentences, while the GloVe vector of “bank” cannot."
    )
    c1, c2 = st.columns(2)
    lm_steps = params.slider(LM_STEPS, "Training steps", where=c1)
    lm_hidden = params.select(LM_HIDDEN, "Hidden size H", where=c2, widget="select_slider")
    c1, c2 = st.columns(2)
    money_s = params.text(MONEY_S, "Sentences using “bank” for money (one per line)", where=c1, area=True, height=120)
    river_s = params.text(RIVER_S, "Sentences using “bank” for a river (one per line)", where=c2, area=True, height=120)
    for sense, sentences in (("money", money_s), ("river", river_s)):
        if not sentences.strip():
            st.info(f"No {sense} sentences yet: write one per line, so the two senses can be compared.")
    try:
        scene = scenes.bank_states(B.ContextLMConfig(steps=int(lm_steps), hidden_size=int(lm_hidden)),
                                   money_s, river_s, money, river)
    except E.WordError as err:
        st.error(esc(err))
        return
    except Cancelled:
        return
    states = scene.states
    if states.missing:
        st.warning("These sentences have no “bank” and are left out: "
                   + "; ".join(f"“{esc(m[:60])}”" for m in states.missing))
    show(scene.figure, key="bank_states",
         label="Numbers: hidden-state coordinates, what the model expects next, training loss",
         table=lambda: pd.DataFrame({
             "sentence": states.sentences, "sense": states.senses, "PC 1": states.hidden_xy[:, 0],
             "PC 2": states.hidden_xy[:, 1], "expected next words": [", ".join(n) for n in states.next_words],
             "unknown words (<unk>)": [", ".join(u) for u in states.unknown]}).round(4))
    st.markdown("**Cosine between the vectors of “bank” in two sentences** (for the GRU, the mean over pairs):")
    m1, m2, m3 = st.columns(3)
    m1.metric("GloVe, any two", "1.000", help="One static vector: the same in every sentence.")
    m2.metric("GRU h_t, same sense", f"{states.same:.3f}", help="After centring the states.")
    m3.metric("GRU h_t, different senses", f"{states.diff:.3f}", help="After centring the states.")
    with numbers("Training loss of the GRU language model", key="num_lm_loss") as shown:
        if shown:
            show(scene.loss_figure, key="lm_loss")
    st.markdown(f"**What to notice:** {esc(scenes.states_notice(states))} The GRU reads left to right, so it can "
                "only use the words *before* “bank”: in “the bank was muddy” it cannot know yet.")


bank_section()

# ---- 7 · Warm start ------------------------------------------------------------------------------
st.header("7 · Warm start: pretrained vectors as a model's first layer")
st.markdown(
    "The lecture calls pretrained embeddings a **warm start** (transfer learning): a model that must learn "
    "from little labelled text starts from vectors learnt on billions of words. The task here: is a passage of "
    f"{B.WarmStartConfig.passage_len} words from a Wikipedia article or from a news story? The same small GRU "
    f"classifier learns it from only {B.WarmStartConfig.train_passages} passages of each, three times: with GloVe "
    "as its input layer (frozen, or fine-tuned), and with random input vectors it must learn itself. The chart "
    "shows the loss on held-out passages (never trained on) as training goes, measured live."
)
try:
    warm = scenes.warm_start_scene(B.WarmStartConfig())
    ws = warm.result
    show(warm.figure, key="warm_start", label="Numbers: held-out loss and accuracy per step",
         table=lambda: pd.DataFrame({"step": ws.steps, **{f"loss: {n}": ws.heldout[k] for k, n in enumerate(ws.inputs)},
                                     **{f"right: {n}": ws.accuracy[k] for k, n in enumerate(ws.inputs)}}).round(4))
    st.markdown(f"**What to notice:** {esc(warm.notice)}")
except Cancelled:
    pass

# ---- 8 · Code -----------------------------------------------------------------------------------
st.header("8 · The code that ran")
st.markdown("**skip-gram** predicts the words around a word from the word; **CBOW** (continuous bag of words) "
            "predicts a word from the words around it. Both are word2vec (Mikolov et al., 2013).")
show_code(E.query_vector, E.cosine_to_all, E.neighbours, E.analogy,
          label="Show the code: neighbours and analogies (gensim's arithmetic)")
show_code(E.evaluate_analogies, label="Show the code: the batched analogy benchmark")
show_code(E.project, label="Show the code: projections and trustworthiness")
show_code(S.train_word2vec, B.ContextLMConfig, B.train, B.hidden_at,
          label="Show the code: word2vec and the GRU language model")
