"""Lesson: word embeddings: real GloVe vectors, word2vec trained live, projections, analogies, and "bank"."""

import numpy as np
import pandas as pd
import streamlit as st

from ui.legacy import numbers, once, progress_callback, setup_page, show_chart, show_code, url_choice, url_number
from core import context_lm as clm
from core import embeddings as E
from core import wordvec_sources as S
from core.figures import embeddings as figs

setup_page("Word embeddings", icon=":material/scatter_plot:")

SOURCES = {"GloVe": "6B 50d: 400,000 words", "word2vec": "trained here, live", "file": "your own vectors"}
PRESETS = {
    "countries and capitals": "countries: france, germany, italy, spain, japan, china, russia, egypt\n"
                              "capitals: paris, berlin, rome, madrid, tokyo, beijing, moscow, cairo",
    "family and gender": "male: man, king, boy, father, son, brother, uncle, husband, prince\n"
                         "female: woman, queen, girl, mother, daughter, sister, aunt, wife, princess",
    "verb tenses": "present: walk, swim, run, go, take, eat, see, write\n"
                   "past: walked, swam, ran, went, took, ate, saw, wrote",
    "comparatives": "base: good, bad, big, small, fast, slow, high\n"
                    "comparative: better, worse, bigger, smaller, faster, slower, higher\n"
                    "superlative: best, worst, biggest, smallest, fastest, slowest, highest",
    "animals and vehicles": "animals: dog, cat, horse, cow, sheep, lion, tiger, elephant\n"
                            "vehicles: car, truck, bus, train, bicycle, motorcycle, plane, boat",
    "numbers": "number words: one, two, three, four, five, six, seven, eight, nine, ten\n"
               "digits: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
}
METHODS = {"PCA": "pca", "t-SNE": "tsne", "UMAP": "umap"}  # shown name (also the URL value) -> core name
FIT_ON = ["words alone", "with background"]
FLOAT_WIDGETS = {"map_seed", "w2v_seed", "file_limit"}  # int-valued, but float number_inputs survive ?map_seed=1e309
RESTRICT = {"10k": 10_000, "30k": 30_000, "100k": 100_000, "400k": 400_000}
MONEY = "money, loan, cash, deposit, credit, finance"
RIVER = "river, shore, stream, lake, water, flood"
MONEY_SENTENCES = ("he borrowed money from the bank\nshe paid the cheque into her account at the bank\n"
                   "the central bank raised interest rates\ninvestors sold shares of the bank")
RIVER_SENTENCES = ("we fished from the grassy river bank\nthe boat drifted toward the muddy bank\n"
                   "flood water spilled over the river bank\nreeds grew thick along the stream bank")


# ---- Cached sources (shared by every session, read-only) ------------------------------------


@once(st.cache_resource(show_spinner="Loading GloVe 6B 50d (memory-mapped, once per server)…"))
def glove() -> E.Embeddings:
    return E.load_glove()


@once(st.cache_resource(show_spinner=False))
def corpus(name: str):
    """The parsed corpus (WikiCorpus + Lee), once per server: parsing the XML takes ~10 s."""
    return S.load_corpus(name)


@once(st.cache_resource(show_spinner=False, max_entries=16))
def corpus_stats(key: str, _sentences) -> dict:
    return S.corpus_stats(_sentences)


@once(st.cache_resource(show_spinner=False, max_entries=12))
def word2vec(cfg: S.W2VConfig, _sentences=None, _on_step=None) -> E.Embeddings:
    """Trained once per settings on the server; the vectors are then shared read-only."""
    return S.train_word2vec(cfg, _sentences, on_step=_on_step)


@once(st.cache_resource(show_spinner=False, max_entries=8))
def user_vectors(digest: str, fmt: str, limit: int, name: str, _data: bytes) -> E.Embeddings:
    return S.read_vectors(_data, fmt, limit, name=name)


@once(st.cache_resource(show_spinner=False, max_entries=8))
def path_vectors(path: str, fmt: str, limit: int) -> E.Embeddings:
    return S.read_vector_path(path, fmt, limit)


@once(st.cache_data(show_spinner=False, max_entries=64))
def analogy_bench(source_id, restrict: int, _emb, _on_step=None) -> E.AnalogyResult:
    return E.evaluate_analogies(_emb, restrict_vocab=restrict, on_step=_on_step)


@once(st.cache_data(show_spinner=False, max_entries=64))
def pairs_bench(source_id, restrict: int, file: str, _emb) -> E.PairsResult:
    name = {"wordsim353.tsv": "WordSim353", "simlex999.txt": "SimLex-999"}[file]
    return E.evaluate_pairs(_emb, E.benchmark_path(file), restrict_vocab=restrict, name=name)


