"""Server CPU per student interaction, page by page: what one click costs the whole class.

On a class server every rerun holds the one Python process (the GIL) for its whole CPU time, so
this number, not one student's wall time, decides how 50 students queue. Starts the app on a
loopback port, walks each page's scripted student walk (bench/walks.py) twice to warm the
shared caches, then repeats it and reads the server's CPU time (/proc) around every action. The
same is done for a bare one-slider page in the same process as the reference, with Streamlit's
defaults (its post-run ``gc.collect()`` included) and with that collection switched off, as the
app's config.toml has it (the fairer reference: CPU-timer ticks are 10 ms, so it reads ~10):

    rerun_cost page=… interaction=… server_cpu_ms=… (median) n=… vs_bare=… vs_bare_without_post_run_gc=…
    rerun_cost bare server_cpu_ms=… bare_without_post_run_gc server_cpu_ms=…

Run: python bench/rerun_cost.py [--pages Language_model,Word_embeddings] [--reps 4] [--app-args "…"]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.stclient import ROOT, Session, start_app, stop_app  # noqa: E402
from bench.walks import BARE_PAGE, BARE_WALK, WALKS  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the server process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def walk(url: str, pid: int, walks: list[tuple[str, list]], rng: random.Random, reps: int, out=None) -> None:
    async with Session(url, timeout=600) as s:
        for _ in range(reps):
            for page, actions in walks:
                run = None
                for act in actions:
                    before = cpu_seconds(pid)
                    if act.key is None:
                        run = await s.open(page)
                    else:
                        run = await s.set(act.key, act.choose(rng, run))
                    await asyncio.sleep(0.05)  # let the server finish sending
                    if run.exceptions():
                        raise RuntimeError(f"{page} {act.name}: {run.exceptions()[0][:200]}")
                    if out is not None:
                        out[(page, act.name)].append((cpu_seconds(pid) - before) * 1000)


def measure(script: Path, walks, reps: int, log: Path, args: list[str] | None = None) -> dict:
    proc, url = start_app(script, log=log, args=args)
    try:
        asyncio.run(walk(url, proc.pid, walks, random.Random(1), 2))  # warm: imports, trainings
        out = defaultdict(list)
        asyncio.run(walk(url, proc.pid, walks, random.Random(2), reps, out))
        return out
    finally:
        stop_app(proc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default=",".join(WALKS), help="comma-separated URL paths from bench/walks.py")
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--app-args", default="", help='extra server options, e.g. "--runner.postScriptGC false"')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rerun-cost-") as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE)
        bare_ms = {}
        for name, args in (("bare", []), ("bare_without_post_run_gc", ["--runner.postScriptGC", "false"])):
            bare = measure(bare_script, [("", BARE_WALK)], a.reps, Path(tmp) / "bare.log", args)
            bare_ms[name] = statistics.median([x for (_, n), xs in bare.items() if n != "bare_open" for x in xs])
        walks = [(p, WALKS[p]) for p in a.pages.split(",") if p]
        app = measure(ROOT / "app.py", walks, a.reps, Path(tmp) / "app.log", a.app_args.split())
    for (page, name), xs in app.items():
        med = statistics.median(xs)
        print(f"rerun_cost page={page} interaction={name} server_cpu_ms={med:.0f} n={len(xs)} "
              f"vs_bare={med / max(bare_ms['bare'], 0.1):.1f} "
              f"vs_bare_without_post_run_gc={med / max(bare_ms['bare_without_post_run_gc'], 0.1):.1f}")
    print(" ".join(f"rerun_cost {k} server_cpu_ms={v:.0f}" for k, v in bare_ms.items()).replace(" rerun_cost", ""))


if __name__ == "__main__":
    main()
