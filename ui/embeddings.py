"""The word-embeddings lesson's scenes: vectors, charts and trainings, computed once for the whole class.

Which vectors a scene uses is named by a ``source_id`` (``("glove",)``, ``("w2v", cfg)``, ``("file",
digest, fmt, limit)``); the vectors themselves travel as ``_emb`` (not part of any key). Everything
returned here is shared by every session: never change it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import numpy as np

from core.common.paths import cache_dir

os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir("numba")))  # UMAP compiles once, into the app's folder

from core.common.pca import pca_2d  # noqa: E402
from core.embeddings import bank as B  # noqa: E402
from core.embeddings import figures as figs  # noqa: E402
from core.embeddings import sources as S  # noqa: E402
from core.embeddings import vectors as E  # noqa: E402
from ui import params  # noqa: E402
from ui.cache import shared  # noqa: E402
from ui.params import Choice, Int, Text  # noqa: E402
from ui.show import esc, esc_label  # noqa: E402
from ui.train import Cancelled, cached, run  # noqa: E402

GLOVE = ("glove",)
SOURCES = {"GloVe": "6B 50d: 400,000 words", "word2vec": "trained here, live", "file": "your own vectors"}
SOURCE = Choice("source", tuple(SOURCES), "GloVe")
W2V_CORPUS = Choice("w2v_corpus", (*S.CORPORA, "text"), "wiki+lee")
W2V_MODEL = Choice("w2v_model", ("skip-gram", "CBOW"), "skip-gram")
W2V_DIMS = Int("w2v_dims", 10, 300, S.W2VConfig.vector_size, 10)
W2V_WINDOW = Int("w2v_window", 1, 15, S.W2VConfig.window)
W2V_EPOCHS = Int("w2v_epochs", 1, 30, S.W2VConfig.epochs)
W2V_MIN = Int("w2v_min", 1, 50, S.W2VConfig.min_count)
W2V_SEED = Int("w2v_seed", 0, 9999, 0)
FILE_FORMAT = Choice("file_format", tuple(S.FORMATS), "auto")
FILE_LIMIT = Int("file_limit", 100, S.MAX_WORDS_LIMIT, 50_000)
VEC_PATH = Text("vec_path", "", max_chars=500)
W2V_SECONDS_PER_EPOCH = 1.5  # skip-gram, 50d, wiki+lee, one epoch here (bench/live_embeddings.py)


@cache
def glove() -> E.Embeddings:
    """GloVe 6B 50d, memory-mapped once per server process (read-only)."""
    return E.load_glove()


# ---- Where the vectors come from ---------------------------------------------------------------


def corpus(name: str) -> tuple:
    """A bundled corpus's token lists (parsed in this process, once per server)."""
    return run("Reading the corpus", S.corpus_sentences, name, key=name)


def text_sentences(text: str) -> tuple:
    """A student's text as token lists (once per text)."""
    return run("Reading your text", S.text_to_sentences, text, key=S.text_key(text))


@shared("scenes")
def corpus_stats(key: str, _sentences) -> S.CorpusStats:
    return S.corpus_stats(_sentences)


def word2vec(cfg: S.W2VConfig, sentences) -> E.Embeddings:
    """word2vec trained through the door: once per settings for the class, progress per epoch."""
    return run("Training word2vec, epoch", S.train_word2vec, cfg, sentences, key=cfg)


def uploaded_vectors(data: bytes, fmt: str, limit: int, name: str) -> tuple[E.Embeddings, tuple]:
    """An uploaded vector file, parsed once per file (whatever ``limit``), then its first ``limit`` rows."""
    digest = S.file_digest(data)
    parsed = run("Reading your vector file, row", S.parse_vectors, data, fmt, name, key=(digest, fmt))
    return first_rows(("file", digest, fmt), limit, _parsed=parsed), ("file", digest, fmt, limit)


def path_vectors(path: str, fmt: str, limit: int) -> tuple[E.Embeddings, tuple]:
    """A vector file inside the folder the teacher allowed (see core.embeddings.sources.allowed_folder)."""
    real = S.resolve_in_folder(path, S.allowed_folder())
    stamp = (real, os.path.getmtime(real), os.path.getsize(real))
    parsed = run("Reading the vector file, row", S.parse_vector_path, real, fmt, key=(stamp, fmt))
    return first_rows(("path", stamp, fmt), limit, _parsed=parsed), ("path", stamp, fmt, limit)


