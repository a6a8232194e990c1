"""The hello lesson's replay slider in a real browser, against a bare one-slider, one-chart page.

(``--pages hello,handwriting,bare`` also times the handwriting lesson's pen-point slider the same way.)

``bare_long`` is the bare slider and chart in an ``st.fragment`` with twelve static sections below it
(a header and a paragraph each, four charts and three tables in all: about as long as a lesson). The
slider never changes them, yet Streamlit's frontend renders them again at every press, so its ratio
to the bare page is what the length of a page costs on its own.

Headless Chromium (Debian's, driven by playwright) opens the hello lesson and a bare Streamlit page
with one slider and one Plotly chart, each on its own server. For each: focus the slider, press the
right arrow key, and time until the chart's title shows the new step and Streamlit is idle again.
To show where the time goes it also prints the CPU the page's main browser thread spent per press
(Chrome's own count; it varies less than wall time on a loaded machine) and times the server side
alone (the rerun through devtools/stclient.py, no browser). Prints:

    replay page=hello|bare n=… p50_ms=… p95_ms=…      (arrow key → new title shown, app idle)
    replay page=hello|bare browser_cpu_p50_ms=…        (main browser thread CPU in one press)
    replay page=bare|… server_rerun_p50_ms=…           (the same rerun without a browser)
    replay page=hello server_rerun=none                (its slider runs in the browser: no rerun)
    replay page=hello ratio_p50=… (goal ≤ 1.5)
    replay page=bare_long ratio_p50=…  (what a long page costs by itself)

With --profile, Chrome's sampling profiler runs during the presses and the main thread's CPU per
press is split by where it went (the profile's shares of the thread's CPU; the profiler itself
adds some time, so compare parts, not totals, with a run without it):

    replay page=hello part=plotly ms=…      (plotly.js: building and drawing the charts)
    replay page=hello part=react ms=…       (React and Streamlit's element code, styling)
    replay page=hello part=markdown ms=…    (Markdown, headers, captions, KaTeX)
    replay page=hello part=dataframe ms=…   (st.dataframe's canvas grid)
    replay page=hello part=layout ms=…      (style, layout, paint and DOM calls outside JS)
    replay page=hello part=gc ms=…
    replay page=hello part=other ms=…

Run: python bench/replay.py [--presses 20] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.stclient import ROOT, Session, start_app, stop_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
BARE = '''import plotly.graph_objects as go
import streamlit as st

step = st.slider("Training step (a bare page)", 0, 100, 0, key="step")
st.plotly_chart(go.Figure(go.Bar(x=list("helo"), y=[step, 1, 2, 3]),
                          layout={"title": {"text": f"Step {step}: a bare chart"}}))
'''
# The bare slider and chart in a fragment, with a lesson's worth of static sections below it that the
# slider never changes: what Streamlit's frontend costs per press for the rest of a long page.
BARE_LONG = '''import plotly.graph_objects as go
import streamlit as st


@st.fragment
def replay():
    step = st.slider("Training step (a bare page)", 0, 100, 0, key="step")
    st.plotly_chart(go.Figure(go.Bar(x=list("helo"), y=[step, 1, 2, 3]),
                              layout={"title": {"text": f"Step {step}: a bare chart"}}))


replay()
for i in range(12):
    st.header(f"Section {i + 2}")
    st.markdown("A paragraph of the lesson, with a formula $x^2$ and **bold** words. " * 5)
    if i % 3 == 0:
        st.plotly_chart(go.Figure(go.Scatter(y=[k % 7 for k in range(50)])), key=f"chart{i}")
    if i % 4 == 1:
        st.dataframe({"a": list(range(10)), "b": list(range(10))})
'''
TITLE = "g.g-gtitle text, .gtitle"
# Does a chart title start with the wanted text?
TITLE_SHOWS = "([sel, want]) => [...document.querySelectorAll(sel)].some(e => e.textContent.startsWith(want))"


def wait_idle(page, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        time.sleep(0.01)
    raise TimeoutError("the app did not become idle")


PARTS = (  # script file name prefix (Streamlit's bundle chunks) → part
    ("plotly", ("PlotlyChart",)),
    ("markdown", ("StreamlitMarkdown", "rehype-katex", "katex", "remark", "rehype", "micromark", "mdast", "hast")),
    ("dataframe", ("DataFrame", "data-grid")),
    ("react", ("react", "emotion", "styled", "index", "protobuf", "utils", "base", "Slider", "Metric", "Block")),
    ("gc", ("(garbage collector)",)),
)


def part_of(name: str) -> str:
    """The part a profile node belongs to, by its script's file name ('' for native DOM/renderer work)."""
    if not name or name == "(program)" or not name.endswith(".js") and not name.startswith("("):
        return "layout"  # (program) and the DOM's own functions: style, layout, paint, getBoundingClientRect …
    return next((part for part, prefixes in PARTS if name.startswith(prefixes)), "other")


