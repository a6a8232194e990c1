"""The training runtime's thread settings: what flushing denormals does, and to which threads."""

import numpy as np

from core.common.runtime import flush_denormals, helper_threads

TINY = np.float32(1e-39)  # below float32's smallest normal number (1.18e-38): a denormal


def _flushes() -> bool:
    """Does this thread's arithmetic treat a denormal as 0?"""
    return float(TINY * np.float32(1.0)) == 0.0


def test_flush_denormals_flushes_inside_for_this_thread_and_its_helpers_then_restores():
    assert not _flushes()  # the default: IEEE denormals
    with helper_threads(1, "t") as outside:
        with flush_denormals():
            assert _flushes()
            with helper_threads(1, "t") as inside:
                assert inside.submit(_flushes).result()  # a helper computes as its training does
            assert not outside.submit(_flushes).result()  # a thread made before is left alone
            with flush_denormals():  # nested: leaving the inner one keeps the outer one's
                pass
            assert _flushes()
        assert not _flushes()


def test_flush_denormals_as_a_decorator_restores_after_an_exception():
    @flush_denormals()
    def fails():
        assert _flushes()
        raise ValueError("bad input")

    try:
        fails()
    except ValueError:
        pass
    assert not _flushes()