@once(st.cache_data(show_spinner=False, max_entries=128))
def projection(source_id, words: tuple, method, dims, background, perplexity, n_neighbors, seed, _emb):
    return E.project(_emb, list(words), method, dims, background, perplexity, n_neighbors, seed)


@once(st.cache_resource(show_spinner=False))
def lm_registry() -> dict:
    """Trained context LMs by settings, so one student's training serves the class."""
    return {}


def train_lm(cfg: clm.ContextLMConfig, on_step) -> clm.ContextLM:
    reg = lm_registry()
    if cfg not in reg:
        reg[cfg] = clm.train(cfg, corpus(cfg.corpus), glove(), on_step=on_step)
    return reg[cfg]


# ---- Cached scenes (shared by every session, read-only) ----------------------------------------
# Each section's numbers and charts are computed once per (vectors, inputs) for the whole class: on a
# shared server every rerun's CPU time is time the other students wait. `source_id` names the
# vectors `_emb` holds. What these return is shared: never change it in place.


@once(st.cache_resource(show_spinner=False, max_entries=512))
def neighbours_of(source_id, word: str, k: int, _emb) -> E.Neighbours:
    return E.neighbours(_emb, word, k)


@once(st.cache_resource(show_spinner=False, max_entries=256))
def onehot_scene(source_id, words: tuple, _emb):
    oh = E.onehot_vs_dense(_emb, list(words))
    return oh, figs.cosine_heatmaps(list(words), oh.onehot_cos, oh.dense_cos, oh.V, oh.D), figs.dense_rows(
        list(words), oh.dense)


@once(st.cache_resource(show_spinner=False, max_entries=256))
def map_figure(source_id, proj_key: tuple, groups: tuple, highlight: tuple, query, title: str, _proj):
    """The word map of one projection (identified by proj_key) with one query's neighbours ringed."""
    return figs.word_map(list(_proj.words), _proj.coords, list(groups), _proj.is_background, dict(highlight), query,
                         title=title)


@once(st.cache_resource(show_spinner=False, max_entries=512))
def analogy_scene(source_id, a: str, b: str, c: str, k: int, _emb):
    ans = E.analogy(_emb, a, b, c, k)
    pts = [a, b, c, ans.words[0]] + list(ans.words[1:])
    xy, var = clm.pca_2d(_emb.unit([_emb.stoi[w] for w in pts]))
    fig = figs.analogy_parallelogram(pts, xy, list(ans.words),
                                     title=f"{a} : {b} :: {c} : {ans.words[0]}  (PCA of these words)")
    return ans, pts, xy, var, fig


@once(st.cache_resource(show_spinner=False, max_entries=256))
def axes_scene(source_id, words: tuple, groups: tuple, pair_x: tuple, pair_y: tuple, _emb):
    ax = E.semantic_axes(_emb, list(words), pair_x, pair_y)
    return ax, figs.semantic_axes(list(ax.words), ax.x, ax.y, ax.pair_x, ax.pair_y, list(groups))


@once(st.cache_resource(show_spinner=False, max_entries=64))
def sections_figure(source_id, restrict: int, _ab):
    return figs.section_accuracy(list(_ab.sections), _ab.correct, _ab.total, _ab.accuracy)


@once(st.cache_resource(show_spinner=False, max_entries=128))
def bank_scene(money: tuple, river: tuple):
    """GloVe's "bank" among money and river words: its neighbours, positions and chart."""
    G = glove()
    bank_nb = E.neighbours(G, "bank", 10)
    pos = E.between(G, ["bank", *money, *river], list(money), list(river))
    grp = ["“bank”"] + ["money words"] * len(money) + ["river words"] * len(river)
    fig = figs.between_centres(list(pos.words), pos.cos_left, pos.cos_right, grp, "money", "river",
                               title="GloVe: where “bank” sits between money words and river words")
    return bank_nb, pos, grp, fig


def show_word_error(err: Exception) -> None:
    st.error(str(err))


def url_int(key: str, lo: int, hi: int) -> None:
    """url_number for the integer settings this page keeps in float widgets (see the seed inputs)."""
    url_number(key, lo, hi)
    if isinstance(st.session_state.get(key), int) and key in FLOAT_WIDGETS:
        st.session_state[key] = float(st.session_state[key])


def clipped(text: str, label: str, limit: int = 2_000) -> str:
    """A typed or linked text, cut to `limit` characters with a note if it is longer."""
    text = text or ""
    if len(text) > limit:
        st.warning(f"{label}: only the first {limit:,} characters are used (got {len(text):,}).")
        return text[:limit]
    return text


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
url_choice("source", list(SOURCES))
st.header("0 · Which vectors")
source = st.radio("Vectors", list(SOURCES), captions=list(SOURCES.values()), key="source", bind="query-params",
                  horizontal=True)