@shared("vectors")
def first_rows(file_id: tuple, limit: int, _parsed: S.VectorFile) -> E.Embeddings:
    return _parsed.first(limit)


@dataclass(frozen=True)
class Vectors:
    emb: E.Embeddings
    source_id: tuple


def choose_source(source: str) -> Vectors:
    """Section 0's settings for the chosen source, and its vectors (GloVe until the others are ready)."""
    import streamlit as st

    G = glove()
    try:
        if source == "word2vec":
            return _word2vec_source(st)
        if source == "file":
            return _file_source(st) or Vectors(G, GLOVE)
    except S.SourceError as err:
        st.error(esc(err))
        st.info("Showing GloVe until then.")
    except Cancelled:
        st.stop()
    return Vectors(G, GLOVE)


def _word2vec_source(st) -> Vectors:
    with st.form("w2v_form", border=True):
        st.markdown("**word2vec settings**: press *Train* to apply (trained once per setting, shared by the class).")
        c1, c2 = st.columns([2, 1])
        corpus_name = params.select(W2V_CORPUS, "Corpus", where=c1,
                                    help="; ".join(f"{k}: {v}" for k, v in S.CORPORA.items())
                                    + "; text: your own text, pasted or uploaded below")
        sg = params.select(W2V_MODEL, "Model", where=c2, widget="radio", horizontal=True,
                           help="skip-gram predicts the words around a word from the word; CBOW (continuous bag "
                                "of words) predicts a word from the words around it.")
        c3, c4, c5, c6, c7 = st.columns(5)
        dims = params.slider(W2V_DIMS, "Dimensions D", where=c3)
        window = params.slider(W2V_WINDOW, "Window", where=c4)
        epochs = params.slider(W2V_EPOCHS, "Epochs", where=c5,
                               help=f"Each epoch over the bundled corpus takes about {W2V_SECONDS_PER_EPOCH:.1f} s "
                                    "here (skip-gram, 50 dimensions); 30 epochs about "
                                    f"{30 * W2V_SECONDS_PER_EPOCH:.0f} s.")
        min_count = params.slider(W2V_MIN, "Min count", where=c6)
        seed = params.number(W2V_SEED, "Seed", where=c7)
        user_text = st.text_area("Your text (used when the corpus is “your own text”)", key="w2v_text", height=100,
                                 max_chars=S.MAX_TEXT_CHARS)
        upload = st.file_uploader("…or upload a UTF-8 .txt file", type=["txt"], key="w2v_upload")
        st.form_submit_button("Train word2vec", type="primary")
    if corpus_name == "text":
        text = S.decode_text(upload.getvalue()) if upload is not None else user_text
        if not text.strip():
            raise S.SourceError("The text is empty: paste or upload some text to train on.")
        sentences, key = text_sentences(text), S.text_key(text)
    else:
        sentences, key = corpus(corpus_name), corpus_name
    cfg = S.W2VConfig(corpus=key, sg=sg == "skip-gram", vector_size=int(dims), window=int(window),
                      epochs=int(epochs), min_count=int(min_count), seed=int(seed))
    emb = word2vec(cfg, sentences)
    stats = corpus_stats(key, _sentences=sentences)
    st.success(f"word2vec trained on {stats.tokens:,} tokens ({stats.types:,} different words): "
               f"{emb.V:,} words with at least {cfg.min_count} occurrences, {emb.D} dimensions. "
               "GloVe saw 6,000,000,000 tokens.")
    probe = [w for w in ("france", "king", "money", "government", "music") if w in emb.stoi][:3]
    if probe:
        import pandas as pd

        table = {}
        for w in probe:
            table[f"{w}: word2vec"] = list(neighbours_of(("w2v", cfg), w, 5, _emb=emb).words)
            table[f"{w}: GloVe"] = list(neighbours_of(GLOVE, w, 5, _emb=glove()).words)
        st.markdown("**Nearest neighbours, word2vec trained here vs GloVe:**")
        st.dataframe(pd.DataFrame(table, index=range(1, 6)))
    return Vectors(emb, ("w2v", cfg))


