"""URL-bound widgets, each declared once as data: key, range or choices, default → link check + widget.

A page declares its settings as a table (like TensorFlow Playground's ``state.ts``)::

    HIDDEN = Int("hidden", 1, 64, default=8)
    CELL = Choice("cell", ("RNN", "GRU", "LSTM"), default="RNN")

and draws them with ``slider(HIDDEN, "Hidden size", where=col)``, ``select(CELL, "Cell", …)``. Every
widget is bound to the URL (``bind="query-params"``), so the address bar shares the scene. Before
a widget is drawn, the link's value is checked once per value: a number out of range is clamped, a
value the widget can't produce (``lm_steps=51`` on a slider stepping by 50, a choice that isn't
offered, a text over its limit) is refused, and the student is told which, with the link's text
escaped. A value a widget already holds that falls outside a range another setting just changed
is clamped silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from ui.show import esc

_CHECKED = "_url_checked_"  # session-state prefix: the raw link value already checked per key
_SAID = "_url_said_"  # session-state prefix: the last message about each key's link value
_NOTE = "_url_note_"  # session-state prefix: a message to show again in the rerun after a refusal


@dataclass(frozen=True)
class Int:
    key: str
    lo: int
    hi: int
    default: int
    step: int = 1

    def within(self, lo: int, hi: int) -> Int:
        """The same setting with a range that depends on another one (e.g. 0 … training steps)."""
        return replace(self, lo=lo, hi=hi, default=min(max(self.default, lo), hi))


@dataclass(frozen=True)
class Float:
    key: str
    lo: float
    hi: float
    default: float
    step: float = 0.1

    def within(self, lo: float, hi: float) -> Float:
        return replace(self, lo=lo, hi=hi, default=min(max(self.default, lo), hi))


@dataclass(frozen=True)
class Choice:
    key: str
    options: tuple
    default: Any

    def __post_init__(self):
        if self.default not in self.options:
            raise ValueError(f"{self.key}: default {self.default!r} is not an option")


@dataclass(frozen=True)
class Text:
    key: str
    default: str
    max_chars: int = 200


@dataclass(frozen=True)
class Flag:
    key: str
    default: bool


Param = Int | Float | Choice | Text | Flag


def _new_link_value(key: str) -> str | None:
    """The URL's raw value for ``key`` if this session hasn't checked that value yet, else None."""
    raw = st.query_params.get(key)
    flag = _CHECKED + key
    if raw is None or st.session_state.get(flag) == raw:
        return None
    st.session_state[flag] = raw
    return raw


def _said(key: str, raw: str) -> str:
    return f"The link's {esc(key)}={esc(raw[:40])}{'…' if len(raw) > 40 else ''}"


def _on_grid(value: float, p: Int | Float) -> bool:
    k = (value - p.lo) / p.step
    return math.isclose(k, round(k), abs_tol=1e-6)


def _said_keys() -> list[str]:
    """The widget keys this run has said something about (their ``_SAID`` entries in session state)."""
    return [str(k)[len(_SAID):] for k in st.session_state if str(k).startswith(_SAID)]


def new_run() -> None:
    """Forget what earlier runs said about links (ui.shell.setup_page calls this as a page starts)."""
    for key in _said_keys():
        del st.session_state[_SAID + key]


def _say(key: str, kind: str, text: str) -> None:
    """Show a message about a link's value (``kind``: "info" or "warning") and remember it for a rerun."""
    getattr(st, kind)(text)
    st.session_state[_SAID + key] = (kind, text)


def check(p: Param, whole=None) -> None:
    """Check a link's value for ``p`` before its widget is drawn (see the module docstring).

    ``whole`` is how the widget turns a link's fraction into a whole number (``int`` for a slider,
    which cuts it off; rounding half up for a number box), so the message names the number the page uses.
    """
    note = st.session_state.pop(_NOTE + p.key, None)  # said in the run that refused a value, before its rerun
    if note:
        getattr(st, note[0])(note[1])
    raw = _new_link_value(p.key)
    if raw is None:
        return
    if isinstance(p, (Int, Float)):
        try:
            value = float(raw)
            if not math.isfinite(value) and not math.isinf(value):
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            _say(p.key, "warning", f"{_said(p.key, raw)} is not a usable number, so the default is used.")
            st.session_state[p.key] = p.default
            return
        clamped = min(max(value, p.lo), p.hi)
        if clamped != value:
            _say(p.key, "info", f"{_said(p.key, raw)} is outside {p.lo}–{p.hi}, so {clamped:g} is used.")
            st.session_state[p.key] = type(p.default)(clamped)
        elif isinstance(p, Int) and whole and value != int(value) and _on_grid(whole(value), p):
            _say(p.key, "info", f"{_said(p.key, raw)} is not a whole number, so {whole(value)} is used.")
        elif not _on_grid(value, p):
            st.session_state[p.key] = p.default
            del st.query_params[p.key]  # a bound widget takes the link's value over session state
            # Streamlit has already put the link's value in the slider for this run: run again, so the
            # slider shows the default the page uses. What this run said about the link is said again there.
            for key in _said_keys():
                st.session_state[_NOTE + key] = st.session_state.pop(_SAID + key)
            st.session_state[_NOTE + p.key] = (
                "warning", f"{_said(p.key, raw)} is not a value this slider offers (from {p.lo} to {p.hi} in steps "
                f"of {p.step}), so the default {p.default} is used.")
            st.rerun()
    elif isinstance(p, Choice):
        if raw not in [str(o) for o in p.options]:
            shown = ", ".join(esc(str(o)) for o in p.options)
            _say(p.key, "warning", f"{_said(p.key, raw)} is not one of {shown}; the default is used.")
    elif isinstance(p, Text):
        if len(raw) > p.max_chars:
            # Streamlit's text box cuts a longer value to max_chars, so that cut is what the page uses
            _say(p.key, "warning", f"The link's {esc(p.key)} has {len(raw):,} characters; this box takes at most "
                 f"{p.max_chars:,}, so only its first {p.max_chars:,} are used.")
    elif isinstance(p, Flag):
        if raw.lower() not in ("true", "false"):
            _say(p.key, "warning", f"{_said(p.key, raw)} is not true or false; the default is used.")


