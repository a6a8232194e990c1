"""The shortened English Wikipedia dump that ships with gensim, parsed in this process (no workers).

gensim's ``WikiCorpus.get_texts`` always parses through a ``multiprocessing.Pool`` (even with
``processes=1``), which forks the server. Here the same steps run in-process, one article at a time:
``extract_pages`` reads the XML, ``filter_wiki`` strips the markup. The cleaned texts are written once
to the app's own cache folder (``core.common.paths.cache_dir``) and read from there afterwards; the
file is rebuilt when missing or when the dump changes.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import os
import re
import threading

from core.common.paths import cache_dir, gensim_test_data, write_atomically

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
MIN_WORDS = 50  # gensim's ARTICLE_MIN_WORDS: stubs and redirects are skipped, as WikiCorpus does
_SPACES = re.compile(r"[ \t]+")
_lock = threading.Lock()


def _clean(raw: str) -> str:
    """Wiki markup → plain text, as WikiCorpus does before tokenising (case and punctuation kept)."""
    from gensim.corpora.wikicorpus import filter_wiki

    text = filter_wiki(raw)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith(("|", "!", "{", "}")))


def _parse(path: str) -> list[str]:
    from gensim.corpora.wikicorpus import IGNORED_NAMESPACES, extract_pages

    texts = []
    with bz2.open(path, "rb") as fin:
        for title, raw, _pageid in extract_pages(fin, filter_namespaces=("0",)):
            if any(title.startswith(ns + ":") for ns in IGNORED_NAMESPACES):
                continue
            if raw.lstrip().lower().startswith("#redirect"):
                continue
            text = _clean(raw)
            if len(text.split()) >= MIN_WORDS:
                texts.append(text)
    return texts


def article_texts() -> tuple[str, ...]:
    """The dump's articles as plain text (case and punctuation kept), parsed once and cached on disk."""
    path = gensim_test_data(WIKI_FILE)
    stamp = hashlib.sha1(f"{os.path.getsize(path)}:{os.path.getmtime(path)}:v1".encode()).hexdigest()[:12]
    cached = cache_dir("wiki") / f"articles-{stamp}.jsonl"
    with _lock:  # two first visitors at once parse once
        if not cached.exists():
            texts = _parse(path)
            write_atomically(cached, lambda out: out.writelines((json.dumps(t) + "\n").encode() for t in texts))
    with open(cached, encoding="utf-8") as fin:
        return tuple(json.loads(line) for line in fin)


def article_tokens() -> tuple[tuple[str, ...], ...]:
    """Each article as lower-cased tokens, with gensim's Wikipedia tokeniser (2–15 letters)."""
    from gensim.corpora.wikicorpus import tokenize

    return tuple(tuple(tokenize(text, 2, 15, True)) for text in article_texts())
