"""Greedy and beam-search decoding for any step-wise decoder (encoder–decoder, captioner, …).

A decoder is given as ``step(prev_tokens, state) -> (log_probs, new_state)``: ``prev_tokens`` is
(K,) long, ``log_probs`` is (K, V). ``state`` is any tensor, or tuple of tensors, whose first
dimension is K (one row per live hypothesis); ``reorder`` picks rows of it.

The score of a hypothesis is the sum of the log-probabilities of its tokens, <eos> included. Every
extra token adds a log-probability ≤ 0, so a hypothesis that has not finished can only lose score:
its current score bounds every output it can still become. That bound is the stopping rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch

Step = Callable[[torch.Tensor, Any], tuple[torch.Tensor, Any]]


def reorder(state: Any, idx: torch.Tensor) -> Any:
    """Select rows ``idx`` of a state (tensor, or nested tuple/list of tensors)."""
    if isinstance(state, torch.Tensor):
        return state.index_select(0, idx)
    if isinstance(state, (tuple, list)):
        return type(state)(reorder(s, idx) for s in state)
    return state


@dataclass(frozen=True)
class BeamNode:
    """One hypothesis extended at one step: the beam tree a page can draw."""

    step: int  # 0 = first generated token
    parent: int  # index into BeamResult.nodes, -1 for the root
    token: int
    score: float  # total log-probability of the hypothesis up to and including this token
    kept: bool  # still in the beam after pruning at this step


@dataclass(frozen=True)
class BeamResult:
    hypotheses: list[tuple[list[int], float]]  # best first: (tokens without BOS/EOS, log-prob)
    nodes: list[BeamNode]


def _ranked(hist: list[int], score: float, length_norm: bool) -> float:
    return score / max(len(hist), 1) if length_norm else score


def beam_search(
    step: Step, state: Any, bos: int, eos: int, width: int, max_len: int, length_norm: bool = False
) -> BeamResult:
    """Keep the ``width`` most probable partial outputs at every step; width 1 is greedy decoding.

    At each step the ``width`` best extensions of the live hypotheses are kept; those that end in
    ``eos`` are finished and leave the beam. The search stops only when no live hypothesis can
    still beat the best finished one, or after ``max_len`` tokens.

    Length handling: scores are summed log-probabilities, <eos> included, so a live hypothesis
    scoring s can end no higher than s, and the search stops once the best finished score is ≥ every
    live s. With ``length_norm`` the ranking is per token (<eos> counted as a token); a live
    hypothesis can then at best end as s / max_len (longest, adding nothing), which is the bound
    used. Hypotheses still live at ``max_len`` are returned as they are, cut, ranked with the rest.
    ``state`` is for one input (first dimension 1).
    """
    if width < 1:
        raise ValueError("beam width must be at least 1")
    tokens = torch.tensor([bos])
    scores = torch.zeros(1)
    node_ids = [-1]
    histories: list[list[int]] = [[]]
    nodes: list[BeamNode] = []
    finished: list[tuple[list[int], float, float]] = []  # (tokens without eos, log p, ranking score)
    with torch.no_grad():
        for t in range(max_len):
            log_probs, state = step(tokens, state)  # (K, V)
            V = log_probs.shape[-1]
            total = (scores[:, None] + log_probs).reshape(-1)  # (K*V,)
            k = min(width, total.numel())
            best, flat = total.topk(k)  # ties resolve to the lowest index, as argmax does
            parents, words = flat // V, flat % V
            new_tokens, new_scores, new_nodes, new_hist, keep_rows = [], [], [], [], []
            for score, parent, word in zip(best.tolist(), parents.tolist(), words.tolist()):
                nodes.append(BeamNode(t, node_ids[parent], word, score, kept=word != eos))
                hist = histories[parent] + [word]
                if word == eos:
                    finished.append((hist[:-1], score, _ranked(hist, score, length_norm)))
                    continue
                keep_rows.append(parent)
                new_tokens.append(word)
                new_scores.append(score)
                new_nodes.append(len(nodes) - 1)
                new_hist.append(hist)
            if not keep_rows:
                break
            if finished:
                best_done = max(f[2] for f in finished)
                # the most any live hypothesis can still reach (see the docstring)
                reach = max(new_scores) / max_len if length_norm else max(new_scores)
                if best_done >= reach:
                    break
            idx = torch.tensor(keep_rows)
            state = reorder(state, idx)
            tokens, scores = torch.tensor(new_tokens), torch.tensor(new_scores)
            node_ids, histories = new_nodes, new_hist
        else:  # max_len reached: the live hypotheses are returned cut
            for hist, score in zip(histories, scores.tolist()):
                finished.append((hist, score, _ranked(hist, score, length_norm)))
    finished.sort(key=lambda h: -h[2])
    return BeamResult([(h, s) for h, s, _ in finished[:width]], nodes)


def greedy(step: Step, state: Any, bos: int, eos: int, max_len: int) -> tuple[list[int], float]:
    """Pick the most probable token at every step (the reference beam width 1 must match)."""
    token = torch.tensor([bos])
    out: list[int] = []
    total = 0.0
    with torch.no_grad():
        for _ in range(max_len):
            log_probs, state = step(token, state)
            word = int(log_probs[0].argmax())
            total += float(log_probs[0, word])
            if word == eos:
                break
            out.append(word)
            token = torch.tensor([word])
    return out, total
