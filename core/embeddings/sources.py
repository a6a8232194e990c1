"""Where vectors come from besides GloVe: word2vec trained here on a real corpus, or the learner's file.

The corpora ship with gensim's test data: 106 shortened English Wikipedia articles (parsed in this
process by ``core.common.wiki``, ≈450k tokens) and the Lee news corpus (≈60k tokens). A learner's
vector file is read by our own parser, which checks the header, the dimensions and the encoding
before it allocates anything, never unpickles, and never echoes the file's words in a message.
Files on the server are read only inside the one folder the teacher allowed (``allowed_folder``).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.common.runtime import OnStep, report
from core.embeddings.vectors import Embeddings, benchmark_path, from_arrays

LEE_FILE = "lee_background.cor"
CORPORA = {
    "wiki+lee": "Wikipedia (106 articles) + Lee news",
    "wiki": "Wikipedia (106 articles)",
    "lee": "Lee news (300 stories)",
}
CHUNK = 1000  # words per training "sentence": gensim truncates longer ones at 10,000
MAX_TEXT_CHARS = 5_000_000  # pasted/uploaded training text
MAX_FILE_BYTES = 20 * 1024 * 1024  # vector files: = server.maxUploadSize in .streamlit/config.toml
MAX_DIMS = 1000
MAX_WORDS_LIMIT = 400_000


class SourceError(ValueError):
    """A problem with a learner's text or vector file; the message is meant to be shown as is."""


# ---- Corpora ---------------------------------------------------------------------------------


def _chunks(tokens: list[str]) -> list[list[str]]:
    return [tokens[i:i + CHUNK] for i in range(0, len(tokens), CHUNK)]


def corpus_sentences(name: str = "wiki+lee", on_step: OnStep | None = None) -> tuple[tuple[str, ...], ...]:
    """Token lists of a bundled corpus, lower-cased (≈510k tokens for wiki+lee); parsed in this process."""
    from gensim.utils import simple_preprocess

    from core.common import wiki

    parts: list[list[str]] = []
    report(on_step, 0, 2)
    if "wiki" in name:
        for article in wiki.article_tokens():  # WikiCorpus's tokens, without its process pool
            parts.extend(_chunks(list(article)))
    report(on_step, 1, 2)
    if "lee" in name:
        with open(benchmark_path(LEE_FILE), encoding="utf8") as fin:
            parts.extend(simple_preprocess(line) for line in fin)
    if not parts:
        raise ValueError(f"unknown corpus {name!r}")
    report(on_step, 2, 2)
    return tuple(tuple(p) for p in parts if p)


def text_to_sentences(text: str, on_step: OnStep | None = None) -> tuple[tuple[str, ...], ...]:
    """A learner's text as lower-cased token lists, one per line (long lines cut into chunks)."""
    from gensim.utils import simple_preprocess

    if not text or not text.strip():
        raise SourceError("The text is empty: paste or upload some text to train on.")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"The text has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}.")
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if i % 10_000 == 0:
            report(on_step, i, len(lines))
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


@dataclass(frozen=True)
class CorpusStats:
    tokens: int  # words in the corpus, repeats included
    types: int  # different words


def corpus_stats(sentences) -> CorpusStats:
    """Token and word-type counts of a corpus."""
    return CorpusStats(sum(map(len, sentences)), len({w for s in sentences for w in s}))


# ---- word2vec ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class W2VConfig:
    """word2vec settings; the defaults train in a few seconds on the bundled corpus (bench/live_embeddings.py)."""

    corpus: str = "wiki+lee"  # a CORPORA key, or "text:<sha256>" for a learner's text
    sg: bool = True  # skip-gram (True) or CBOW (False)
    vector_size: int = 50  # D, the size of each dense vector (GloVe's here is 50 too)
    window: int = 5  # context words on each side
    epochs: int = 2
    min_count: int = 5  # words rarer than this are dropped
    seed: int = 0


