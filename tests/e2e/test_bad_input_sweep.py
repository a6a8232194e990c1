"""Bad input everywhere: every text box, URL number/choice and upload on every page, fed junk.

Pages and their widgets are discovered from a default AppTest run of each file in pages/, so a
new lesson is swept without touching this file. Parts of a page that only a choice opens (your
own vector file, a tab, "upload my own text") are listed in HIDDEN_VIEWS as the link that opens
them; a check fails if a page has a text box or uploader that neither view shows. Every case must
end without an exception box, and every input that can't be used must be answered with a visible
st.error / st.warning / st.info. Uploads also carry a pickle whose unpickling would create a
canary file: it must never appear.
"""

from __future__ import annotations

import ast
import io
import math
import pickle
import random

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import PAGES, open_page

CASES_RUN: dict[str, int] = {}
SWEEP_TIMEOUT_S = 900

# Text a student might paste. (name, value, must be answered with a message)
TEXTS = [
    ("empty", "", True),
    ("100k chars", ("hello world, " * 8000)[:100_000], True),
    ("emoji", "h😀llo 👍🏽🚀", False),
    ("right-to-left", "مرحبا بالعالم שלום", False),
    ("control chars", "he\x00l\x1b[31ml\u200bo\ufeff\r\n\t\x7f", False),
]

# Raw URL values for a numeric widget; validity is decided against the widget's own range.
URL_NUMBERS = ["below", "above", "abc", "nan", "inf", "1e309", "1.5", "9" * 400, "", "-0"]
URL_CHOICES = ["not-an-option", "", "😀", "1e309"]

# The link that opens each part of a page the default view hides, where its inputs are used.
HIDDEN_VIEWS = {
    "2_Word_embeddings": [{"source": "file"}, {"source": "word2vec", "w2v_corpus": "text"}],
    "4_Further_applications": [
        {"demo": "Generating text"},
        {"demo": "Generating text", "gen_source": "Upload my own text"},
    ],
    "6_Sound": [{"snd_sentence": "Type my own…"}],
}
INPUT_KINDS = ("text_input", "text_area", "file_uploader")
# Link parameters with no Streamlit widget behind them (a slider that runs in the browser, ui.replay):
# page → (key, lowest, highest whole number the default scene takes).
LINK_ONLY = {"1_Language_model": [("step", 0, 20)]}
# Inputs the sweep leaves out, and why (each answers bad input with st.error/st.info in the page).
NOT_SWEPT: dict[str, str] = {}


class Canary:
    """Unpickling this creates a file: proof that a page unpickled a user's upload."""

    path = ""

    def __reduce__(self):
        return (open, (self.path, "w"))


def page_id(path) -> str:
    return path.stem


def fresh(page, query: dict | None = None) -> AppTest:
    """The page as the server runs it (through app.py), optionally opened from a link."""
    # A link value clamped to a range end can ask for the largest model a page offers (handwriting:
    # 192 units, 600 steps), which trains for minutes on a shared CPU: allow it, with a bound.
    return open_page(page.name, query, timeout=SWEEP_TIMEOUT_S).run()


def submit(at: AppTest) -> AppTest:
    """Press the submit button of every form (a value typed into a form counts only then), and run."""
    for b in at.button:
        if b.proto.is_form_submitter:
            b.click()
    return at.run()


def views(page) -> list[dict]:
    """The default view and every hidden part's link (HIDDEN_VIEWS)."""
    return [{}] + HIDDEN_VIEWS.get(page.stem, [])


