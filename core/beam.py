"""Greedy and beam-search decoding for any step-wise decoder (seq2seq, captioning, ...).

A decoder is given as ``step(prev_tokens, state) -> (log_probs, new_state)``: ``prev_tokens`` is
(K,) long, ``log_probs`` is (K, V). ``state`` is any tensor, or tuple of tensors, whose first
dimension is K (one row per live hypothesis); ``reorder`` picks rows of it.
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


def beam_search(
    step: Step, state: Any, bos: int, eos: int, width: int, max_len: int, length_norm: bool = False
) -> BeamResult:
    """Keep the ``width`` most probable partial outputs at every step.

    Width 1 is greedy decoding. Finished hypotheses (that emitted ``eos``) leave the beam; the
    search stops when ``width`` of them exist or after ``max_len`` tokens. ``state`` is for one
    input (first dimension 1). Scores are summed log-probabilities (optionally per token).
    """
    if width < 1:
        raise ValueError("beam width must be at least 1")
    tokens = torch.tensor([bos])
    scores = torch.zeros(1)
    node_ids = [-1]
    histories: list[list[int]] = [[]]
    nodes: list[BeamNode] = []
    finished: list[tuple[list[int], float, float]] = []
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
                    norm = score / len(hist) if length_norm else score
                    finished.append((hist[:-1], score, norm))
                    continue
                keep_rows.append(parent)
                new_tokens.append(word)
                new_scores.append(score)
                new_nodes.append(len(nodes) - 1)
                new_hist.append(hist)
            if len(finished) >= width or not keep_rows:
                break
            idx = torch.tensor(keep_rows)
            state = reorder(state, idx)
            tokens, scores = torch.tensor(new_tokens), torch.tensor(new_scores)
            node_ids, histories = new_nodes, new_hist
        else:
            for hist, score in zip(histories, scores.tolist()):
                finished.append((hist, score, score / max(len(hist), 1) if length_norm else score))
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