def _keep_in_range(p: Int | Float) -> None:
    """A value already held that another setting's change put out of range: clamp it quietly."""
    held = st.session_state.get(p.key)
    if isinstance(held, (int, float)) and not (p.lo <= held <= p.hi):
        st.session_state[p.key] = type(p.default)(min(max(held, p.lo), p.hi))


def slider(p: Int | Float, label: str, where: Any = None, **kwargs) -> int | float:
    """A URL-bound slider over ``p``'s range and step."""
    check(p, whole=int)  # Streamlit's slider takes a link's 3.5 as 3
    _keep_in_range(p)
    value = (where or st).slider(label, p.lo, p.hi, p.default, p.step, key=p.key, bind="query-params", **kwargs)
    if not _on_grid(value, p):  # Streamlit seeds a bound slider from the page's first URL even after check()
        return p.default
    return int(value) if isinstance(p, Int) else float(value)


def link_value(p: Int) -> int:
    """The link's value of a setting the browser holds (ui.replay's slider), checked as ``slider`` checks
    its link: a fraction is cut, a number out of range clamped, anything else refused with a message."""
    check(p, whole=int)
    raw = st.query_params.get(p.key)
    try:
        value = float(raw) if raw is not None else p.default
    except (TypeError, ValueError):
        return p.default
    if not math.isfinite(value) and not math.isinf(value):
        return p.default
    value = int(min(max(value, p.lo), p.hi))
    return value if _on_grid(value, p) else p.default


def _half_up(value: float) -> int:
    """The whole number a box formatted "%.0f" shows for ``value`` (2.5 shows as 3; Python's round gives 2)."""
    return int(math.floor(value + 0.5))


def number(p: Int, label: str, where: Any = None, **kwargs) -> int:
    """A URL-bound whole-number box, safe against any link.

    Streamlit's bound integer ``number_input`` raises inside Streamlit for ``?seed=inf`` or ``1e309``
    (an OverflowError before page code can react). A float box shown without decimals takes those
    values, and ``check`` clamps them with a message. The one workaround for that bug.
    """
    check(p, whole=_half_up)  # the box keeps 2.5, shows 3, and this function takes 3 too
    _keep_in_range(p)
    if isinstance(st.session_state.get(p.key), int):
        st.session_state[p.key] = float(st.session_state[p.key])  # set by a button or by check()
    value = (where or st).number_input(label, float(p.lo), float(p.hi), float(p.default), float(p.step),
                                       format="%.0f", key=p.key, bind="query-params", **kwargs)
    return _half_up(value)


def select(p: Choice, label: str, where: Any = None, widget: str = "selectbox", **kwargs) -> Any:
    """A URL-bound choice: ``widget`` is "selectbox", "select_slider", "radio" or "segmented_control"."""
    check(p)
    where = where or st
    options = list(p.options)
    if widget == "select_slider":
        return where.select_slider(label, options, value=p.default, key=p.key, bind="query-params", **kwargs)
    draw = getattr(where, widget)
    if widget == "segmented_control":
        return draw(label, options, default=p.default, key=p.key, bind="query-params", **kwargs)
    return draw(label, options, index=options.index(p.default), key=p.key, bind="query-params", **kwargs)


def text(p: Text, label: str, where: Any = None, area: bool = False, **kwargs) -> str:
    """A URL-bound text box with ``p.max_chars``."""
    check(p)
    draw = (where or st).text_area if area else (where or st).text_input
    return draw(label, value=p.default, key=p.key, bind="query-params", max_chars=p.max_chars, **kwargs) or ""


def toggle(p: Flag, label: str, where: Any = None, **kwargs) -> bool:
    """A URL-bound on/off switch."""
    check(p)
    return bool((where or st).toggle(label, value=p.default, key=p.key, bind="query-params", **kwargs))
