"""The bottleneck demo keeps its point at its (fast) default: fixed C collapses with length, attention holds."""

import numpy as np
import pytest

from core.seq2seq import model as s2s
from ui import seq2seq as lesson
from ui.train import without_page


def mean_at(curve: s2s.LengthCurve, lo: int, hi: int) -> float:
    sel = (curve.lengths >= lo) & (curve.lengths <= hi)
    return float((curve.exact_match[sel] * curve.counts[sel]).sum() / curve.counts[sel].sum())


@pytest.fixture(scope="module")
def curves():
    """The page's default pair (seed 0), trained through the door as the page does (its tests reuse them)."""
    assert lesson.bottleneck_configs(0) == (s2s.bottleneck_config(False), s2s.bottleneck_config(True))
    with without_page():
        scene = lesson.bottleneck_scene(0)
    return [scene.plain, scene.attention]


def test_fixed_C_collapses_as_inputs_grow_while_attention_holds(curves):
    plain, attention = curves
    L = s2s.bottleneck_config(False).max_train_len
    lo = int(plain.lengths[0])
    assert mean_at(plain, lo, lo + 1) >= 0.5  # the plain model did learn the task on short inputs
    assert mean_at(plain, L - 1, L) <= 0.3  # … but C is full before the training lengths run out
    assert mean_at(attention, L - 1, L) >= 0.6  # attention reads each letter where it is
    assert mean_at(attention, lo, L) >= mean_at(plain, lo, L) + 0.3
    assert np.all(np.diff(plain.lengths) == 1)
