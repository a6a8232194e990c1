"""Memory soak: many reruns of every page on one real server, memory at the start and the end.

For each page in pages/ (and the home page), real WebSocket sessions rerun it --reruns times
(default 1,000): the page's non-training actions from bench/walks.py (scrubbing, asking), or plain
reruns where the page has none. Memory is the server's RSS after a warm-up of --warmup reruns
(caches filled, imports done) and right after the last rerun, with the session still open.
By default one session does all reruns of a page; --per-session N opens a fresh session every N
reruns to include session churn (closed sessions stay in memory for server.disconnectedSessionTTL,
120 s by default, so churn shows up as growth until then). Prints:

    soak page=… reruns=… rss_start_mb=… rss_end_mb=… growth_mb=… growth_kb_per_100=… second_half_growth_mb=… p50_ms=… p95_ms=… errors=…

The shared caches are bounded (max_entries) and fill while students visit new steps and words,
so growth in the second half of the reruns is the sign of a leak, not the total.

Bounded by --reruns and a hard --deadline (seconds, whole run); the server is always stopped.

Run: python bench/soak.py [--reruns 1000] [--pages Language_model] [--deadline 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.stclient import ROOT, ScriptError, Session, page_paths, server_rss, start_app, stop_app  # noqa: E402
from bench.walks import WALKS  # noqa: E402

MB = 2**20


async def soak_page(url: str, page: str, reruns: int, warmup: int, per_session: int, pid: int,
                    stop_at: float, seed: int) -> dict:
    rng = random.Random(seed)
    actions = [a for a in WALKS.get(page, []) if a.key is not None and not a.retrains]
    seconds, errors = [], []
    rss_start = rss_mid = None
    done = 0
    s = None
    while done < warmup + reruns and time.monotonic() < stop_at:
        if done % per_session == 0:
            if s is not None:
                await s.close()
            s = Session(url, page=page, timeout=180)
            run = await s.open()
        else:
            usable = [a for a in actions if a.key in run.widgets()]
            try:
                if usable:
                    act = rng.choice(usable)
                    run = await s.set(act.key, act.choose(rng, run))
                else:
                    run = await s.rerun()
            except (ScriptError, asyncio.TimeoutError, OSError) as err:
                errors.append(f"{type(err).__name__}: {err}")
                s = None
                done = (done // per_session + 1) * per_session  # start a new session
                continue
        if run.exceptions():
            errors.append(run.exceptions()[0][:120])
        done += 1
        if done == warmup:
            await asyncio.sleep(1)
            rss_start = server_rss(pid)
        elif done > warmup:
            seconds.append(run.seconds)
        if done == warmup + reruns // 2:
            rss_mid = server_rss(pid)
    await asyncio.sleep(1)
    rss_end = server_rss(pid)  # the last session is still open: reruns, not session clean-up, are measured
    if s is not None:
        await s.close()
    return {"seconds": seconds, "errors": errors, "rss_start": rss_start or rss_end,
            "rss_mid": rss_mid or rss_end, "rss_end": rss_end, "reruns": len(seconds)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reruns", type=int, default=1000, help="measured reruns per page")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--per-session", type=int, default=0, help="reruns before a fresh session (0: one session)")
    ap.add_argument("--pages", default="", help="comma-separated url paths (home = the home page); default: all")
    ap.add_argument("--deadline", type=float, default=3600, help="hard limit in seconds for the whole run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--server-args", default="", help="extra streamlit flags, e.g. '--runner.postScriptGC false'")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed bench still stops its server
    a.per_session = a.per_session or (a.warmup + a.reruns)
    pages = [("" if p == "home" else p) for p in a.pages.split(",") if p] or ["", *page_paths()]
    t_end = time.monotonic() + a.deadline
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        proc, url = start_app(ROOT / "app.py", args=a.server_args.split(), log=Path(tmp) / "server.log")
        try:
            print(f"soak server rss_idle_mb={server_rss(proc.pid) / MB:.0f}")
            for k, page in enumerate(pages):
                stop_at = time.monotonic() + (t_end - time.monotonic()) / (len(pages) - k)
                r = asyncio.run(soak_page(url, page, a.reruns, a.warmup, a.per_session, proc.pid, stop_at, a.seed))
                xs = np.asarray(r["seconds"]) * 1000
                growth = (r["rss_end"] - r["rss_start"]) / MB
                second_half = (r["rss_end"] - r["rss_mid"]) / MB  # caches (bounded) fill early; a leak keeps going
                per100 = growth * 1024 / max(r["reruns"], 1) * 100
                print(f"soak page={page or 'home'} reruns={r['reruns']} rss_start_mb={r['rss_start'] / MB:.1f} "
                      f"rss_end_mb={r['rss_end'] / MB:.1f} growth_mb={growth:.1f} growth_kb_per_100={per100:.0f} "
                      f"second_half_growth_mb={second_half:.1f} "
                      f"p50_ms={np.percentile(xs, 50) if len(xs) else float('nan'):.0f} "
                      f"p95_ms={np.percentile(xs, 95) if len(xs) else float('nan'):.0f} errors={len(r['errors'])}"
                      + ("" if r["reruns"] >= a.reruns else " (stopped at the deadline)"))
                for e in r["errors"][:3]:
                    print(f"soak   error: {e}")
        finally:
            stop_app(proc)


if __name__ == "__main__":
    main()
