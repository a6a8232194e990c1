"""The app's folder: files written there are whole or absent, never half."""

import pytest

from core.common.paths import write_atomically


def test_a_file_is_written_whole_and_replaces_the_old_one(tmp_path):
    path = tmp_path / "table.json"
    path.write_bytes(b"old")
    write_atomically(path, lambda out: out.write(b"new"))
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["table.json"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "table.json"
    path.write_bytes(b"old")

    def half(out):
        out.write(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, half)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["table.json"]
