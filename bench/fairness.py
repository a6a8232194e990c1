"""Fair under a hostile class: 20 students on the default scenes, with and without 3 hostile students.

Each hostile student opens 10 distinct training links at once (10 tabs, each a real session asking
for a new training: hello, encoder–decoder, word2vec and handwriting ones), and pushes a 50 MB upload at the server (refused at the door: over
``server.maxUploadSize``) plus a largest-allowed vector file of repeated junk lines into the word
embeddings page (parsed under a work bound). The default students follow bench/walks.py without the
actions that retrain (their scenes are the teacher's pinned defaults). Prints:

    fairness run=calm|hostile students=20 p50_ms=… p95_ms=… errors=… rss_peak_mb=…
    fairness p95_ratio=… (goal ≤ 1.5) rss_peak_mb=… budget_mb=… hostile_refused=…

Bounded: a fixed number of sessions and actions, a hard --deadline per run; every server stops.
Run: python bench/fairness.py [--students 20] [--hostile 3] [--links 10] [--deadline 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classroom import Tally, app_walk, pct, student  # noqa: E402
from devtools.stclient import ROOT, ScriptError, Session, server_rss, start_app, stop_app  # noqa: E402
from ui.budget import BUDGETS, MAX_UPLOAD_MB  # noqa: E402

MB = 2**20


def hostile_links(who: int, n: int) -> list[tuple[str, str]]:
    """n distinct training links for hostile student ``who``: settings nobody else asks for."""
    links = []
    for j in range(n):
        k = who * 100 + j
        kind = j % 4
        if kind == 3:  # the longest training, which lends work to the other core while no page computes
            links.append(("Handwriting", f"hw_seed={(k % 99) + 1}"))
        elif kind == 0:
            links.append(("Language_model", f"text=hostile{k}&hidden={24 + j}&steps=1000&seed={k % 999}"))
        elif kind == 1:
            links.append(("Encoder_decoder", f"s2s_seed={(k % 90) + 5}"))
        else:
            links.append(("Word_embeddings", f"source=word2vec&w2v_seed={k % 999}&w2v_epochs=20"))
    return links


async def hostile(who: int, url: str, n_links: int, stop_at: float, notes: dict) -> None:
    async def one_tab(page: str, query: str) -> None:
        try:
            async with Session(url, page, query, timeout=60) as s:
                await asyncio.wait_for(s.open(), timeout=max(1.0, stop_at - time.monotonic()))
        except (ScriptError, asyncio.TimeoutError, OSError):
            notes["tabs_unfinished"] = notes.get("tabs_unfinished", 0) + 1  # left while waiting: fine

    async def uploads() -> None:
        try:
            async with Session(url, "Word_embeddings", "source=file", timeout=60) as s:
                await s.open()
                status, _ = await asyncio.to_thread(s.put_file, "huge.txt", b"a 1\n" * (50 * MB // 4))
                notes.setdefault("upload_50mb_status", []).append(status)
                junk = b"a 1\n" * ((MAX_UPLOAD_MB - 1) * MB // 4)
                if "vec_upload" in (s.last.widgets() if s.last else {}):
                    t0 = time.perf_counter()
                    run = await s.upload("vec_upload", "junk.txt", junk)
                    notes.setdefault("junk_upload_s", []).append(round(time.perf_counter() - t0, 1))
                    if run.exceptions():
                        notes.setdefault("errors", []).append(run.exceptions()[0][:120])
        except (ScriptError, asyncio.TimeoutError, OSError) as err:
            notes.setdefault("upload_errors", []).append(f"{type(err).__name__}: {str(err)[:80]}")

    await asyncio.gather(*(one_tab(p, q) for p, q in hostile_links(who, n_links)), uploads())


def run(name: str, students: int, n_hostile: int, n_links: int, deadline: float, workdir: Path) -> dict:
    proc, url = start_app(ROOT / "app.py", log=workdir / f"{name}.log")
    walk = [(page, [a for a in actions if not a.retrains]) for page, actions in app_walk()]
    out = {"name": name, "notes": {}}
    try:
        asyncio.run(_run(url, proc.pid, walk, students, n_hostile, n_links, deadline, out))
    finally:
        stop_app(proc)
    return out


async def _run(url, pid, walk, n, n_hostile, n_links, deadline, out) -> None:
    warm = Tally()  # the teacher's own visit before class: every default scene ready
    s = await student(-1, url, walk, random.Random(-1), (0.0, 0.0), warm, time.monotonic() + 600)
    if s is not None:
        await s.close()
    peak = [server_rss(pid)]
    stop = threading.Event()
    sampler = threading.Thread(target=lambda: [peak.append(server_rss(pid)) for _ in iter(lambda: stop.wait(0.25), True)],
                               daemon=True)
    sampler.start()
    tally = out["tally"] = Tally()
    stop_at = time.monotonic() + deadline
    tasks = [asyncio.create_task(student(i, url, walk, random.Random(1000 + i), (2.0, 5.0), tally, stop_at))
             for i in range(n)]
    tasks += [asyncio.create_task(hostile(h, url, n_links, stop_at, out["notes"])) for h in range(n_hostile)]
    done, pending = await asyncio.wait(tasks, timeout=deadline + 60)
    for t in pending:
        t.cancel()
    for t in done:
        r = t.result()
        if isinstance(r, Session):
            await r.close()
    stop.set()
    sampler.join()
    out["rss_peak"] = max(peak)
    out["warm_errors"] = warm.errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=20)
    ap.add_argument("--hostile", type=int, default=3)
    ap.add_argument("--links", type=int, default=10)
    ap.add_argument("--deadline", type=float, default=240, help="seconds per run (hard bound)")
    a = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="fairness-") as tmp:
        for name, n_hostile in (("calm", 0), ("hostile", a.hostile)):
            r = results[name] = run(name, a.students, n_hostile, a.links, a.deadline, Path(tmp))
            t: Tally = r["tally"]
            xs = [x for v in t.seconds.values() for x in v]
            r["p95"] = pct(xs, 95)
            print(f"fairness run={name} students={a.students} hostile={n_hostile} n={len(xs)} p50_ms={pct(xs, 50):.0f} "
                  f"p95_ms={r['p95']:.0f} errors={len(t.errors) + len(r['warm_errors'])} "
                  f"rss_peak_mb={r['rss_peak'] / MB:.0f}")
            for e in (r["warm_errors"] + t.errors)[:5]:
                print(f"fairness   error: {e}")
            if r["notes"]:
                print(f"fairness   hostile notes: {r['notes']}")
    budget = sum(BUDGETS.values()) / MB
    ratio = results["hostile"]["p95"] / results["calm"]["p95"]
    print(f"fairness p95_ratio={ratio:.2f} (goal <= 1.5) rss_peak_mb={results['hostile']['rss_peak'] / MB:.0f} "
          f"cache_budget_mb={budget:.0f}")


if __name__ == "__main__":
    main()