def input_keys_in_source(page) -> set[str]:
    """key= of every st.text_input / text_area / file_uploader call written in the page's source."""
    keys = set()
    for node in ast.walk(ast.parse(page.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in INPUT_KINDS:
            for kw in node.keywords:
                if kw.arg == "key" and isinstance(kw.value, ast.Constant):
                    keys.add(kw.value.value)
    return keys


def messages(at: AppTest) -> list[str]:
    return [m.value for kind in ("error", "warning", "info") for m in getattr(at, kind)]


def check(at: AppTest, case: str, must_explain: bool, failures: list[str]) -> None:
    if at.exception:
        failures.append(f"{case}: exception {at.exception[0].value[:200]!r}")
    elif must_explain and not messages(at):
        failures.append(f"{case}: no error/warning/info shown")
    elif not (messages(at) or at.metric or at.dataframe or at.get("plotly_chart") or at.markdown):
        failures.append(f"{case}: blank page")


def bound_widgets(at: AppTest) -> list:
    """Widgets bound to the URL (bind="query-params"), with their kinds."""
    out = []
    for kind in ("slider", "select_slider", "number_input", "selectbox", "radio"):
        for w in getattr(at, kind):
            if w.key and w.proto.query_param_key:
                out.append((kind, w))
    return out


def number_case(raw: str, w, is_int: bool) -> tuple[str, bool]:
    """(URL value, must_explain) for one numeric widget."""
    lo, hi = w.proto.min, w.proto.max
    raw = {"below": str(int(lo) - 1000 if is_int else lo - 1000.5), "above": str(int(hi) * 10 + 7)}.get(raw, raw)
    try:
        v = float(raw)
        usable = math.isfinite(v) and lo <= v <= hi and (not is_int or v == int(v))
    except ValueError:
        usable = False
    return raw, not usable


@pytest.fixture(scope="module")
def defaults():
    """One default run per page: the widgets a sweep addresses, found, not listed by hand."""
    return {page_id(p): fresh(p) for p in PAGES}


@pytest.fixture(autouse=True, scope="module")
def report_count(request):
    """Print how many cases ran (shown even without -s), for the closing note."""
    yield
    total = sum(CASES_RUN.values())
    detail = ", ".join(f"{k}={v}" for k, v in sorted(CASES_RUN.items()))
    line = f"bad-input sweep: {total} cases ({detail})"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + line)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_input_is_reached(page, defaults):
    """Each text box and uploader the page's source creates shows up in the default view or a HIDDEN_VIEWS link."""
    shown = set()
    for query in views(page):
        at = defaults[page_id(page)] if not query else fresh(page, query)
        assert not at.exception, f"?{query} must open cleanly"
        shown |= {w.key for kind in INPUT_KINDS for w in getattr(at, kind) if w.key}
    missing = {k for k in input_keys_in_source(page) if "{" not in k} - shown - set(NOT_SWEPT)  # f-keys vary by task
    assert not missing, f"add the link that opens {sorted(missing)} to HIDDEN_VIEWS"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_text_inputs(page, defaults):
    base = defaults[page_id(page)]
    assert not base.exception, "the default scene must run cleanly before the sweep means anything"
    failures, n = [], 0
    rng = random.Random(1)
    swept = set()
    for query in views(page):
        view = base if not query else fresh(page, query)
        keys = [(kind, w.key, w.value) for kind in ("text_input", "text_area") for w in getattr(view, kind)
                if w.key and w.key not in swept]
        swept |= {k for _, k, _ in keys}
        for kind, key, default in keys:
            at = fresh(page, query)  # one student typing one junk value after another into the same box
            # Sampling: every box gets empty and 100k characters; pages with many boxes, half of the rest.
            texts = TEXTS[:2] + [t for t in TEXTS[2:] if len(keys) <= 4 or rng.random() < 0.5]
            limit = getattr(view, kind)(key=key).proto.max_chars
            for name, value, must in texts:
                # A box with max_chars cuts a paste to its limit itself (browser and server): nothing to explain.
                must = must and not (limit and name == "100k chars")
                getattr(at, kind)(key=key).set_value(value)
                submit(at)
                check(at, f"{page.stem} ?{query} {key}={name}", must, failures)
                n += 1
            getattr(at, kind)(key=key).set_value(default)
            submit(at)  # and the page recovers
            check(at, f"{page.stem} ?{query} {key} back to default", False, failures)
            if at.error and not query:
                failures.append(f"{page.stem} {key}: error still shown after restoring {default!r}: {at.error[0].value}")
            n += 1
    CASES_RUN[f"{page.stem}:text"] = n
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_url_parameters(page, defaults):
    base = defaults[page_id(page)]
    failures, n = [], 0
    rng = random.Random(0)
    for kind, w in bound_widgets(base):
        if kind in ("slider", "number_input") and not (kind == "slider" and w.proto.options):
            is_int = w.proto.data_type == 0
            cases = [number_case(raw, w, is_int) for raw in URL_NUMBERS]
        else:
            cases = [(raw, True) for raw in URL_CHOICES]
        # Sampling: every widget gets out-of-range, not-a-number, NaN and infinity; a seeded third of the rest.
        keep = cases[:5] + [c for c in cases[5:] if rng.random() < 0.34 or len(bound_widgets(base)) <= 4]
        for raw, must in keep:
            at = fresh(page, {w.key: raw})
            check(at, f"{page.stem} ?{w.key}={raw[:20]}", must, failures)
            n += 1
    for key, lo, hi in LINK_ONLY.get(page.stem, []):
        bounds = type("Bounds", (), {"proto": type("Proto", (), {"min": lo, "max": hi})})
        for raw, must in [number_case(raw, bounds, True) for raw in URL_NUMBERS]:
            at = fresh(page, {key: raw})
            check(at, f"{page.stem} ?{key}={raw[:20]}", must, failures)
            n += 1
    for key in [w.key for kind in ("text_input", "text_area") for w in getattr(base, kind)
                if w.key and w.proto.query_param_key]:
        at = fresh(page, {key: TEXTS[1][1][:20_000]})  # a pasted 20k-character link
        check(at, f"{page.stem} ?{key}=<20k chars>", True, failures)
        n += 1
    CASES_RUN[f"{page.stem}:url"] = n
    assert not failures, "\n".join(failures)


def malformed_files(ext: str, canary: str) -> list[tuple[str, bytes]]:
    """(case name, bytes) of broken files, shaped like the extension the uploader accepts."""
    rng = np.random.default_rng(0)
    Canary.path = canary
    text_like = "hello world\nthe king and the queen\n".encode() * 20
    wrong_dims = b"3 50\nking 0.1 0.2 0.3\nqueen 0.4\nman 0.1 0.2 0.3 0.4 0.5\n"
    if ext in (".npy",):
        buf = io.BytesIO()
        np.save(buf, np.zeros((2, 3, 4)))
        wrong_dims = buf.getvalue()
    elif ext in (".pt", ".pth"):
        import torch

        buf = io.BytesIO()
        torch.save({"weight": torch.zeros(3, 7)}, buf)
        wrong_dims = buf.getvalue()
    return [
        ("binary", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()),
        ("truncated", text_like[:101] + "é".encode()[:1]),  # cut inside a UTF-8 character
        ("wrong dimensions", wrong_dims),
        ("pickle", pickle.dumps(Canary())),
        ("empty file", b""),
    ]


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_uploads(page, defaults, tmp_path):
    failures, n = [], 0
    canary = tmp_path / "unpickled.canary"
    swept = set()
    for query in views(page):
        view = defaults[page_id(page)] if not query else fresh(page, query)
        for w in view.file_uploader:
            if w.key in swept:
                continue
            swept.add(w.key)
            # No type filter (e.g. vector files): the shapes a student might pick by mistake.
            exts = list(w.allowed_type) or [".txt", ".bin", ".pkl"]
            for ext in exts[:3]:
                for name, blob in malformed_files(ext, str(canary)):
                    at = fresh(page, query)
                    uploader = at.file_uploader(key=w.key) if w.key else at.file_uploader[0]
                    uploader.set_value((f"upload{ext if ext.startswith('.') else '.' + ext}", blob,
                                        "application/octet-stream"))
                    submit(at)
                    check(at, f"{page.stem} ?{query} upload {ext} {name}", True, failures)
                    n += 1
    assert not canary.exists(), "a page unpickled an uploaded file"
    CASES_RUN[f"{page.stem}:upload"] = n
    assert not failures, "\n".join(failures)
