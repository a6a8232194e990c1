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


# ---- Cheap building blocks ------------------------------------------------------------------------
# Plotly validates every property it is handed; helpers like make_subplots, add_vline and
# update_layout(xaxis_title=…) validate the same things many times over (50–100 ms per figure
# here). Figures are therefore built as one go.Figure(data=[…], layout={…}) from these dicts.


def vline(x: float, **line) -> dict:
    """A vertical line across the whole plot at data coordinate x (like add_vline)."""
    return dict(type="line", xref="x", x0=x, x1=x, yref="paper", y0=0, y1=1, line=line)


def hline(y: float, xref: str = "paper", yref: str = "y", **line) -> dict:
    """A horizontal line across the whole plot at data coordinate y (like add_hline)."""
    return dict(type="line", xref=xref, x0=0, x1=1, yref=yref, y0=y, y1=y, line=line)


def axis_title(text: str, **axis) -> dict:
    """An axis dict with a title: axis_title("step", range=[0, 1])."""
    return dict(title=dict(text=text), **axis)


def stacked_domains(weights: list[float], spacing: float) -> list[list[float]]:
    """Paper-coordinate [start, end] for boxes stacked with gaps, the first at the top / left.

    Used for rows (read top-down: reverse the result's order in y) and columns, as make_subplots
    would place them.
    """
    free = 1.0 - spacing * (len(weights) - 1)
    total = float(sum(weights))
    out, pos = [], 0.0
    for w in weights:
        size = free * w / total
        out.append([pos, min(pos + size, 1.0)])
        pos += size + spacing
    return out


def subplot_title(text: str, x: float, y: float, size: int = 16) -> dict:
    """A subplot title centred at paper (x, y), sitting on top of its box (as make_subplots draws)."""
    return dict(text=text, x=x, y=y, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                showarrow=False, font=dict(size=size))