MAX_W2V_VOCAB = 50_000  # word2vec keeps at most this many words (gensim's max_final_vocab): bounded memory


def train_word2vec(cfg: W2VConfig, sentences, on_step: OnStep | None = None) -> Embeddings:
    """Train gensim Word2Vec on the token lists (one worker thread, so the same seed gives the same vectors).

    Reports progress once per epoch via a gensim callback; returns the vectors, most frequent word first.
    At most ``MAX_W2V_VOCAB`` words are kept (gensim raises its min_count until they fit).
    """
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    class Progress(CallbackAny2Vec):
        def __init__(self):
            self.epoch = 0

        def on_epoch_end(self, model):
            self.epoch += 1
            if on_step:
                on_step(self.epoch, cfg.epochs)  # may raise: the student left, the training stops here

    sentences = [list(s) for s in sentences]
    n_types = len({w for s in sentences for w in s})
    model = Word2Vec(
        sentences=sentences, vector_size=cfg.vector_size, window=cfg.window, min_count=cfg.min_count,
        sg=int(cfg.sg), epochs=cfg.epochs, seed=cfg.seed, workers=1, callbacks=[Progress()],
        max_final_vocab=MAX_W2V_VOCAB,
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


@dataclass(frozen=True)
class VectorFile:
    """A parsed vector file: every usable row of its first ``MAX_WORDS_LIMIT`` lines, parsed once.

    ``line_of[i]`` is the row (0-based, header excluded) word i came from, so ``first(n)`` gives the
    words of the first n rows whatever repeats the file has: a repeated word counts as a row.
    """

    name: str
    words: tuple[str, ...]
    vectors: np.ndarray  # (V, D) float32, read-only
    line_of: np.ndarray  # (V,) row index of each word, increasing
    rows: int  # rows read (repeats and zero rows included)
    zero_rows: int  # all-zero rows left out (no direction, so no cosine)

    def first(self, n: int) -> Embeddings:
        """The words of the file's first n rows as Embeddings (sharing the parsed matrix)."""
        k = int(np.searchsorted(self.line_of, n))
        if k == 0:
            raise SourceError("The first rows of the file hold no usable vectors (all zero or repeats).")
        note = f", {self.zero_rows:,} all-zero rows left out" if self.zero_rows else ""
        return from_arrays(f"{self.name} ({k:,} words, {self.vectors.shape[1]}d{note})", list(self.words[:k]),
                           self.vectors[:k])


def parse_vectors(data: bytes, fmt: str = "auto", name: str = "your file", on_step: OnStep | None = None,
                  max_rows: int = MAX_WORDS_LIMIT) -> VectorFile:
    """Parse word2vec text/binary or GloVe text (at most ``max_rows`` rows), validating as it goes.

    The work is bounded by the rows read (never the whole of a long file of repeats), reported through
    ``on_step`` (which may stop it), and no message quotes the file's words or numbers.
    """
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"The file has {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
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
        words, vecs, line_of, rows = _read_binary(data, max_rows, on_step)
    else:
        words, vecs, line_of, rows = _read_text(data, max_rows, header=(fmt == "w2v-text"), on_step=on_step)
    if vecs.shape[1] < 2:
        raise SourceError("The vectors have a single dimension: a direction needs at least 2 numbers per word "
                          "(cosine similarity of 1-number vectors is only ±1).")
    nonzero = np.any(vecs != 0, axis=1)
    if not nonzero.any():
        raise SourceError("Every vector in the file is all zeros: they have no direction, so no similarity.")
    zero_rows = int((~nonzero).sum())
    if zero_rows:
        words = [w for w, keep in zip(words, nonzero) if keep]
        vecs, line_of = vecs[nonzero], line_of[nonzero]
    vecs.setflags(write=False)
    return VectorFile(name, tuple(words), vecs, line_of, rows, zero_rows)


def read_vectors(data: bytes, fmt: str = "auto", limit: int = 100_000, name: str = "your file") -> Embeddings:
    """Parse a vector file and keep the words of its first ``limit`` rows."""
    if not 1 <= limit <= MAX_WORDS_LIMIT:
        raise SourceError(f"The word limit must be between 1 and {MAX_WORDS_LIMIT:,}.")
    return parse_vectors(data, fmt, name, max_rows=limit).first(limit)


def _read_text(data: bytes, max_rows: int, header: bool, on_step: OnStep | None = None):
    stream = io.BytesIO(data)
    n_header = d = None
    if header:
        n_header, d = _parse_header(stream.readline())
    n_rows = min(max_rows, n_header or max_rows)
    words, rows, line_of, seen = [], [], [], set()
    line_no = 1 if header else 0
    row = 0
    for raw in stream:
        line_no += 1
        if row >= n_rows:
            break
        if not raw.strip():
            continue
        if row % 20_000 == 0:
            report(on_step, row, n_rows)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"Line {line_no} is not UTF-8 text. Is this a binary word2vec file? "
                              "Then choose word2vec binary.") from None
        parts = line.rstrip().split(" ")
        if d is None:
            d = len(parts) - 1
            if not 1 <= d <= MAX_DIMS:
                raise SourceError(f"Line {line_no} does not have a word followed by 1–{MAX_DIMS} numbers.")
        if len(parts) - 1 != d:
            raise SourceError(f"Line {line_no} has a different number of values from the lines before it. "
                              "Every line must have the same number.")
        try:
            vec = np.array(parts[1:], dtype=np.float32)
        except ValueError:
            raise SourceError(f"Line {line_no} has something that is not a number after the word.") from None
        if not np.all(np.isfinite(vec)):
            raise SourceError(f"Line {line_no} contains inf or nan.")
        row += 1
        if parts[0] in seen:
            continue  # a repeated word keeps its first vector, as gensim does (the row still counts)
        seen.add(parts[0])
        words.append(parts[0])
        rows.append(vec)
        line_of.append(row - 1)
    if not words:
        raise SourceError("The file has no vectors after the header." if header else "The file has no vectors.")
    if n_header is not None and row < n_rows:
        raise SourceError(f"The header promises {n_header:,} words, but the file has only {row:,} "
                          "vector lines. The header disagrees with the body.")
    return words, np.vstack(rows), np.array(line_of), row


