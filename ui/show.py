"""Showing things: a chart with its lazy Numbers table, the code that ran, and text made inert.

``esc`` (Markdown), ``esc_latex`` (inside ``\\text{…}``) and ``esc_label`` (Plotly labels) are the one
place where text that came from a student or a link is made safe to show: no links, images,
emphasis, colours or formulas can be injected through it, and special characters show as themselves.
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import streamlit as st

_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'/@])")
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
}


def esc(text: Any) -> str:
    """Text for Markdown (st.markdown, st.error, st.caption …) that renders as exactly these characters.

    Every Markdown, HTML, Streamlit (``:red[…]``, ``:material/…:``) and LaTeX (``$``) special is
    backslash-escaped, which also breaks web addresses that would otherwise become links. Newlines
    become spaces, so a value can't start a new block (a heading, a list, a quote).
    """
    return _MD_SPECIALS.sub(r"\\\1", str(text).replace("\r", " ").replace("\n", " "))


def esc_latex(text: Any) -> str:
    """Text for inside a LaTeX ``\\text{…}``: every special shown as its character."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in str(text))


def esc_label(text: Any) -> str:
    """Text for a Plotly label (legend, tick, hover, annotation): its HTML-like tags shown as characters."""
    return html.escape(str(text), quote=False)


def presenter() -> bool:
    return bool(st.session_state.get("presenter"))


PRESENTER_FONT = 20  # px: chart text on a projector, tick labels included
_FONT_KEYS = ("tickfont", "title_font")


def for_projector(fig):
    """A copy of ``fig`` with every text large enough for a projector (the shared original is unchanged)."""
    import plotly.graph_objects as go

    fig = go.Figure(fig)
    size = PRESENTER_FONT
    # a row per listed tick (a character, a beam rank) needs room for a label of the larger size
    rows = max([len(ax.tickvals) for ax in fig.select_yaxes() if ax.tickvals is not None] or [0])
    height = max(int((fig.layout.height or 360) * 1.3), int(rows * 1.4 * size) + 140)
    fig.update_layout(font_size=size, height=height,
                      legend_font_size=size, hoverlabel_font_size=size)
    # larger labels than the margins were set for: let Plotly widen them (automargin) again
    fig.update_xaxes(tickfont_size=size, title_font_size=size, automargin=True)
    fig.update_yaxes(tickfont_size=size, title_font_size=size, automargin=True)
    fig.update_annotations(font_size=size)
    return fig


def show(fig, key: str, table: Any = None, label: str | None = None) -> None:
    """Draw a Plotly figure and, below it, its Numbers table (built only while a student has it open).

    ``table`` is a DataFrame, or a function returning one (or several) so nothing is computed while
    the expander is closed. Figures may come from a shared cache: presenter mode changes a copy.
    """
    st.plotly_chart(for_projector(fig) if presenter() else fig, key=key, config={"displaylogo": False})
    if table is not None:
        with numbers(label or "Numbers behind this chart", key=f"num_{key}") as shown:
            if shown:
                frames = table() if callable(table) else table
                for frame in frames if isinstance(frames, (list, tuple)) else [frames]:
                    st.dataframe(frame, hide_index=True)


@contextmanager
def numbers(label: str, key: str, expanded: bool = False) -> Iterator[bool]:
    """An expander whose content runs only while a student has it open.

    ``with numbers("Numbers: …", key="num_probs") as shown: if shown: st.dataframe(…)``. A plain
    expander builds and sends its tables on every rerun even when nobody looks. Opening or closing
    it reruns the page. Tests open one by setting ``session_state[key] = True`` before the run.
    """
    with st.expander(label, expanded=expanded, key=key, on_change="rerun") as box:
        yield bool(box.open)


@cache
def _source(obj: Callable) -> str:
    return inspect.getsource(obj)


def show_code(*objects: Callable, label: str = "Show the code", key: str | None = None) -> None:
    """An expander printing the real source of core functions, so students read what ran."""
    key = key or "code_" + "_".join(getattr(o, "__name__", "obj") for o in objects)
    with numbers(label, key=key) as shown:
        if shown:
            for obj in objects:
                st.code(_source(obj), language="python")