G = glove()
emb, source_id = G, ("glove",)
if source == "word2vec":
    for key, lo, hi in (("w2v_dims", 10, 300), ("w2v_window", 1, 15), ("w2v_epochs", 1, 30),
                        ("w2v_min", 1, 50), ("w2v_seed", 0, 9999)):
        url_int(key, lo, hi)
    url_choice("w2v_corpus", list(S.CORPORA) + ["text"])
    with st.form("w2v_form", border=True):
        st.markdown("**word2vec settings**: press *Train* to apply (trained once per setting, shared by the class).")
        c1, c2 = st.columns([2, 1])
        corpus_name = c1.selectbox("Corpus", list(S.CORPORA) + ["text"], key="w2v_corpus", bind="query-params",
                                   help="; ".join(f"{k}: {v}" for k, v in S.CORPORA.items())
                                   + "; text: your own text, pasted or uploaded below")
        sg = c2.radio("Model", ["skip-gram", "CBOW"], key="w2v_model", bind="query-params", horizontal=True)
        c3, c4, c5, c6, c7 = st.columns(5)
        dims = c3.slider("Dimensions D", 10, 300, 100, 10, key="w2v_dims", bind="query-params")
        window = c4.slider("Window", 1, 15, 5, key="w2v_window", bind="query-params")
        epochs = c5.slider("Epochs", 1, 30, 10, key="w2v_epochs", bind="query-params")
        min_count = c6.slider("Min count", 1, 50, 5, key="w2v_min", bind="query-params")
        seed = int(c7.number_input("Seed", 0.0, 9999.0, 0.0, 1.0, format="%.0f", key="w2v_seed",
                                   bind="query-params"))  # float widget: an int one crashes on ?w2v_seed=1e309
        user_text = st.text_area("Your text (used when the corpus is “your own text”)", key="w2v_text", height=100)
        upload = st.file_uploader("…or upload a UTF-8 .txt file", type=["txt"], key="w2v_upload")
        st.form_submit_button("Train word2vec", type="primary")
    try:
        if corpus_name == "text":
            text = S.decode_text(upload.getvalue()) if upload is not None else user_text
            sentences = S.text_to_sentences(text)
            key = S.text_key(text)
        else:
            with st.spinner("Parsing the corpus (once per server)…"):
                sentences = corpus(corpus_name)
            key = corpus_name
        cfg = S.W2VConfig(corpus=key, sg=sg == "skip-gram", vector_size=int(dims), window=int(window),
                          epochs=int(epochs), min_count=int(min_count), seed=int(seed))
        on_step, slot = progress_callback("Training word2vec, epoch")
        emb = word2vec(cfg, _sentences=sentences, _on_step=on_step)
        slot.empty()
        source_id = ("w2v", cfg)
        stats = corpus_stats(key, _sentences=sentences)
        st.success(f"word2vec trained on {stats['tokens']:,} tokens ({stats['types']:,} different words): "
                   f"{emb.V:,} words with at least {cfg.min_count} occurrences, {emb.D} dimensions. "
                   "GloVe saw 6,000,000,000 tokens.")
        probe = [w for w in ("france", "king", "money", "government", "music") if w in emb.stoi][:3]
        if probe:
            cmp = {}
            for w in probe:
                cmp[f"{w}: word2vec"] = list(neighbours_of(source_id, w, 5, _emb=emb).words)
                cmp[f"{w}: GloVe"] = list(neighbours_of(("glove",), w, 5, _emb=G).words)
            st.markdown("**Nearest neighbours, word2vec trained here vs GloVe:**")
            st.dataframe(pd.DataFrame(cmp, index=range(1, 6)))
    except S.SourceError as err:
        st.error(str(err))
        st.info("Showing GloVe until then.")
elif source == "file":
    url_int("file_limit", 100, S.MAX_WORDS_LIMIT)
    url_choice("file_format", list(S.FORMATS))
    with st.container(border=True):
        st.markdown("**Your vectors**: word2vec text or binary, or GloVe text (no header). Never a pickle.")
        c1, c2, c3 = st.columns([2, 1, 1])
        up = c1.file_uploader("Upload a vector file (≤ 50 MB)", key="vec_upload")
        path = c1.text_input("…or a path on the server", key="vec_path", bind="query-params",
                             placeholder="/data/vectors.txt")
        fmt = c2.selectbox("Format", list(S.FORMATS), key="file_format", bind="query-params",
                           help="; ".join(f"{k}: {v}" for k, v in S.FORMATS.items()))
        limit = c3.number_input("First N words", 100.0, float(S.MAX_WORDS_LIMIT), 50_000.0, 1000.0, format="%.0f",
                                key="file_limit", bind="query-params")
    try:
        if up is not None:
            data = up.getvalue()
            emb = user_vectors(S.file_digest(data), fmt, int(limit), up.name, _data=data)
            source_id = ("file", S.file_digest(data), fmt, int(limit))
        elif clipped(path, "Path", 500).strip():
            emb = path_vectors(path, fmt, int(limit))
            source_id = ("path", path, fmt, int(limit))
        else:
            st.info("Upload a file or type a path. Showing GloVe until then.")
        if emb is not G:
            st.success(f"Loaded {emb.V:,} words with {emb.D} dimensions from {emb.name}.")
    except S.SourceError as err:
        st.error(str(err))
        st.info("Showing GloVe until then.")
