"""RNN Lab: the entry point, the home page, and the set-up every lesson page shares.

Multipage design: lessons live in ``pages/`` and Streamlit discovers them itself (its original
"pages/" mode). We never call ``st.navigation``: while a ``pages/`` folder exists, a freshly
started server serves every deep link (``/Language_model``) in pages/ mode until some session
runs ``st.navigation``, so mixing the two would give the first student after a restart a
different app. Instead each page calls ``setup_page()`` from here, which makes every entry point,
home page or deep link, run the same shared set-up.

Pages import this module (``from app import setup_page``); the home page itself only renders when
Streamlit runs this file as ``__main__``.
"""

from __future__ import annotations

import gc
import inspect
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function

APP_TITLE = "RNN Lab"

# The lecture's parts, each mapped to the lesson page that makes it live.
LESSONS = [
    {
        "page": "pages/1_Language_model.py",
        "title": "Language modelling: “hello”",
        "part": "Language modelling (seq-to-seq, type I)",
        "what": "Feed h, e, l, l one-hot into an RNN and watch training push the right next letter up.",
        "icon": ":material/text_fields:",
    },
    {
        "page": "pages/2_Word_embeddings.py",
        "title": "Word embeddings and “bank”",
        "part": "Word embeddings",
        "what": "Real GloVe vectors (400,000 words) and word2vec trained here: neighbours, analogies, "
        "projections, and why one static vector per word can't tell the two meanings of “bank” apart.",
        "icon": ":material/scatter_plot:",
    },
    {
        "page": "pages/3_Encoder_decoder.py",
        "title": "Encoder–decoder: context C",
        "part": "Encoder–decoder architectures (seq-to-seq, type II)",
        "what": "Translate dates and numbers with a GRU encoder–decoder: see C, move it, decode it, "
        "compare greedy and beam search, and meet the bottleneck that attention removes.",
        "icon": ":material/swap_horiz:",
    },
    {
        "page": "pages/4_Further_applications.py",
        "title": "Further applications",
        "part": "More application examples",
        "what": "Show and Tell captioning, Graves-style text generation and classification over time, "
        "each as encoder → C → decoder, trained live.",
        "icon": ":material/extension:",
    },
]


def _freeze_heavy_imports() -> None:
    """Move objects that exist after the heavy imports into the GC's permanent generation.

    With torch, gensim and plotly loaded, a full ``gc.collect()`` walks millions of objects while
    holding the GIL for every session (~700 ms here). Frozen objects are skipped by Python's own
    full collections (and by Streamlit's post-run one, if ``runner.postScriptGC`` is switched back
    on). Runs again only when a page has imported new modules.
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
        st.page_link(lesson["page"], label=lesson["title"], icon=lesson.get("icon", ":material/play_arrow:"))


def setup_page(title: str, icon: str = ":material/replay:") -> None:
    """Shared set-up every page runs first: page config, presenter switch, GC freeze."""
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon=icon, layout="wide")
    with st.sidebar:
        _navigation()
        st.divider()
        st.toggle(
            "Presenter mode",
            key="presenter",
            help="Larger text in charts and on the page, for a projector.",
        )
    if st.session_state.get("presenter"):
        st.html("<style>html, body, [class*='st-'] { font-size: 1.15rem; }</style>")
    _freeze_heavy_imports()


def show_chart(fig, key: str | None = None) -> None:
    """Draw a Plotly figure; presenter mode enlarges its text (on a copy: ``fig`` is never changed)."""
    if st.session_state.get("presenter"):
        import plotly.graph_objects as go

        fig = go.Figure(fig)  # figures may come from a shared cache: change a copy, never the original
        size = (fig.layout.font.size or 13) * 1.5
        fig.update_layout(font_size=size, height=int((fig.layout.height or 360) * 1.25))
        fig.update_annotations(font_size=size)
    st.plotly_chart(fig, key=key, config={"displaylogo": False})


def progress_callback(label: str, after_s: float = 0.3) -> tuple[Callable[[int, int], None], Any]:
    """An ``on_step(step, total)`` for core training loops, drawn as an ``st.progress`` bar.

    The bar appears only once the work has taken ``after_s`` seconds, so quick runs don't flash.
    Its updates are marked as not belonging to any cached function: a cache hit must never replay
    another run's progress bar. Returns (callback, slot); call ``slot.empty()`` when done.
    """
    slot = st.empty()
    t0 = time.perf_counter()

    def on_step(step: int, total: int) -> None:
        if time.perf_counter() - t0 < after_s:
            return
        token = in_cached_function.set(False)
        try:
            frac = min(max(step / max(total, 1), 0.0), 1.0)
            slot.progress(frac, text=f"{label} — {step:,} / {total:,}")
        finally:
            in_cached_function.reset(token)

    return on_step, slot


def _first_look_at_url(key: str) -> str | None:
    """The URL's raw value for ``key`` when this session hasn't checked that value yet; else None.

    Checked again whenever the value changes (another link in the same tab, or a page opened with
    a query string left over from elsewhere), not only on the first visit.
    """
    raw = st.query_params.get(key)
    flag = f"_url_checked_{key}"
    if raw is None or st.session_state.get(flag) == raw:
        return None
    st.session_state[flag] = raw
    return raw


def url_number(key: str, lo: float, hi: float, cast: type = int) -> None:
    """Check a number a shared link sets for a bound widget; clamp it into [lo, hi] and say so.

    Streamlit silently drops a bound query value it can't use, which would leave a teacher
    wondering why the link opened a different scene. Runs once per session, before the widget.
    """
    raw = _first_look_at_url(key)
    if raw is None:
        return
    try:
        value = cast(float(raw)) if cast is int else cast(raw)
        if value != value:  # NaN
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        st.warning(f"The link's `{key}={raw[:40]}` is not a usable number, so the default is used.")
        return
    clamped = min(max(value, lo), hi)
    if clamped != value or (cast is int and float(raw) != value):
        st.info(f"The link asked for `{key}={raw[:40]}`; the allowed range is {lo}–{hi}, so {clamped} is used.")
        st.session_state[key] = clamped  # only then: a usable value is the bound widget's own business


def int_input(container, label: str, lo: int, hi: int, value: int, key: str, **kwargs) -> int:
    """A whole-number box whose value lives in the URL, safe against any link.

    Streamlit 1.67's bound integer ``number_input`` raises inside Streamlit for ``?seed=inf`` or
    ``?seed=1e309`` (an OverflowError before any page code can react). A float box shown without
    decimals accepts those values, and ``url_number`` clamps them with a message.
    """
    url_number(key, lo, hi)
    if isinstance(st.session_state.get(key), int):
        st.session_state[key] = float(st.session_state[key])  # e.g. set by a "random" button
    raw = container.number_input(
        label, float(lo), float(hi), float(value), 1.0, format="%.0f", key=key, bind="query-params", **kwargs
    )
    return int(round(raw))


def url_choice(key: str, options: list) -> None:
    """Like ``url_number`` for a fixed set of choices: explain a value that isn't one of them."""
    raw = _first_look_at_url(key)
    if raw is not None and raw not in [str(o) for o in options]:
        shown = ", ".join(str(o) for o in options)
        st.warning(f"The link's `{key}={raw[:40]}` is not one of {shown}; the default is used.")


