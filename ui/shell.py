"""Every page's frame: page config, the sidebar's lesson links, presenter mode, and the warm-up.

Lessons live in ``pages/`` and Streamlit discovers them itself (its original "pages/" mode). We never
call ``st.navigation``: while a ``pages/`` folder exists, a freshly started server serves every deep
link in pages/ mode until some session runs ``st.navigation``, so mixing the two would give the first
student after a restart a different app. Each page calls ``setup_page()`` first instead.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui import params
from ui.train import page_run_started, start_warm_up, warm_up_status

APP_TITLE = "RNN Lab"

# The lecture's parts, in lecture order, each mapped to the page that makes it live. ``lesson`` is the
# lesson's one name: ui/<lesson>.py holds its scenes (and its warm-up), core/<lesson>/ its maths.
LESSONS = [
    {
        "lesson": "hello",
        "page": "pages/1_Language_model.py",
        "title": "Language modelling: “hello”",
        "part": "Language modelling (seq-to-seq, type I)",
        "what": "Feed h, e, l, l one-hot into an RNN and watch training push the right next letter up.",
        "icon": ":material/text_fields:",
    },
    {
        "lesson": "embeddings",
        "page": "pages/2_Word_embeddings.py",
        "title": "Word embeddings and “bank”",
        "part": "Word embeddings",
        "what": "Real GloVe vectors (400,000 words) and word2vec trained here: neighbours, analogies, "
        "projections, and why one static vector per word can't tell the two meanings of “bank” apart.",
        "icon": ":material/scatter_plot:",
    },
    {
        "lesson": "seq2seq",
        "page": "pages/3_Encoder_decoder.py",
        "title": "Encoder–decoder: context C",
        "part": "Encoder–decoder architectures (seq-to-seq, type II)",
        "what": "Translate dates and numbers with a GRU encoder–decoder: see C, move it, decode it, "
        "compare greedy and beam search, and meet the bottleneck that attention removes.",
        "icon": ":material/swap_horiz:",
    },
    {
        "lesson": "applications",
        "page": "pages/4_Further_applications.py",
        "title": "Further applications",
        "part": "More application examples",
        "what": "Show and Tell captioning and Graves-style text generation, trained live, and a map of "
        "how each of the lecture's applications uses an RNN.",
        "icon": ":material/extension:",
    },
    {
        "lesson": "handwriting",
        "page": "pages/5_Handwriting.py",
        "title": "Handwriting: Graves’ pen",
        "part": "More application examples (sequence generation)",
        "what": "Graves' handwriting networks trained live: type a line and watch an LSTM with a mixture "
        "density output and a soft window write it in pen strokes, neat or messy with the sampling bias.",
        "icon": ":material/draw:",
    },
    {
        "lesson": "sound",
        "page": "pages/6_Sound.py",
        "title": "Hear it: emotion and sounds",
        "part": "More application examples",
        "what": "Emotion from (synthesised, acted) speech read frame by frame by a CNN + LSTM, and the sound "
        "of a drumstick predicted from silent video, heard three ways.",
        "icon": ":material/graphic_eq:",
    },
]

PRESENTER_CSS = """<style>
html { font-size: 20px; }  /* every rem grows, so headings stay larger than the text */
section[data-testid="stSidebar"] { min-width: 17.5rem; max-width: 17.5rem; }  /* lesson titles fit */
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2.5rem 1.5rem 4rem 1.5rem; }
h1 { font-size: 2.3rem !important; }  /* a title on two lines at most, still the largest text */
</style>"""


def _freeze_heavy_imports() -> None:
    """Move the objects that exist after the heavy imports into the GC's permanent generation.

    Python's full collections then skip torch's, gensim's and plotly's millions of objects (see the
    README's performance section). Runs again only when a page has imported new modules.
    """
    n_modules = len(sys.modules)
    if n_modules > getattr(_freeze_heavy_imports, "seen", 0):
        gc.collect()
        gc.freeze()
        _freeze_heavy_imports.seen = n_modules


def _navigation() -> None:
    """Our own sidebar links (Streamlit's are off in config.toml): lesson titles, not file names."""
    try:
        st.page_link("app.py", label="Home: the lecture map", icon=":material/home:")
    except StreamlitAPIException:
        return  # a page run on its own (`streamlit run pages/x.py`) has no app to link to
    for lesson in LESSONS:
        st.page_link(lesson["page"], label=lesson["title"], icon=lesson["icon"])


def _presenter_switch() -> None:
    """Presenter mode stays on for the session across pages; ``?presenter=true`` in a link turns it on."""
    if st.query_params.get("presenter", "").lower() in ("1", "true", "on"):
        st.session_state["_presenter_on"] = True
    st.session_state["presenter"] = st.session_state.get("_presenter_on", False)

    def remember() -> None:
        st.session_state["_presenter_on"] = st.session_state["presenter"]

    st.toggle("Presenter mode", key="presenter", on_change=remember,
              help="Larger text on the page and in every chart, for a projector at 1280×720.")


def warm_up_steps(only: str = "") -> list:
    """Each lesson's ``warm()`` (prepares its default scene), in lecture order; ``only``: "hello,seq2seq"."""
    steps = []
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    for lesson in LESSONS:
        if wanted and lesson["lesson"] not in wanted:
            continue
        name = f"ui.{lesson['lesson']}"
        if importlib.util.find_spec(name) is None:
            continue

        def step(name: str = name) -> None:
            module = importlib.import_module(name)
            if hasattr(module, "warm"):
                module.warm()

        steps.append((lesson["title"], step))
    return steps


def _warm_up_note() -> None:
    """Start the warm-up once per server (RNNLAB_WARMUP: 0 = off, unset = every lesson, or a list)."""
    setting = os.environ.get("RNNLAB_WARMUP", "1")
    if setting == "0":
        return
    start_warm_up(warm_up_steps("" if setting == "1" else setting))
    status = warm_up_status()
    if not status["finished"]:
        now = f" Now: {status['current']}." if status["current"] else ""
        total = len(status["done"]) + len(status["failed"]) + len(status["waiting"]) + bool(status["current"])
        st.caption(f"Preparing the lessons' default scenes: {len(status['done'])} of {total} ready.{now}")


# The browser tab's icon, an SVG the app ships: Streamlit puts it in the page as a data: URI. A Material or
# emoji page icon would make every student's browser ask fonts.gstatic.com or a CDN for it, on every page
# view and again whenever a replay slider updates the address bar; offline, in a hall, that request fails.
FAVICON_SVG = (Path(__file__).resolve().parents[1] / "assets" / "favicon.svg").read_text(encoding="utf-8")


def setup_page(title: str) -> None:
    """What every page runs first: page config, the sidebar (lessons, presenter mode), warm-up, GC freeze."""
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon=FAVICON_SVG, layout="wide")
    page_run_started()
    params.new_run()
    with st.sidebar:
        _navigation()
        st.divider()
        _presenter_switch()
        _warm_up_note()
    if st.session_state.get("presenter"):
        st.html(PRESENTER_CSS)
    _freeze_heavy_imports()
