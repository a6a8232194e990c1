"""The generated tasks: fixed-seed disjoint splits, targets that round-trip, vocabularies with specials."""

import datetime as dt

import pytest

from core.seq2seq import data as sd


@pytest.fixture(scope="module")
def dates():
    return sd.make_dataset("dates", n_train=1500, n_test=300, seed=3)


def test_same_seed_same_split_and_other_seed_differs(dates):
    again = sd.make_dataset("dates", n_train=1500, n_test=300, seed=3)
    other = sd.make_dataset("dates", n_train=1500, n_test=300, seed=4)
    assert again.train == dates.train and again.test == dates.test
    assert other.test != dates.test


@pytest.mark.parametrize("task", list(sd.TASKS))
def test_held_out_items_never_trained_on(task):
    """Disjoint on the underlying item: no held-out date/number/string appears in training in any format."""
    data = sd.make_dataset(task, n_train=800, n_test=200, seed=0)
    key = (lambda e: e.target) if task.startswith(("dates", "numbers")) else (lambda e: e.source)
    assert not {key(e) for e in data.train} & {key(e) for e in data.test}
    assert len(data.test) == 200 and len(data.train) == 800


def test_iso_target_parses_back_to_the_written_date(dates):
    """The target is the ISO form of the date the source spells out with one of the task's babel formats."""
    formats = sd.date_formats("dates")
    for e in dates.train[:200] + dates.test[:100]:
        day = dt.date.fromisoformat(e.target)
        assert sd.iso_date(day) == e.target
        assert sd.FIRST_DATE <= day <= sd.LAST_DATE
        assert e.source in {sd.format_date(day, loc, pat) for loc, pat in formats}
        assert e.prop == day.month


def test_dates_use_many_formats_and_languages():
    data = sd.make_dataset("dates_multi", n_train=1000, n_test=100, seed=0)
    text = " ".join(e.source for e in data.train)
    for word in ("November", "novembre", "noviembre", "Donnerstag"):
        assert any(w in text for w in (word, word.lower()))
    assert any("/" in e.source for e in data.train) and any("." in e.source for e in data.train)


def test_numbers_round_trip_through_num2words():
    from num2words import num2words

    data = sd.make_dataset("numbers", n_train=500, n_test=100, seed=0)
    for e in data.train + data.test:
        assert num2words(int(e.target)) == e.source
    de = sd.make_dataset("numbers_de", n_train=300, n_test=50, seed=0)
    assert sd.number_words(312, "de") == "dreihundertzwölf"
    for e in de.train[:50]:
        assert num2words(int(e.prop), lang="de") == e.target and num2words(int(e.prop)) == e.source


def test_reverse_and_sort_targets():
    rev = sd.make_dataset("reverse", n_train=200, n_test=50, seed=0, reverse_len=(3, 6))
    assert all(e.target == e.source[::-1] and 3 <= len(e.source) <= 6 for e in rev.train)
    srt = sd.make_dataset("sort", n_train=200, n_test=50, seed=0)
    assert all(e.target == "".join(sorted(e.source)) for e in srt.train)


def test_vocab_specials_and_unknowns(dates):
    assert dates.src.itos[:4] == sd.SPECIALS and dates.tgt.itos[:4] == sd.SPECIALS
    assert set(dates.tgt.itos[4:]) == set("0123456789-")
    ids = dates.src.encode("Nov 26, 2026 ☃")
    assert ids[-1] == sd.UNK_ID and sd.UNK_ID not in ids[:-1]
    assert dates.src.unknown_chars("Nov ☃ ß") == ["ß", "☃"]
    assert dates.tgt.decode(dates.tgt.encode("2026-11-26") + [sd.EOS_ID, 5, 6]) == "2026-11-26"


def test_reference_target_agrees_with_the_data():
    for task in ("dates", "numbers", "numbers_de", "reverse", "sort"):
        data = sd.make_dataset(task, n_train=300, n_test=50, seed=1)
        assert all(sd.reference_target(task, e.source) == e.target for e in data.train)
    assert sd.reference_target("dates", "Nov 26") is None  # no year: not a full date
    assert sd.reference_target("dates", "hello") is None
    assert sd.reference_target("numbers", "eleventy") is None


def test_properties_for_colouring_match_the_items(dates):
    props = sd.properties("dates", dates.test[:50])
    assert list(props) == ["year", "month", "day of month", "input length"]  # year first: it shows structure
    assert props["year"] == [int(e.target[:4]) for e in dates.test[:50]]
    assert props["input length"] == [len(e.source) for e in dates.test[:50]]
    nums = sd.make_dataset("numbers", 200, 50, 0)
    p = sd.properties("numbers", nums.test)
    assert p["number of digits"] == [len(e.target) for e in nums.test] and p["size"] == [int(e.target) for e in nums.test]
    assert list(sd.properties("reverse", nums.test)) == ["input length"]


def test_number_tables_are_num2words_and_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch):
    from num2words import num2words

    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    monkeypatch.setattr(sd, "_tables", {})
    folder = tmp_path / "seq2seq"
    folder.mkdir()
    from importlib.metadata import version

    damaged = folder / f"numbers-en-{sd.MAX_NUMBER}-num2words-{version('num2words')}.json"
    damaged.write_text('["zero", "one"', encoding="utf-8")  # cut off mid-write
    table = sd.number_table("en")
    assert len(table) == sd.MAX_NUMBER + 1
    assert all(table[k] == num2words(k) for k in (0, 7, 312, 1999, sd.MAX_NUMBER))
    monkeypatch.setattr(sd, "_tables", {})
    assert sd.number_table("en") == table  # read back from the rebuilt file


def test_number_table_works_when_the_cache_folder_cannot_be_written(tmp_path, monkeypatch):
    from pathlib import Path

    from num2words import num2words

    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    monkeypatch.setattr(sd, "_tables", {})

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    from core.common import paths

    monkeypatch.setattr(Path, "write_text", refuse)
    monkeypatch.setattr(paths, "open", refuse, raising=False)  # the app's folder refuses new files
    table = sd.number_table("de")
    assert table[312] == num2words(312, lang="de") and not list((tmp_path / "seq2seq").iterdir())

