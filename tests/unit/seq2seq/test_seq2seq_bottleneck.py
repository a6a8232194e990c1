"""The bottleneck demo keeps its point at its (fast) default: fixed C collapses with length, attention holds."""

import numpy as np
import pytest

from core.seq2seq import model as s2s


def mean_at(curve: s2s.LengthCurve, lo: int, hi: int) -> float:
    sel = (curve.lengths >= lo) & (curve.lengths <= hi)
    return float((curve.exact_match[sel] * curve.counts[sel]).sum() / curve.counts[sel].sum())


@pytest.fixture(scope="module")
def curves():
    return [s2s.accuracy_by_length(s2s.train(s2s.bottleneck_config(att))) for att in (False, True)]


def test_fixed_C_collapses_as_inputs_grow_while_attention_holds(curves):
    plain, attention = curves
    L = s2s.bottleneck_config(False).max_train_len
    lo = int(plain.lengths[0])
    assert mean_at(plain, lo, lo + 1) >= 0.5  # the plain model did learn the task on short inputs
    assert mean_at(plain, L - 1, L) <= 0.3  # … but C is full before the training lengths run out
    assert mean_at(attention, L - 1, L) >= 0.6  # attention reads each letter where it is
    assert mean_at(attention, lo, L) >= mean_at(plain, lo, L) + 0.3
    assert np.all(np.diff(plain.lengths) == 1)
