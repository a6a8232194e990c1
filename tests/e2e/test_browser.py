"""Real browser, real server: every page opens in headless Chromium without an exception box.

Starts ``streamlit run app.py`` on a free 127.0.0.1 port. The very first page request to the fresh
server is a deep link, which must get the same app (shared set-up, same navigation) as a student
who comes in through the home page. Locally this skips when Chromium is missing; under CI it runs.
Set SCREENSHOT_DIR to keep a full-page PNG of every page.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

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
    from devtools.stclient import page_url_path as url_path

    return url_path(page)


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
    """…and offline: the page asks nothing of any host but the app's (no icon, font or script from a CDN)."""
    ctx = browser.new_context(viewport=viewport())
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url)
            if r.url.split(":", 1)[0] in ("http", "https") and urlparse(r.url).hostname != "127.0.0.1" else None)
    path = "" if page_file is None else page_url_path(page_file)
    page.goto(f"{server}/{path}")
    wait_until_idle(page)
    shoot(page, "home" if page_file is None else page_file.stem)
    assert exceptions(page) == []
    assert page.locator("h1").count() >= 1
    if page_file is not None:
        assert page.locator(".js-plotly-plot").count() >= 1, "no chart rendered"
    assert errors == [], errors
    assert elsewhere == [], elsewhere
    ctx.close()


def test_hello_scene_from_a_link_in_the_browser(server, browser):
    """A shared URL restores the scene in a real browser, and the numbers match the lesson."""
    ctx, page = open_scene(browser, f"{server}/Language_model?step=0")
    assert exceptions(page) == []
    loss = page.locator(".rnnlab-replay .rp-metric", has_text="Loss at this step").inner_text()
    assert "1.38" in loss  # ln 4 = 1.386: the untrained model guesses
    shoot(page, "hello_step0")
    page.goto(f"{server}/Language_model?memory=false")
    wait_until_idle(page)
    assert exceptions(page) == []
    shoot(page, "hello_memory_off")
    ctx.close()


def test_a_refused_or_cut_link_value_shows_what_the_page_uses(server, browser):
    """?temp=0.15 is between the slider's steps: refused, and the slider shows the default the page uses
    (Streamlit had put 0.15 in it). ?step=3.5 is cut to 3 by the slider, and the message says 3."""
    ctx, page = open_scene(browser, f"{server}/Language_model?temp=0.15&step=3.5")
    assert exceptions(page) == []
    alerts = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "temp=0.15 is not a value this slider offers" in alerts and "default 1.0 is used" in alerts
    assert "step=3.5 is not a whole number, so 3 is used" in alerts
    temp = page.locator('[data-testid="stSlider"]', has_text="Temperature").inner_text()
    assert "1.00" in temp and "0.15" not in temp
    notes = page.locator(".rnnlab-replay .rp-line", has_text="What to notice").all_inner_texts()
    assert any("at step 3 the perplexity" in n for n in notes)
    ctx.close()


# A shared link per page: query parameters, and text the restored scene must show.
SCENES = {
    "1_Language_model": ("text=banana&cell=GRU&hidden=12", ["banana", "GRU"]),
    "2_Word_embeddings": ("query=germany&an_a=paris&an_b=france&an_c=rome", ["Nearest neighbours of “germany”", "italy"]),
    "3_Encoder_decoder": ("x_dates=5+March+2024", ["2024-03-05"]),
    "4_Further_applications": ("cap_shape1=square&cap_colour1=green&cap_rel=alone", ["a green square"]),
    "5_Handwriting": ("hw_text=more+of+national&hw_bias=3.0", ["more of national"]),
    "6_Sound": ("snd_style=sad&snd_speaker=f2&snd_material=water&snd_action=scratch",
                ["acted sad by voice f2", "nearest training sound"]),
}


