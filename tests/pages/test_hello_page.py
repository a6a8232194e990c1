"""The hello lesson in Streamlit's AppTest: default scene, what-ifs, bad input, shared links."""

import json
import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ReplayView, open_page
from ui.show import esc_latex


def run(query: dict | None = None) -> AppTest:
    return open_page("1_Language_model.py", query, opened=("num_probs",)).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def replay(at: AppTest) -> ReplayView:
    """The replay slider's frames as the page sent them to the browser (it moves there, without a rerun)."""
    return ReplayView(at, "hello")


def test_default_scene_opens_at_step_0_and_ends_fully_trained_hello():
    at = run()
    assert not at.exception
    view = replay(at)
    assert view.init == 0  # the lecture starts from the untrained network
    assert view.labels == [f"step {k}" for k in range(at.slider(key="steps").value + 1)]  # every step, 0 … 20
    last = len(view.labels) - 1
    assert float(view.metrics(last)["Mean P(target)"]) >= 0.9
    assert view.metrics(last)["Vocabulary size V"] == "4"
    table = view.player["table"]
    assert [table["vocab"][j] for j in table["targets"]] == ["e", "l", "l", "o"]
    probs = view.chart("unrolled", last)["data"][0]["z"]  # P(next = character)[position]
    assert all(probs[j][t] >= 0.9 for t, j in enumerate(table["targets"]))


def test_step_zero_is_guessing():
    at = run()
    assert not at.exception
    shown = replay(at).metrics(0)
    assert float(shown["Loss at this step"]) == pytest.approx(math.log(4), abs=0.01)
    probs = replay(at).chart("unrolled", 0)["data"][0]["z"]
    assert all(abs(p - 0.25) < 0.01 for row in probs for p in row)
    assert float(shown["Perplexity"]) == pytest.approx(4, abs=0.05)


def test_memory_off_splits_the_bet_after_l():
    at = run()
    at.toggle(key="memory").set_value(False).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "P(next), memory off" in d.value.columns)
    assert (table["current"] == "l").all() and len(table) == 2
    assert (table["P(next), memory off"].between(0.4, 0.6)).all()
    assert (table["P(next), memory on"] > 0.9).all()


@pytest.mark.parametrize("cell", ["GRU", "LSTM"])
def test_other_cells_and_knobs(cell):
    at = run()
    at.selectbox(key="cell").set_value(cell)
    at.slider(key="hidden").set_value(16)
    at.slider(key="steps").set_value(30)
    at.run()
    assert not at.exception
    assert replay(at).labels[-1] == "step 30"


def test_a_link_past_the_training_opens_the_replay_at_its_last_step():
    at = run({"steps": "20", "step": "50"})
    assert not at.exception
    assert any("outside 0–20, so 20 is used" in m.value for m in at.info)
    view = replay(at)
    assert view.labels[view.init] == "step 20"


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
    assert replay(at).metrics(0)["Vocabulary size V"] == str(len(set("héllo 😀 wörld")))


def test_greedy_samples_spell_hello():
    at = run({"sample_step": "20"})  # the trained model
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
    assert replay(at).init == replay(at).frame(10)
    assert at.toggle(key="memory").value is False


def test_a_fraction_in_a_link_says_the_step_the_page_shows():
    """?step=3.5: the replay opens at 3 (the fraction is cut, as Streamlit's sliders do), and the message says 3."""
    at = run({"step": "3.5"})
    assert not at.exception
    notes = [m.value for m in at.info] + [m.value for m in at.warning]
    assert any("not a whole number, so 3 is used" in n for n in notes), notes
    view = replay(at)
    assert view.init == view.frame(3)
    assert any("at step 3 the perplexity" in line for line in view.lines(view.init))



def test_a_too_long_text_in_a_link_says_the_cut_the_page_uses():
    """A link's text longer than its box: Streamlit keeps the first max_chars, and the message says so."""
    raw = "he" * 150  # the start box takes 200 characters
    at = run({"start": raw})
    assert not at.exception
    notes = [m.value for m in at.warning]
    assert any("start has 300 characters" in n and "only its first 200 are used" in n for n in notes), notes
    assert at.text_input(key="start").value == raw[:200]

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

    from core.hello import model as charlm

    closed = open_page("1_Language_model.py").run()
    assert not closed.exception
    assert not any("P(target)" in d.value.columns for d in closed.dataframe)
    assert not closed.code
    opened = open_page("1_Language_model.py", opened=("num_probs", "num_curves", "code_bptt")).run()
    assert not opened.exception
    curves = next(d.value for d in opened.dataframe if "loss" in d.value.columns)
    assert curves["loss"].iloc[0] == pytest.approx(math.log(4), abs=0.01)
    assert [c.value for c in opened.code] == [inspect.getsource(charlm.rnn_loss_and_grad).rstrip("\n")]