emb_is_glove = emb is G

# ---- 1 · One-hot versus dense ------------------------------------------------------------------
@st.fragment
def onehot_section(emb, source_id) -> None:
    """Section 1 reruns on its own (st.fragment) when its words change: nothing else depends on them."""
    st.header("1 · One-hot versus dense")
    oh_text = clipped(st.text_input("Words to compare", "cat, dog, car, truck, king, queen", key="oh_words",
                                   bind="query-params"), "Words to compare", 500)
    try:
        oh_words = E.check_words(emb, E.parse_words(oh_text)[:12])
        if len(oh_words) < 2:
            raise E.WordError("Type at least two words to compare.")
        oh, oh_heat, oh_rows = onehot_scene(source_id, tuple(oh_words), _emb=emb)
        c1, c2, c3 = st.columns(3)
        c1.metric("One-hot length = vocabulary size V", f"{oh.V:,}")
        c2.metric("One-hot memory per word", f"{oh.onehot_bytes / 1024:,.0f} KB", help="float32 entries, all 0 but one.")
        c3.metric(f"One-hot cos({oh_words[0]}, {oh_words[1]})", f"{oh.onehot_cos[0, 1]:.0f}")
        c1, c2, c3 = st.columns(3)
        c1.metric("Dense length D", f"{oh.D}")
        c2.metric("Dense memory per word", f"{oh.dense_bytes} B")
        c3.metric(f"Dense cos({oh_words[0]}, {oh_words[1]})", f"{oh.dense_cos[0, 1]:.3f}")
        off = oh.dense_cos[~np.eye(len(oh_words), dtype=bool)]
        show_chart(oh_heat, key="onehot")
        show_chart(oh_rows, key="dense_rows")
        with numbers("Numbers: cosine similarities and the vectors", key="num_onehot") as shown:
            if shown:
                st.dataframe(pd.DataFrame(oh.dense_cos, index=oh_words, columns=oh_words).round(3))
                st.dataframe(pd.DataFrame(oh.dense, index=oh_words, columns=[f"d{j + 1}" for j in range(oh.D)]).round(3))
        st.markdown(f"**What to notice:** one-hot vectors make every pair of different words equally unrelated "
                    f"(cosine 0), and each needs {oh.V:,} numbers. The {oh.D} dense numbers give related words "
                    f"high cosine (between {off.min():.2f} and {off.max():.2f} here).")
    except E.WordError as err:
        show_word_error(err)


onehot_section(emb, source_id)


# ---- 2 · A map of words ------------------------------------------------------------------------
st.header("2 · A map of words: projections to 2D and 3D")
st.markdown("A picture has 2 or 3 axes, the vectors have "
            f"{emb.D}. A projection squeezes them; the numbers under the map say how much it distorts.")
url_choice("preset", list(PRESETS) + ["custom"])
url_choice("method", list(METHODS))
url_choice("fit", FIT_ON)
url_choice("restrict", list(RESTRICT))
for key, lo, hi in (("dims", 2, 3), ("background", 50, 3000), ("perplexity", 2, 50), ("umap_nn", 2, 50),
                    ("map_seed", 0, 9999), ("k", 1, 30)):
    url_int(key, lo, hi)


def apply_preset():
    p = st.session_state.get("preset")
    if p in PRESETS:
        st.session_state["words"] = PRESETS[p]


c1, c2 = st.columns([1, 2])
preset = c1.selectbox("Preset", list(PRESETS) + ["custom"], key="preset", bind="query-params",
                      on_change=apply_preset)
words_text = c2.text_area("Words (one group per line, “group: word, word…”)", PRESETS["countries and capitals"],
                          key="words", bind="query-params", height=90)
c1, c2, c3, c4, c5 = st.columns([1.3, 0.8, 1.2, 1.2, 0.8])
method_name = c1.segmented_control("Method", list(METHODS), default="PCA", key="method", bind="query-params") or "PCA"
method = METHODS[method_name]
dims = c2.segmented_control("Dimensions", [2, 3], default=2, key="dims", bind="query-params") or 2
fit_on = c3.radio("Fit on", FIT_ON, key="fit", bind="query-params",
                  help="t-SNE and UMAP on a dozen words alone are misleading; a background of frequent words helps.")
