"""AppTest of the further-applications page: default load, each demo, widgets changed, bad input."""


import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from core import captioning as cap

PAGE = "4_Further_applications.py"


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def table_with(at, column: str):
    """The first dataframe shown that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


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
    assert "**Greedy:** a red circle above a blue square — right" in md
    # the other demos did not train on the default load (their metrics are absent)
    assert "Bits per character" not in shown and "Chance" not in shown


def test_translation_links_to_its_lesson_only_if_it_exists(at):
    exists = (ROOT / "pages" / "3_Encoder_decoder.py").exists()
    linked = any("encoder–decoder lesson: open it" in str(e.proto) for e in at.main.children.values()
                 if getattr(e, "type", "") == "page_link")
    assert linked == exists
    if not exists:
        assert any("subject of the encoder–decoder lesson" in c.value for c in at.caption)


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
    samples = table_with(app, "sample")["sample"].tolist()
    assert len(samples) == 4 and len(set(samples)) == 1 and samples[0].startswith("The ")
    # a unit to look at, and a priming text with characters the corpus never uses
    app.slider(key="gen_unit").set_value(5)
    app.text_input(key="gen_prime").input("Ωmega")
    app.run()
    assert not app.exception
    assert any("never shows" in e.value for e in app.error)


def test_classification_demo():
    app = _open("Classification over time", opened=("num_cls_probs",), cls_steps=150)
    assert not app.exception and not app.error
    shown = metrics(app)
    assert float(shown["Held-out accuracy (all frames)"].rstrip(" %")) > 60
    assert shown["Chance"] == "33.3 %"
    app.segmented_control(key="cls_class").set_value("falling")
    app.number_input(key="cls_sig").set_value(7)
    app.run()
    assert not app.exception
    said = next(m.value for m in app.markdown if m.value.startswith("After the last frame"))
    assert "true class is **falling**" in said
    table = table_with(app, "sum")
    assert ((table["sum"] - 1).abs() < 1e-5).all()


def test_bad_url_values_are_explained():
    app = _open("Classification over time", cls_steps=7, cls_noise="loud")  # 7 → clamped to 50
    assert not app.exception
    assert any("allowed range" in i.value for i in app.info)
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
        assert any(message in e.value for e in app.error), (name, [e.value for e in app.error])
    text = ("the cat sat on the mat. " * 150 + "a dog ran to the cat. " * 150)
    app.file_uploader(key="gen_upload").set_value(("mine.txt", text.encode(), "text/plain")).run()
    assert not app.exception
    # the default priming text "The " has a capital T this corpus never uses: explained, with a hint
    assert [e.value for e in app.error] and "never shows: 'T'" in app.error[0].value and "the cat sat" in app.error[0].value
    shown = metrics(app)
    V = len(set(text))
    assert float(shown["Guessing: ln V"].split()[0]) == pytest.approx(__import__("math").log(V), abs=1e-3)
    assert shown["Training characters"] == f"{int(len(text) * 0.9):,}"
    app.text_input(key="gen_prime").set_value("the ").run()
    assert not app.exception and not app.error
    samples = table_with(app, "sample")["sample"].tolist()
    assert all(s.startswith("the ") and set(s) <= set(text) for s in samples)