def _read_binary(data: bytes, max_rows: int, on_step: OnStep | None = None):
    first = _first_line(data)
    n, d = _parse_header(first)
    pos = len(first) + 1
    n_read = min(n, max_rows)
    row_bytes = 4 * d
    # Each row needs at least one byte of word, a space and 4·d bytes: check before allocating.
    if (len(data) - pos) < n_read * (row_bytes + 2) - 1:
        most = (len(data) - pos) // (row_bytes + 2)
        raise SourceError(f"The header promises {n:,} words of {d} dimensions, but the file is too short for more "
                          f"than about {most:,} of them. The header disagrees with the body.")
    vecs = np.empty((n_read, d), np.float32)
    words, line_of, seen, kept = [], [], set(), 0
    for i in range(n_read):
        if i % 20_000 == 0:
            report(on_step, i, n_read)
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
            raise SourceError(f"Word {i + 1} has inf or nan values: the header's dimension "
                              "count is probably wrong.")
        pos = sp + 1 + row_bytes
        if word in seen:
            continue
        seen.add(word)
        words.append(word)
        line_of.append(i)
        vecs[kept] = vec
        kept += 1
    return words, vecs[:kept], np.array(line_of), n_read


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


WORD_FILE_SUFFIXES = (".txt", ".vec", ".bin", ".w2v", ".glove")
VECTORS_DIR_ENV = "RNNLAB_VECTORS_DIR"
VECTORS_DIR_ARG = "--vectors-dir"
_REFUSED = ("Only vector files inside the folder the teacher allowed can be opened by path, named relative "
            "to that folder (for example “glove.txt” or “sub/vectors.vec”).")


