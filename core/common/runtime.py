"""The training runtime every lesson shares: the progress callback type, the torch thread policy, whether
the CPU does bfloat16 natively, and helper threads for a training's side work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from threading import local

OnStep = Callable[[int, int], None]  # on_step(step, total): progress out of a training loop

THREADS = 1  # the lessons' matrices are small: more intra-op threads only add overhead on a shared CPU


def torch_thread_policy() -> None:
    """One thread for torch's and numpy's (BLAS) maths, set once per process (the training door calls this).

    On a shared 2-core server, extra BLAS threads spin while they wait and cost other students CPU.
    """
    import torch

    if torch.get_num_threads() != THREADS:
        torch.set_num_threads(THREADS)
    global _blas_limited
    if not _blas_limited:
        from threadpoolctl import threadpool_limits

        threadpool_limits(THREADS, user_api="blas")
        _blas_limited = True


_blas_limited = False


def native_bf16() -> bool:
    """Does this CPU multiply bfloat16 matrices in hardware (AVX512-BF16 / AMX), so that torch.autocast to
    bfloat16 makes a training faster rather than slower? Where not, trainings stay in float32."""
    import torch

    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def spare_core() -> bool:
    """May a training put a helper thread to work on the other core right now? Yes, unless the server has
    said otherwise (``set_spare_core_check``: ui.train answers no while students' pages are computing).
    Trainings that ask give the same numbers either way; only their speed changes."""
    return _spare_core_check()


def set_spare_core_check(check: Callable[[], bool]) -> Callable[[], bool]:
    """Make ``check`` the answer of ``spare_core``; returns the check it replaces."""
    global _spare_core_check
    old, _spare_core_check = _spare_core_check, check
    return old


_spare_core_check: Callable[[], bool] = lambda: True


def report(on_step: OnStep | None, step: int, total: int) -> None:
    """Call ``on_step`` if there is one (trainings run without a page in tests and benches)."""
    if on_step is not None:
        on_step(step, total)


@contextmanager
def flush_denormals() -> Iterator[None]:
    """Inside, this thread's float arithmetic treats numbers below float32's normal range (about 1e-38) as 0.

    Such "denormal" numbers arise where a Gaussian's tail is exponentiated far from its centre (the handwriting
    window's weights on distant characters). The CPU computes with them in microcode, many times slower than
    with normal numbers: the handwriting training takes 5–10 % longer with them (bench/handwriting.py
    --keep-denormals). As 0 they change nothing a chart shows. torch.set_flush_denormal sets it for the calling thread
    only, and helper_threads passes it on. On leaving, the thread gets back what it had."""
    import torch

    before = getattr(_flushing, "on", False)
    torch.set_flush_denormal(FLUSH_DENORMALS)
    _flushing.on = FLUSH_DENORMALS
    try:
        yield
    finally:
        torch.set_flush_denormal(before)
        _flushing.on = before


FLUSH_DENORMALS = True  # False only to measure what flushing buys (bench/handwriting.py --keep-denormals)
_flushing = local()


def _flush_in_thread(on: bool) -> None:
    """A helper thread's start: flush denormals or not, as the thread that made it."""
    import torch

    torch.set_flush_denormal(on)
    _flushing.on = on


@contextmanager
def helper_threads(n: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """``n`` threads (named ``name``-…) for a training's side work: data made while the network trains.

    Threads, never processes (nothing forks in the server). Progress stays with the caller: only its
    thread calls ``on_step``. On leaving, also when the training door cancels by raising from
    ``on_step``, queued work is dropped and running work finishes, so nothing of the training goes on.
    The threads flush denormals if the caller does (``flush_denormals``): their numbers are the caller's.
    """
    flushing = getattr(_flushing, "on", False)
    pool = ThreadPoolExecutor(n, thread_name_prefix=name, initializer=_flush_in_thread, initargs=(flushing,))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
