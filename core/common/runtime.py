"""The training runtime every lesson shares: the progress callback type, the torch thread policy, whether
the CPU does bfloat16 natively, and helper threads for a training's side work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

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
def helper_threads(n: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """``n`` threads (named ``name``-…) for a training's side work: data made while the network trains.

    Threads, never processes (nothing forks in the server). Progress stays with the caller: only its
    thread calls ``on_step``. On leaving, also when the training door cancels by raising from
    ``on_step``, queued work is dropped and running work finishes, so nothing of the training goes on.
    """
    pool = ThreadPoolExecutor(n, thread_name_prefix=name)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
