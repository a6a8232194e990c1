"""A replay slider that runs in the student's browser: every recorded frame is sent once, and moving the
slider only indexes them there.

Why: a Streamlit slider sends each press to the server, which reruns the script and sends the charts
back, and Streamlit's frontend then renders the rest of the page again. On the hello lesson that was
about twice a bare one-slider page (``bench/replay.py``). Here a press redraws the charts in place with
the Plotly that Streamlit's own chart element loads into the page (``window.Plotly``: the page must also
draw at least one ``st.plotly_chart``), and no rerun happens at all. That global is plotly.js's, not a
Streamlit API; Streamlit is pinned exactly, and the browser suite's replay test fails if it goes.

A *player* (``player``) holds the slider, and may hold metrics, charts, lines of text and a Numbers
table. A *follower* (``follower``) elsewhere on the page shows more metrics and lines for the frame its
group's player shows (the hello lesson's chain rule, a section below its unrolled network).

Everything shown is prepared in Python, one value per frame, and set in the browser as text
(``textContent``), never as HTML: a student's characters show as themselves. Chart labels are made safe
for Plotly by the caller (``ui.show.esc_label``), as for ``st.plotly_chart``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parents[1] / "assets"  # replay.js and replay.css


@cache
def _component():
    """The component, registered once per process (its JS and CSS are in assets/)."""
    return st.components.v2.component(
        "rnnlab_replay", js=(ASSETS / "replay.js").read_text(), css=(ASSETS / "replay.css").read_text(),
        isolate_styles=False,  # Plotly's own styles live in the page; a shadow root would hide them
    )


def figure_json(fig) -> dict:
    """A go.Figure as plain JSON data (numpy arrays become lists)."""
    return json.loads(fig.to_json())


def chart(name: str, frames: list[dict]) -> dict:
    """A chart's frames: ``frames[k]`` is ``{"traces": [changes to trace i, or None], "title": …}``, applied to
    the figure ``player`` gets for it (the figure differs in presenter mode; the frames don't)."""
    return {"name": name, "frames": frames}


def metric(label: str, values: list[str], help: str = "", helps: list[str] | None = None) -> dict:
    """A metric: one value per frame (already formatted), and a help text (one per frame if ``helps``)."""
    return {"label": label, "values": values, "help": help, **({"helps": helps} if helps else {})}


def line(values: list[str], lead: str = "", kind: str = "") -> dict:
    """A line of text per frame, after a bold ``lead``; ``kind`` is "caption", "formula" or ""."""
    return {"values": values, "lead": lead, "kind": kind}


def thin(n_frames: int, per_frame: int, budget: int) -> list[int]:
    """The frames to send: all of them, or every k-th (the last always) when they would hold more than
    ``budget`` numbers. The slider still only shows recorded frames, just fewer of them."""
    every = max(1, -(-n_frames * per_frame // budget))
    keep = list(range(0, n_frames, every))
    if keep[-1] != n_frames - 1:
        keep.append(n_frames - 1)
    return keep


def pack_player(*, label: str, frame_values: list[int], frame_labels: list[str], help: str = "",
                metrics: list[dict] = (), charts: list[dict] = (), lines: list[dict] = (),
                table: dict | None = None) -> bytes:
    """What a player shows at every frame, serialised once (a scene cache keeps it for the class); frame
    ``k`` is the recorded ``frame_values[k]`` (a training step).

    ``table`` (``label``, ``vocab``, ``rowLabels``, ``targets``) adds a Numbers table of the frame shown,
    one row per position, built in the browser from the first chart's traces 0 (P(next) as
    z[character][position]) and 1 (the hidden state as z[unit][position])."""
    return _pack(role="player", label=label, help=help, frames=len(frame_labels),
                 frameValues=[int(v) for v in frame_values], frameLabels=frame_labels, metrics=list(metrics),
                 charts=list(charts), lines=list(lines), table=table)


def pack_follower(*, n_frames: int, metrics: list[dict] = (), lines: list[dict] = ()) -> bytes:
    """What a follower shows at every frame, serialised once."""
    return _pack(role="follower", frames=n_frames, metrics=list(metrics), lines=list(lines), charts=[])


def _pack(**parts) -> bytes:
    return json.dumps(parts, separators=(",", ":"), allow_nan=False).encode()


def _mount(key: str, packed: bytes, own: dict) -> None:
    """Send ``own`` (this student's: the group, the first frame, presenter mode) as one JSON line, then the
    packed frames. The bytes go to the browser as they are: Streamlit neither serialises nor canonicalises
    them again at each rerun (it would for a dict: twice, 65 ms for a long record), and the browser reads
    the frames only when their ``sig`` changed."""
    _component()(data=json.dumps(own).encode() + b"\n" + packed, key=key)


def player(key: str, packed: bytes, *, group: str, sig: str, init: int, figures: list[dict],
           presenter: bool = False, url_key: str | None = None, url_default: int = 0) -> None:
    """The slider and what follows it (``packed`` by ``pack_player``); ``figures[i]`` (``figure_json``) is
    what chart ``i``'s frames change, as drawn for this student (presenter mode or not).

    ``sig`` names the frames: the same ``sig`` in a later rerun keeps the frame a student has chosen; new
    frames (a retrain) keep its value, or the last one before it. ``init`` is the frame shown first (from a
    link's value). With ``url_key``, the address bar follows the slider, ``?url_key=value``, left out at
    ``url_default`` (as a bound Streamlit widget does), so a shared link opens where the teacher was."""
    _mount(key, packed, dict(group=group, sig=f"{sig}:{int(presenter)}", init=int(init), figs=figures,
                             presenter=presenter, urlKey=url_key, urlDefault=int(url_default)))


def follower(key: str, packed: bytes, *, group: str, sig: str, init: int) -> None:
    """Metrics and lines (``packed`` by ``pack_follower``) that follow the player of ``group``."""
    _mount(key, packed, dict(group=group, sig=sig, init=int(init)))


def unpack(sent: bytes) -> dict:
    """What a mount sent, as the browser reads it (for tests and benches)."""
    own, _, packed = bytes(sent).partition(b"\n")
    return {**json.loads(packed), **json.loads(own)}
