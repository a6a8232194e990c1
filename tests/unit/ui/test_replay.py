"""ui/replay.py: which recorded frames reach the browser, and that a long record stays within its budget."""

import json

import pytest

from ui.replay import thin


@pytest.mark.parametrize("n, per, budget", [(21, 100, 10_000), (601, 3000, 250_000), (1001, 7000, 250_000),
                                            (5, 10**6, 1000), (1, 50, 10)])
def test_thin_keeps_the_ends_evenly_and_within_the_budget(n, per, budget):
    keep = thin(n, per, budget)
    assert keep[0] == 0 and keep[-1] == n - 1 and keep == sorted(set(keep))
    gaps = {b - a for a, b in zip(keep, keep[1:-1])}
    assert len(gaps) <= 1  # every k-th frame, then the last one
    if n * per <= budget:
        assert keep == list(range(n))  # all of them when they fit
    else:
        assert (len(keep) - 1) * per <= budget or len(keep) == 2  # over it by the last frame at most; the ends always


def test_a_long_hello_record_is_sent_within_its_budget():
    """A 1,500-character text with 32 hidden units and 600 steps: what the page sends stays bounded."""
    from core.hello.model import CharLMConfig
    from ui import hello

    cfg = CharLMConfig(text=("the quick brown fox jumps over the lazy dog. " * 40)[:1500], hidden_size=32, steps=600)
    frames = hello.replay_frames(cfg, False)
    numbers = sum(len(row) for c in frames.player["charts"] for f in c["frames"] for t in f["traces"] if t
                  for key in ("z", "y") if key in t for row in (t[key] if key == "z" else [t[key]]))
    assert numbers <= hello.REPLAY_BUDGET * 1.1
    sent = len(json.dumps({**frames.player, "charts": frames.player["charts"]}))
    assert sent < 4_000_000  # bytes of JSON a student's browser receives for this scene
    assert len(frames.steps) >= 20  # still enough frames to watch the training happen
