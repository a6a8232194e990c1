"""Shared test set-up: the project root on sys.path, and where pages live."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = sorted((ROOT / "pages").glob("*.py"))
APPTEST_TIMEOUT = 180  # a first run imports torch (and gensim); the 3 s default is far too short