def test_sound_demos_render_their_players_and_charts(server, browser):
    """Both sound demos draw their audio players, charts and frames (nothing is played)."""
    ctx, page = open_scene(browser, f"{server}/Sound")
    assert_healthy(page, charts=4)
    # clip + its cut; true, parametric, retrieved; two per listening-test question
    assert page.locator("audio").count() >= 2 + 3 + 2 * 5
    assert page.locator('[data-testid="stAudioInput"]').count() == 1
    assert page.locator('[data-testid="stFileUploader"]').count() == 1
    assert page.locator('[data-testid="stImage"] img').count() >= 1  # the silent clip's frame
    assert "acted by a speech synthesiser" in page.locator('[data-testid="stMain"]').inner_text()
    shoot(page, "sound")
    ctx.close()


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
    """The hello replay runs in the browser (ui.replay): arrow keys move it, the numbers, the charts and the
    chain rule follow, no rerun starts and nothing is fetched, and the address bar follows for a shared link."""
    ctx, page = open_scene(browser, f"{server}/Language_model?step=20")
    metric = lambda label: page.locator(".rnnlab-replay .rp-metric", has_text=label).inner_text()  # noqa: E731
    assert float(metric("Mean P(target)").split()[-1]) >= 0.9  # after default training, every target is likely
    own = f"() => performance.getEntriesByType('resource').filter(e => e.name.startsWith({server!r})).length"
    fetched = page.evaluate(own)
    thumb = page.locator('.rnnlab-replay input[type=range][aria-label^="Training step (replays"]')
    thumb.focus()
    page.keyboard.press("Home")
    page.wait_for_function("""() => [...document.querySelectorAll('.rnnlab-replay .gtitle')]
                              .some(e => e.textContent.startsWith('Step 0:'))""", timeout=10_000)
    assert "1.38" in metric("Loss at this step")  # step 0: the untrained model guesses, loss ≈ ln 4
    assert "4.0" in metric("Perplexity")  # the chain rule below follows the same slider
    assert page.locator('[data-testid="stStatusWidget"]').count() == 0  # no rerun was started
    assert query_params(page).get("step", "0") == "0"  # step 0 is the default: the shared link leaves it out
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("""() => [...document.querySelectorAll('.rnnlab-replay .gtitle')]
                              .some(e => e.textContent.startsWith('Step 2:'))""", timeout=10_000)
    assert query_params(page).get("step") == "2"
    assert page.evaluate(own) == fetched  # nothing fetched from the app
    before = page.locator(".rnnlab-replay .rp-metric", has_text="Loss at this step").text_content()
    press_on_slider(page, "Hidden size", "ArrowRight")  # a retrain with 9 units: new frames, the same step shown
    page.wait_for_function("""(before) => [...document.querySelectorAll('.rnnlab-replay .rp-metric')]
                              .some(e => e.textContent.startsWith('Loss at this step') && e.textContent !== before)""",
                           arg=before, timeout=60_000)
    assert thumb.input_value() == "2" and "step 2" in page.locator(".rnnlab-replay .rp-slider-value").inner_text()
    assert page.locator(".rnnlab-replay .gtitle", has_text="Step 2:").count() == 1
    assert exceptions(page) == []
    ctx.close()


# ---- Moving each lesson's main widgets ---------------------------------------------------------
# Every move is followed by wait_until_idle, a check that no exception box and at least one chart
# are on the page, a check that the address bar follows the widget (a bound widget at its default
# value leaves the query string), and a check on what the lesson says the numbers show.
# Tables are read only outside "Numbers: …" expanders (those render lazily).

EXPECT_MS = 60_000  # for expect(): the app has already gone idle, but the CPU is shared


def query_params(page) -> dict[str, str]:
    """The scene in the address bar, as {key: value}."""
    from urllib.parse import parse_qs, urlsplit

    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def assert_healthy(page, charts: int = 1) -> None:
    """No exception box, and the section's charts drew."""
    assert exceptions(page) == []
    assert page.locator(".js-plotly-plot").count() >= charts, "a chart did not render"


def metric(scope, label: str) -> str:
    """The value of the st.metric whose label is exactly ``label``, in a page or a part of it."""
    page = getattr(scope, "page", scope)  # a Locator knows its page; `has` takes a page-rooted locator
    label_el = page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    box = scope.locator('[data-testid="stMetric"]', has=label_el)
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def table(page, header: str):
    """A dataframe (not in an expander) with a column headed exactly ``header``.

    st.dataframe draws on a canvas; glide-data-grid keeps an accessible <table> beside it, which
    is what is read here (it holds the rows on screen: enough for the short tables below)."""
    th = page.locator("th", has_text=re.compile(f"^{re.escape(header)}$"))
    return page.locator('[data-testid="stDataFrame"] table', has=th)


