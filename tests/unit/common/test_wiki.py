"""The in-process Wikipedia parse matches gensim's own WikiCorpus, without forking."""

import os

import pytest

from core.common import wiki


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    """Parse the dump once into a fresh cache folder, with forking made impossible: (folder, texts)."""
    folder = tmp_path_factory.mktemp("cache")

    def no_fork(*args, **kwargs):
        raise AssertionError("the server process must not fork")

    with pytest.MonkeyPatch.context() as m:
        m.setenv("RNNLAB_CACHE", str(folder))
        m.setattr(os, "fork", no_fork)
        m.setattr("multiprocessing.Pool", no_fork)
        texts = wiki.article_texts()
    return folder, texts


def test_parse_matches_wikicorpus_tokens(parsed, monkeypatch):
    """Same articles, same tokens as gensim's WikiCorpus (which parses through a process pool)."""
    monkeypatch.setenv("RNNLAB_CACHE", str(parsed[0]))
    from gensim.corpora.wikicorpus import WikiCorpus

    ours = wiki.article_tokens()
    theirs = [tuple(t) for t in WikiCorpus(wiki.gensim_test_data(wiki.WIKI_FILE), dictionary={}).get_texts()]
    assert len(ours) > 50
    # WikiCorpus tokenises the filtered text; we drop table rows first, so ours is a subset per article
    assert len(ours) == len(theirs)
    overlap = sum(len(set(a) & set(b)) / max(len(set(b)), 1) for a, b in zip(ours, theirs)) / len(ours)
    assert overlap > 0.95


def test_parsed_once_into_the_apps_cache_folder_without_forking(parsed, monkeypatch):
    folder, first = parsed  # the fixture parsed it with os.fork and multiprocessing.Pool raising
    monkeypatch.setenv("RNNLAB_CACHE", str(folder))
    files = list((folder / "wiki").glob("articles-*.jsonl"))
    assert len(files) == 1
    assert wiki.article_texts() == first  # read back from the file