def _file_source(st) -> Vectors | None:
    folder = S.allowed_folder()
    with st.container(border=True):
        st.markdown("**Your vectors**: word2vec text or binary, or GloVe text (no header). Never a pickle.")
        c1, c2, c3 = st.columns([2, 1, 1])
        up = c1.file_uploader(f"Upload a vector file (≤ {S.MAX_FILE_BYTES // 2**20} MB)", key="vec_upload")
        path = ""
        if folder is not None:
            path = params.text(VEC_PATH, "…or a file in the teacher's vector folder", where=c1,
                               placeholder="glove.txt").strip()
        elif st.query_params.get(VEC_PATH.key):
            st.warning("Reading vector files by path is off on this server, so the link's path is ignored. "
                       "Upload the file instead.")
        fmt = params.select(FILE_FORMAT, "Format", where=c2, help="; ".join(f"{k}: {v}" for k, v in S.FORMATS.items()))
        limit = params.number(FILE_LIMIT, "First N words", where=c3,
                              help="The words of the file's first N rows (a repeated word counts as a row).")
    if up is not None:
        emb, source_id = uploaded_vectors(up.getvalue(), fmt, int(limit), up.name)
    elif path:
        emb, source_id = path_vectors(path, fmt, int(limit))
    else:
        st.info("Upload a file" + (" or name one in the teacher's folder" if folder else "")
                + ". Showing GloVe until then.")
        return None
    st.success(f"Loaded {emb.V:,} words with {emb.D} dimensions from {esc(emb.name)}.")
    return Vectors(emb, source_id)


def keep_known(emb: E.Embeddings, words: list[str], is_default: bool) -> tuple[list[str], str]:
    """A default list keeps the words this vocabulary has (and says which it left out); typed lists are
    returned whole, so unknown words get their error with spelling suggestions."""
    if not is_default:
        return words, ""
    known = [w for w in words if w in emb.stoi]
    missing = [w for w in words if w not in emb.stoi]
    note = (f"Left out, not in the {emb.name} vocabulary: {', '.join(missing)}." if missing else "")
    return known, note


def missing_defaults(emb: E.Embeddings, values: tuple, defaults: tuple) -> str:
    """A note when ``values`` are the page's defaults and this vocabulary lacks some of them (else "")."""
    missing = [w for w in values if w not in emb.stoi]
    if tuple(values) != tuple(defaults) or not missing:
        return ""
    return (f"The default words {', '.join(values)} are not all in the {emb.name} vocabulary (missing: "
            f"{', '.join(missing)}): type words it knows to see this section.")


def defaults_missing(emb: E.Embeddings, values: tuple, defaults: tuple) -> bool:
    """True (with a note on the page) when these are the page's default words and this vocabulary lacks some."""
    import streamlit as st

    note = missing_defaults(emb, values, defaults)
    if note:
        st.info(esc(note))
    return bool(note)


def word_list(emb: E.Embeddings, words: list[str], is_default: bool) -> list[str]:
    """The words to use: a default list drops words this vocabulary lacks (with a note); typed ones must exist."""
    import streamlit as st

    known, note = keep_known(emb, words, is_default)
    if note:
        st.caption(esc(note))
    return known


def restore_preset(preset: Choice, words: Text, presets: dict) -> None:
    """A link with ``preset=…`` and no ``words=`` shows that preset's words."""
    import streamlit as st

    raw = st.query_params.get(preset.key)
    if raw in presets and words.key not in st.query_params and st.session_state.get("_preset_restored") != raw:
        st.session_state[words.key] = presets[raw]
        st.session_state["_preset_restored"] = raw


def apply_preset(presets: dict) -> None:
    import streamlit as st

    p = st.session_state.get("preset")
    if p in presets:
        st.session_state["words"] = presets[p]


# ---- Section scenes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneHotScene:
    oh: E.OneHotVsDense
    heatmaps: object  # go.Figure
    rows: object


@shared("scenes")
def onehot_scene(source_id, words: tuple, _emb: E.Embeddings) -> OneHotScene:
    oh = E.onehot_vs_dense(_emb, list(words))
    labels = [esc_label(w) for w in words]
    return OneHotScene(oh, figs.cosine_heatmaps(labels, oh.onehot_cos, oh.dense_cos, oh.V, oh.D),
                       figs.dense_rows(labels, oh.dense))


@shared("scenes")
def neighbours_of(source_id, word: str, k: int, _emb: E.Embeddings) -> E.Neighbours:
    return E.neighbours(_emb, word, k)


@shared("scenes")
def _pca_map(source_id, words: tuple, dims: int, background: int, seed: int, _emb) -> E.WordMap:
    return E.project(_emb, list(words), "pca", dims, background, seed=seed)


