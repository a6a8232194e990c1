"""Beam search: width 1 is greedy, a beam as wide as the space is exhaustive, and stopping early is exact."""

import math

import torch

from core.common.beam import beam_search, greedy


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


def test_a_short_finished_output_does_not_stop_a_longer_better_one():
    """Vocabulary <bos>=0, <eos>=1, a=2, c=3. Step 1: a 0.5, <eos> 0.3. After "a": c 0.99. After "ac": <eos> 0.99.

    Width 2 finishes "" (p = 0.3) at step 1 and "a<eos>" (p = 0.0045) at step 2: two finished outputs, so the
    old rule stopped there and returned "". But "ac" is still live with p = 0.495 > 0.3, and ends as
    "ac<eos>" with p = 0.49: the best output, which a correct search must return.
    """
    probs = {(): [0.0, 0.3, 0.5, 0.2], (2,): [0.0, 0.009, 0.001, 0.99], (2, 3): [0.0, 0.99, 0.005, 0.005]}

    def step(prev, state):  # state: (K, 8) tokens so far, −1 after the last
        state = state.clone()
        for row, p in zip(state, prev.tolist()):
            if p != 0:
                row[int((row >= 0).sum())] = p
        hists = [tuple(t for t in row.tolist() if t >= 0) for row in state]
        lp = torch.stack([torch.log(torch.tensor(probs.get(h, [0.0, 0.97, 0.01, 0.02])).clamp_min(1e-12))
                          for h in hists])
        return lp, state

    res = beam_search(step, torch.full((1, 8), -1), bos=0, eos=1, width=2, max_len=6)
    tokens, score = res.hypotheses[0]
    assert tokens == [2, 3]
    assert abs(score - math.log(0.5 * 0.99 * 0.99)) < 1e-5


def full_beam(step, state, bos, eos, width, max_len):
    """The reference: the same beam, run to max_len without any early stop, best finished or cut output."""
    tokens, scores, hists, done = torch.tensor([bos]), torch.zeros(1), [[]], []
    for _ in range(max_len):
        lp, state = step(tokens, state)
        V = lp.shape[-1]
        best, flat = (scores[:, None] + lp).reshape(-1).topk(min(width, lp.numel()))
        keep, nt, ns, nh = [], [], [], []
        for s, f in zip(best.tolist(), flat.tolist()):
            p, w = divmod(f, V)
            if w == eos:
                done.append((hists[p], s))
            else:
                keep.append(p), nt.append(w), ns.append(s), nh.append(hists[p] + [w])
        if not keep:
            break
        state = state.index_select(0, torch.tensor(keep)) if isinstance(state, torch.Tensor) else state
        tokens, scores, hists = torch.tensor(nt), torch.tensor(ns), nh
    else:
        done += list(zip(hists, scores.tolist()))
    return max(done, key=lambda d: d[1])


def test_stopping_early_never_changes_the_answer():
    """The stopping rule is exact: the same beam run to max_len without stopping finds the same best output."""
    for seed in range(30):
        step, h0 = make_decoder(seed, V=5)
        for width in (2, 3, 4):
            found = beam_search(step, h0, bos=0, eos=1, width=width, max_len=9).hypotheses[0]
            ref = full_beam(step, h0, 0, 1, width, 9)
            assert found[0] == ref[0] and abs(found[1] - ref[1]) < 1e-4


def test_length_normalised_ranking_is_per_token():
    """With length_norm the best output is the one with the highest mean log p per token (<eos> counted)."""
    step, h0 = make_decoder(7, V=4)
    res = beam_search(step, h0, bos=0, eos=1, width=64, max_len=3, length_norm=True)
    ranked = [s / (len(t) + (1 if len(t) < 3 else 0)) for t, s in res.hypotheses]
    assert ranked == sorted(ranked, reverse=True)
