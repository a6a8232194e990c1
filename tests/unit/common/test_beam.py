"""Beam search: width 1 is greedy, and wider beams never find a less probable output."""

import torch

from core.beam import beam_search, greedy


def make_decoder(seed: int, V: int = 6, H: int = 5):
    """A small random recurrent decoder: log_probs depend on the previous token and a state."""
    g = torch.Generator().manual_seed(seed)
    E, W, U = torch.randn(V, H, generator=g), torch.randn(H, H, generator=g), torch.randn(H, V, generator=g) * 2

    def step(prev, state):
        h = torch.tanh(E[prev] + state @ W)
        return torch.log_softmax(h @ U, dim=-1), h

    return step, torch.randn(1, H, generator=g)


def test_width_one_equals_greedy():
    for seed in range(20):
        step, h0 = make_decoder(seed)
        tokens, score = greedy(step, h0, bos=0, eos=1, max_len=12)
        res = beam_search(step, h0, bos=0, eos=1, width=1, max_len=12)
        assert res.hypotheses[0][0] == tokens
        assert abs(res.hypotheses[0][1] - score) < 1e-4


def test_wide_beam_finds_the_exhaustive_best():
    """With a beam as wide as every possible output, beam search is exhaustive search."""
    import itertools

    V, L = 4, 3
    for seed in range(5):
        step, h0 = make_decoder(seed, V=V)
        best = (None, -float("inf"))
        for n in range(1, L + 1):
            for seq in itertools.product(range(V), repeat=n):
                if 1 in seq[:-1] or (n < L and seq[-1] != 1):
                    continue  # EOS only at the end; shorter outputs must end with EOS
                state, prev, total = h0, torch.tensor([0]), 0.0
                for tok in seq:
                    lp, state = step(prev, state)
                    total += float(lp[0, tok])
                    prev = torch.tensor([tok])
                if total > best[1]:
                    best = (list(seq[:-1]) if seq[-1] == 1 else list(seq), total)
        found = beam_search(step, h0, bos=0, eos=1, width=V**L, max_len=L).hypotheses[0]
        assert found[0] == best[0]
        assert abs(found[1] - best[1]) < 1e-4


def test_beam_scores_are_sequence_log_probs():
    step, h0 = make_decoder(3)
    res = beam_search(step, h0, bos=0, eos=1, width=3, max_len=8)
    for tokens, score in res.hypotheses:
        state, prev, total = h0, torch.tensor([0]), 0.0
        for tok in tokens + [1]:
            lp, state = step(prev, state)
            total += float(lp[0, tok])
            prev = torch.tensor([tok])
        if len(tokens) < 8:  # finished hypotheses include their EOS
            assert abs(total - score) < 1e-4
