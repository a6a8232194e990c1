"""The one door every training goes through: a server-wide queue, progress, the shared cache, warm-up.

A page asks ``run("Training the model", core_train, cfg, key=cfg)``:

- A result already in the ``trainings`` cache comes back at once (the same settings train once for
  the whole class).
- Otherwise the work joins one server-wide queue served by ``WORKERS`` threads (never processes:
  nothing forks inside the server). Identical work in flight is shared, not repeated.
- While it waits or runs, the page shows a progress bar with the student's place in the queue.
- Each student (session) has at most one pending training: asking for another withdraws the first.
  A student who leaves or changes a setting withdraws theirs too, and work nobody waits for is
  cancelled (between two ``on_step`` calls).
- Warm-up trainings (the teacher's default scenes) are pinned in the cache and never evicted.

The core function must take ``on_step=`` and call ``on_step(step, total)`` now and then. It draws
its randomness from its own generators, so running in a worker thread next to other trainings
changes nothing in its numbers.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.common import runtime
from ui.cache import CACHES

WORKERS = 1  # one training at a time: the other core serves the students' reruns
# A training thread and the students' reruns share Python's one interpreter lock and two cores: left
# alone, pages answer about twice as slowly while anything trains. So while some student's page is
# computing, the training naps YIELD times as long as it has just computed (at most NAP_S at a time):
# pages come first, and a training slows down only while pages are busy. bench/fairness.py measures it.
YIELD = 2.0
NAP_S = 0.1
_nap = time.sleep
PROGRESS_S, QUEUED_S = 0.5, 2.0  # how often a waiting page's progress bar may change
_warming = threading.local()  # set in the warm-up thread: no page to draw progress on


class Cancelled(Exception):
    """Raised inside a training whose students have all left."""


@dataclass(eq=False)
class Job:
    key: Hashable
    label: str
    fn: Callable
    args: tuple
    kwargs: dict
    pin: bool = False
    waiters: set = field(default_factory=set)
    done: threading.Event = field(default_factory=threading.Event)
    started: bool = False
    cancelled: bool = False
    step: int = 0
    total: int = 0
    result: Any = None
    error: BaseException | None = None


class Door:
    """The queue and its worker threads. One per server process (``DOOR``)."""

    def __init__(self, workers: int = WORKERS, cache: str = "trainings"):
        self.cache = CACHES[cache]
        self._queue: deque[Job] = deque()
        self._jobs: dict[Hashable, Job] = {}  # pending or running, by key
        self._pending_of: dict[str, Job] = {}  # each session's one pending job
        self.counts = {"submitted": 0, "trained": 0, "cancelled": 0, "failed": 0}
        self._lock = threading.Condition()
        self._workers = [threading.Thread(target=self._serve, name=f"rnnlab-train-{i}", daemon=True)
                         for i in range(workers)]
        for w in self._workers:
            w.start()

    # ---- called from session threads -----------------------------------------------------------
    def submit(self, key: Hashable, label: str, fn: Callable, args: tuple, kwargs: dict, session: str,
               pin: bool = False) -> Job:
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.cancelled:  # (a withdrawn training may still be stopping: start afresh)
                job = Job(key, label, fn, args, kwargs, pin=pin)
                self.counts["submitted"] += 1
                self._jobs[key] = job
                self._queue.append(job)
                self._lock.notify()
            job.pin = job.pin or pin
            old = self._pending_of.get(session)
            if old is not None and old is not job:
                self._withdraw(old, session)
            job.waiters.add(session)
            self._pending_of[session] = job
            return job

    def leave(self, job: Job, session: str) -> None:
        """A session stops waiting (it left, or asked for something else)."""
        with self._lock:
            self._withdraw(job, session)

    def _withdraw(self, job: Job, session: str) -> None:
        job.waiters.discard(session)
        if self._pending_of.get(session) is job:
            del self._pending_of[session]
        if not job.waiters and not job.done.is_set():
            job.cancelled = True
            if not job.started:
                self._queue.remove(job)
                if self._jobs.get(job.key) is job:
                    del self._jobs[job.key]
                self.counts["cancelled"] += 1
                job.error = Cancelled()
                job.done.set()

    def position(self, job: Job) -> int:
        """0 while it runs; otherwise how many trainings run or wait ahead of it."""
        with self._lock:
            if job.started:
                return 0
            running = sum(1 for j in self._jobs.values() if j.started)
            return running + (self._queue.index(job) if job in self._queue else 0)

    def stats(self) -> dict:
        with self._lock:
            return {"queued": len(self._queue), "running": sum(j.started for j in self._jobs.values()),
                    "sessions_waiting": len(self._pending_of), **self.counts}

    # ---- the worker threads ----------------------------------------------------------------------
    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                job = self._queue.popleft()
                job.started = True
            self._run(job)

    def _run(self, job: Job) -> None:
        from core.common.runtime import torch_thread_policy

        torch_thread_policy()

        last = [time.perf_counter()]

        def on_step(step: int, total: int) -> None:
            job.step, job.total = step, total
            if job.cancelled:
                raise Cancelled()
            ran = time.perf_counter() - last[0]
            if ran > 0.001 and students_computing():
                _nap(min(ran * YIELD, NAP_S))
            last[0] = time.perf_counter()

        try:
            job.result = job.fn(*job.args, on_step=on_step, **job.kwargs)
            self.cache.put(job.key, job.result, pin=job.pin)
            self.counts["trained"] += 1
        except BaseException as err:  # handed to the waiting pages, which show it
            job.error = err
            self.counts["cancelled" if isinstance(err, Cancelled) else "failed"] += 1
        finally:
            with self._lock:
                if self._jobs.get(job.key) is job:
                    del self._jobs[job.key]
                for session in list(job.waiters):
                    if self._pending_of.get(session) is job:
                        del self._pending_of[session]
                job.done.set()


DOOR = Door()

# ---- which students' pages are computing right now ------------------------------------------------
# Streamlit runs each rerun in a thread that ends with the run; setup_page registers it. A thread
# waiting at the door for its training is not computing.
_pages: dict[threading.Thread, bool] = {}  # page thread -> waiting at the door
_pages_lock = threading.Lock()


def page_run_started() -> None:
    """Called at the top of every page run (ui.shell.setup_page)."""
    with _pages_lock:
        _pages[threading.current_thread()] = False
        if len(_pages) > 256:
            _prune()


def _page_waiting(flag: bool) -> None:
    me = threading.current_thread()
    with _pages_lock:
        if me in _pages:
            _pages[me] = flag


def _prune() -> None:
    for t in [t for t in _pages if not t.is_alive()]:
        del _pages[t]


def students_computing() -> bool:
    """Is some student's page computing (alive, and not waiting for a training)?"""
    with _pages_lock:
        _prune()
        return not all(_pages.values())


