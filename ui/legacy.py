"""Transitional: the old page helpers, kept only until each lesson moves to ui.params/ui.train/ui.show.

Nothing new may use this module; it is deleted when the last page stops importing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function

from ui.show import esc, numbers, show_code  # noqa: F401  (re-exported for the old pages)
from ui.shell import setup_page  # noqa: F401


def show_chart(fig, key: str | None = None) -> None:
    from ui.show import for_projector, presenter

    st.plotly_chart(for_projector(fig) if presenter() else fig, key=key, config={"displaylogo": False})


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
        st.warning(f"The link's {esc(key)}={esc(raw[:40])} is not a usable number, so the default is used.")
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