n_bg = c4.slider("Background words", 50, 3000, 500, 50, key="background", bind="query-params",
                 disabled=fit_on != "with background")
seed = int(c5.number_input("Seed", 0.0, 9999.0, 0.0, 1.0, format="%.0f", key="map_seed", bind="query-params"))
c1, c2, c3, c4 = st.columns(4)
perplexity = c1.slider("t-SNE perplexity", 2, 50, 5, key="perplexity", bind="query-params",
                       disabled=method != "tsne")
umap_nn = c2.slider("UMAP neighbours", 2, 50, 10, key="umap_nn", bind="query-params", disabled=method != "umap")
query = c3.text_input("Nearest neighbours of", "france", key="query", bind="query-params")
k = c4.slider("How many neighbours (k)", 1, 30, 8, key="k", bind="query-params")

words, groups = E.parse_word_groups(clipped(words_text, "Words"))
nb = None
query = clipped(query, "Nearest neighbours of", 100)
if not query.strip():
    st.info("Type a word under “Nearest neighbours of” to ring its nearest words in the map.")
else:
    try:
        nb = neighbours_of(source_id, query.strip(), int(k), _emb=emb)
    except E.WordError as err:
        st.error(f"Nearest neighbours: {err}")
map_col, bench_col = st.columns([3, 1.2])
with map_col:
    try:
        if not words:
            raise E.WordError("The word list is empty: type some words, or pick a preset.")
        E.check_words(emb, words)
        shown = list(words)
        shown_groups = list(groups)
        if nb is not None:
            for w in (nb.query[0], *nb.words):
                if w not in shown:
                    shown.append(w)
                    shown_groups.append(f"nearest to “{nb.query[0]}”")
        background = int(n_bg) if fit_on == "with background" else 0
        if method == "tsne" and len(shown) + background > E.MAX_TSNE_POINTS:
            background = max(0, E.MAX_TSNE_POINTS - len(shown))
            st.info(f"t-SNE is capped at {E.MAX_TSNE_POINTS:,} points here (it would take minutes beyond that), "
                    f"so the background is cut to {background:,} words.")
        if method == "umap" and "umap" not in __import__("sys").modules:
            st.caption("UMAP's first use on this server compiles code with numba: it can take a minute.")
        with st.spinner(f"Projecting {len(shown) + background:,} points with {method_name}…"):
            proj = projection(source_id, tuple(shown), method, int(dims), background, float(perplexity),
                              int(umap_nn), int(seed), _emb=emb)
        for note in proj.notes:
            st.info(note)
        highlight = tuple((w, f"cos {s:.3f}") for w, s in zip(nb.words, nb.sims)) if nb is not None else ()
        fit_desc = (f"fitted on your {len(shown)} words + {background:,} frequent words (grey)" if background
                    else f"fitted on your {len(shown)} words alone")
        proj_key = (tuple(shown), method, int(dims), background, float(perplexity), int(umap_nn), int(seed))
        point_groups = tuple(shown_groups + ["background"] * int(proj.is_background.sum()))
        show_chart(map_figure(source_id, proj_key, point_groups, highlight, nb.query[0] if nb is not None else None,
                              f"{method_name} of {emb.name}, {fit_desc}", _proj=proj), key="map")
        m1, m2, m3 = st.columns(3)
        if proj.variance_explained is not None:
            m1.metric("Variance explained", f"{proj.variance_explained.sum():.1%}",
                      help="Share of the (unit) vectors' spread the PCA axes keep: "
                           + " + ".join(f"{v:.1%}" for v in proj.variance_explained) + " per axis.")
        else:
            m1.metric("Variance explained", "n/a", help="Only PCA is a linear projection with a variance share.")
        m2.metric(f"Trustworthiness (k={proj.k_trust})", f"{proj.trustworthiness:.3f}",
                  help="sklearn.manifold.trustworthiness over your words: 1 = no false neighbours in the picture.")
        m3.metric(f"Neighbours kept (k={proj.k_trust})", f"{proj.neighbours_kept:.0%}",
                  help=f"Share of each word's {proj.k_trust} nearest words (cosine, {emb.D}D) that are still "
                       "among its nearest in the picture.")
        if method == "tsne" and not background:
            st.warning("t-SNE on a dozen words is misleading: with so few points it can place clusters "
                       "anywhere. Fit with the background words for a fairer picture.")
        with numbers("Numbers: coordinates of every point", key="num_coords") as shown_numbers:
            if shown_numbers:
                coords = pd.DataFrame(proj.coords, columns=[f"axis {j + 1}" for j in range(proj.coords.shape[1])])
                coords.insert(0, "group", point_groups)
                coords.insert(0, "word", proj.words)
                st.dataframe(coords.round(4), hide_index=True)
        st.markdown("**What to notice:** related words form groups (countries apart from capitals), and with PCA "
                    "the country→capital offsets point in a similar direction. Switch to t-SNE or UMAP: "
                    "groups get tighter, but distances between groups stop meaning anything.")
    except E.WordError as err:
        show_word_error(err)
        proj = None