# A training may lend work to a helper thread on the other core only while no student's page needs that core.
runtime.set_spare_core_check(lambda: not students_computing())


def session_id() -> str:
    """This student's id: a value kept in their session state (public API, no Streamlit internals)."""
    import streamlit as st

    if "_rnnlab_sid" not in st.session_state:
        st.session_state["_rnnlab_sid"] = uuid.uuid4().hex
    return st.session_state["_rnnlab_sid"]


def cached(key: Hashable) -> Any:
    """A finished training's result, or None."""
    return DOOR.cache.get(key)


def run(label: str, fn: Callable, *args: Any, key: Hashable, pin: bool = False, **kwargs: Any) -> Any:
    """Train through the door: a cached result, or queue ``fn(*args, on_step=…, **kwargs)`` and wait.

    ``key`` identifies the work (usually the frozen config, plus whatever else decides the result).
    The page shows a progress bar while the student waits; errors raised by ``fn`` are raised here.
    """
    full_key = (fn.__module__, fn.__qualname__, key)
    hit = DOOR.cache.get(full_key)
    if hit is not None:
        return hit
    if getattr(_warming, "active", False):
        job = DOOR.submit(full_key, label, fn, args, kwargs, session="warm-up", pin=True)
        job.done.wait()
    else:
        job = _wait_with_progress(label, full_key, fn, args, kwargs, pin)
    if job.error is not None:
        raise job.error
    return job.result


