"""A freshly started server, as the README starts it: how long warm-up takes, and each lesson's first view.

Starts ``streamlit run app.py`` (the README's command, nothing else set), opens the home page once —
as the teacher does, which starts the background warm-up — and waits until the sidebar no longer
says it is preparing the lessons. Then it opens each lesson page as a first visitor (a new session)
and times the first complete view. Prints:

    coldstart warmup_s=…            (first page view → every lesson's default scene prepared)
    coldstart page=<url path> first_view_s=…

Bounded: --deadline seconds for the warm-up, 120 s per page; the server is stopped on the way out.
Run: python bench/coldstart.py [--deadline 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.stclient import ROOT, Session, page_paths, start_app, stop_app  # noqa: E402

PREPARING = "Preparing the lessons' default scenes"


async def measure(url: str, deadline: float) -> None:
    t0 = time.perf_counter()
    async with Session(url, "", timeout=120) as home:
        run = await home.open()
        while PREPARING in run.text():
            if time.perf_counter() - t0 > deadline:
                print(f"coldstart note: warm-up not finished after {deadline:.0f} s")
                break
            await asyncio.sleep(1.0)
            run = await home.rerun()
    print(f"coldstart warmup_s={time.perf_counter() - t0:.1f}", flush=True)
    for page in page_paths():
        async with Session(url, page, timeout=120) as s:
            t = time.perf_counter()
            run = await s.open()
            bad = run.exceptions() or (["page not found"] if run.page_not_found else [])
            print(f"coldstart page={page} first_view_s={time.perf_counter() - t:.2f}"
                  + (f" errors={bad[0][:80]!r}" if bad else ""), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deadline", type=float, default=300)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        proc, url = start_app(ROOT / "app.py", log=Path(tmp) / "server.log")
        try:
            asyncio.run(measure(url, a.deadline))
        finally:
            stop_app(proc)


if __name__ == "__main__":
    main()