with bench_col:
    st.subheader("Benchmarks")
    restrict_name = st.select_slider("Vocabulary limit", list(RESTRICT), value="30k", key="restrict",
                                     bind="query-params",
                                     help="Questions with a word outside the first N words are skipped, as in gensim.")
    restrict = min(RESTRICT[restrict_name], emb.V)
    on_step, slot = progress_callback("Google analogies")
    ab = analogy_bench(source_id, restrict, _emb=emb, _on_step=on_step)
    slot.empty()
    ws = pairs_bench(source_id, restrict, "wordsim353.tsv", _emb=emb)
    sl = pairs_bench(source_id, restrict, "simlex999.txt", _emb=emb)
    st.metric("Google analogies", f"{ab.accuracy:.1%}",
              help=f"{int(ab.correct.sum()):,} of {int(ab.total.sum()):,} answered questions "
                   f"({ab.oov_ratio:.0%} skipped: a word outside the first {restrict:,}).")
    st.metric("WordSim353 Spearman", f"{ws.spearman:.3f}", help=f"{ws.pairs} pairs with both words known.")
    st.metric("SimLex-999 Spearman", f"{sl.spearman:.3f}", help=f"{sl.pairs} pairs with both words known.")
    st.caption(f"{int(ab.total.sum()):,} of {ab.questions:,} analogy questions answered with the first "
               f"{restrict:,} words. Same numbers as gensim's evaluate_word_analogies / evaluate_word_pairs.")

if nb is not None:
    st.subheader(f"Nearest neighbours of “{nb.query[0]}” over all {emb.V:,} words")
    st.dataframe(pd.DataFrame({"rank": range(1, len(nb.words) + 1), "word": nb.words,
                               "cosine similarity": np.round(nb.sims, 4)}), hide_index=True)
    st.caption("Ringed in the map above, with dotted lines from the query word.")

# ---- 3 · Analogies -----------------------------------------------------------------------------
@st.fragment
def analogy_section(emb, source_id) -> None:
    """Section 3 reruns on its own (st.fragment) when a, b, c or k change."""
    st.header("3 · Analogies: a is to b as c is to ?")
    st.markdown("3CosAdd: the answer is the word nearest to **b − a + c** (the inputs themselves excluded).")
    url_number("an_k", 1, 20)
    c1, c2, c3, c4 = st.columns(4)
    a = clipped(c1.text_input("a", "man", key="an_a", bind="query-params"), "a", 100).strip()
    b = clipped(c2.text_input("b", "king", key="an_b", bind="query-params"), "b", 100).strip()
    c = clipped(c3.text_input("c", "woman", key="an_c", bind="query-params"), "c", 100).strip()
    an_k = c4.slider("Top-k answers", 1, 20, 5, key="an_k", bind="query-params")
    try:
        ans, pts, xy, var, an_fig = analogy_scene(source_id, a, b, c, int(an_k), _emb=emb)
        left, right = st.columns([2, 1])
        with left:
            show_chart(an_fig, key="analogy")
        with right:
            st.dataframe(pd.DataFrame({"answer": ans.words, "cos(answer, b − a + c)": np.round(ans.sims, 4)}),
                         hide_index=True)
            with numbers("Numbers: the plotted coordinates", key="num_analogy") as shown:
                if shown:
                    st.dataframe(pd.DataFrame(xy, index=pts, columns=["PC 1", "PC 2"]).round(4))
        st.markdown(f"**What to notice:** PCA is linear, so if {ans.words[0]} ≈ {b} − {a} + {c} in {emb.D} dimensions, "
                    "the two arrows are nearly parallel and equal in the picture too. "
                    f"(These two axes keep {var.sum():.0%} of the spread of these words.)")
    except E.WordError as err:
        show_word_error(err)


analogy_section(emb, source_id)


# ---- 4 · Semantic axes -------------------------------------------------------------------------
st.header("4 · Semantic axes (word2viz)")
st.markdown("Pick two word pairs. Each word is placed by its cosine with the difference of each pair, "
            "for example he → she across and bad → good up.")
c1, c2 = st.columns(2)
px = E.parse_words(clipped(c1.text_input("Horizontal pair", "he, she", key="axis_x", bind="query-params"),
                           "Horizontal pair", 200))