def test_a_tiny_temperature_in_a_link_samples_instead_of_crashing():
    """?temp=1e-320 used to divide the logits into inf/nan ("probability tensor contains inf")."""
    at = run({"temp": "1e-320"})
    assert not at.exception and not at.error
    samples = next(d.value for d in at.dataframe if "sample" in d.value.columns)
    assert set(samples["sample"]) == {"hello"}  # floored to 0.001: as good as greedy


def text_groups(latex: str) -> list[str]:
    """The contents of every \text{…} in a formula, braces matched, escaped braces skipped."""
    groups, i = [], latex.find(r"\text{")
    while i >= 0:
        j, depth = i + len(r"\text{"), 1
        while depth:
            if latex[j] == "\\":
                j += 2
                continue
            depth += {"{": 1, "}": -1}.get(latex[j], 0)
            j += 1
        groups.append(latex[i + len(r"\text{"): j - 1])
        i = latex.find(r"\text{", j)
    return groups


@pytest.mark.parametrize("text", ["hello_world", "100% sure", "C# and C++", "a{b}c$d&e^f~g\\h"])
def test_latex_specials_in_the_text_show_as_characters(text):
    """The chain-rule formula escapes its characters: every special inside \text{…} is a LaTeX escape."""
    at = run({"text": text})
    assert not at.exception and not at.error
    formula = at.get("latex")[0].value
    groups = text_groups(formula)
    assert len(groups) >= 3
    specials = set("_%#&$^~{}\\") & set(text)
    shown = "".join(groups)
    for group in groups:
        bare = re.sub(r"\\(textbackslash|textasciicircum|textasciitilde)\{\}|\\[_%#&${}]", "", group)
        assert not set(bare) & set("_%#&$^~{}\\"), (group, formula)
    assert specials and all(esc_latex(ch) in shown for ch in specials if ch in text[:8])  # the first 8 factors are shown


def test_memory_text_follows_the_numbers():
    """Hidden size 1 can't use its memory ("hell → o" is worse with memory on); hidden size 8 can."""
    small = run({"hidden": "1"})
    assert not small.exception
    notes = " ".join(m.value for m in small.markdown if "What to notice" in m.value)
    assert "does not use its memory" in notes and "memory helps" not in notes
    table = next(d.value for d in small.dataframe if "P(next), memory off" in d.value.columns)
    worse = table[table["P(next), memory on"] < table["P(next), memory off"] - 0.05]
    assert len(worse) >= 1 and all(f"{p:.2f} with memory" in notes for p in worse["P(next), memory on"])
    big = run()
    notes = " ".join(m.value for m in big.markdown if "What to notice" in m.value)
    assert "memory helps here" in notes and "does not use its memory" not in notes


def test_a_long_text_says_the_probability_covers_its_first_window():
    text = ("the quick brown fox jumps over the lazy dog. " * 3)[:130]
    at = run({"text": text, "steps": "5"})
    assert not at.exception
    labels = list(replay(at).metrics(0))
    assert "Probability of the text" not in labels and "Probability of its first 49 characters" in labels
    assert any("first window (49 characters)" in c.value for c in at.caption)
    short = run()
    assert "Probability of the text" in replay(short).metrics(0)


def test_a_long_run_replays_recorded_steps_only():
    """Every position the replay slider offers was recorded; a record too long to send whole is sent every
    k-th frame (the last one always), and the slider's help says so."""
    from core.hello import model

    text = ("the quick brown fox jumps over the lazy dog. " * 40)[:1500]
    at = run({"text": text, "hidden": "32", "steps": "600"})
    assert not at.exception
    rec = model.train(model.CharLMConfig(text=text, hidden_size=32, steps=600))
    every = rec.meta["record_every"]
    assert every > 1
    view = replay(at)
    shown = [int(label.removeprefix("step ")) for label in view.labels]
    assert set(shown) <= set(rec.steps.tolist()) and shown[0] == 0 and shown[-1] == rec.steps[-1]
    assert f"recorded every {every} steps" in view.player["help"]
    gaps = {b - a for a, b in zip(shown, shown[1:-1])}
    assert len(gaps) == 1 and gaps.pop() % every == 0
    if len(shown) < len(rec.steps):
        assert f"The slider moves {shown[1]} steps at a time" in view.player["help"]