def _wait_with_progress(label: str, key: Hashable, fn: Callable, args: tuple, kwargs: dict, pin: bool) -> Job:
    import streamlit as st

    session = session_id()
    job = DOOR.submit(key, label, fn, args, kwargs, session=session, pin=pin)
    slot = st.empty()
    t0 = time.perf_counter()
    _page_waiting(True)
    shown, sent = None, 0.0
    try:
        while not job.done.wait(0.2):
            now = time.perf_counter()
            if now - t0 < 0.3:
                continue  # quick work doesn't flash a bar
            ahead = DOOR.position(job)
            if ahead:
                bar = (0.0, f"{label}: waiting, {ahead} training{'s' if ahead > 1 else ''} ahead of yours on this server")
            else:
                bar = (min(max(job.step / max(job.total, 1), 0.0), 1.0), f"{label}: {job.step:,} / {job.total:,}")
            # Send a bar only when it changed, and at most every PROGRESS_S (every QUEUED_S while queued):
            # each message costs the server's one Python for every student waiting.
            if bar != shown and now - sent >= (QUEUED_S if ahead else PROGRESS_S):
                slot.progress(bar[0], text=bar[1])
                shown, sent = bar, now
    finally:
        _page_waiting(False)
        if not job.done.is_set():  # the student left or changed a setting: withdraw the work
            DOOR.leave(job, session)
    slot.empty()
    return job


# ---- warm-up: the teacher's default scenes, prepared once per server process ------------------------
_warm = {"started": False, "done": [], "current": None, "waiting": [], "failed": [], "t0": 0.0, "t1": None}
_warm_lock = threading.Lock()


def start_warm_up(steps: list[tuple[str, Callable[[], Any]]]) -> None:
    """Run ``steps`` (name, function) in lecture order in one background thread, once per process.

    Each function prepares one lesson's default scene through the same door and caches (pinned).
    """
    with _warm_lock:
        if _warm["started"]:
            return
        _warm["started"], _warm["t0"] = True, time.perf_counter()
        _warm["waiting"] = [name for name, _ in steps]

    def work() -> None:
        with without_page():
            _warm_steps(steps)

    threading.Thread(target=work, name="rnnlab-warm-up", daemon=True).start()


@contextmanager
def without_page() -> Iterator[None]:
    """Trainings asked for in this thread wait without a page to draw progress on, and stay pinned in the
    cache: the warm-up's way, and the tests' (which share trainings with the page tests of their process)."""
    _warming.active = True
    try:
        yield
    finally:
        _warming.active = False


def _warm_steps(steps: list[tuple[str, Callable[[], Any]]]) -> None:
    for name, step in steps:
        _warm["waiting"].remove(name)
        _warm["current"] = name
        try:
            step()
            _warm["done"].append(name)
        except Exception as err:  # a broken warm-up must not stop the server; the page will say why
            _warm["failed"].append(f"{name}: {type(err).__name__}")
    _warm["current"], _warm["t1"] = None, time.perf_counter()


def warm_up_status() -> dict:
    """What the warm-up has prepared so far: names done, the one in progress, seconds."""
    end = _warm["t1"] or time.perf_counter()
    return {"started": _warm["started"], "done": list(_warm["done"]), "current": _warm["current"],
            "waiting": list(_warm["waiting"]), "failed": list(_warm["failed"]), "seconds": end - _warm["t0"] if _warm["started"] else 0.0,
            "finished": _warm["t1"] is not None}
