"""The hello lesson in Streamlit's AppTest: default scene, what-ifs, bad input, shared links."""

import math

import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page


def run(query: dict | None = None) -> AppTest:
    return open_page("1_Language_model.py", query, opened=("num_probs",)).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_default_scene_is_fully_trained_hello():
    at = run()
    assert not at.exception
    assert at.slider(key="step").value == 60
    assert float(metric(at, "Mean P(target)")) >= 0.9
    assert metric(at, "Vocabulary size V") == "4"
    probs = at.dataframe[0].value
    assert list(probs["target"]) == ["e", "l", "l", "o"]
    assert (probs["P(target)"] >= 0.9).all()


def test_step_zero_is_guessing():
    at = run()
    at.slider(key="step").set_value(0).run()
    assert not at.exception
    assert float(metric(at, "Loss at this step")) == pytest.approx(math.log(4), abs=0.01)
    probs = at.dataframe[0].value
    assert ((probs[["h", "e", "l", "o"]] - 0.25).abs() < 0.01).all().all()
    assert float(metric(at, "Perplexity")) == pytest.approx(4, abs=0.05)


def test_memory_off_splits_the_bet_after_l():
    at = run()
    at.toggle(key="memory").set_value(False).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "P(true next), memory OFF" in d.value.columns)
    assert (table["current char"] == "l").all() and len(table) == 2
    assert (table["P(true next), memory OFF"].between(0.4, 0.6)).all()
    assert (table["P(true next), memory ON"] > 0.9).all()


@pytest.mark.parametrize("cell", ["GRU", "LSTM"])
def test_other_cells_and_knobs(cell):
    at = run()
    at.selectbox(key="cell").set_value(cell)
    at.slider(key="hidden").set_value(16)
    at.slider(key="steps").set_value(30)
    at.run()
    assert not at.exception
    assert at.slider(key="step").value <= 30


def test_shrinking_steps_keeps_the_replay_slider_in_range():
    at = run()
    at.slider(key="step").set_value(50).run()
    at.slider(key="steps").set_value(20).run()
    assert not at.exception
    assert at.slider(key="step").value <= 20


@pytest.mark.parametrize(
    "text, fragment",
    [("", "empty"), ("    ", "whitespace"), ("h", "single character"), ("ab" * 1500, "at most")],
)
def test_bad_texts_get_a_message_not_a_traceback(text, fragment):
    at = run()
    at.text_input(key="text").set_value(text).run()
    assert not at.exception
    assert any(fragment in e.value for e in at.error)


def test_unicode_text_just_works():
    at = run()
    at.text_input(key="text").set_value("héllo 😀 wörld").run()
    assert not at.exception and not at.error
    assert metric(at, "Vocabulary size V") == str(len(set("héllo 😀 wörld")))


def test_greedy_samples_spell_hello():
    at = run()
    at.slider(key="temp").set_value(0.0).run()
    samples = next(d.value for d in at.dataframe if "sample" in d.value.columns)
    assert set(samples["sample"]) == {"hello"}


def test_unknown_start_character_is_explained():
    at = run()
    at.text_input(key="start").set_value("z").run()
    assert not at.exception and any("Not known" in e.value for e in at.error)


def test_shared_link_restores_the_scene():
    at = run({"text": "banana", "cell": "GRU", "hidden": "12", "steps": "40", "step": "10", "memory": "false"})
    assert not at.exception
    assert at.text_input(key="text").value == "banana"
    assert at.selectbox(key="cell").value == "GRU"
    assert at.slider(key="hidden").value == 12
    assert at.slider(key="step").value == 10
    assert at.toggle(key="memory").value is False


@pytest.mark.parametrize(
    "query, shown",
    [({"hidden": "500"}, "64"), ({"hidden": "-3"}, "1"), ({"steps": "abc"}, "not a usable number"),
     ({"cell": "transformer"}, "not one of"), ({"lr": "7"}, "not one of"), ({"temp": "9"}, "2.0")],
)
def test_nonsense_link_values_are_clamped_or_explained(query, shown):
    at = run(query)
    assert not at.exception
    notes = [m.value for m in at.info] + [m.value for m in at.warning]
    assert any(shown in n for n in notes), notes
    if "hidden" in query:
        assert at.slider(key="hidden").value == int(shown)


def test_presenter_mode_enlarges_chart_text():
    at = run()
    at.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    import json

    sizes = [json.loads(c.proto.spec)["layout"]["font"]["size"] for c in at.get("plotly_chart")]
    assert sizes and min(sizes) >= 19  # 13 pt × 1.5


def test_numbers_and_code_run_only_when_opened():
    """Collapsed "Numbers" and "Show the code" expanders send nothing; opened, they show the real thing."""
    import inspect

    from core import charlm

    closed = open_page("1_Language_model.py").run()
    assert not closed.exception
    assert not any("P(target)" in d.value.columns for d in closed.dataframe)
    assert not closed.code
    opened = open_page("1_Language_model.py", opened=("num_probs", "num_curves", "code_bptt")).run()
    assert not opened.exception
    curves = next(d.value for d in opened.dataframe if "loss" in d.value.columns)
    assert curves["loss"].iloc[0] == pytest.approx(math.log(4), abs=0.01)
    assert [c.value for c in opened.code] == [inspect.getsource(charlm.rnn_loss_and_grad).rstrip("\n")]