def test_markdown_in_a_start_text_is_shown_not_rendered():
    at = run()
    at.text_input(key="start").set_value("[x](http://evil)").run()
    assert not at.exception
    message = next(e.value for e in at.error if "Not known" in e.value)
    assert "\\[" in message and "\\(" in message  # each special backslash-escaped: no link can form


def test_jargon_has_a_help():
    at = run()
    helps = replay(at).helps(0)
    assert "nats" in helps["Loss at this step"] and "bits" in helps["Loss at this step"]
    assert "guess" in helps["ln V (guessing)"]
    assert "uniformly" in helps["Perplexity"]


def test_the_replay_is_sent_once_and_every_frame_is_the_record():
    """The step slider runs in the browser: the page sends the unrolled network, the bars and the chain rule
    for every recorded step at once, each frame the record's own numbers; the server draws only the curves."""
    from core.hello import model as charlm

    at = run()
    rec = charlm.train(charlm.CharLMConfig())
    assert len(at.get("plotly_chart")) == 2  # the two training curves; the step charts are in the replay
    view = replay(at)
    for k in (0, 7, 20):
        unrolled = view.chart("unrolled", k)
        assert unrolled["layout"]["title"]["text"].startswith(f"Step {k}:")
        assert unrolled["data"][0]["z"] == pytest.approx(rec.probs[k].T, abs=5e-5)
        assert unrolled["data"][1]["z"] == pytest.approx(rec.hidden[k].T, abs=5e-5)
        assert view.chart("bars", k)["data"][0]["y"] == pytest.approx(rec.probs[k].ravel(), abs=5e-5)
        assert view.metrics(k)["Loss at this step"] == f"{rec.loss[k]:.4f}"
        assert any(f"at step {k} the perplexity" in line for line in view.lines(k))  # the chain rule follows


def test_the_replay_text_is_never_html():
    """A student's characters reach the browser's replay as data it sets as text (assets/replay.js uses
    textContent only), and reach its charts escaped for Plotly."""
    at = run()
    at.text_input(key="text").set_value("<b>hi</b>").run()
    assert not at.exception
    view = replay(at)
    labels = view.chart("unrolled", 0)["data"][0]["y"]
    assert "&lt;" in labels and "<" not in labels
    from ui.replay import ASSETS
    js = (ASSETS / "replay.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js


def test_the_curves_notice_follows_the_numbers():
    from core.hello import model as charlm
    at = run()
    rec = charlm.train(charlm.CharLMConfig())
    note = next(m.value for m in at.markdown if "over the 20 steps the loss" in m.value)
    assert f"from {rec.loss[0]:.3f}" in note and f"to {rec.loss[-1]:.3f}" in note and "fell" in note
    first = int(rec.steps[(rec.p_target[:, :4] >= 0.9).all(axis=1).argmax()])
    assert f"for the first time at step {first}." in note
    assert (rec.p_target[rec.steps < first, :4] < 0.9).any(axis=1).all()
    flat = run({"lr": "0.001", "steps": "3"})  # too little training for every P(target) to reach 0.9
    note = next(m.value for m in flat.markdown if "over the 3 steps the loss" in m.value)
    assert "at no recorded step is every P(target) shown 0.9 or more" in note


def test_sampling_uses_the_trained_weights_by_default_and_its_own_step():
    at = run()  # the replay opens at step 0; the samples come from the end of training
    assert at.slider(key="sample_step").value == 20
    at.slider(key="temp").set_value(0.0).run()
    assert set(next(d.value for d in at.dataframe if "sample" in d.value.columns)["sample"]) == {"hello"}
    assert any("weights of step 20" in c.value for c in at.caption)
    at.slider(key="steps").set_value(40).run()  # a retrain: the slider stays at the end of training
    assert at.slider(key="sample_step").value == 40 and at.slider(key="sample_step").max == 40
    at.slider(key="sample_step").set_value(0).run()  # the untrained network: not "hello"
    assert not at.exception
    assert any("weights of step 0" in c.value for c in at.caption)
    assert set(next(d.value for d in at.dataframe if "sample" in d.value.columns)["sample"]) != {"hello"}


def test_presenter_mode_draws_the_same_frames_on_larger_figures():
    """Presenter mode changes only the figures the frames are drawn on, so its frames are the same ones."""
    plain, projected = replay(run()), replay(run({"presenter": "true"}))
    assert projected.player["charts"] == plain.player["charts"]
    assert projected.player["figs"][0]["layout"]["font"]["size"] > plain.player["figs"][0]["layout"]["font"]["size"]
    assert projected.player["sig"] != plain.player["sig"]  # the browser redraws when presenter mode is switched
