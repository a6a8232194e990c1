"""ui/hello.py's pieces that need no server: the chain-rule formula and its numbers."""

import numpy as np

from core.hello import model
from ui.hello import chain_rule_latex, chain_values


def _uniform(p: float, n: int) -> model.TextProbability:
    rec = model.TrainingRecord(
        config=model.CharLMConfig(text="ab" * n), itos=("a", "b"), inputs=np.zeros(n, dtype=int),
        targets=np.zeros(n, dtype=int), steps=np.array([0]), loss=np.array([1.0]),
        probs=np.tile([p, 1 - p], (1, n, 1)), hidden=np.zeros((1, n, 2)), theta=np.zeros((1, 1)),
    )
    return model.text_probability(rec, 0)


def test_tiny_probabilities_are_written_as_powers_of_ten():
    assert chain_values(_uniform(0.1, 22)).endswith("= 1 × 10⁻²²")  # 0.1 ** 22, and 8 factors then "⋯"
    assert chain_values(_uniform(0.1, 22)).count("0.100") == 8
    assert chain_values(_uniform(0.5, 3)) == "= 0.500 · 0.500 · 0.500 = 0.125"


def test_formula_escapes_every_character_and_shows_the_factors():
    probs = np.full((6, 6), 1 / 6)
    rec = model.TrainingRecord(
        config=model.CharLMConfig(text="a_%b#$c"[:7]), itos=tuple("a_%b#$c"[:6]), inputs=np.arange(6),
        targets=np.array([1, 2, 3, 4, 5, 0]), steps=np.array([0]), loss=np.array([1.0]), probs=probs[None],
        hidden=np.zeros((1, 6, 2)), theta=np.zeros((1, 1)),
    )
    formula = chain_rule_latex(model.text_probability(rec, 0))
    assert r"\text{a\_}" in formula and r"\text{\%}" in formula and r"\text{\$}" in formula
    assert chain_values(model.text_probability(rec, 0)).count("0.167") == 6


def test_the_bars_show_fewer_steps_for_a_larger_vocabulary_and_never_more_slots_than_hello():
    from ui.hello import MAX_BAR_SLOTS, MAX_SHOWN, bar_steps

    assert bar_steps(4, 4) == 4 and bar_steps(12, 4) == MAX_SHOWN  # "hello": every step, up to MAX_SHOWN
    assert bar_steps(10, 8) == 4  # "hello world": 8 characters, 4 groups of 8 bars
    for n in (1, 2, 7, 50):
        for V in range(1, 80):
            k = bar_steps(n, V)
            assert 1 <= k <= min(n, MAX_SHOWN)
            assert k == 1 or k * (V + 1) <= MAX_BAR_SLOTS  # beyond one step, never more bars than hello's chart
            assert k == min(n, MAX_SHOWN) or (k + 1) * (V + 1) > MAX_BAR_SLOTS  # and no fewer steps than fit