def allowed_folder(argv: list[str] | None = None, environ: dict | None = None) -> str | None:
    """The one folder whose vector files may be read by path, or None (reading by path is off).

    The person starting the server names it: ``RNNLAB_VECTORS_DIR=/data/vectors streamlit run app.py``
    or ``streamlit run app.py -- --vectors-dir /data/vectors``. Its real path (symlinks resolved).
    """
    import os
    import sys

    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    folder = None
    for i, arg in enumerate(argv):
        if arg == VECTORS_DIR_ARG and i + 1 < len(argv):
            folder = argv[i + 1]
        elif arg.startswith(VECTORS_DIR_ARG + "="):
            folder = arg.split("=", 1)[1]
    folder = folder or environ.get(VECTORS_DIR_ENV) or None
    if not folder:
        return None
    real = os.path.realpath(os.path.expanduser(folder))
    return real if os.path.isdir(real) else None


def resolve_in_folder(path: str, folder: str | None) -> str:
    """The real path of ``path`` (relative to ``folder``, or absolute inside it), or SourceError.

    Refused alike, without saying whether anything exists: no allowed folder, ``..`` anywhere, a
    path (or a symlink's target) outside the folder, a name without a vector file's ending.
    """
    import os

    if folder is None:
        raise SourceError("Reading vector files by path is off on this server. Upload a file instead (the "
                          "teacher can allow one folder when starting the server).")
    p = path.strip()
    if not p:
        raise SourceError("Type a path.")
    if "\x00" in p or ".." in p.replace("\\", "/").split("/") or p.startswith("~"):
        raise SourceError(_REFUSED)
    if not re.search(r"(\.txt|\.vec|\.bin|\.w2v|\.glove)$", p, re.I):
        raise SourceError(f"Only files ending in {', '.join(WORD_FILE_SUFFIXES)} can be opened by path.")
    real = os.path.realpath(os.path.join(folder, p))  # an absolute p replaces folder, then must lie inside it
    if os.path.commonpath([real, folder]) != folder or real == folder:
        raise SourceError(_REFUSED)
    if not re.search(r"(\.txt|\.vec|\.bin|\.w2v|\.glove)$", real, re.I) or not os.path.isfile(real):
        raise SourceError(f"There is no vector file called “{os.path.basename(p)[:60]}” in the allowed folder.")
    return real


def read_path_bytes(path: str, folder: str | None) -> tuple[str, bytes]:
    """(file name, bytes) of a vector file inside the allowed folder (size-checked before reading)."""
    import os

    real = resolve_in_folder(path, folder)
    size = os.path.getsize(real)
    if size > MAX_FILE_BYTES:
        raise SourceError(f"The file has {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
    with open(real, "rb") as fin:
        return os.path.basename(real), fin.read()


def parse_vector_path(real: str, fmt: str = "auto", on_step: OnStep | None = None) -> VectorFile:
    """Parse a file ``resolve_in_folder`` accepted; a failure says only that it isn't a readable vector file."""
    import os

    size = os.path.getsize(real)
    if size > MAX_FILE_BYTES:
        raise SourceError(f"The file has {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
    with open(real, "rb") as fin:
        data = fin.read()
    try:
        return parse_vectors(data, fmt, os.path.basename(real), on_step=on_step)
    except SourceError:
        raise SourceError("That file is not a vector file this app can read (word2vec text or binary, or GloVe "
                          "text, with the format chosen above).") from None


def read_vector_path(path: str, fmt: str = "auto", limit: int = 100_000, folder: str | None = None) -> Embeddings:
    """Read a vector file by path, only inside the allowed folder (see ``resolve_in_folder``)."""
    name, data = read_path_bytes(path, folder)
    return read_vectors(data, fmt, limit, name=name)
