"""Where data lives: gensim's shipped test data, and the folder the app owns for what it precomputes."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


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