def column(page, header: str) -> list[str]:
    """The cells under ``header``, top to bottom."""
    grid = table(page, header)
    index = grid.locator("th", has_text=re.compile(f"^{re.escape(header)}$")).get_attribute("aria-colindex")
    return [c.strip() for c in grid.locator(f'td[aria-colindex="{index}"]').all_text_contents()]


def url_with(key: str, value: str) -> re.Pattern:
    """A URL pattern for expect(page).to_have_url: ``key=value`` is one of the query parameters."""
    return re.compile(rf"[?&]{re.escape(key)}={re.escape(value)}(&|$)")


def n_rows(page, header: str) -> int:
    return int(table(page, header).get_attribute("aria-rowcount")) - 1  # the header is row 1


def type_into(page, label: str, text: str) -> None:
    """Type into the text input labelled ``label`` and press Enter, as a student does."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_until_idle(page)


def press_on_slider(page, label: str, *keys: str) -> None:
    """Focus the slider labelled ``label`` and move it with the keyboard."""
    page.locator('[data-testid="stSlider"]', has_text=label).get_by_role("slider").focus()
    for key in keys:
        page.keyboard.press(key)
    wait_until_idle(page)


def choose(page, label: str, option: str) -> None:
    """Open the selectbox labelled ``label`` and click ``option`` in its list.

    The list is a react-aria popover, which closes when the page scrolls: scroll to the box first
    (a click that has to scroll sometimes closes the list it just opened), and open it again if so."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label, exact=True)
    box.scroll_into_view_if_needed()
    listed = page.get_by_role("listbox", name=label).get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            listed.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:  # the list closed again
            continue
    listed.click()
    wait_until_idle(page)


def test_typing_a_word_and_moving_k_in_the_nearest_neighbours(server, browser):
    """Word embeddings: the neighbours follow the typed word and k; an unknown word gets a message."""
    from playwright.sync_api import expect

    ctx, page = open_scene(browser, f"{server}/Word_embeddings")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    type_into(page, "Nearest neighbours of", "paris")
    heading = page.get_by_role("heading", name="Nearest neighbours of “paris” over all 400,000 words")
    expect(heading).to_be_visible(timeout=EXPECT_MS)
    assert_healthy(page)
    assert query_params(page).get("query") == "paris"
    words = column(page, "word")
    assert len(words) == 8 and "paris" not in words  # k = 8 by default; the query itself is left out
    assert {"france", "london"} <= set(words), words  # known GloVe 6B 50d neighbours of "paris"

    press_on_slider(page, "How many neighbours (k)", "ArrowRight", "ArrowRight")
    expect(page).to_have_url(url_with("k", "10"), timeout=EXPECT_MS)
    assert_healthy(page)
    assert n_rows(page, "word") == 10
    assert column(page, "word")[:8] == words  # a larger k only adds rows below

    type_into(page, "Nearest neighbours of", "germany")
    heading = page.get_by_role("heading", name="Nearest neighbours of “germany” over all 400,000 words")
    expect(heading).to_be_visible(timeout=EXPECT_MS)
    assert_healthy(page)
    assert query_params(page).get("query") == "germany" and query_params(page).get("k") == "10"
    words = column(page, "word")
    assert len(words) == 10 and {"austria", "france"} <= set(words), words
    shoot(page, "embeddings_germany_k10")

    type_into(page, "Nearest neighbours of", "qzxv")
    alert = page.locator('[data-testid="stAlert"]', has_text="Nearest neighbours:")
    expect(alert).to_contain_text("“qzxv”", timeout=EXPECT_MS)
    expect(alert).to_contain_text("Not in the GloVe 6B 50d vocabulary")
    assert_healthy(page)  # the map still draws, without the unknown word
    assert page.get_by_role("heading", name="Nearest neighbours of").count() == 0
    assert query_params(page).get("query") == "qzxv"
    assert errors == [], errors
    ctx.close()


