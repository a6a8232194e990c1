"""Shared test set-up: the project root on sys.path, where pages live, and the e2e marker.

Tests under tests/e2e/ start real servers or browsers and are marked ``e2e``: the daily loop is
``pytest -q -m "not e2e"``; the README's command and CI run everything.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# In-process page tests (AppTest) must not start the server's background warm-up of every lesson.
os.environ.setdefault("RNNLAB_WARMUP", "0")
if os.environ.get("PYTEST_XDIST_WORKER"):  # one of several test processes: one maths thread each
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")

PAGES = sorted((ROOT / "pages").glob("*.py"))


def at_the_same_moment(calls: list) -> list:
    """Run each zero-argument call on its own thread, all released together (as students' trainings would
    run), and return their results in order."""
    import threading

    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def work(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
APPTEST_TIMEOUT = 180  # a first run imports torch (and gensim); the 3 s default is far too short


def pytest_xdist_auto_num_workers(config):
    """Workers for ``-n auto`` (pytest.ini): every core for the unit and page tests; none (one process)
    when the e2e tests run, since they start servers and browsers that need the cores themselves."""
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if env:
        return int(env)
    if "not e2e" not in (config.option.markexpr or ""):
        return 0
    return max(1, min(os.cpu_count() or 1, 8))


# With several workers (pytest.ini: -n auto --dist loadfile) each file runs in one worker; the heaviest
# lessons go first, so no worker is left with a big one at the end. A unit test that asks for a default
# training through the door (ui.train.without_page) shares it with the page tests of its process.
LESSONS_HEAVY_FIRST = ("seq2seq", "sound", "embeddings", "applications", "hello", "handwriting", "common")


def lesson_of(path: Path) -> str:
    """tests/unit/<lesson>/… or tests/pages/test_<lesson>[_page].py → lesson; anything else → "misc"."""
    rel = path.relative_to(ROOT / "tests").parts
    name = rel[1] if rel[0] == "unit" and len(rel) > 2 else path.stem.removeprefix("test_").removesuffix("_page")
    return name if name in LESSONS_HEAVY_FIRST else "misc"


@pytest.hookimpl(tryfirst=True)  # the e2e mark must be on before "-m" deselects
def pytest_collection_modifyitems(config, items):
    e2e = ROOT / "tests" / "e2e"
    for item in items:
        if e2e in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
    order = {name: i for i, name in enumerate(LESSONS_HEAVY_FIRST)}
    items.sort(key=lambda item: (e2e not in Path(str(item.fspath)).parents,
                                 order.get(lesson_of(Path(str(item.fspath))), len(order))))


def open_page(page: str | None = None, query: dict | None = None, timeout: float = APPTEST_TIMEOUT,
              opened: tuple[str, ...] = ()):
    """An AppTest of the real app: entry app.py, then the lesson page, as the server runs it.

    ``page`` is a file in pages/ ("1_Language_model.py"); None opens the home page. ``query``
    sets URL query parameters (a shared link). ``opened`` names lazy expanders (``ui.show.numbers``
    keys) to open, as a student clicking them would. Call ``.run()`` on the result.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if page is not None:
        at.switch_page(f"pages/{page}")
    if query:
        at.query_params.update(query)
    for key in opened:
        at.session_state[key] = True
    return at


class ReplayView:
    """What a browser-side replay slider (ui.replay) shows, read from the data a page sent: its player and
    followers of one ``group``. ``shown(k)`` is every metric and line at frame ``k``, as the browser sets them."""

    def __init__(self, at, group: str):
        """``at``: an AppTest, or the data a page sent (``devtools.stclient.Run.components()``)."""
        from ui.replay import unpack

        sent = at if isinstance(at, list) else [unpack(e.proto.bytes) for e in at.get("bidi_component")]
        mine = [d for d in sent if d.get("group") == group]
        self.player = next(d for d in mine if d["role"] == "player")
        self.followers = [d for d in mine if d["role"] == "follower"]
        self.labels = self.player["frameLabels"]
        self.init = self.player["init"]

    def frame(self, step: int) -> int:
        """The frame of a recorded training step (or the last one at or before it)."""
        steps = [int(label.removeprefix("step ")) for label in self.labels]
        return max(k for k, s in enumerate(steps) if s <= step)

    def metrics(self, k: int) -> dict[str, str]:
        return {m["label"]: m["values"][k] for d in [self.player, *self.followers] for m in d["metrics"]}

    def helps(self, k: int) -> dict[str, str]:
        return {m["label"]: (m["helps"][k] if "helps" in m else m["help"])
                for d in [self.player, *self.followers] for m in d["metrics"]}

    def lines(self, k: int) -> list[str]:
        return [(ln["lead"] + " " if ln["lead"] else "") + ln["values"][k]
                for d in [self.player, *self.followers] for ln in d["lines"]]

    def chart(self, name: str, k: int) -> dict:
        """The chart ``name`` as the browser draws it at frame ``k``: its figure with that frame's changes."""
        i = next(i for i, c in enumerate(self.player["charts"]) if c["name"] == name)
        frame, fig = self.player["charts"][i]["frames"][k], self.player["figs"][i]
        data = [{**t, **(frame["traces"][j] or {})} if j < len(frame["traces"]) else t
                for j, t in enumerate(fig["data"])]
        layout = dict(fig["layout"])
        if "title" in frame:
            layout["title"] = {**layout.get("title", {}), "text": frame["title"]}
        return {"data": data, "layout": layout}
