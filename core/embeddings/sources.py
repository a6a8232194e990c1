"""Where vectors come from besides GloVe: word2vec trained here on a real corpus, or the learner's file.

The corpora ship with gensim's test data: 106 shortened English Wikipedia articles (parsed with
gensim's WikiCorpus, ≈450k tokens) and the Lee news corpus (≈60k tokens). A learner's vector file is
read by our own parser, which checks the header, the dimensions and the encoding before it
allocates anything, and never unpickles.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.embeddings import Embeddings, benchmark_path, from_arrays

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
LEE_FILE = "lee_background.cor"
CORPORA = {
    "wiki+lee": "Wikipedia (106 articles) + Lee news",
    "wiki": "Wikipedia (106 articles)",
    "lee": "Lee news (300 stories)",
}
CHUNK = 1000  # words per training "sentence": gensim truncates longer ones at 10,000
MAX_TEXT_CHARS = 5_000_000  # pasted/uploaded training text
MAX_FILE_BYTES = 50 * 1024 * 1024  # vector files (the upload cap in .streamlit/config.toml)
MAX_DIMS = 1000
MAX_WORDS_LIMIT = 400_000


class SourceError(ValueError):
    """A problem with a learner's text or vector file; the message is meant to be shown as is."""


# ---- Corpora ---------------------------------------------------------------------------------


def _chunks(tokens: list[str]) -> list[list[str]]:
    return [tokens[i:i + CHUNK] for i in range(0, len(tokens), CHUNK)]


def load_corpus(name: str = "wiki+lee") -> tuple[tuple[str, ...], ...]:
    """Token lists of a bundled corpus, lower-cased (≈510k tokens for wiki+lee); takes a few seconds."""
    from gensim.utils import simple_preprocess

    parts: list[list[str]] = []
    if "wiki" in name:
        from gensim.corpora.wikicorpus import WikiCorpus

        wiki = WikiCorpus(benchmark_path(WIKI_FILE), dictionary={}, processes=1)
        for article in wiki.get_texts():
            parts.extend(_chunks(article))
    if "lee" in name:
        with open(benchmark_path(LEE_FILE), encoding="utf8") as fin:
            parts.extend(simple_preprocess(line) for line in fin)
    if not parts:
        raise ValueError(f"unknown corpus {name!r}")
    return tuple(tuple(p) for p in parts if p)


def text_to_sentences(text: str) -> tuple[tuple[str, ...], ...]:
    """A learner's text as lower-cased token lists, one per line (long lines cut into chunks)."""
    from gensim.utils import simple_preprocess

    if not text or not text.strip():
        raise SourceError("The text is empty: paste or upload some text to train on.")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"The text has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}.")
    out = []
    for line in text.splitlines():
        for chunk in _chunks(simple_preprocess(line)):
            out.append(tuple(chunk))
    n = sum(map(len, out))
    if n < 50:
        raise SourceError(f"The text has only {n} words; word2vec needs at least a few hundred to learn anything.")
    return tuple(out)


