"""Safe under a class, on a real server with real WebSocket sessions (devtools/stclient.py).

- A student who changes a setting while their training runs withdraws it: it is cancelled, not
  finished for nobody, and only the setting they stayed on is trained and cached.
- The teacher's default scenes (warm-up, pinned) survive a flood of crafted training links, however
  small the cache budget.
- Streamlit's own upload endpoint refuses a file over server.maxUploadSize on any page.
"""

from __future__ import annotations

import asyncio
import sys

from conftest import ROOT
from devtools import probe_server
from devtools.stclient import Session, start_app, stop_app

TIME_LIMIT = 420


def probe(env: dict, tmp_path) -> tuple:
    probe_file = tmp_path / "probe.json"
    proc, url = start_app(ROOT / "app.py", launcher=[sys.executable, str(ROOT / "devtools" / "probe_server.py")],
                          env={"RNNLAB_PROBE_FILE": str(probe_file), "RNNLAB_PROBE_DESCRIBE": "1", **env},
                          log=tmp_path / "server.log")
    return proc, url, str(probe_file)


def test_changing_a_setting_mid_training_cancels_the_withdrawn_training(tmp_path):
    proc, url, probe_file = probe({"RNNLAB_WARMUP": "0"}, tmp_path)
    try:
        async def scenario():
            async with Session(url, "Language_model", "steps=1000&hidden=60&text=" + "abcdefghij" * 30,
                               timeout=300) as s:
                await s.open()  # trains once (and its page) so that the widgets are known
                await s.fire("seed", 7)  # a training starts …
                # It takes about 2 s on a quiet machine: moving on after 1.5 s let it finish first there.
                # After 0.5 s it is running (or, on a loaded machine, still queued): cancelled either way.
                await asyncio.sleep(0.5)
                return await s.set("seed", 8)  # … and the student moves on before it ends

        run = asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))
        assert run.exceptions() == []
        state = probe_server.request_digest(proc.pid, probe_file)
    finally:
        stop_app(proc)
    keys = " ".join(state["caches"]["trainings"]["keys"])
    assert state["door"]["cancelled"] >= 1, state["door"]
    assert "seed=8" in keys and "seed=7" not in keys, keys


def test_the_teachers_default_scenes_survive_a_flood_of_crafted_links(tmp_path):
    proc, url, probe_file = probe({"RNNLAB_BUDGET_TRAININGS_MB": "1", "RNNLAB_WARMUP": "hello"}, tmp_path)
    try:
        async def scenario():
            async with Session(url, "", timeout=300) as teacher:
                run = await teacher.open()  # the teacher's first visit starts the warm-up
                while "Preparing the lessons' default scenes" in run.text():
                    await asyncio.sleep(2)
                    run = await teacher.rerun()
            pinned = probe_server.request_digest(proc.pid, probe_file)["caches"]["trainings"]["pinned"]
            for k in range(12):  # a hostile student's crafted links, each a new training
                async with Session(url, "Language_model", f"hidden={30 + k}&steps=400", timeout=300) as s:
                    await s.open()
            return pinned

        pinned = asyncio.run(asyncio.wait_for(scenario(), 2 * TIME_LIMIT))
        after = probe_server.request_digest(proc.pid, probe_file)["caches"]["trainings"]
    finally:
        stop_app(proc)
    assert pinned, "the warm-up pinned the default trainings"
    assert set(pinned) <= set(after["keys"]), "a default scene was evicted"
    crafted = [k for k in after["keys"] if k not in pinned]
    assert len(crafted) < 12, "the crafted trainings are bounded by the budget, not kept forever"


def test_an_upload_over_the_cap_is_refused_on_any_page(tmp_path):
    proc, url = start_app(ROOT / "app.py", env={"RNNLAB_WARMUP": "0"}, log=tmp_path / "server.log")
    try:
        async def scenario():
            async with Session(url, "", timeout=120) as s:
                await s.open()  # the home page has no uploader at all
                big = await asyncio.to_thread(s.put_file, "big.bin", b"\0" * (21 * 1024 * 1024))
                small = await asyncio.to_thread(s.put_file, "small.bin", b"\0" * 1024)
                return big[0], small[0]

        big, small = asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))
    finally:
        stop_app(proc)
    assert big == 413
    assert small == 204  # what remains Streamlit's own limit: any session may store files up to the cap