BIG_MAP = 1000  # t-SNE / UMAP on more points than this runs on a click
MAP_SECONDS_PER_1000 = {"tsne": 6.2, "umap": 3.8}  # CPU s per 1,000 points here (bench/embeddings.py: 2,000 and 3,000 words)


def word_map(source_id, words: tuple, method: str, dims: int, background: int, perplexity: float,
             n_neighbors: int, seed: int, emb: E.Embeddings, ask: bool = False) -> E.WordMap | None:
    """A projection of the words: PCA at once; t-SNE and UMAP through the door (queued, with progress).

    With ``ask``, a t-SNE or UMAP of more than ``BIG_MAP`` points that nobody has computed yet waits
    for a click on a button that says how long it takes here (None until then).
    """
    if method == "pca":
        return _pca_map(source_id, words, dims, background, seed, _emb=emb)
    key = (source_id, words, method, dims, background, perplexity, n_neighbors, seed)
    n = len(words) + background
    if ask and n > BIG_MAP and cached((E.project.__module__, E.project.__qualname__, key)) is None:
        import streamlit as st

        secs = MAP_SECONDS_PER_1000[method] * n / 1000
        if not st.button(f"Project {n:,} points with {method.upper()} (about {secs:.0f} s here)", key="map_run"):
            return None
    return run(f"Projecting {n:,} points with {method}", E.project, emb, list(words), method, dims, background,
               perplexity, n_neighbors, seed, key=key)


@shared("scenes")
def map_figure(source_id, proj_key: tuple, groups: tuple, highlight: tuple, query, title: str, labelled: tuple,
               _proj: E.WordMap):
    """The word map of one projection (named by proj_key), one query's neighbours ringed."""
    return figs.word_map([esc_label(w) for w in _proj.words], _proj.coords, [esc_label(g) for g in groups],
                         _proj.is_background, {esc_label(w): n for w, n in highlight},
                         esc_label(query) if query else None, title=esc_label(title),
                         labelled={esc_label(w) for w in labelled})


@dataclass(frozen=True)
class MapScene:
    proj: E.WordMap
    figure: object
    groups: tuple[str, ...]  # per point
    background: int
    notes: tuple[str, ...]
    notice: str

    def table(self):
        import pandas as pd

        coords = pd.DataFrame(self.proj.coords, columns=[f"axis {j + 1}" for j in range(self.proj.coords.shape[1])])
        coords.insert(0, "group", self.groups)
        coords.insert(0, "word", self.proj.words)
        return coords.round(4)


def map_scene(source_id, emb: E.Embeddings, words: list[str], groups: list[str], nb: E.Neighbours | None,
              method: str, method_name: str, dims: int, background: int, perplexity: float, n_neighbors: int,
              seed: int) -> MapScene | None:
    """Section 2: the chosen words, the query's neighbours (their own group and symbol), projected and drawn
    (None while a large t-SNE/UMAP waits for its button)."""
    if not words:
        raise E.WordError("The word list is empty: type some words, or pick a preset.")
    E.check_words(emb, words)
    shown, shown_groups = list(words), list(groups)
    if nb is not None:
        for w in (nb.query[0], *nb.words):
            if w not in shown:
                shown.append(w)
                shown_groups.append(f"nearest to “{nb.query[0]}”")
    notes = []
    if method == "tsne" and len(shown) + background > E.MAX_TSNE_POINTS:
        background = max(0, E.MAX_TSNE_POINTS - len(shown))
        notes.append(f"t-SNE is capped at {E.MAX_TSNE_POINTS:,} points here, so the background is cut to "
                     f"{background:,} words.")
    proj = word_map(source_id, tuple(shown), method, dims, background, perplexity, n_neighbors, seed, emb, ask=True)
    if proj is None:
        return None
    notes.extend(proj.notes)
    highlight = tuple((w, f"cos {s:.3f}") for w, s in zip(nb.words, nb.sims)) if nb is not None else ()
    fit = (f"fitted on your {len(shown)} words + {background:,} frequent words (faint)" if background
           else f"fitted on your {len(shown)} words alone")
    proj_key = (tuple(shown), method, dims, background, perplexity, n_neighbors, seed)
    point_groups = tuple(shown_groups + ["background"] * int(proj.is_background.sum()))
    labelled = tuple(words) + ((nb.query[0],) if nb is not None else ())
    fig = map_figure(source_id, proj_key, point_groups, highlight, nb.query[0] if nb is not None else None,
                     f"{method_name} of {emb.name}, {fit}", labelled, _proj=proj)
    n = len(words)
    notice = E.map_notice(proj.coords[:n], list(groups), method)
    return MapScene(proj, fig, point_groups, background, tuple(notes), notice)


