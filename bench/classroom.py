"""A class of N students on one server: latency per interaction, errors and memory, against a bare page.

Starts the app on a loopback port and runs N students (default 50) as real server sessions with
devtools/stclient.py. Each student arrives at a random moment, thinks 3–8 s (seeded) between actions
and follows bench/walks.py through every lesson page: open the hello lesson, change hidden size
(retrain), ask for samples (its replay slider runs in the browser: nothing to send); open the
embeddings lesson, ask for neighbours and an analogy; then the encoder–decoder and
further-applications walks. A widget inside an ``st.fragment`` reruns only that fragment, as in the
browser.
The same load runs against a bare one-slider page (written to a temp dir) as the baseline, and
against the app with Streamlit's post-run ``gc.collect()`` (``runner.postScriptGC``) on and off and
with app.py's ``gc.freeze()`` on and off. Prints one line per figure:

    classroom variant=… interaction=… n=… p50_ms=… p95_ms=… max_ms=…
    classroom variant=… errors=… skipped=…
    classroom variant=… rss_before_mb=… rss_peak_mb=… rss_after_mb=… per_session_mb=…
    classroom variant=… non_retrain_p95_ms=… p95_vs_bare=… bare_p95_ms=…
    classroom best variant=… (lowest p95 of the interactions that don't retrain)

Bounded: at most N students × the walk's actions per variant, and a hard --deadline in seconds
for the whole run; every server is stopped on the way out.

Variants: gc_on / gc_off (Streamlit's post-run gc.collect on or off, app.py's gc.freeze on),
nofreeze / nofreeze_gc_off (the freeze off), bare (a one-slider page, Streamlit's defaults) and
bare_gc_off (the same page without the post-run collection).

Run: python bench/classroom.py [--students 50] [--variants gc_on,gc_off,bare,bare_gc_off] [--deadline 1200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.stclient import ROOT, ScriptError, Session, page_paths, server_rss, start_app, stop_app  # noqa: E402
from bench.walks import BARE_PAGE, BARE_WALK, WALKS  # noqa: E402

MB = 2**20
LAUNCHER = [sys.executable, str(ROOT / "devtools" / "probe_server.py")]  # streamlit CLI + RNNLAB_NO_GC_FREEZE
VARIANTS = {
    # name: (server args, env); app.py freezes the GC after the heavy imports unless told not to.
    "gc_on": (["--runner.postScriptGC", "true"], {}),
    "gc_off": (["--runner.postScriptGC", "false"], {}),
    "nofreeze": (["--runner.postScriptGC", "true"], {"RNNLAB_NO_GC_FREEZE": "1"}),
    "nofreeze_gc_off": (["--runner.postScriptGC", "false"], {"RNNLAB_NO_GC_FREEZE": "1"}),
    "bare": ([], {}),  # Streamlit's defaults (post-run GC on), like any one-slider page
    "bare_gc_off": (["--runner.postScriptGC", "false"], {}),
}


def app_walk() -> list[tuple[str, list]]:
    """(page url path, actions) for every page that exists and has a scripted walk."""
    walk = []
    for page in page_paths():
        if page in WALKS:
            walk.append((page, WALKS[page]))
        else:
            print(f"classroom note: no scripted walk for page {page!r}; add one to bench/walks.py WALKS")
    return walk


class Tally:
    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.skipped: set[str] = set()
        self.retrains: set[str] = set()


async def student(i: int, url: str, walk, rng: random.Random, think: tuple[float, float], tally: Tally,
                  stop_at: float, arrived: asyncio.Event | None = None) -> Session | None:
    """One student's walk through the pages; returns the still-open session (closed by the caller)."""
    s = Session(url, timeout=180)
    await asyncio.sleep(rng.uniform(0, think[1]))  # students arrive over the first few seconds
    try:
        await s.connect()
        run = None
        for page, actions in walk:
            for act in actions:
                if time.monotonic() > stop_at:
                    return s
                if run is not None:
                    await asyncio.sleep(rng.uniform(*think))
                if act.key is None:
                    run = await s.open(page)
                elif act.key not in run.widgets():
                    tally.skipped.add(f"{page}:{act.key}")
                    continue
                else:
                    run = await s.set(act.key, act.choose(rng, run))
                tally.seconds.setdefault(act.name, []).append(run.seconds)
                if act.retrains:
                    tally.retrains.add(act.name)
                if run.exceptions():
                    tally.errors.append(f"student {i} {act.name}: {run.exceptions()[0][:120]}")
                if run.page_not_found:
                    tally.errors.append(f"student {i} {act.name}: page {page} not found")
    except (ScriptError, asyncio.TimeoutError, OSError) as err:
        tally.errors.append(f"student {i}: {type(err).__name__}: {str(err)[:120]}")
    return s


def run_variant(name: str, students: int, think, seed: int, deadline: float, workdir: Path) -> dict:
    args, env = VARIANTS[name]
    if name.startswith("bare"):
        script = workdir / "bare.py"
        script.write_text(BARE_PAGE)
        walk = [("", BARE_WALK)]
    else:
        script = ROOT / "app.py"
        walk = app_walk()
    proc, url = start_app(script, args=args, launcher=LAUNCHER, env=env, log=workdir / f"{name}.log")
    out = {"name": name, "rss_before": 0}
    try:
        out["rss_before"] = server_rss(proc.pid)
        asyncio.run(_variant(url, walk, students, think, seed, deadline, proc.pid, out))
        time.sleep(3)  # closed sessions are cleaned up a moment after their sockets go
        out["rss_after"] = server_rss(proc.pid)
    finally:
        stop_app(proc)
    return out