def test_changing_the_analogy_word_c_in_the_browser(server, browser):
    """Word embeddings: man : king :: woman : ? answers queen once c is typed (3CosAdd, as gensim)."""
    from playwright.sync_api import expect

    ctx, page = open_scene(browser, f"{server}/Word_embeddings?an_c=queen")
    before = column(page, "answer")
    assert "queen" not in before  # an input word is never its own answer
    type_into(page, "c", "woman")
    expect(page.get_by_text("if queen ≈ king − man + woman")).to_be_visible(timeout=EXPECT_MS)
    assert_healthy(page)
    answers = column(page, "answer")
    assert answers[0] == "queen" and answers != before and len(answers) == 5
    assert "an_c" not in query_params(page)  # "woman" is the default: the shared link drops it
    assert page.get_by_role("textbox", name="c", exact=True).input_value() == "woman"
    ctx.close()


def st_table(page, header: str) -> dict[str, list[str]]:
    """An st.table (an HTML table) with a column headed ``header``, as {column: cells}."""
    grid = page.locator('[data-testid="stTable"] table', has=page.locator("th", has_text=header)).first
    heads = [h.strip() for h in grid.locator("thead th").all_inner_texts()]
    rows = [[c.strip() for c in r.locator("th, td").all_inner_texts()] for r in grid.locator("tbody tr").all()]
    if rows and len(rows[0]) == len(heads) + 1:  # a leading index column
        rows = [r[1:] for r in rows]
    heads = heads[-len(rows[0]):] if rows else heads
    return {h: [r[i] for r in rows] for i, h in enumerate(heads)}


def test_typing_a_date_into_the_encoder_decoder(server, browser):
    """Encoder–decoder: a typed date is decoded into its ISO form, and the lengths n_x → n_y follow."""
    ctx, page = open_scene(browser, f"{server}/Encoder_decoder")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    type_into(page, "Your input x", "5 March 2024")
    assert_healthy(page)
    assert query_params(page).get("x_dates") == "5 March 2024"
    outputs = st_table(page, "correct output y")
    assert outputs["correct output y"] == ["2024-03-05"]
    assert outputs["model output ŷ (greedy)"] == ["2024-03-05"]  # held-out exact match is ~99 %
    assert metric(page, "n_x → n_y") == "12 → 10"
    shoot(page, "encoder_decoder_5_march_2024")
    assert errors == [], errors
    ctx.close()


def test_moving_beam_width_and_alpha_in_the_encoder_decoder(server, browser):
    """Encoder–decoder: beam width 1 is exactly greedy; α = 0 decodes your own C, i.e. your output."""
    ctx, page = open_scene(browser, f"{server}/Encoder_decoder")
    greedy = st_table(page, "correct output y")["model output ŷ (greedy)"][0]

    press_on_slider(page, "Beam width (1 = greedy)", "Home")
    assert_healthy(page)
    assert query_params(page).get("beam") == "1"
    search = st_table(page, "log p")
    assert search["decoding"] == ["greedy", "beam (width 1)"]
    assert search["output"] == [greedy, greedy]
    assert abs(float(metric(page, "Beam gained (log p)"))) < 1e-3

    press_on_slider(page, "α: decode from C(α)", "Home")
    assert_healthy(page)
    assert query_params(page).get("alpha") in ("0", "0.0")
    decoded = page.locator('[data-testid="stMarkdownContainer"]', has_text="Decoded from C(α = 0.0)")
    assert decoded.count() == 1
    codes = [t.strip() for t in page.locator('[data-testid="stCode"] code').all_inner_texts()]
    assert greedy in codes
    ctx.close()