def decode_text(data: bytes) -> str:
    """Uploaded training text as str; a clear error if it is not UTF-8 or looks binary."""
    if len(data) > MAX_TEXT_CHARS * 4:
        raise SourceError(f"The file has {len(data):,} bytes; the limit for training text is {MAX_TEXT_CHARS:,} characters.")
    if data[:1] == b"\x80" or data[:2] == b"PK" or b"\x00" in data[:4096]:
        raise SourceError("This looks like a binary file (pickle, zip or similar), not plain text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SourceError(f"The file is not UTF-8 text (first bad byte on line {line}). Save it as UTF-8.") from None


def corpus_stats(sentences) -> dict:
    """Token and word-type counts of a corpus."""
    from collections import Counter

    counts = Counter(w for s in sentences for w in s)
    return {"tokens": sum(counts.values()), "types": len(counts), "counts": counts}


# ---- word2vec ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class W2VConfig:
    """word2vec settings; the defaults train in about half a minute on the bundled corpus."""

    corpus: str = "wiki+lee"  # a CORPORA key, or "text:<sha256>" for a learner's text
    sg: bool = True  # skip-gram (True) or CBOW (False)
    vector_size: int = 100  # D, the size of each dense vector
    window: int = 5  # context words on each side
    epochs: int = 10
    min_count: int = 5  # words rarer than this are dropped
    seed: int = 0


def train_word2vec(
    cfg: W2VConfig, sentences, on_step: Callable[[int, int], None] | None = None
) -> Embeddings:
    """Train gensim Word2Vec on the token lists (one worker, so the same seed gives the same vectors).

    Reports progress once per epoch via a gensim callback; returns the vectors, most frequent word first.
    """
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    class Progress(CallbackAny2Vec):
        def __init__(self):
            self.epoch = 0

        def on_epoch_end(self, model):
            self.epoch += 1
            if on_step:
                on_step(self.epoch, cfg.epochs)

    sentences = [list(s) for s in sentences]
    n_types = len({w for s in sentences for w in s})
    model = Word2Vec(
        sentences=sentences, vector_size=cfg.vector_size, window=cfg.window, min_count=cfg.min_count,
        sg=int(cfg.sg), epochs=cfg.epochs, seed=cfg.seed, workers=1, callbacks=[Progress()],
    ) if _has_vocab(sentences, cfg.min_count) else None
    if model is None:
        raise SourceError(f"No word occurs at least {cfg.min_count} times (among {n_types:,} different words): "
                          "lower the minimum count or use a longer text.")
    kv = model.wv
    kind = "skip-gram" if cfg.sg else "CBOW"
    return from_arrays(f"word2vec ({kind}, {cfg.vector_size}d)", list(kv.index_to_key), np.array(kv.vectors))


def _has_vocab(sentences, min_count: int) -> bool:
    from collections import Counter

    counts = Counter(w for s in sentences for w in s)
    return sum(1 for c in counts.values() if c >= min_count) >= 2


def text_key(text: str) -> str:
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---- The learner's vector files ----------------------------------------------------------------

FORMATS = {
    "auto": "detect automatically",
    "w2v-text": "word2vec text (header line “count dims”)",
    "w2v-binary": "word2vec binary (header line, then float32 rows)",
    "glove": "GloVe text (no header: word and numbers on each line)",
}


def _reject_non_vectors(head: bytes) -> None:
    if head[:1] == b"\x80" or head[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"):
        raise SourceError("This is a Python pickle (gensim .model / .kv saved with save()). Pickles can run code "
                          "when loaded, so this app never opens them. Export with "
                          "model.wv.save_word2vec_format('vectors.txt') and upload that.")
    if head[:2] == b"PK":
        raise SourceError("This is a zip archive (perhaps a torch or numpy .npz file), not a vector file. "
                          "Upload word2vec text/binary or GloVe text.")
    if head[:6] == b"\x93NUMPY":
        raise SourceError("This is a numpy .npy file: it has no words. Upload word2vec text/binary or GloVe text.")
    if head[:2] == b"\x1f\x8b" or head[:3] == b"BZh":
        raise SourceError("This file is compressed (gzip/bz2). Decompress it first, then upload the plain file.")


def _first_line(data: bytes) -> bytes:
    end = data.find(b"\n", 0, 1_000_000)
    return data[: end if end >= 0 else min(len(data), 1_000_000)]


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    n, d = int(parts[0]), int(parts[1])
    if n < 1:
        raise SourceError(f"The header says the file has {n} words.")
    if not 1 <= d <= MAX_DIMS:
        raise SourceError(f"The header says each vector has {d:,} dimensions; this app accepts 1–{MAX_DIMS:,}.")
    return n, d


def detect_format(data: bytes) -> str:
    """'w2v-text', 'w2v-binary' or 'glove' from the first lines; SourceError if it is none of them."""
    if not data:
        raise SourceError("The file is empty.")
    _reject_non_vectors(data[:8])
    header = _parse_header(_first_line(data))
    if header is None:
        head = data[:4096]
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < len(head) - 4:  # not just a character cut at the 4 KB boundary
                raise SourceError("This is a binary file but not a vector file: its first line is not a word2vec "
                                  "header (“count dims”), and it is not UTF-8 text either.") from None
        return "glove"
    n, d = header
    body = data[len(_first_line(data)) + 1:]
    sp = body.find(b" ")
    row = body[sp + 1: sp + 1 + 4 * d]
    try:
        row.decode("ascii")  # a text row holds digits, signs, dots and spaces only
        return "w2v-text"
    except UnicodeDecodeError:
        return "w2v-binary"


def read_vectors(data: bytes, fmt: str = "auto", limit: int = 100_000, name: str = "your file") -> Embeddings:
    """Parse word2vec text/binary or GloVe text into Embeddings (first `limit` words), validating as it goes."""
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"The file has {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
    if not 1 <= limit <= MAX_WORDS_LIMIT:
        raise SourceError(f"The word limit must be between 1 and {MAX_WORDS_LIMIT:,}.")
    detected = detect_format(data)
    if fmt == "auto":
        fmt = detected
    elif fmt == "glove" and detected != "glove":
        raise SourceError("The first line looks like a word2vec header (“count dims”), not a GloVe row: "
                          "choose a word2vec format.")
    elif fmt != "glove" and detected == "glove":
        raise SourceError("The first line is not a word2vec header (“count dims”, e.g. “400000 50”). "
                          "If the file has no header, choose GloVe text.")
    if fmt == "w2v-binary":
        words, vecs = _read_binary(data, limit)
    else:
        words, vecs = _read_text(data, limit, header=(fmt == "w2v-text"))
    return from_arrays(f"{name} ({len(words):,} words, {vecs.shape[1]}d)", words, vecs)


def _read_text(data: bytes, limit: int, header: bool) -> tuple[list[str], np.ndarray]:
    stream = io.BytesIO(data)
    n_header = d = None
    if header:
        n_header, d = _parse_header(stream.readline())
    words, rows, seen = [], [], set()
    line_no = 1 if header else 0
    for raw in stream:
        line_no += 1
        if len(words) >= min(limit, n_header or limit):
            break
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"Line {line_no} is not UTF-8 text. Is this a binary word2vec file? "
                              "Then choose word2vec binary.") from None
        parts = line.rstrip().split(" ")
        if not line.strip():
            continue
        if d is None:
            d = len(parts) - 1
            if not 1 <= d <= MAX_DIMS:
                raise SourceError(f"Line {line_no} has {d} numbers after the word; expected 1–{MAX_DIMS}.")
        if len(parts) - 1 != d:
            raise SourceError(f"Line {line_no} (“{parts[0][:30]}”) has {len(parts) - 1} numbers, but the vectors "
                              f"have {d} dimensions. Every line must have the same number.")
        try:
            vec = np.array(parts[1:], dtype=np.float32)
        except ValueError:
            raise SourceError(f"Line {line_no} (“{parts[0][:30]}”) has something that is not a number.") from None
        if not np.all(np.isfinite(vec)):
            raise SourceError(f"Line {line_no} (“{parts[0][:30]}”) contains inf or nan.")
        if parts[0] in seen:
            continue  # a repeated word keeps its first vector, as gensim does
        seen.add(parts[0])
        words.append(parts[0])
        rows.append(vec)
    if not words:
        raise SourceError("The file has no vectors after the header." if header else "The file has no vectors.")
    if n_header is not None and len(words) < min(n_header, limit):
        raise SourceError(f"The header promises {n_header:,} words, but the file has only {len(words):,} "
                          "vector lines. The header disagrees with the body.")
    return words, np.vstack(rows)


def _read_binary(data: bytes, limit: int) -> tuple[list[str], np.ndarray]:
    first = _first_line(data)
    n, d = _parse_header(first)
    pos = len(first) + 1
    n_read = min(n, limit)
    row_bytes = 4 * d
    # Each row needs at least one byte of word, a space and 4·d bytes: check before allocating.
    if (len(data) - pos) < n_read * (row_bytes + 2) - 1:
        most = (len(data) - pos) // (row_bytes + 2)
        raise SourceError(f"The header promises {n:,} words of {d} dimensions, but the file is too short for more "
                          f"than about {most:,} of them. The header disagrees with the body.")
    vecs = np.empty((n_read, d), np.float32)
    words, seen, kept = [], set(), 0
    for i in range(n_read):
        sp = data.find(b" ", pos, pos + 10_000)
        if sp < 0 or sp + 1 + row_bytes > len(data):
            raise SourceError(f"Word {i + 1} of {n:,} is cut off or has no space after it: the file ends early or "
                              "is not word2vec binary.")
        try:
            word = data[pos:sp].decode("utf-8").lstrip("\n")
        except UnicodeDecodeError:
            raise SourceError(f"Word {i + 1} is not UTF-8 text: this is not a word2vec binary file "
                              f"with {d} dimensions (or the header is wrong).") from None
        vec = np.frombuffer(data, dtype="<f4", count=d, offset=sp + 1)
        if not np.all(np.isfinite(vec)):
            raise SourceError(f"Word {i + 1} (“{word[:30]}”) has inf or nan values: the header's dimension "
                              "count is probably wrong.")
        pos = sp + 1 + row_bytes
        if word in seen:
            continue
        seen.add(word)
        words.append(word)
        vecs[kept] = vec
        kept += 1
    return words, vecs[:kept]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


WORD_FILE_SUFFIXES = (".txt", ".vec", ".bin", ".w2v", ".glove")


def read_vector_path(path: str, fmt: str = "auto", limit: int = 100_000) -> Embeddings:
    """Read a vector file on the server by path (size-checked first; only vector-like file names)."""
    import os

    p = os.path.expanduser(path.strip())
    if not p:
        raise SourceError("Type a path.")
    if not re.search(r"(\.txt|\.vec|\.bin|\.w2v|\.glove)$", p, re.I):
        raise SourceError(f"Only files ending in {', '.join(WORD_FILE_SUFFIXES)} can be opened by path.")
    if not os.path.isfile(p):
        raise SourceError(f"There is no file at {path!r}.")
    size = os.path.getsize(p)
    if size > MAX_FILE_BYTES:
        raise SourceError(f"The file has {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
    with open(p, "rb") as fin:
        data = fin.read()
    return read_vectors(data, fmt, limit, name=os.path.basename(p))