@dataclass(frozen=True)
class AnalogyScene:
    answers: E.Neighbours
    picture: E.AnalogyPicture
    figure: object


@shared("scenes")
def analogy_scene(source_id, a: str, b: str, c: str, k: int, _emb: E.Embeddings) -> AnalogyScene:
    ans = E.analogy(_emb, a, b, c, k)
    pic = E.analogy_picture(_emb, a, b, c, ans)
    fig = figs.analogy_parallelogram([esc_label(w) for w in pic.words], pic.xy, [esc_label(w) for w in ans.words],
                                     title=esc_label(f"{a} : {b} :: {c} : {ans.words[0]}  (PCA of these words)"))
    return AnalogyScene(ans, pic, fig)


@dataclass(frozen=True)
class AxesScene:
    axes: E.Axes
    figure: object


@shared("scenes")
def axes_scene(source_id, words: tuple, groups: tuple, pair_x: tuple, pair_y: tuple, _emb) -> AxesScene:
    ax = E.semantic_axes(_emb, list(words), pair_x, pair_y)
    esc = lambda xs: [esc_label(x) for x in xs]  # noqa: E731
    return AxesScene(ax, figs.semantic_axes(esc(ax.words), ax.x, ax.y, tuple(esc(ax.pair_x)), tuple(esc(ax.pair_y)),
                                            esc(groups)))


axes_notice = E.axes_notice
bank_notice = E.bank_notice
states_notice = B.states_notice

BENCH_SECONDS = {100_000: 5, 400_000: 19}  # the analogy benchmark over that many words here (bench/live_embeddings.py, Dec 2026: 4.4–4.7 s and 18.5–19.4 s)


@dataclass(frozen=True)
class Benchmarks:
    analogies: E.AnalogyResult
    wordsim: E.PairsResult
    simlex: E.PairsResult
    restrict: int
    figure: object
    notice: str

    def tables(self):
        import pandas as pd

        ab = self.analogies
        return [pd.DataFrame({"section": ab.sections, "correct": ab.correct, "answered": ab.total,
                              "accuracy": np.round(ab.correct / np.maximum(ab.total, 1), 4)}),
                pd.DataFrame(list(ab.examples), columns=["section", "a", "b", "c", "expected", "model's answer"]),
                pd.DataFrame(list(self.wordsim.words), columns=["word 1", "word 2", "human", "cosine"]).round(4)]


def benchmarks(source_id, restrict: int, emb: E.Embeddings) -> Benchmarks | None:
    """Section 5: the three benchmarks over the first ``restrict`` words. Beyond 30k words they run on a click
    (their button says how long they take here); None until then."""
    import streamlit as st

    restrict = min(restrict, emb.V)
    if restrict > 30_000 and not analogy_bench_ready(source_id, restrict):
        secs = BENCH_SECONDS.get(restrict) or BENCH_SECONDS[400_000]
        st.info(f"The benchmark over the first {restrict:,} words takes about {secs} s on this server.")
        if not st.button(f"Run the benchmarks on {restrict:,} words (about {secs} s)", key="bench_run"):
            return None
    try:
        ab = analogy_bench(source_id, restrict, emb)
    except Cancelled:
        return None
    ws = pairs_bench(source_id, restrict, "wordsim353.tsv", _emb=emb)
    sl = pairs_bench(source_id, restrict, "simlex999.txt", _emb=emb)
    return Benchmarks(ab, ws, sl, restrict, sections_figure(source_id, restrict, _ab=ab), E.bench_notice(ab))


def analogy_bench(source_id, restrict: int, emb: E.Embeddings) -> E.AnalogyResult:
    """The Google analogy benchmark over the first ``restrict`` words (through the door: it can take a while)."""
    return run("Google analogies, question", E.evaluate_analogies, emb, None, restrict, key=(source_id, restrict))


def analogy_bench_ready(source_id, restrict: int) -> bool:
    return cached((E.evaluate_analogies.__module__, E.evaluate_analogies.__qualname__, (source_id, restrict))) is not None


@shared("scenes")
def pairs_bench(source_id, restrict: int, file: str, _emb) -> E.PairsResult:
    name = {"wordsim353.tsv": "WordSim353", "simlex999.txt": "SimLex-999"}[file]
    return E.evaluate_pairs(_emb, E.benchmark_path(file), restrict_vocab=restrict, name=name)


