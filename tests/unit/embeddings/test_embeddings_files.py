"""Hall safety for vector files: only the teacher's folder, no contents in messages, bounded parsing."""

import os

import numpy as np
import pytest

from core.embeddings import sources as S

ROW = "{w} 0.1 0.2 0.3\n"


def write(path, text):
    path.write_text(text, encoding="utf8")
    return path


# ---- reading by path ------------------------------------------------------------------------------


def test_path_reading_is_off_without_an_allowed_folder():
    assert S.allowed_folder(argv=["app.py"], environ={}) is None
    with pytest.raises(S.SourceError, match="off on this server"):
        S.read_vector_path("/etc/hostname.txt", folder=None)


def test_allowed_folder_from_env_or_argument(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert S.allowed_folder(argv=[], environ={"RNNLAB_VECTORS_DIR": str(tmp_path / "a")}) == str(tmp_path / "a")
    argv = ["app.py", "--vectors-dir", str(tmp_path / "b")]
    assert S.allowed_folder(argv=argv, environ={"RNNLAB_VECTORS_DIR": str(tmp_path / "a")}) == str(tmp_path / "b")
    assert S.allowed_folder(argv=[f"--vectors-dir={tmp_path / 'b'}"], environ={}) == str(tmp_path / "b")
    assert S.allowed_folder(argv=[], environ={"RNNLAB_VECTORS_DIR": str(tmp_path / "missing")}) is None


@pytest.fixture()
def hall(tmp_path):
    """An allowed folder with one good file, and secrets next to it."""
    allowed = tmp_path / "vectors"
    allowed.mkdir()
    write(allowed / "good.txt", "".join(ROW.format(w=w) for w in ("the", "cat", "dog")))
    (allowed / "sub").mkdir()
    write(allowed / "sub" / "more.vec", "".join(ROW.format(w=w) for w in ("a", "b")))
    secret = write(tmp_path / "secret.txt", "password 1 2 3\n")
    os.symlink(secret, allowed / "link.txt")
    os.symlink(tmp_path, allowed / "up")
    return str(os.path.realpath(allowed)), secret


def test_files_inside_the_folder_are_read(hall):
    folder, _ = hall
    assert S.read_vector_path("good.txt", folder=folder).itos == ["the", "cat", "dog"]
    assert S.read_vector_path("sub/more.vec", folder=folder).itos == ["a", "b"]
    assert S.read_vector_path(os.path.join(folder, "good.txt"), folder=folder).V == 3


@pytest.mark.parametrize("path", ["link.txt", "up/secret.txt", "../secret.txt", "sub/../../secret.txt",
                                  "sub/../good.txt", "/etc/../etc/hostname.txt", "~/secret.txt"])
def test_outside_symlinked_or_dotdot_paths_are_refused_alike(hall, path):
    """The same message whether the target exists or not: nothing is learnt about the disk."""
    folder, secret = hall
    with pytest.raises(S.SourceError) as err:
        S.read_vector_path(path, folder=folder)
    msg = str(err.value)
    assert msg == S._REFUSED
    assert "password" not in msg


def test_outside_paths_do_not_reveal_existence(hall, tmp_path):
    folder, secret = hall
    messages = set()
    for p in (str(secret), str(tmp_path / "nothing-here.txt"), "/etc/nothing/x.txt"):
        with pytest.raises(S.SourceError) as err:
            S.read_vector_path(p, folder=folder)
        messages.add(str(err.value))
    assert messages == {S._REFUSED}


def test_a_bad_file_in_the_folder_gets_no_contents_in_the_message(hall):
    folder, _ = hall
    write(os.path.join(folder, "bad.txt") and __import__("pathlib").Path(folder) / "bad.txt",
          "hunter2 1 2 3\nopensesame 1 2\n")
    with pytest.raises(S.SourceError) as err:
        S.parse_vector_path(os.path.join(folder, "bad.txt"))
    assert "hunter2" not in str(err.value) and "opensesame" not in str(err.value) and "3" not in str(err.value)


@pytest.mark.parametrize("data", [b"hunter2 1 2 3\nopensesame 1 2\n", b"hunter2 1 x 3\n", b"hunter2 1 inf\n"])
def test_upload_errors_never_quote_the_words(data):
    with pytest.raises(S.SourceError) as err:
        S.read_vectors(data)
    assert "hunter2" not in str(err.value) and "opensesame" not in str(err.value)


# ---- uploads: parsed once, bounded, repeats count ---------------------------------------------------


def test_repeated_words_count_as_rows_and_parsing_stops_at_the_bound():
    data = ("a 1 2\n" * 100_000 + "b 3 4\n").encode()
    calls = []
    vf = S.parse_vectors(data, on_step=lambda s, t: calls.append((s, t)), max_rows=1_000)
    assert vf.rows == 1_000 and vf.words == ("a",)  # never reached "b": bounded by rows, not unique words
    assert calls and calls[0][1] == 1_000


def test_parse_once_then_first_n_equals_reading_n():
    rows = [f"w{i % 50} {i} {i + 1}\n" for i in range(300)] + [f"x{i} {i} 1\n" for i in range(300)]
    data = "".join(rows).encode()
    vf = S.parse_vectors(data)
    for n in (10, 49, 50, 51, 300, 301, 600):
        a, b = vf.first(n), S.read_vectors(data, limit=n)
        assert a.itos == b.itos and np.array_equal(a.vectors, b.vectors)
    assert vf.first(300).V == 50 and vf.first(301).V == 51


def test_parsing_stops_when_on_step_raises():
    class Left(Exception):
        pass

    def on_step(step, total):
        if step >= 20_000:
            raise Left()

    with pytest.raises(Left):
        S.parse_vectors(("a 1 2\n" * 100_000).encode(), on_step=on_step)


# ---- files PCA can't draw -----------------------------------------------------------------------------


def test_one_dimensional_vectors_get_a_clear_message():
    with pytest.raises(S.SourceError, match="single dimension"):
        S.read_vectors(b"a 1\nb 2\nc 3\n")


def test_all_zero_rows_are_left_out_with_a_count_and_all_zero_files_refused():
    emb = S.read_vectors(b"a 0 0 0\nb 1 2 3\nc 0 1 0\nd 0 0 0\n")
    assert emb.itos == ["b", "c"] and "2 all-zero rows left out" in emb.name
    assert np.all(emb.norms > 0)
    with pytest.raises(S.SourceError, match="all zeros"):
        S.read_vectors(b"a 0 0\nb 0 0\n")


def test_a_zero_row_file_draws_a_map():
    from core.embeddings import vectors as E

    emb = S.read_vectors(b"a 0 0 0\nb 1 2 3\nc 0 1 0\nd 1 0 0\ne 0 0 1\n")
    m = E.project(emb, ["b", "c", "d", "e"], "pca", 2)
    assert np.all(np.isfinite(m.coords))


# ---- word2vec memory ---------------------------------------------------------------------------------


def test_word2vec_vocabulary_is_capped(monkeypatch):
    monkeypatch.setattr(S, "MAX_W2V_VOCAB", 30)
    rng = np.random.default_rng(0)
    sents = [tuple(f"w{j}" for j in rng.integers(0, 200, size=50)) for _ in range(200)]
    emb = S.train_word2vec(S.W2VConfig(corpus="t", vector_size=10, epochs=1, min_count=1), sents)
    assert emb.V <= 30
