"""Real browser, real server: every page opens in headless Chromium without an exception box.

Starts ``streamlit run app.py`` on a free 127.0.0.1 port. The very first page request to the fresh
server is a deep link, which must get the same app (shared set-up, same navigation) as a student
who comes in through the home page. Locally this skips when Chromium is missing; under CI it runs.
Set SCREENSHOT_DIR to keep a full-page PNG of every page.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import PAGES, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PAGE_TIMEOUT_S = 240  # a cold server imports torch and trains the first model


def page_url_path(page: Path) -> str:
    """The URL path Streamlit's pages/ mode gives a page file: '1_Language_model.py' -> 'Language_model'."""
    from streamlit.source_util import page_icon_and_name

    return page_icon_and_name(page)[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser test, but /usr/bin/chromium is missing")
        pytest.skip("Chromium is not installed (apt-get install -y chromium); the browser test needs it")
    pytest.importorskip("playwright.sync_api")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the Streamlit server did not start:\n" + (proc.stdout.read() if proc.stdout else ""))
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_until_idle(page, timeout_s: float = PAGE_TIMEOUT_S) -> None:
    """Wait for the app to render and for the script run to finish (no 'Running…' widget)."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    quiet_since = None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 2.0 and page.locator('[data-testid="stMainBlockContainer"] > div').count():
            return
        time.sleep(0.25)
    raise AssertionError(f"{page.url} was still running after {timeout_s} s")


NAV = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'


def viewport() -> dict:
    """Tall when screenshots are wanted: Streamlit scrolls inside the page, so a PNG shows the viewport."""
    return {"width": 1400, "height": 6000 if os.environ.get("SCREENSHOT_DIR") else 1000}


def open_scene(browser, url: str):
    """A fresh browser context on ``url``, waited until the script run has finished."""
    ctx = browser.new_context(viewport=viewport())
    page = ctx.new_page()
    page.goto(url)
    wait_until_idle(page)
    return ctx, page


def nav_labels(page) -> list[str]:
    """The lesson links app.setup_page draws in the sidebar (Streamlit's own nav is switched off)."""
    return [t.strip() for t in page.locator(NAV).all_inner_texts()]


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_deep_link_first_on_a_fresh_server_gets_the_same_app(server, browser):
    """The first request after a restart is a deep link; it must not get a different app."""
    first = PAGES[0]
    ctx = browser.new_context(viewport=viewport())
    page = ctx.new_page()
    page.goto(f"{server}/{page_url_path(first)}")
    wait_until_idle(page)
    deep_nav, deep_title = nav_labels(page), page.title()
    assert exceptions(page) == []
    assert page.get_by_text("Presenter mode").count() == 1, "the shared set-up did not run"
    page.goto(server)
    wait_until_idle(page)
    home_nav = nav_labels(page)
    assert deep_nav == home_nav and len(home_nav) == len(PAGES) + 1
    assert deep_title.endswith("· RNN Lab")
    # following the home page's own link lands on the same page as the deep link
    page.locator(NAV).nth(1).click()
    wait_until_idle(page)
    assert page.title() == deep_title
    ctx.close()


@pytest.mark.parametrize("page_file", [None, *PAGES], ids=lambda p: "home" if p is None else p.stem)
def test_every_page_opens_without_an_exception(server, browser, page_file):
    ctx = browser.new_context(viewport=viewport())
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    path = "" if page_file is None else page_url_path(page_file)
    page.goto(f"{server}/{path}")
    wait_until_idle(page)
    shoot(page, "home" if page_file is None else page_file.stem)
    assert exceptions(page) == []
    assert page.locator("h1").count() >= 1
    if page_file is not None:
        assert page.locator(".js-plotly-plot").count() >= 1, "no chart rendered"
    assert errors == [], errors
    ctx.close()


def test_hello_scene_from_a_link_in_the_browser(server, browser):
    """A shared URL restores the scene in a real browser, and the numbers match the lesson."""
    ctx, page = open_scene(browser, f"{server}/Language_model?step=0")
    assert exceptions(page) == []
    loss = page.locator('[data-testid="stMetric"]', has_text="Loss at this step").inner_text()
    assert "1.38" in loss  # ln 4 = 1.386: the untrained model guesses
    shoot(page, "hello_step0")
    page.goto(f"{server}/Language_model?memory=false")
    wait_until_idle(page)
    assert exceptions(page) == []
    shoot(page, "hello_memory_off")
    ctx.close()


# A shared link per page: query parameters, and text the restored scene must show.
SCENES = {
    "1_Language_model": ("text=banana&cell=GRU&hidden=12", ["banana", "GRU"]),
    "2_Word_embeddings": ("query=germany&an_a=paris&an_b=france&an_c=rome", ["Nearest neighbours of “germany”", "italy"]),
    "3_Encoder_decoder": ("x_dates=5+March+2024", ["2024-03-05"]),
    "4_Further_applications": ("cap_shape1=square&cap_colour1=green&cap_rel=alone", ["a green square"]),
}


@pytest.mark.parametrize("page_file", PAGES, ids=lambda p: p.stem)
def test_a_shared_link_restores_the_scene(server, browser, page_file):
    assert page_file.stem in SCENES, f"add a shared-link scene for {page_file.name} to SCENES"
    query, expected = SCENES[page_file.stem]
    ctx, page = open_scene(browser, f"{server}/{page_url_path(page_file)}?{query}")
    assert exceptions(page) == []
    body = page.locator('[data-testid="stMain"]').inner_text()
    inputs = " ".join(page.locator("input").evaluate_all("els => els.map(e => e.value)"))
    for text in expected:
        assert text in body or text in inputs, f"{text!r} not shown after opening ?{query}"
    ctx.close()


def test_moving_the_replay_slider_in_the_browser(server, browser):
    """Drag the hello replay slider to step 0 with the keyboard: the numbers follow, instantly."""
    ctx, page = open_scene(browser, f"{server}/Language_model")
    trained = page.locator('[data-testid="stMetric"]', has_text="Mean P(target)").inner_text()
    assert float(trained.split()[-1]) >= 0.9  # after default training, every target is likely
    thumb = page.locator('[data-testid="stSlider"]', has_text="Training step (replays").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("Home")
    wait_until_idle(page)
    loss = page.locator('[data-testid="stMetric"]', has_text="Loss at this step").inner_text()
    assert "1.38" in loss  # step 0: the untrained model guesses, loss ≈ ln 4
    assert exceptions(page) == []
    assert "step=0" in page.url  # the scene is in the address bar, ready to share
    ctx.close()