py = E.parse_words(clipped(c2.text_input("Vertical pair", "bad, good", key="axis_y", bind="query-params"),
                           "Vertical pair", 200))
try:
    if len(px) != 2 or len(py) != 2:
        raise E.WordError("Each axis needs exactly two words, like “he, she”.")
    known = [(w, g) for w, g in zip(words, groups) if w in emb.stoi]  # unknown words were reported above
    if not known:
        raise E.WordError("No known words to place: type some words in section 2.")
    ax_words, ax_groups = [w for w, _ in known], [g for _, g in known]
    ax, ax_fig = axes_scene(source_id, tuple(ax_words), tuple(ax_groups), (px[0], px[1]), (py[0], py[1]), _emb=emb)
    show_chart(ax_fig, key="axes")
    with numbers("Numbers: positions on the two axes", key="num_axes") as shown:
        if shown:
            st.dataframe(pd.DataFrame({"word": ax.words, "group": ax_groups, f"{px[0]}→{px[1]}": ax.x,
                                       f"{py[0]}→{py[1]}": ax.y}).round(4), hide_index=True)
    st.markdown("**What to notice:** try the family preset: female words fall on the “she” side. Axes are "
                "directions in the vector space, so you read a meaning straight off the numbers.")
except E.WordError as err:
    show_word_error(err)

# ---- 5 · Benchmarks in detail -----------------------------------------------------------------
st.header("5 · How good are these vectors? The benchmarks in detail")
show_chart(sections_figure(source_id, restrict, _ab=ab), key="sections")
with numbers("Numbers: accuracy per section, example answers and word pairs", key="num_sections") as shown:
    if shown:
        st.dataframe(pd.DataFrame({"section": ab.sections, "correct": ab.correct, "answered": ab.total,
                                   "accuracy": np.round(ab.correct / np.maximum(ab.total, 1), 4)}), hide_index=True)
        st.dataframe(pd.DataFrame(list(ab.examples), columns=["section", "a", "b", "c", "expected", "model's answer"]),
                     hide_index=True)
        st.dataframe(pd.DataFrame(list(ws.words), columns=["word 1", "word 2", "human", "cosine"]).round(4),
                     hide_index=True)
st.markdown("**What to notice:** capitals and plurals are easy, family words and currencies harder. "
            f"Raise the vocabulary limit: more questions count, but there are more wrong candidates. "
            "Spearman compares rankings: does the model order word pairs as people do?")

