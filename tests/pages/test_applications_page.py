"""AppTest of the further-applications page: default load, each demo, widgets changed, bad input."""

import base64
import json

import numpy as np
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from core.applications import captioning as cap
from core.applications import figures as figs
from core.applications import textgen as tg
from core.applications.overview import APPLICATIONS
from ui.show import esc

PAGE = "4_Further_applications.py"


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def said(elements) -> list[str]:
    """What Markdown messages show: the page escapes echoed values (backslashes), so drop them."""
    return [e.value.replace("\\", "") for e in elements]


def samples(at) -> list[str]:
    """The generated samples, shown as code blocks."""
    return [c.value for c in at.code if not c.value.lstrip().startswith(("class ", "def ", "@"))]


def table_with(at, column: str):
    """The first dataframe shown that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def charts(at) -> dict[str, dict]:
    """Every chart on the page by its key, as the browser receives it."""
    return {c.proto.id.split("-", 2)[2]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def array(value) -> np.ndarray:
    """A chart's data array: Plotly sends numpy arrays as base64 with a dtype (and shape)."""
    if not isinstance(value, dict):
        return np.asarray(value)
    a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return a.reshape([int(n) for n in value["shape"].split(",")]) if "shape" in value else a


DEFAULT_SCENE = cap.compose("circle", "red", "above", "square", "blue")


@pytest.fixture(scope="module")
def at():
    """The default load: overview plus the first demo (Show and Tell) trained with defaults."""
    return open_page(PAGE).run()


def test_default_load_shows_overview_and_captioner(at):
    assert not at.exception
    assert not at.error
    shown = metrics(at)
    assert "Exact match, greedy" in shown and "BLEU (greedy)" in shown
    # the captioner learnt: far above what a picture-blind model gets (its exact match is ~1 %)
    assert float(shown["Exact match, greedy"].rstrip(" %")) > 20
    assert float(shown["BLEU (greedy)"]) > 50
    md = " ".join(m.value for m in at.markdown)
    assert "**True caption:** a red circle above a blue square" in md
    for line in (m.value for m in at.markdown if m.value.startswith(("**Greedy:**", "**Beam 3:**"))):
        said, verdict = line.split(":** ", 1)[1].split(" — ")
        assert verdict.startswith("right" if said == "a red circle above a blue square" else "wrong"), line
    # the other demos did not train on the default load (their metrics are absent)
    assert "Bits per character" not in shown and "Chance" not in shown


def test_other_lessons_are_linked_only_if_their_pages_exist(at):
    links = " ".join(str(e.proto) for e in at.main if getattr(e, "type", "") == "page_link")
    for page, said in (("3_Encoder_decoder.py", "encoder–decoder lesson"), ("5_Handwriting.py", "handwriting"),
                       ("6_Sound.py", "sound lesson")):
        assert (said in links) == (ROOT / "pages" / page).exists(), page


def test_overview_shows_each_result_with_what_it_was_measured_on(at):
    md = " ".join(m.value for m in at.markdown)
    for a in APPLICATIONS:
        assert a.result in md and a.measured_on in md
    assert "the decoder always writes one softmax at a time" not in md.lower()
    assert "toy score" in " ".join(c.value for c in at.caption)


def test_changing_the_scene_changes_the_caption_softmax(at):
    at.selectbox(key="cap_colour1").set_value("yellow")
    at.selectbox(key="cap_rel").set_value("alone")
    at.slider(key="cap_width").set_value(1)
    at.run()
    assert not at.exception
    md = " ".join(m.value for m in at.markdown)
    assert "**True caption:** a yellow circle" in md
    greedy_line = next(m.value for m in at.markdown if m.value.startswith("**Greedy:**"))
    beam_line = next(m.value for m in at.markdown if m.value.startswith("**Beam 1:**"))
    # width 1 is greedy: the same caption
    assert greedy_line.split("**Greedy:** ")[1].split(" — ")[0] == beam_line.split("**Beam 1:** ")[1].split(" — ")[0]


def test_random_scene_button(at):
    at.button(key="cap_random").click()
    at.run()
    assert not at.exception
    assert at.selectbox(key="cap_shape1").value in cap.SHAPES


def _open(tab: str, opened: tuple[str, ...] = (), **params) -> AppTest:
    return open_page(PAGE, {"demo": tab, **{k: str(v) for k, v in params.items()}}, opened=opened).run()