@shared("scenes")
def sections_figure(source_id, restrict: int, _ab: E.AnalogyResult):
    return figs.section_accuracy(list(_ab.sections), _ab.correct, _ab.total, _ab.accuracy)


# ---- "bank" ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankScene:
    neighbours: E.Neighbours
    between: E.Between
    groups: tuple[str, ...]
    figure: object


@shared("scenes")
def bank_scene(money: tuple, river: tuple) -> BankScene:
    """GloVe's "bank" among money and river words: its neighbours, positions and chart."""
    G = glove()
    pos = E.between(G, ["bank", *money, *river], list(money), list(river))
    grp = ("“bank”",) + ("money words",) * len(money) + ("river words",) * len(river)
    fig = figs.between_centres([esc_label(w) for w in pos.words], pos.cos_left, pos.cos_right, list(grp),
                               "money", "river", title="GloVe: where “bank” sits between money words and river words")
    return BankScene(E.neighbours(G, "bank", 10), pos, grp, fig)


def bank_model(cfg: B.ContextLMConfig) -> B.ContextLM:
    """The GRU language model on frozen GloVe, trained once per settings through the door."""
    return run("Training the GRU language model, step", B.train, cfg, corpus(cfg.corpus), glove(), key=cfg)


@dataclass(frozen=True)
class BankStatesScene:
    states: B.BankStates
    figure: object
    loss_figure: object


@shared("scenes")
def bank_states_scene(cfg: B.ContextLMConfig, money_s: tuple, river_s: tuple, money: tuple, river: tuple,
                      _lm: B.ContextLM) -> BankStatesScene:
    st = B.bank_states(_lm, glove(), list(money_s), list(river_s), list(money), list(river))
    fig = figs.context_states(st.hidden_xy, list(st.senses), [esc_label(s) for s in st.sentences], st.glove_xy,
                              [esc_label(w) for w in st.glove_words], list(st.glove_groups))
    return BankStatesScene(st, fig, figs.loss_curve(st.loss, ref=st.ln_V))


def bank_states(cfg: B.ContextLMConfig, money_s: str, river_s: str, money: list[str], river: list[str]
                ) -> BankStatesScene:
    """Section 6's GRU states at "bank", for up to 20 sentences of each sense (each cut at 300 characters)."""
    lines = lambda text: tuple(s.strip()[:300] for s in text.splitlines() if s.strip())[:20]  # noqa: E731
    lm = bank_model(cfg)
    return bank_states_scene(cfg, lines(money_s), lines(river_s), tuple(money), tuple(river), _lm=lm)


@dataclass(frozen=True)
class WarmStartScene:
    result: B.WarmStart
    figure: object
    notice: str


def warm_start_scene(cfg: B.WarmStartConfig) -> WarmStartScene:
    ws = warm_start(cfg)
    return WarmStartScene(ws, warm_start_figure(cfg, _ws=ws), B.warm_notice(ws))


def warm_start(cfg: B.WarmStartConfig) -> B.WarmStart:
    return run("Warm start: training three small models, step", B.warm_start, cfg, corpus("wiki"), corpus("lee"),
               glove(), key=cfg)


@shared("scenes")
def warm_start_figure(cfg: B.WarmStartConfig, _ws: B.WarmStart):
    return figs.warm_start_curves(_ws.steps, _ws.heldout, list(_ws.inputs), _ws.chance)


# ---- Warm-up -----------------------------------------------------------------------------------------

DEFAULT_MAP_WORDS = ("france", "germany", "italy", "spain", "japan", "india", "paris", "berlin")


def warm() -> None:
    """The default scene, ready before the first student, in page order: GloVe and its benchmarks, the
    "bank" model, the warm start; then the first t-SNE and UMAP calls (UMAP compiles its numba code into
    the app's cache folder) and the default word2vec."""
    G = glove()
    E.neighbours(G, "france", 8)
    analogy_bench(GLOVE, 30_000, G)
    for file in ("wordsim353.tsv", "simlex999.txt"):
        pairs_bench(GLOVE, 30_000, file, _emb=G)
    bank_model(B.ContextLMConfig())
    warm_start(B.WarmStartConfig())
    for method in ("tsne", "umap"):
        word_map(GLOVE, DEFAULT_MAP_WORDS, method, 2, 0, 5.0, 10, 0, G)
    word2vec(S.W2VConfig(), corpus("wiki+lee"))
