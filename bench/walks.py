"""What a student does on each lesson page: the one registry the load bench, soak and nginx test share.

Keyed by the page's URL path (pages/2_Word_embeddings.py → "Word_embeddings"). Each entry is the
scripted walk on that page: first an ``open`` (key None), then widget changes by key. A key the page
doesn't have is skipped with a printed note, so a page that lands later, or renames a widget, never
breaks the bench: adjust its entry here once its keys are known.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Action:
    name: str  # interaction type in the report: "open_hello", "retrain", "scrub", …
    key: str | None = None  # widget key to set; None opens the page
    choose: Callable[[random.Random, Any], Any] | None = None  # (rng, last Run) → value
    retrains: bool = False  # expected to train a model (not held to the 2 s / 2× bare goal)


WALKS: dict[str, list[Action]] = {
    "Language_model": [
        Action("open_hello"),
        # A few hidden sizes only: the class shares them, so each trains once on the server.
        Action("retrain", "hidden", lambda rng, run: rng.choice([12, 16, 24]), retrains=True),
        # Scrubbing the replay sends nothing to the server (ui.replay runs it in the browser); what a
        # student asks of the server next is samples, at another temperature or from another step.
        Action("sample", "temp", lambda rng, run: rng.choice([0.0, 0.5, 1.0, 1.5])),
        Action("sample", "sample_step", lambda rng, run: rng.choice([0, 5, 10, 20])),
    ],
    "Word_embeddings": [
        Action("open_embeddings"),
        Action("neighbours", "query", lambda rng, run: rng.choice(["france", "king", "computer", "river"])),
        # man : king :: c : ?  (the page's a, b, c boxes); a student changes c
        Action("analogy", "an_c", lambda rng, run: rng.choice(["woman", "girl", "mother", "sister"])),
    ],
    "Encoder_decoder": [
        Action("open_encoder_decoder"),
        # The default task (dates); only its default model is used, so nothing retrains.
        Action("input", "x_dates", lambda rng, run: rng.choice(
            ["26 March 1999", "Nov 5, 2024", "7/4/21", "Monday, January 1, 2001"])),
        Action("interpolate", "alpha", lambda rng, run: rng.choice([0.0, 0.2, 0.5, 0.7, 1.0])),
        Action("beam", "beam", lambda rng, run: rng.randint(1, 8)),
        Action("force", "force_tok", lambda rng, run: rng.choice(list("0123456789-"))),
    ],
    # The default tab (Show and Tell); the captioner trains once with the default settings.
    # stclient can't switch the demo tabs (a tab container, not a widget element), so the walk stays here.
    "Further_applications": [
        Action("open_applications"),
        Action("compose", "cap_colour1", lambda rng, run: rng.choice(["red", "green", "blue", "yellow"])),
        Action("random_scene", "cap_random", lambda rng, run: True),  # a new picture seed too: rarely cached
        Action("beam_width", "cap_width", lambda rng, run: rng.randint(1, 6)),
        Action("picture_seed", "cap_pic", lambda rng, run: rng.randint(0, 20)),
    ],
    "Handwriting": [
        Action("open_handwriting"),
        Action("bias", "hw_bias", lambda rng, run: rng.choice([0.0, 0.5, 1.0, 2.0, 3.0])),
        Action("pen_point", "hw_point", lambda rng, run: rng.randint(1, 300)),
    ],
    "Sound": [
        Action("open_sound"),
        Action("style", "snd_style", lambda rng, run: rng.choice(["neutral", "happy", "sad", "angry"])),
        Action("cut", "snd_cut", lambda rng, run: rng.choice(range(5, 101, 5))),
        Action("material", "snd_material", lambda rng, run: rng.choice(["metal", "wood", "water", "leaves", "cloth"])),
        Action("frame", "snd_frame", lambda rng, run: rng.randint(0, 10)),
    ],
}

# The baseline: a bare one-slider page under the same load, same number of actions.
BARE_PAGE = '''import streamlit as st

x = st.slider("x", 0, 100, 50, key="x")
st.write("twice x is", 2 * x)
'''
BARE_WALK = [Action("bare_open")] + [Action("bare_slide", "x", lambda rng, run: rng.randint(0, 100))] * 4
