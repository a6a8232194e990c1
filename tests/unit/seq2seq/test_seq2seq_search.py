"""Greedy against beam search on a trained model: the beam never cuts an answer short, and is not worse."""

import pytest

from core.seq2seq import data as sd
from core.seq2seq import model as s2s


@pytest.fixture(scope="module")
def german():
    return s2s.train(s2s.Seq2SeqConfig(task="numbers_de"))


def test_the_longest_number_is_not_cut_short(german):
    """The old beam stopped at 3 finished outputs and returned "neuntausendneunhundertneun" (truncated)."""
    x = "nine thousand, nine hundred and ninety-nine"
    correct = sd.reference_target("numbers_de", x)
    assert correct == "neuntausendneunhundertneunundneunzig"
    for width in (1, 3, 5):
        search = s2s.beam_search(german, x, width)
        assert search.log_probs[0] >= search.greedy_log_prob - 1e-4  # here the beam keeps greedy's path
        if search.greedy == correct:
            assert search.outputs[0] == correct


def test_beam_is_never_below_greedy_by_more_than_noise(german):
    score = s2s.search_scores(german, (1, 3, 5), 200)
    assert score.beam[0] == score.greedy  # width 1 is greedy decoding
    for b in score.beam[1:]:
        assert b >= score.greedy - 0.02  # at most 4 of 200
    assert score.greedy >= 0.9
