"""The in-process Wikipedia parse matches gensim's own WikiCorpus, without forking."""

import os

from core.common import wiki


def test_parse_matches_wikicorpus_tokens(tmp_path, monkeypatch):
    """Same articles, same tokens as gensim's WikiCorpus (which parses through a process pool)."""
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    from gensim.corpora.wikicorpus import WikiCorpus

    ours = wiki.article_tokens()
    theirs = [tuple(t) for t in WikiCorpus(wiki.gensim_test_data(wiki.WIKI_FILE), dictionary={}).get_texts()]
    assert len(ours) > 50
    # WikiCorpus tokenises the filtered text; we drop table rows first, so ours is a subset per article
    assert len(ours) == len(theirs)
    overlap = sum(len(set(a) & set(b)) / max(len(set(b)), 1) for a, b in zip(ours, theirs)) / len(ours)
    assert overlap > 0.95


def test_parsed_once_into_the_apps_cache_folder_without_forking(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))

    def no_fork(*args, **kwargs):
        raise AssertionError("the server process must not fork")

    with monkeypatch.context() as m:
        m.setattr(os, "fork", no_fork)
        m.setattr("multiprocessing.Pool", no_fork)
        first = wiki.article_texts()
    files = list((tmp_path / "wiki").glob("articles-*.jsonl"))
    assert len(files) == 1
    assert wiki.article_texts() == first  # read back from the file