def test_composing_a_picture_changes_its_caption(server, browser):
    """Further applications: the caption follows the composer's selectboxes and its Random scene button."""
    from playwright.sync_api import expect

    from core.applications.captioning import compose

    ctx, page = open_scene(browser, f"{server}/Further_applications")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    true_caption = page.locator('[data-testid="stMarkdownContainer"]', has_text="True caption:")

    def caption_lines_agree(truth: str) -> None:
        """Greedy and beam lines call themselves right exactly when they equal the true caption."""
        decoded = page.locator('[data-testid="stMarkdownContainer"]', has_text=re.compile(r"^(Greedy|Beam \d):"))
        for line in decoded.all_inner_texts():
            said = line.split(":", 1)[1].split(" — ")[0].strip()
            verdict = line.split(" — ")[1].split()[0]
            assert verdict == ("right" if said == truth else "wrong"), line

    for label, option in (("Placed", "alone"), ("Colour", "green"), ("Shape", "square")):
        choose(page, label, option)
        assert_healthy(page)
    expect(true_caption).to_have_text("True caption: a green square", timeout=EXPECT_MS)
    q = query_params(page)
    assert (q.get("cap_shape1"), q.get("cap_colour1"), q.get("cap_rel")) == ("square", "green", "alone")
    caption_lines_agree("a green square")
    shoot(page, "captioner_green_square")

    page.get_by_role("button", name="Random scene").click()
    wait_until_idle(page)
    assert_healthy(page)
    labels = {"cap_shape1": ("Shape", "circle"), "cap_colour1": ("Colour", "red"), "cap_rel": ("Placed", "above"),
              "cap_shape2": ("Second shape", "square"), "cap_colour2": ("Its colour", "blue")}
    shown = {key: page.get_by_role("combobox", name=label, exact=True).input_value()
             for key, (label, _) in labels.items()}
    truth = compose(*shown.values()).caption()
    expect(true_caption).to_have_text(f"True caption: {truth}", timeout=EXPECT_MS)
    caption_lines_agree(truth)
    q = query_params(page)
    for key, (_, default) in labels.items():  # the address bar holds the new scene (defaults left out)
        assert q.get(key, default) == shown[key], (key, page.url)
    assert errors == [], errors
    ctx.close()


def test_switching_to_text_generation_and_cooling_the_temperature(server, browser):
    """Further applications: the Generating text tab beats guessing; at temperature 0 all samples agree."""
    from playwright.sync_api import expect

    ctx, page = open_scene(browser, f"{server}/Further_applications")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.get_by_role("tab", name="Generating text").click()
    wait_until_idle(page)
    expect(page.get_by_role("tab", name="Generating text")).to_have_attribute("aria-selected", "true",
                                                                              timeout=EXPECT_MS)
    assert_healthy(page, charts=2)  # the overview, and this demo's loss curve
    assert query_params(page).get("demo") == "Generating text"
    demo = page.get_by_role("tabpanel")  # the open tab (the captioner has a "Held-out loss" too)
    loss = float(metric(demo, "Held-out loss").split()[0])
    ln_v = float(metric(demo, "Guessing: ln V").split()[0])
    assert loss < ln_v  # trained: better than a uniform guess over the characters
    assert abs(float(metric(demo, "Bits per character")) - loss / math.log(2)) < 0.01

    press_on_slider(page, "Temperature (0 = greedy)", "Home")
    assert_healthy(page, charts=2)
    assert query_params(page).get("gen_temp") in ("0", "0.0")
    demo = page.get_by_role("tabpanel")
    samples = [t.strip() for t in demo.locator('[data-testid="stCode"] code').all_inner_texts()]
    assert len(samples) == 4  # 4 samples by default, each in its own wrapping block
    assert len(set(samples)) == 1, samples  # temperature 0 is greedy: every sample is the same text
    assert samples[0].startswith("The ")  # the priming text
    shoot(page, "chargen_temperature_0")
    assert errors == [], errors
    ctx.close()


# ---- The projector: presenter mode at 1280×720 ---------------------------------------------------
PROJECTOR = {"width": 1280, "height": 720}
MIN_TICK_PX = 14


