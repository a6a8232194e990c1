"""Where data lives: gensim's shipped test data, and the folder the app owns for what it precomputes."""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import IO, Callable


def gensim_test_data(name: str) -> str:
    """A file in gensim's ``test/test_data`` (like ``gensim.test.utils.datapath``, without importing gensim)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("gensim is not installed")
    return str(Path(spec.submodule_search_locations[0]) / "test" / "test_data" / name)


def cache_dir(*parts: str) -> Path:
    """The app's own folder for precomputed files (outside git; rebuilt when missing).

    ``$RNNLAB_CACHE`` if set, else ``~/.cache/rnnlab``. Nothing else is written anywhere.
    """
    root = Path(os.environ.get("RNNLAB_CACHE") or Path.home() / ".cache" / "rnnlab")
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through ``write(file)`` into a temporary file of this process and thread, then rename it over
    ``path``: a reader never sees half a file, and two writers at once (processes or threads) never mix theirs.
    On an OSError (a full or read-only folder) the temporary file is removed and the error raised."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as out:
            write(out)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
