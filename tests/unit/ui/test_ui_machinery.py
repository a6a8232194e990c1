"""The shared machinery: the bytes-bounded cache, the training door's queue, and escaping."""

import threading
import time

import numpy as np
import pytest

from core.common import runtime
from ui.cache import Cache, shared, sizeof
from ui.show import esc, esc_label, esc_latex
from ui.train import Cancelled, Door


def test_sizeof_counts_array_bytes():
    assert sizeof(np.zeros((100, 10))) == 8000
    assert sizeof({"a": np.zeros(1000)}) >= 8000


def test_cache_evicts_least_recent_beyond_budget_but_never_pinned():
    c = Cache("t", max_bytes=20_000)
    c.put("pinned", np.zeros(1000), pin=True)  # 8,000 bytes
    c.put("a", np.zeros(1000))
    c.get("pinned")
    c.put("b", np.zeros(1000))  # 24,000 > budget: "a" (least recently used, unpinned) goes
    assert "pinned" in c and "b" in c and "a" not in c
    c.put("c", np.zeros(3000))  # 24,000 alone: everything unpinned goes, the pinned stays
    assert "pinned" in c and c.bytes <= 20_000 + 24_000


def test_concurrent_callers_of_one_key_compute_once():
    c = Cache("t", max_bytes=10**6)
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.05)
        return 42

    threads = [threading.Thread(target=lambda: c.get_or_compute("k", compute)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and c.get("k") == 42


def test_shared_keys_on_arguments_but_not_underscored_ones():
    calls = []

    @shared("scenes")
    def scene(a, b=1, _big=None):
        calls.append((a, b))
        return a + b

    assert scene(1, 2, _big=object()) == 3
    assert scene(1, b=2, _big=object()) == 3  # same key however the arguments are passed
    assert scene(2) == 3
    assert calls == [(1, 2), (2, 1)]


def slow_training(n, on_step=None, log=None):
    for i in range(n):
        time.sleep(0.01)
        on_step(i + 1, n)
    if log is not None:
        log.append(n)
    return n * 10


def test_door_shares_identical_work_and_caches_it():
    door = Door(workers=1, cache="trainings")
    log = []
    a = door.submit("k1", "x", slow_training, (5,), {"log": log}, session="s1")
    b = door.submit("k1", "x", slow_training, (5,), {"log": log}, session="s2")
    assert a is b
    assert a.done.wait(120)
    assert a.result == 50 and log == [5] and door.cache.get("k1") == 50


def test_door_one_pending_training_per_student_and_leaving_cancels():
    door = Door(workers=1, cache="trainings")
    blocker = door.submit("block", "x", slow_training, (30,), {}, session="teacher")
    first = door.submit("s-a", "x", slow_training, (5,), {}, session="student")
    second = door.submit("s-b", "x", slow_training, (5,), {}, session="student")  # withdraws "s-a"
    assert first.done.wait(60) and isinstance(first.error, Cancelled)
    assert door.position(second) == 1  # behind the running one
    door.leave(blocker, "teacher")  # nobody waits: the running training stops at its next step
    assert blocker.done.wait(120) and isinstance(blocker.error, Cancelled)
    assert second.done.wait(120) and second.result == 50


@pytest.mark.parametrize("text", [
    "`x` [click](http://evil.example) ![img](http://x/y.png) **bold** :red[x] $x^2$ <b>hi</b>",
    "www.evil.example\n# heading\n> quote",
])
def test_esc_leaves_no_markdown_construct(text):
    out = esc(text)
    for special in "`[]()!*:$<>#":
        # every special is preceded by a backslash (so Markdown shows the character itself)
        assert all(out[i - 1] == "\\" for i, ch in enumerate(out) if ch == special and i > 0)
    assert "\n" not in out


def test_esc_latex_and_label():
    assert esc_latex("100% C# a_b {x} ~^\\") == r"100\% C\# a\_b \{x\} \textasciitilde{}\textasciicircum{}\textbackslash{}"
    assert esc_label('<a href="javascript:x">hi</a>') == '&lt;a href="javascript:x"&gt;hi&lt;/a&gt;'


def test_the_servers_upload_cap_is_what_the_largest_page_accepts():
    """config.toml's server.maxUploadSize = ui.budget.MAX_UPLOAD_MB = the vector-file limit."""
    import tomllib

    from conftest import ROOT
    from core.embeddings.sources import MAX_FILE_BYTES
    from ui.budget import MAX_UPLOAD_MB

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_FILE_BYTES == MAX_UPLOAD_MB * 1024 * 1024


def test_asking_again_for_a_training_being_cancelled_starts_it_afresh():
    """A student withdraws a running training, another asks for the same settings before it has
    stopped: the second gets a real result, not the first one's cancellation."""
    door = Door(workers=1, cache="trainings")
    first = door.submit("same", "x", slow_training, (40,), {}, session="a")
    while not first.started:
        time.sleep(0.01)
    door.leave(first, "a")
    again = door.submit("same", "x", slow_training, (5,), {}, session="b")
    assert again is not first
    assert first.done.wait(120) and isinstance(first.error, Cancelled)
    assert again.done.wait(120) and again.error is None and again.result == 50


def test_training_naps_only_while_a_students_page_computes(monkeypatch):
    """The training shares the interpreter lock: it naps between steps while some page computes,
    never while pages are idle or only waiting for their training."""
    import ui.train as T

    naps = []
    monkeypatch.setattr(T, "_nap", naps.append)
    monkeypatch.setattr(T, "_pages", {})

    def busy(n, on_step=None):
        for i in range(n):
            t = time.perf_counter()
            while time.perf_counter() - t < 0.003:
                pass
            on_step(i + 1, n)
        return n

    door = Door(workers=1, cache="trainings")
    job = door.submit("alone", "x", busy, (5,), {}, session="s")
    assert job.done.wait(60) and job.result == 5 and naps == []  # nobody computing: no nap

    release, started = threading.Event(), threading.Event()

    def page():  # a student's rerun: registers, computes until released
        T.page_run_started()
        started.set()
        release.wait(60)

    student = threading.Thread(target=page)
    student.start()
    started.wait(10)
    assert T.students_computing()
    assert not runtime.spare_core()  # and a training lends no work to the other core meanwhile
    job = door.submit("shared", "x", busy, (5,), {}, session="s")
    assert job.done.wait(60) and job.result == 5
    assert len(naps) == 5 and all(0.002 * T.YIELD < s <= T.NAP_S for s in naps)  # YIELD × what it computed
    release.set()
    student.join(10)
    assert not T.students_computing()  # its run ended
    assert runtime.spare_core()

    def waiting_page():
        T.page_run_started()
        T._page_waiting(True)
        started.set()
        release.wait(60)

    started.clear(), release.clear()
    student = threading.Thread(target=waiting_page)
    student.start()
    started.wait(10)
    assert not T.students_computing()  # waiting for its training is not computing
    release.set()
    student.join(10)