def presenter_checks(page) -> dict:
    """What a projector needs, measured in the page: font sizes, truncated links, tick label sizes."""
    return page.evaluate("""() => {
        const px = e => parseFloat(getComputedStyle(e).fontSize);
        const main = document.querySelector('[data-testid="stMain"]');
        const body = [...main.querySelectorAll('[data-testid="stMarkdown"] p')]
            .filter(e => e.offsetParent && !e.closest('[data-testid="stMetric"], [data-testid="stHeading"], [data-testid="stCaptionContainer"]'));
        const heads = [...main.querySelectorAll('h1, h2, h3')].filter(e => e.offsetParent);
        const links = [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stPageLink"] span')]
            .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent);
        const metrics = [...main.querySelectorAll('[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *')]
            .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent);
        const ticks = [...main.querySelectorAll('.js-plotly-plot .xtick text, .js-plotly-plot .ytick text')]
            .map(e => parseFloat(e.style.fontSize || getComputedStyle(e).fontSize));
        const sizes = body.map(px).sort((a, b) => a - b);
        return {body_px: sizes.length ? sizes[Math.floor(sizes.length / 2)] : 0,
                heading_px: heads.map(px), truncated_links: links, truncated_metrics: [...new Set(metrics)],
                min_tick_px: ticks.length ? Math.min(...ticks) : null, n_ticks: ticks.length};
    }""")


def presenter_on(page) -> bool:
    return page.get_by_role("switch", name="Presenter mode").is_checked()


def test_presenter_mode_on_a_projector_across_every_lesson(server, browser):
    """1280×720, presenter mode switched on once: it stays on through the sidebar links, headings stay
    larger than body text, tick labels are at least 14 px, and no lesson link or metric label is truncated."""
    ctx = browser.new_context(viewport=PROJECTOR)
    page = ctx.new_page()
    page.goto(server)
    wait_until_idle(page)
    page.locator('[data-testid="stSidebar"] label', has_text="Presenter mode").click()
    wait_until_idle(page)
    assert presenter_on(page)
    for k, page_file in enumerate(PAGES):
        page.locator(NAV).nth(k + 1).click()  # the sidebar link, as the lecturer clicks it
        wait_until_idle(page)
        assert page_url_path(page_file) in page.url
        assert presenter_on(page), f"presenter mode switched itself off on {page_file.stem}"
        assert exceptions(page) == []
        m = presenter_checks(page)
        assert m["heading_px"] and min(m["heading_px"]) > m["body_px"], (page_file.stem, m)
        assert m["truncated_links"] == [], (page_file.stem, m)
        assert m["truncated_metrics"] == [], (page_file.stem, m)  # a number whose label is cut off says nothing
        assert m["n_ticks"] > 0 and m["min_tick_px"] >= MIN_TICK_PX, (page_file.stem, m)
        shoot(page, f"presenter_{page_file.stem}")
    ctx.close()


def test_a_shared_link_carries_presenter_mode(server, browser):
    ctx = browser.new_context(viewport=PROJECTOR)
    page = ctx.new_page()
    page.goto(f"{server}/{page_url_path(PAGES[0])}?presenter=true")
    wait_until_idle(page)
    assert presenter_on(page)
    ctx.close()


def overlapping_labels(page, chart) -> list[tuple[str, str]]:
    """Pairs of text labels drawn on a chart whose bounding boxes overlap (SVG text boxes)."""
    return chart.evaluate("""el => {
        const boxes = [...el.querySelectorAll('.textpoint text, g.annotation text')]
            .filter(t => t.textContent.trim()).map(t => [t.textContent, t.getBoundingClientRect()]);
        const out = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
            const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            if (w > 1 && h > 1) out.push([a, b]);
        }
        return out;
    }""")


def test_the_default_word_map_has_no_overlapping_labels(server, browser):
    """Embeddings at 1280×720 with presenter mode on: the labelled points of the default map don't collide."""
    ctx = browser.new_context(viewport=PROJECTOR)
    page = ctx.new_page()
    page.goto(f"{server}/Word_embeddings?presenter=true")
    wait_until_idle(page)
    maps = page.locator(".js-plotly-plot", has=page.locator(".textpoint text"))
    assert maps.count() >= 1, "the word map draws labelled points"
    chart = maps.first
    chart.scroll_into_view_if_needed()
    labels = chart.locator(".textpoint text").count()
    assert labels >= 8, "the lesson's words are labelled"
    assert overlapping_labels(page, chart) == []
    shoot(page, "presenter_word_map")
    ctx.close()