def profile_parts(profile: dict) -> dict[str, float]:
    """Shares of the sampled non-idle time per part (sum 1)."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    spent: dict[str, float] = {}
    for node, dt in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[node]
        name = frame["url"].rsplit("/", 1)[-1] or frame["functionName"]
        if name == "(idle)":
            continue
        spent[part_of(name)] = spent.get(part_of(name), 0.0) + dt
    total = sum(spent.values()) or 1.0
    return {part: us / total for part, us in spent.items()}


# page → (URL path, the slider's label starts with, its widget key, the title that shows its value)
SCENES = {
    "hello": ("Language_model", "Training step ", "step", "Step {}:"),
    "handwriting": ("Handwriting", "Pen point", "hw_point", "point {}:"),
    "bare": ("", "Training step (a bare page)", "step", "Step {}:"),
    "bare_long": ("", "Training step (a bare page)", "step", "Step {}:"),
}
SCRIPTS = {"bare": BARE, "bare_long": BARE_LONG}  # the rest are RNN Lab's pages


def press_times(browser, url: str, scene: str, presses: int,
                profile: dict | None = None) -> tuple[list[float], list[float]]:
    """Seconds from the key press until the new title shows and the app is idle, and the main
    browser thread's CPU seconds in that time. With a ``profile`` dict, Chrome's CPU profile of
    all presses is put in it."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")

    def thread_time() -> float:
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "ThreadTime")

    _, label, _, title = SCENES[scene]
    page.goto(url)
    thumb = page.locator(f'input[type=range][aria-label^="{label}"]').first
    thumb.wait_for(timeout=300_000)  # the handwriting lesson trains its networks first (no warm-up here)
    page.wait_for_function(TITLE_SHOWS, arg=[TITLE, title.format(thumb.input_value())], timeout=300_000)
    wait_idle(page, 300)
    time.sleep(1.0)
    times, cpu = [], []
    if profile is not None:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})  # µs
        cdp.send("Profiler.start")
    for _ in range(presses):
        now, top = int(thumb.input_value()), int(thumb.get_attribute("max"))
        key, want = ("ArrowRight", now + 1) if now < top else ("ArrowLeft", now - 1)
        thumb.focus()
        c0 = thread_time()
        t0 = time.perf_counter()
        page.keyboard.press(key)
        page.wait_for_function(TITLE_SHOWS, arg=[TITLE, title.format(want)], timeout=60_000, polling="raf")
        wait_idle(page)
        times.append(time.perf_counter() - t0)
        cpu.append(thread_time() - c0)
    if profile is not None:
        profile.update(cdp.send("Profiler.stop")["profile"])
    ctx.close()
    return times, cpu


IN_BROWSER = {"hello"}  # its slider runs in the browser (ui.replay): a press sends nothing to the server


async def server_times(url: str, scene: str, presses: int) -> list[float]:
    path, _, key, _ = SCENES[scene]
    if scene in IN_BROWSER:
        return []
    async with Session(url, path, timeout=300) as s:
        run = await s.open()
        if scene == "handwriting":
            from ui.handwriting import POINT_DEFAULT as start  # the slider's first value
        else:
            start = 0
        times = []
        for k in range(presses):
            run = await s.set(key, start + k + 1)
            times.append(run.seconds)
        return times


def report(name: str, xs: list[float], cpu: list[float], server: list[float], profile: dict | None = None) -> float:
    ms = sorted(x * 1000 for x in xs)
    p50, p95 = statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"replay page={name} n={len(ms)} p50_ms={p50:.0f} p95_ms={p95:.0f}")
    print(f"replay page={name} browser_cpu_p50_ms={statistics.median(cpu) * 1000:.0f}")
    if server:
        print(f"replay page={name} server_rerun_p50_ms={statistics.median(server) * 1000:.0f}")
    else:
        print(f"replay page={name} server_rerun=none (the slider runs in the browser)")
    if profile:
        per_press = statistics.mean(cpu) * 1000
        for part, share in sorted(profile_parts(profile).items(), key=lambda kv: -kv[1]):
            print(f"replay page={name} part={part} ms={share * per_press:.0f}")
    return p50


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presses", type=int, default=20)
    ap.add_argument("--profile", action="store_true", help="split the browser's CPU per press by part")
    ap.add_argument("--pages", default="hello,bare,bare_long", help="of: " + ", ".join(SCENES))
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        scripts = {}
        for name, text in SCRIPTS.items():
            scripts[name] = Path(tmp) / f"{name}.py"
            scripts[name].write_text(text)
        results = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name in a.pages.split(","):
                script = scripts.get(name, ROOT / "app.py")
                proc, url = start_app(script, log=Path(tmp) / f"{name}.log", env={"RNNLAB_WARMUP": "0"})
                try:
                    profile = {} if a.profile else None
                    clicks, cpu = press_times(browser, f"{url}/{SCENES[name][0]}", name, a.presses, profile)
                    with ThreadPoolExecutor(1) as pool:  # playwright's sync API owns this thread's loop
                        server = pool.submit(asyncio.run, server_times(url, name, a.presses)).result()
                    results[name] = report(name, clicks, cpu, server, profile)
                finally:
                    stop_app(proc)
            browser.close()
    for name in results.keys() - {"bare"} if "bare" in results else ():
        why = "(what a long page costs by itself)" if name == "bare_long" else "(goal <= 1.5)"
        print(f"replay page={name} ratio_p50={results[name] / results['bare']:.2f} {why}")


if __name__ == "__main__":
    main()
