"""Two students at once, on a real server: each sees only their own model, and no cache is touched.

AppTest gives every instance the same session id, so this starts ``streamlit run app.py`` (through
devtools/probe_server.py, which can fingerprint the server's caches on request) and drives real
WebSocket sessions with devtools/stclient.py. The expected numbers come from training the same
configurations here, in the test process (same seed → same numbers).
"""

from __future__ import annotations

import asyncio
import math
import sys

import numpy as np
import pytest

from conftest import ROOT, ReplayView
from devtools import probe_server
from devtools.stclient import Session, start_app, stop_app
from core.hello import model as charlm

PAGE = "Language_model"
A = {"text": "hello", "hidden": 8}  # the slides' example, vocabulary h e l o
B = {"text": "banana", "hidden": 16}  # another student: vocabulary b a n, twice the hidden units
TIME_LIMIT = 420  # seconds for the whole scenario; a hung server fails the test instead of blocking CI


def reference(text: str, hidden: int):
    return charlm.train(charlm.CharLMConfig(text=text, hidden_size=hidden))


def expected_metrics(rec, step: int) -> dict[str, str]:
    """The page's first metric row, formatted as the page formats it."""
    i = rec.snapshot_index(step)
    factors = charlm.chain_rule(rec.probs[i], rec.targets).factors
    return {
        "Loss at this step": f"{rec.loss[i]:.4f}",
        "ln V (guessing)": f"{math.log(len(rec.itos)):.4f}",
        "Mean P(target)": f"{float(factors.mean()):.3f}",
        "Vocabulary size V": str(len(rec.itos)),
    }


SCRUBBED = (0, 1, 2, 3, 5, 20)  # steps a student replays (in the browser: ui.replay holds every frame)


def check_own(run, settings: dict, rec, who: str, opens_at: int = 0) -> None:
    """This session's page shows its own text, hidden size and numbers at every replay step, and no one else's."""
    assert run.exceptions() == [], f"{who}: {run.exceptions()}"
    assert run.value("text") == settings["text"], who
    assert run.value("hidden") == settings["hidden"], who
    view = ReplayView(run.components(), "hello")
    assert view.labels[view.init] == f"step {opens_at}", who
    for step in SCRUBBED:
        shown = view.metrics(view.frame(step))
        for label, value in expected_metrics(rec, step).items():
            assert shown[label] == value, f"{who} at step {step}: {label} shows {shown[label]}, expected {value}"
    hidden = view.chart("unrolled", view.frame(20))["data"][1]["z"]  # h_t: one row per unit
    assert len(hidden) == settings["hidden"], f"{who}: hidden-state rows"


def test_fingerprint_sees_in_place_mutation():
    """The probe can fail: changing one weight inside a cached record changes its fingerprint."""
    rec = reference("hello", 4)
    before = probe_server.fingerprint(rec)
    assert probe_server.fingerprint(rec) == before
    rec.theta[0, 0] += 1e-6  # what a careless page could do to a shared cache_resource object
    assert probe_server.fingerprint(rec) != before
    rec.meta["touched"] = True
    assert probe_server.fingerprint(rec) != before
    from core.hello import figures as hello

    fig = hello.loss_curve(rec.steps, rec.loss, 2, float(np.log(4)))  # a shared chart, changed in place
    chart = probe_server.fingerprint({"loss": fig})
    assert probe_server.fingerprint({"loss": fig}) == chart
    fig.update_layout(height=999)
    assert probe_server.fingerprint({"loss": fig}) != chart


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    probe_file = tmp_path_factory.mktemp("probe") / "caches.json"
    proc, url = start_app(
        ROOT / "app.py", launcher=[sys.executable, str(ROOT / "devtools" / "probe_server.py")],
        env={"RNNLAB_PROBE_FILE": str(probe_file)}, log=probe_file.with_name("server.log"),
    )
    try:
        yield proc, url, str(probe_file)
    finally:
        stop_app(proc)


def test_two_sessions_see_only_their_own_model_and_caches_stay_untouched(server):
    proc, url, probe_file = server
    ref_a, ref_b = reference(**A), reference(**B)
    ref_b12 = reference(B["text"], 12)
    assert expected_metrics(ref_a, 2) != expected_metrics(ref_b, 2)  # the check can tell them apart
    assert expected_metrics(ref_b, 2) != expected_metrics(ref_b12, 2)

    async def scenario():
        query = lambda s: f"text={s['text']}&hidden={s['hidden']}"  # noqa: E731
        async with Session(url, PAGE, query(A)) as sa, Session(url, PAGE, query(B)) as sb:
            ra, rb = await asyncio.gather(sa.open(), sb.open())  # both train at the same time
            check_own(ra, A, ref_a, "A")  # the lesson opens at step 0
            check_own(rb, B, ref_b, "B")

            before = probe_server.request_digest(proc.pid, probe_file)
            assert any(k.startswith("trainings:") for k in before), "the probe found no cached training record"

            # Interleaved: A opens a lazy table (a rerun of the whole page) while B retrains with 12 hidden
            # units, then both rerun again at the same moment.
            b12 = {**B, "hidden": 12}
            ra, rb = await asyncio.gather(sa.set("num_curves", True), sb.set("hidden", 12))
            check_own(ra, A, ref_a, "A")
            check_own(rb, b12, ref_b12, "B")
            ra, rb = await asyncio.gather(sa.set("num_curves", False), sb.set("num_curves", True))
            check_own(ra, A, ref_a, "A")
            check_own(rb, b12, ref_b12, "B")

            # A third student opening A's link at step 2 gets A's cached record, unchanged by all of the above.
            async with Session(url, PAGE, query(A) + "&step=2") as sc:
                check_own(await sc.open(), A, ref_a, "C", opens_at=2)
        return before

    before = asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))
    after = probe_server.request_digest(proc.pid, probe_file)
    changed = [k for k in before if k in after and after[k] != before[k]]
    assert changed == [], f"cached values changed while other sessions ran: {changed}"
    assert len(after) > len(before), "B's retrain with 12 hidden units should have added a cache entry"
    assert np.isfinite(ref_a.loss).all()


def test_a_later_out_of_range_link_in_the_same_session_is_clamped(server):
    """Not only a session's first visit: coming back to a page with an out-of-range value in the URL
    (a second link, or a query left over from another page) is clamped with a message, not a crash."""
    proc, url, _ = server

    async def scenario():
        async with Session(url, PAGE, "hidden=12") as s:
            assert (await s.open()).value("hidden") == 12  # this session has checked ?hidden once
            await s.open("")  # the home page: the lesson's widgets are forgotten
            run = await s.open(PAGE, query="hidden=128")
            assert run.exceptions() == [], run.exceptions()
            assert run.value("hidden") == 64
            assert any("outside 1–64" in body for _, body in run.alerts())

    asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))