def test_generating_text_demo():
    app = _open("Generating text", gen_steps=100, gen_hidden=64)
    assert not app.exception and not app.error
    shown = metrics(app)
    ln_v = float(shown["Guessing: ln V"].split()[0])
    loss = float(shown["Held-out loss"].split()[0])
    bpc = float(shown["Bits per character"])
    assert loss < 0.8 * ln_v and abs(bpc - loss / 0.6931) < 0.02
    assert "Exact match, greedy" not in shown  # the captioner is not trained here
    # temperature 0: every sample is the same greedy text
    app.slider(key="gen_temp").set_value(0.0)
    app.run()
    written = samples(app)
    assert len(written) == 4 and len(set(written)) == 1 and written[0].startswith("The ")
    assert any("hold 1 different texts" in m.value and "temperature 0 always takes" in m.value for m in app.markdown)
    # a unit to look at: the notice names the feature it follows most, with that correlation
    app.slider(key="gen_unit").set_value(5)
    app.session_state["num_gen_unit"] = True  # its Numbers table open
    app.run()
    notice = next(m.value for m in app.markdown if "unit 5 follows" in m.value)
    table = next(d.value for d in app.dataframe if "h[5]" in d.value.columns)
    chars = tuple({"␣": " ", "⏎": "\n", "⇥": "\t"}.get(c, c) for c in table["character"])
    name, r = tg.unit_features(chars, table["h[5]"].to_numpy())[0]  # from the numbers shown (4 decimals)
    assert f"“{name}” most: correlation {r:+.2f} over the {len(chars)} characters" in notice
    # a priming text with characters the corpus never uses
    app.text_input(key="gen_prime").input("Ωmega")
    app.run()
    assert not app.exception
    assert any("never shows" in e for e in said(app.error))


def test_bad_url_values_are_explained():
    app = open_page(PAGE, {"cap_epochs": "1", "cap_n": "loud"}).run()  # 1 → clamped to 2
    assert not app.exception
    assert any("outside" in i.value or "allowed range" in i.value for i in app.info)
    assert any("not one of" in w.value for w in app.warning)


def test_uploads_are_checked_and_a_good_one_trains():
    app = _open("Generating text", gen_steps=50, gen_hidden=64)
    app.radio(key="gen_source").set_value("Upload my own text").run()
    assert not app.exception
    assert any("Upload a plain-text file" in i.value for i in app.info)
    bad = [
        ("empty.txt", b"", "empty"),
        ("photo.txt", bytes(range(256)) * 40, "binary"),
        ("latin1.txt", "café crème ".encode("latin-1") * 400, "UTF-8"),
        ("short.txt", b"just a few words", "at least"),
    ]
    for name, blob, message in bad:
        app.file_uploader(key="gen_upload").set_value((name, blob, "text/plain")).run()
        assert not app.exception, name
        assert any(message in e for e in said(app.error)), (name, said(app.error))
    text = ("the cat sat on the mat. " * 150 + "a dog ran to the cat. " * 150)
    app.file_uploader(key="gen_upload").set_value(("mine.txt", text.encode(), "text/plain")).run()
    assert not app.exception
    # the default priming text "The " has a capital T this corpus never uses: explained, with a hint
    errors = said(app.error)
    assert errors and "never shows: 'T'" in errors[0] and "the cat sat" in errors[0]
    shown = metrics(app)
    V = len(set(text))
    assert float(shown["Guessing: ln V"].split()[0]) == pytest.approx(__import__("math").log(V), abs=1e-3)
    assert shown["Training characters"] == f"{int(len(text) * 0.9):,}"
    app.text_input(key="gen_prime").set_value("the ").run()
    assert not app.exception and not app.error
    assert all(s.startswith("the ") and set(s) <= set(text) for s in samples(app))


def test_charts_are_the_builders_own_and_presenter_mode_leaves_them_alone(at):
    """Shared charts come from a cache: students get exactly the builder's figure, and presenter
    mode, which enlarges a copy, never changes the cached one under everyone else."""
    app = open_page(PAGE).run()
    before = charts(app)
    rows = [a.__dict__ for a in APPLICATIONS]
    assert before["overview"] == json.loads(pio.to_json(figs.overview_diagram(rows), validate=False))
    image = cap.render(DEFAULT_SCENE, np.random.default_rng(0))
    assert before["cap_image"] == json.loads(pio.to_json(figs.image_figure(image, "The picture"), validate=False))
    app.toggle(key="presenter").set_value(True).run()
    assert charts(app)["overview"]["layout"]["font"]["size"] > before["overview"]["layout"]["font"]["size"]
    app.toggle(key="presenter").set_value(False).run()
    assert charts(app) == before
    assert charts(open_page(PAGE).run()) == before  # the next student gets the same charts


