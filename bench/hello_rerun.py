"""What a replay-slider move costs on the server, and what the shared figure cache saves.

Runs the hello lesson in AppTest (through app.py, as the server does) and moves the replay slider
over 12 steps twice: the first pass builds each step's charts, the second finds them in the shared
cache, as a student does when classmates scrubbed the same steps. Prints medians:

    hello_rerun fresh_ms=… visited_ms=… ratio=…

Run: python bench/hello_rerun.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import open_page  # noqa: E402


def scrub(at, steps) -> list[float]:
    times = []
    for step in steps:
        t0 = time.perf_counter()
        at.slider(key="step").set_value(step).run()
        times.append(time.perf_counter() - t0)
        assert not at.exception
    return times


def main() -> None:
    at = open_page("1_Language_model.py").run()
    steps = list(range(0, 20, 2))  # the default run: 20 steps, recorded every step
    fresh = statistics.median(scrub(at, steps)) * 1e3
    visited = statistics.median(scrub(at, steps)) * 1e3
    print(f"hello_rerun fresh_ms={fresh:.0f} visited_ms={visited:.0f} ratio={visited / fresh:.2f}")


if __name__ == "__main__":
    main()
