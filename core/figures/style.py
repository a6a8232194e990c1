"""Shared look of every chart: a colour-blind-safe palette (Okabe–Ito) and readable defaults."""

from __future__ import annotations

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TARGET = "#0072B2"  # the correct next letter; always paired with an outline and a label
OUTLINE = "#000000"
NEUTRAL = "#BBBBBB"
GRID = "#EBF0F8"


def light_template() -> dict:
    """Plotly's "plotly_white" look, reduced to what our charts use.

    Naming the built-in template costs ~15 ms per figure (Plotly copies and validates all of it),
    which on a shared class server is most of a rerun; this one costs ~1 ms. Streamlit's chart
    theme is merged into the template's layout in the browser, so it must have one.
    """
    axis = dict(gridcolor=GRID, linecolor=GRID, zerolinecolor=GRID, zerolinewidth=2, ticks="",
                automargin=True, title=dict(standoff=15))
    return dict(layout=dict(plot_bgcolor="white", paper_bgcolor="white", hovermode="closest",
                            xaxis=axis, yaxis=axis))

def base_layout(title: str = "", height: int = 360, **extra) -> dict:
    """Layout keywords every figure starts from."""
    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=60 if title else 40, b=10),
        font=dict(size=13),
        colorway=PALETTE,
        template=light_template(),
    )
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=16))
    layout.update(extra)
    return layout


def char_label(ch: str) -> str:
    """Make whitespace visible on an axis: ' ' -> '␣', newline -> '⏎'."""
    return ch.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥")