def test_numbers_are_sent_only_when_opened_and_match_the_charts(at):
    closed = open_page(PAGE).run()
    assert [list(d.value.columns)[:2] for d in closed.dataframe] == [["rank", "caption"], ["true caption", "greedy"]]
    opened = open_page(PAGE, opened=("num_overview", "num_cap_context", "num_cap_softmax", "num_cap_beam",
                                     "num_cap_loss")).run()
    assert not opened.exception
    shown = charts(opened)
    assert len(table_with(opened, "application")) == len(APPLICATIONS)
    cfg = cap.CaptionConfig()
    assert len(table_with(opened, "unit")) == (cfg.embed_size if cfg.image_at == "first" else cfg.hidden_size)  # C
    softmax = next(d.value for d in opened.dataframe if "<eos>" in d.value.columns).drop(columns="step")
    assert np.allclose(softmax.to_numpy(), array(shown["cap_softmax"]["data"][0]["z"]).T, atol=5e-5)
    assert np.allclose(softmax.sum(axis=1), 1, atol=1e-3)  # every step's softmax (<pad> is never predicted)
    beam_edges = [t for t in shown["cap_beam"]["data"] if t["mode"] == "lines"]
    assert len(table_with(opened, "total log P")) == len(beam_edges)  # one edge per node of the tree
    loss = table_with(opened, "loss")["loss"].to_numpy()
    assert np.allclose(loss, array(shown["cap_loss"]["data"][0]["y"]), atol=5e-5)
    image = cap.render(DEFAULT_SCENE, np.random.default_rng(0))
    assert np.array_equal(array(shown["cap_image"]["data"][0]["z"]).reshape(image.shape),
                          np.clip(image * 255, 0, 255).round().astype(np.uint8))


def test_what_if_shows_both_captioners_side_by_side():
    app = open_page(PAGE, {"cap_image_at": "at every step (what-if)", "cap_n": "500", "cap_epochs": "2"}).run()
    assert not app.exception
    table = table_with(app, "image enters the decoder")
    assert len(table) == 2 and table["image enters the decoder"].str.contains("Show and Tell").any()
    said_line = next(m.value for m in app.markdown if m.value.startswith("**What-if:**"))
    every, first = table["exact match, greedy %"].tolist()[::-1]
    assert f"{every:.1f} %" in said_line and f"{first:.1f} %" in said_line
    assert ("helps" in said_line) == (every > first)


def test_a_vanishing_temperature_in_a_link_samples_greedily():
    app = _open("Generating text", gen_steps=50, gen_hidden=64, gen_temp="1e-320")
    assert not app.exception and not app.error
    assert len(set(samples(app))) == 1  # as good as greedy


def test_echoed_values_are_escaped():
    """An uploaded text and a linked priming text are echoed in the error: as characters, never as Markdown."""
    app = _open("Generating text", gen_steps=50, gen_hidden=64, gen_source="Upload my own text", gen_prime="Ω`$x$`")
    text = "**bold** [log in](https://evil.example) " + "the cat sat on the mat. " * 150
    app.file_uploader(key="gen_upload").set_value(("mine.txt", text.encode(), "text/plain")).run()
    assert not app.exception
    shown = [e.value for e in app.error]
    assert shown and any("\\*\\*bold\\*\\*" in e for e in shown), shown
    assert all("](" not in e and "**bold**" not in e and "`$" not in e for e in shown), shown


def test_caption_mistakes_show_the_beam_only_where_it_differs():
    """The held-out mistakes table: every row is a greedy caption that is wrong, and the beam column holds a
    caption only where the beam found another one (three full captions side by side don't fit a projector)."""
    from ui import applications as A

    scene = A.captioner(cap.CaptionConfig())
    table = scene.mistakes
    beam = table.columns[2]
    assert len(table) == scene.n_wrong_greedy and (table["true caption"] != table["greedy"]).all()
    assert ((table[beam] == "same as greedy") | (table[beam] != table["greedy"])).all()


def test_unit_notice_says_only_what_the_correlations_show():
    from ui import applications as A

    clear = A.unit_notice(7, [("a space comes next (a word ends)", -0.71), ("upper case", 0.1)], 160)
    assert "unit 7 follows “a space comes next (a word ends)” most: correlation -0.71" in clear
    assert "the unit is low where that is true or large" in clear and "weak" not in clear
    weak = A.unit_notice(7, [("inside a number", 0.21), ("upper case", -0.12)], 160)
    assert "weak" in weak and "next “upper case”, -0.12" in weak
    assert "none of the simple features" in A.unit_notice(7, [], 160)
