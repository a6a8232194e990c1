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
    frames = hello.replay_frames(cfg)
    player = json.loads(frames.player)
    numbers = sum(len(row) for c in player["charts"] for f in c["frames"] for t in f["traces"] if t
                  for key in ("z", "y") if key in t for row in (t[key] if key == "z" else [t[key]]))
    assert numbers <= hello.REPLAY_BUDGET * 1.1
    assert len(frames.player) + len(frames.follower) < 2_000_000  # bytes a student's browser receives
    assert len(frames.steps) >= 20  # still enough frames to watch the training happen


def test_what_a_mount_sends_is_its_own_line_then_the_shared_frames():
    from ui.replay import pack_follower, unpack

    packed = pack_follower(n_frames=2, metrics=[], lines=[{"values": ["a\nb", "c"], "lead": "", "kind": ""}])
    own = json.dumps({"group": "g", "sig": "s", "init": 1}).encode()
    sent = unpack(own + b"\n" + packed)
    assert sent["group"] == "g" and sent["init"] == 1 and sent["lines"][0]["values"] == ["a\nb", "c"]
    assert b"\n" not in packed  # a newline in a value is escaped, so the first line is always the student's