# ---- 6 · "bank" ----------------------------------------------------------------------------------
@st.fragment
def bank_section(emb_is_glove: bool) -> None:
    """Section 6 (always GloVe) reruns on its own (st.fragment) when its words, sentences or settings change."""
    G = glove()
    st.header("6 · One vector per word: the “bank” problem")
    if not emb_is_glove:
        st.caption("This section always uses GloVe (the GRU below is built on it).")
    c1, c2 = st.columns(2)
    money = E.parse_words(clipped(c1.text_input("Money words", MONEY, key="money", bind="query-params"), "Money words", 500))
    river = E.parse_words(clipped(c2.text_input("River words", RIVER, key="river", bind="query-params"), "River words", 500))
    try:
        bank_nb, pos, grp, bank_fig = bank_scene(tuple(money), tuple(river))
        left, right = st.columns([2, 1])
        with left:
            show_chart(bank_fig, key="bank_axis")
        with right:
            st.dataframe(pd.DataFrame({"neighbour of bank": bank_nb.words, "cosine": np.round(bank_nb.sims, 3)}),
                         hide_index=True)
        with numbers("Numbers: positions on the money ↔ river axis", key="num_bank_axis") as shown:
            if shown:
                st.dataframe(pd.DataFrame({"word": pos.words, "group": grp, "position": pos.position,
                                           "cos(money centre)": pos.cos_left, "cos(river centre)": pos.cos_right}).round(4),
                             hide_index=True)
        st.markdown(f"**What to notice:** “bank” is {pos.cos_left[0]:.2f} similar to the money centre and "
                    f"{pos.cos_right[0]:.2f} to the river centre: its single vector mixes both senses, leaning to "
                    "the one the news-heavy training text uses most.")
    except E.WordError as err:
        show_word_error(err)

    st.subheader("Beyond static vectors: a GRU language model with GloVe as its frozen input layer")
    st.markdown(
        "The lecture calls pretrained embeddings a **warm start**. Below, a small word-level RNN language model "
        "(a GRU) reads the corpus with GloVe as its input layer (frozen) and learns to predict the next word. "
        "Its hidden state h_t at “bank” depends on the words before it, so it can differ between sentences, "
        "while the GloVe vector of “bank” cannot."
    )
    url_number("lm_steps", 50, 2000)
    url_number("lm_hidden", 16, 256)
    c1, c2 = st.columns(2)
    lm_steps = c1.slider("Training steps", 50, 2000, 300, 50, key="lm_steps", bind="query-params")
    lm_hidden = c2.select_slider("Hidden size H", [16, 32, 64, 128, 256], 64, key="lm_hidden", bind="query-params")
    c1, c2 = st.columns(2)
    money_s = c1.text_area("Sentences using “bank” for money (one per line)", MONEY_SENTENCES, key="money_s",
                           bind="query-params", height=120)
    river_s = c2.text_area("Sentences using “bank” for a river (one per line)", RIVER_SENTENCES, key="river_s",
                           bind="query-params", height=120)
    lm_cfg = clm.ContextLMConfig(steps=int(lm_steps), hidden_size=int(lm_hidden))
    lm = lm_registry().get(lm_cfg)
    if lm is None:
        st.info(f"Training {lm_cfg.steps} steps takes one to a few minutes on this shared CPU; it runs once per "
                "setting for the whole class, and the result stays for everyone.")
        if st.button("Train the GRU language model", key="lm_train", type="primary"):
            with st.spinner("Parsing the corpus (once per server)…"):
                corpus(lm_cfg.corpus)
            on_step, slot = progress_callback("Training the GRU language model, step")
            lm = train_lm(lm_cfg, on_step)
            slot.empty()
    if lm is not None:
        money_s, river_s = clipped(money_s, "Money sentences", 3_000), clipped(river_s, "River sentences", 3_000)
        sents = [s.strip()[:300] for s in money_s.splitlines() if s.strip()][:20]
        sents_r = [s.strip()[:300] for s in river_s.splitlines() if s.strip()][:20]
        senses = ["money"] * len(sents) + ["river"] * len(sents_r)
        all_s = sents + sents_r
        states = clm.hidden_at(lm, all_s, "bank")
        missing = [s for s, f in zip(all_s, states.found) if not f]
        if missing:
            st.warning("These sentences have no “bank” and are left out: " + "; ".join(f"“{m[:60]}”" for m in missing))
        keep = np.array(states.found)
        if keep.sum() < 2:
            st.error("Write at least two sentences that contain the word “bank”.")
        else:
            h = states.hidden[keep]
            sv = [s for s, k_ in zip(senses, keep) if k_]
            labels = [s for s, k_ in zip(all_s, keep) if k_]
            xy, var = clm.pca_2d(h)
            gw = ["bank"] + [w for w in money + river if w in G.stoi]
            gg = ["“bank”"] + ["money words" if w in money else "river words" for w in gw[1:]]
            gxy, _ = clm.pca_2d(G.unit([G.stoi[w] for w in gw]))
            show_chart(figs.context_states(xy, sv, labels, gxy, gw, gg), key="bank_states")
            same, diff = clm.sense_separation(h, sv)
            m1, m2, m3 = st.columns(3)
            m1.metric("GloVe: cos between “bank” in any two sentences", "1.000")
            m2.metric("GRU h_t: mean cos, same sense", f"{same:.3f}", help="After centring the states.")
            m3.metric("GRU h_t: mean cos, different senses", f"{diff:.3f}", help="After centring the states.")
            with numbers("Numbers: hidden-state coordinates, what the model expects next, training loss",
                         key="num_bank_states") as shown:
                if shown:
                    st.dataframe(pd.DataFrame({
                        "sentence": labels, "sense": sv, "PC 1": xy[:, 0], "PC 2": xy[:, 1],
                        "expected next words": [", ".join(n) for n, k_ in zip(states.next_words, keep) if k_],
                        "unknown words (<unk>)": [", ".join(u) for u, k_ in zip(states.unknown, keep) if k_],
                    }).round(4), hide_index=True)
                    show_chart(figs.loss_curve(lm.loss, ref=float(np.log(len(lm.itos)))), key="lm_loss")
            st.markdown("**What to notice:** on the left, “bank” is one star whatever the sentence. On the right, "
                        "each sentence puts h_t somewhere else, and sentences of the same sense tend to sit together. "
                        "The GRU reads left to right, so it can only use the words *before* “bank”: in “the bank "
                        "was muddy” it cannot know yet.")


bank_section(emb_is_glove)


# ---- 7 · Code -----------------------------------------------------------------------------------
st.header("7 · The code that ran")
show_code(E.query_vector, E.cosine_to_all, E.neighbours, E.analogy,
          label="Show the code: neighbours and analogies (gensim's arithmetic)")
show_code(E.evaluate_analogies, label="Show the code: the batched analogy benchmark")
show_code(E.project, label="Show the code: projections and trustworthiness")
show_code(S.train_word2vec, clm.ContextLMConfig, clm.train, clm.hidden_at,
          label="Show the code: word2vec and the GRU language model")