async def _variant(url, walk, n, think, seed, deadline, pid, out) -> None:
    """Warm-up visit (kept open), then n concurrent students; memory with all still connected."""
    # One warm-up visit: imports, first trainings and page compilation are not the class's load.
    t0 = time.perf_counter()
    warm_tally = Tally()
    warm = await student(-1, url, walk, random.Random(seed - 1), (0.0, 0.0), warm_tally, time.monotonic() + 600)
    out["warm_s"], out["warm_errors"] = time.perf_counter() - t0, warm_tally.errors
    await asyncio.sleep(1)
    out["rss_one"] = server_rss(pid)
    peak = [out["rss_one"]]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.25):
            peak.append(server_rss(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tally = out["tally"] = Tally()
    stop_at = time.monotonic() + deadline
    tasks = [asyncio.create_task(student(i, url, walk, random.Random(seed * 1000 + i), think, tally, stop_at))
             for i in range(n)]
    done, pending = await asyncio.wait(tasks, timeout=deadline + 60)
    for t in pending:
        t.cancel()
        tally.errors.append("student cancelled at the hard deadline")
    await asyncio.sleep(2)
    out["rss_all"] = server_rss(pid)
    sampling.set()
    sampler.join()
    out["rss_peak"] = max(peak + [out["rss_all"]])
    for s in [t.result() for t in done] + [warm]:
        if s is not None:
            await s.close()


GC_PROBE = """
import gc, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import torch, plotly.graph_objects, pandas, streamlit  # what a server process holds after a page ran
from core.hello import model as charlm
from core.hello import figures as hello
rec = charlm.train(charlm.CharLMConfig())
figs = [hello.loss_curve(rec.steps, rec.loss, 10, 1.386) for _ in range(3)]
def cost():
    ts = []
    for _ in range(7):
        t = time.perf_counter(); gc.collect(); ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000
before = cost(); gc.freeze(); after = cost()
print(f"{before:.2f} {after:.2f} {gc.get_freeze_count()}")
"""


def gc_cost() -> None:
    """What one post-run gc.collect() costs in a process holding the app's imports, frozen or not."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", GC_PROBE, str(ROOT)], capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        print(f"classroom note: gc probe failed: {out.stderr.strip()[-200:]}")
        return
    before, after, frozen = out.stdout.split()
    print(f"classroom gc_collect_ms unfrozen={before} frozen={after} ratio={float(before) / max(float(after), 0.01):.0f} "
          f"frozen_objects={frozen}")


def pct(xs, q) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, q)) if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--variants", default="gc_on,gc_off,bare,bare_gc_off",
                    help=f"comma-separated, from {', '.join(VARIANTS)}")
    ap.add_argument("--think", default="3,8", help="min,max seconds between a student's actions")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deadline", type=float, default=1200, help="hard limit in seconds for the whole run")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed bench still stops its server
    think = tuple(float(x) for x in a.think.split(","))
    names = [v for v in a.variants.split(",") if v]
    t_end = time.monotonic() + a.deadline
    gc_cost()
    results = {}
    with tempfile.TemporaryDirectory(prefix="classroom-") as tmp:
        for k, name in enumerate(names):
            left = t_end - time.monotonic()
            budget = left / (len(names) - k) - 60  # start-up and warm-up share of this variant
            if budget < 20:
                print(f"classroom note: hard deadline reached, variant {name} not run")
                continue
            results[name] = r = run_variant(name, a.students, think, a.seed, budget, Path(tmp))
            report(r, a.students)
    summarise(results)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"classroom client_cpu_s={usage.ru_utime + usage.ru_stime:.1f} (the students' own CPU, same 2 cores)")


def report(r: dict, n: int) -> None:
    t: Tally = r["tally"]
    for inter in sorted(t.seconds):
        xs = t.seconds[inter]
        print(f"classroom variant={r['name']} students={n} interaction={inter} n={len(xs)} "
              f"p50_ms={pct(xs, 50):.0f} p95_ms={pct(xs, 95):.0f} max_ms={max(xs) * 1000:.0f}")
    print(f"classroom variant={r['name']} errors={len(t.errors) + len(r['warm_errors'])} "
          f"skipped={','.join(sorted(t.skipped)) or 'none'} warmup_s={r['warm_s']:.1f}")
    for e in (r["warm_errors"] + t.errors)[:5]:
        print(f"classroom   error: {e}")
    per = (r["rss_all"] - r["rss_one"]) / n / MB
    print(f"classroom variant={r['name']} rss_before_mb={r['rss_before'] / MB:.0f} rss_peak_mb={r['rss_peak'] / MB:.0f} "
          f"rss_after_mb={r['rss_after'] / MB:.0f} rss_{n}_sessions_mb={r['rss_all'] / MB:.0f} per_session_mb={per:.2f}")


def summarise(results: dict) -> None:
    """Each app variant's p95 of the interactions that don't retrain, against the bare page(s)."""
    bare_p95 = {}
    for name, r in results.items():
        if name.startswith("bare"):
            bare_p95[name] = pct([x for k, v in r["tally"].seconds.items() if k != "bare_open" for x in v], 95)
    best = None
    for name, r in results.items():
        if name.startswith("bare"):
            continue
        t: Tally = r["tally"]
        quick = [x for k, v in t.seconds.items() if k not in t.retrains for x in v]
        p95 = pct(quick, 95)
        ratios = "".join(f" p95_vs_{b}={p95 / v:.2f} {b}_p95_ms={v:.0f}" for b, v in bare_p95.items())
        print(f"classroom variant={name} non_retrain_p95_ms={p95:.0f}{ratios}")
        if best is None or p95 < best[1]:
            best = (name, p95)
    if best:
        print(f"classroom best variant={best[0]} (lowest p95 of the interactions that don't retrain: {best[1]:.0f} ms)")


if __name__ == "__main__":
    main()
