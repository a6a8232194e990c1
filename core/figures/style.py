"""Shared look of every chart: a colour-blind-safe palette (Okabe–Ito) and readable defaults."""

from __future__ import annotations

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TARGET = "#0072B2"  # the correct next letter; always paired with an outline and a label
OUTLINE = "#000000"
NEUTRAL = "#BBBBBB"

def base_layout(title: str = "", height: int = 360, **extra) -> dict:
    """Layout keywords every figure starts from."""
    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=60 if title else 40, b=10),
        font=dict(size=13),
        colorway=PALETTE,
        template="plotly_white",
    )
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=16))
    layout.update(extra)
    return layout


def char_label(ch: str) -> str:
    """Make whitespace visible on an axis: ' ' -> '␣', newline -> '⏎'."""
    return ch.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥")