def url_text(key: str, max_chars: int) -> None:
    """A link whose text is longer than its box allows is dropped by Streamlit: say so instead."""
    raw = _first_look_at_url(key)
    if raw is not None and len(raw) > max_chars:
        st.warning(
            f"The link's `{key}` has {len(raw):,} characters; this box takes at most {max_chars}, "
            "so the default is used."
        )


_ONCE: dict[tuple, Callable] = {}


def once(cache_decorator: Callable) -> Callable:
    """``@once(st.cache_resource(max_entries=8))``: a page's cached function, decorated once per process.

    Streamlit re-executes a page on every rerun, so its ``@st.cache_*`` functions are decorated anew
    each time, and every decoration hashes the function's source (inspect + tokenize): ~1 ms per
    function, 16 ms of every rerun on the embeddings page. The cache behind it is the same either
    way; this keeps the first wrapper. Its function then reads the page's module-level names from
    the first run, which are the same objects (modules, constants, other ``once`` functions).
    """

    def wrap(func: Callable) -> Callable:
        key = (func.__code__.co_filename, func.__code__.co_firstlineno, func.__qualname__)
        if key not in _ONCE:
            _ONCE[key] = cache_decorator(func)
        return _ONCE[key]

    return wrap


@contextmanager
def numbers(label: str, key: str, expanded: bool = False) -> Iterator[bool]:
    """An expander whose content runs only while a student has it open.

    ``with numbers("Numbers: …", key="num_probs") as shown: if shown: st.dataframe(…)``. A plain
    expander builds and sends its tables on every rerun even when nobody looks; on a class server
    that was a third of a rerun. Opening or closing it reruns the page (``on_change="rerun"``).
    Tests open one by setting ``session_state[key] = True`` before the run.
    """
    with st.expander(label, expanded=expanded, key=key, on_change="rerun") as box:
        yield bool(box.open)


@cache
def _source(obj: Any) -> str:
    return inspect.getsource(obj)


def show_code(*objects: Any, label: str = "Show the code", key: str | None = None) -> None:
    """An expander printing the real source of core functions, so students read what ran."""
    key = key or "code_" + "_".join(getattr(o, "__name__", "obj") for o in objects)
    with numbers(label, key=key) as shown:
        if shown:
            for obj in objects:
                st.code(_source(obj), language="python")


def home() -> None:
    setup_page("Home", icon=":material/home:")
    st.title("RNN Lab — Applications of RNNs, live")
    st.markdown(
        "Every lesson here is an experiment that **trains live on this machine**, on real data, "
        "with sliders for *what if?*. Each one follows a part of the lecture *Applications of RNNs*."
    )
    st.subheader("The lecture, lesson by lesson")
    for lesson in LESSONS:
        with st.container(border=True):
            st.page_link(lesson["page"], label=lesson["title"], icon=lesson.get("icon", ":material/play_arrow:"))
            st.caption(f"Lecture part: {lesson['part']}")
            st.write(lesson["what"])
    st.subheader("Learning goals")
    st.markdown(
        "- Understand application to **language modelling**\n"
        "- Get to know **encoder–decoder** architectures\n"
        "- Learn about **further RNN applications**"
    )
    st.caption("Each page's settings live in its URL: copy the address bar to share a scene with the class.")


if __name__ == "__main__":
    # Streamlit re-executes this file for every home-page run. Calling home() through the imported
    # module keeps its once-per-process state (the GC freeze's module count); a re-executed copy
    # would lose it and freeze, and so pin, every run's objects.
    import app

    app.home()
