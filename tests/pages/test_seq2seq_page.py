"""AppTest of the encoder–decoder page: default scene, main widgets changed, bad inputs and bad links."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import open_page

PAGE = "3_Encoder_decoder.py"  # opened through app.py, as the server runs it
SLOW = 900  # s: a first run trains the default model and both bottleneck models, on a CPU other sessions share


def metric(at, label_start):
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def cell(at, column_start):
    """The first row's value in the first static table with a column starting so (outputs are tables: never cut off)."""
    for t in at.table:
        for col in t.value.columns:
            if str(col).startswith(column_start):
                return t.value[col].iloc[0]
    raise KeyError(column_start)


@pytest.fixture(scope="module")
def at():
    app = open_page(PAGE, opened=("num_topk", "num_dependence"), timeout=SLOW).run()  # the tables the tests read
    assert not app.exception
    return app


def test_default_scene_meets_the_target(at):
    assert float(metric(at, "Held-out exact match").rstrip("%")) >= 98.0
    assert cell(at, "model output") == "2026-11-26"  # "Thu, Nov 26 2026"
    assert cell(at, "correct output") == "2026-11-26"
    assert metric(at, "n_x → n_y") == "16 → 10"
    assert not at.error and not at.warning
    assert any("the fixed-C model is exactly right" in m.value for m in at.markdown)  # the bottleneck, by default
    dep = next(d.value for d in at.dataframe if "P with your C" in d.value.columns)
    assert len(dep) == 11 and dep["P with your C"].between(0.5, 1).all()  # the model is sure of its own output
    assert dep["P with C(α = 0.5)"].min() < 0.5  # moving C halfway to "18 Jun 2025" changes some step


def test_editing_the_input_and_the_what_ifs(at):
    at.text_input(key="x_dates").set_value("26 March 1999").run()
    assert not at.exception
    assert cell(at, "correct output") == "1999-03-26"
    assert cell(at, "model output") == "1999-03-26"
    at.slider(key="beam").set_value(5).run()
    assert beam_output(at, 5) == "1999-03-26"
    at.slider(key="force_k").set_value(1).run()
    at.selectbox(key="force_tok").set_value("2").run()
    assert not at.exception
    forced = cell(at, "with “2” forced at step 1")
    assert forced.startswith("2")
    notice = next(m.value for m in at.markdown if "after a forced token" in m.value).replace("\\", "")
    assert f"it writes “{forced[1:]}” after step 1 instead of “999-03-26”" in notice  # the two outputs shown
    assert any("Walk α from 0 to 1: the decoder, reading only C, turns “1999-03-26” into" in m.value.replace("\\", "")
               for m in at.markdown)
    at.slider(key="alpha").set_value(0.0).run()
    assert decoded_from_C(at, 0.0) == "1999-03-26"  # α = 0 is the input's own C
    at.radio(key="mode").set_value("teacher forcing").run()
    assert not at.exception
    at.text_input(key="y_true").set_value("1999-03-27").run()
    assert not at.exception
    fed = at.dataframe[[i for i, d in enumerate(at.dataframe) if "fed" in d.value.columns][0]].value["fed"]
    assert list(fed) == ["⟨bos⟩"] + list("1999-03-27")  # teacher forcing feeds the typed output


def test_bad_inputs_explained_not_raised(at):
    at.text_input(key="x_dates").set_value("Nov 26, 2026 ☃").run()
    assert not at.exception
    assert any("<unk>" in w.value for w in at.warning)
    at.text_input(key="x_dates").set_value("1" * 120).run()
    assert not at.exception and any("characters" in e.value for e in at.error)
    at.text_input(key="x_dates").set_value("").run()
    assert not at.exception and any("empty" in i.value for i in at.info)
    at.text_input(key="x_dates").set_value("Thu, Nov 26 2026").run()
    at.text_input(key="xb_dates").set_value("").run()
    assert not at.exception and any("Second input" in i.value for i in at.info)


def beam_output(at, width: int) -> str:
    t = next(t.value for t in at.table if "decoding" in t.value.columns and "output" in t.value.columns)
    return t.set_index("decoding").loc[f"beam (width {width})", "output"]


def decoded_from_C(at, alpha: float) -> str:
    assert any(m.value == f"**Decoded from C(α = {alpha:.1f}):**" for m in at.markdown)
    return at.code[0].value  # the one code block outside the (closed) code expanders


def test_main_widgets_change_the_model():
    app = open_page(PAGE, {"task": "numbers", "s2s_steps": "100", "s2s_hidden": "32", "tf": "0.5"}, timeout=SLOW).run()
    assert not app.exception
    assert app.selectbox(key="task").value == "numbers"
    assert app.text_input(key="x_numbers").value == "three hundred and twelve"
    assert cell(app, "correct output") == "312"
    assert metric(app, "Vocabularies").endswith("/ 14")  # ten digits + four specials
    assert "%" in metric(app, "Held-out exact match")


def test_bad_link_values_are_explained():
    # -inf clamps to seed 0, the default model the module's fixture trained (+inf would train seed 99's three)
    app = open_page(PAGE, {"task": "klingon", "beam": "99", "s2s_seed": "-inf"}, timeout=SLOW).run()
    assert not app.exception
    assert any("klingon" in w.value for w in app.warning)
    assert any("beam=99" in i.value for i in app.info)
    assert app.slider(key="beam").value == 8
    said = [m.value.replace("\\", "") for m in list(app.warning) + list(app.info)]  # link text is escaped
    assert any("s2s_seed=-inf" in m for m in said) and app.slider(key="s2s_seed").value == 0


# A small model (a few seconds to train), for the tests of the shared caches.
SMALL = {"task": "numbers", "s2s_steps": "100", "s2s_hidden": "32", "tf": "0.5"}
TABLES = ("num_topk", "num_dependence", "num_beamtree", "num_forced")


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_shared_results_match_the_core_in_every_session():
    """Two sessions get the page's decodings from the class-wide caches: both equal a fresh core computation."""
    from core.seq2seq import model as s2s

    first = open_page(PAGE, SMALL, opened=TABLES, timeout=SLOW).run()
    second = open_page(PAGE, SMALL, opened=TABLES, timeout=SLOW).run()  # another student, served from the caches
    assert not first.exception and not second.exception
    assert chart_specs(first) == chart_specs(second) and len(chart_specs(first)) == 10
    for a, b in zip(first.dataframe, second.dataframe):
        pd.testing.assert_frame_equal(a.value, b.value)

    # The reference: the same settings trained and decoded directly (equal configs give identical models).
    tm = s2s.train(s2s.Seq2SeqConfig(task="numbers", steps=100, hidden_size=32, teacher_forcing=0.5))
    x, x_b = "three hundred and twelve", tm.data.test[1].source
    free = s2s.decode(tm, x)
    assert cell(second, "model output") == (free.text or "(empty)")
    np.testing.assert_allclose(table(second, "chosen")["#1"].str.split().str[-1].astype(float),
                               free.probs.max(axis=1), atol=5e-5)
    best, score = s2s.beam(tm, x, 3).hypotheses[0]
    assert beam_output(second, 3) == (tm.data.tgt.decode(best) or "(empty)")
    gained = score - free.log_prob
    assert metric(second, "Beam gained (log p)") == f"{0.0 if abs(gained) < 5e-4 else gained:+.3f}"
    interp = s2s.interpolate(tm, x, x_b, 11)
    assert decoded_from_C(second, 0.5) == (s2s.decode(tm, C=interp.Cs[5]).text or "(empty)")
    if free.text:
        ids = tm.data.tgt.encode(free.text) + [s2s.EOS_ID]
        moved = s2s.decode(tm, C=interp.Cs[5], teacher=free.text)
        np.testing.assert_allclose(table(second, "P with your C")["P with C(α = 0.5)"],
                                   [moved.probs[t, j] for t, j in enumerate(ids)], atol=5e-5)
    forced = s2s.decode(tm, x, force=(0, second.selectbox(key="force_tok").value))
    assert list(table(second, "written")["written"]) == [t.replace("<eos>", "⟨eos⟩") for t in forced.tokens]


def test_a_session_never_changes_the_shared_charts():
    """Charts are built once for the class: presenter mode in one session enlarges its own copies only."""
    presenter = open_page(PAGE, {**SMALL, "presenter": "true"}, timeout=SLOW).run()  # a link turns it on
    plain = open_page(PAGE, SMALL, timeout=SLOW).run()
    size = lambda at: {spec["layout"]["font"]["size"] for spec in chart_specs(at)}  # noqa: E731
    assert min(size(presenter)) >= 19 and size(plain) == {13}


def test_path_and_forced_notices_count_what_the_outputs_show():
    """The two 'what to notice' sentences say what the decoded outputs on screen show, counted."""
    from core.seq2seq import model as s2s
    from ui import seq2seq as scenes

    def path(*outs):
        return s2s.Interpolation(np.linspace(0, 1, len(outs)), np.zeros((len(outs), 2)), outs)

    mixed = scenes.path_notice(path("2026-11-26", "2026-11-26", "2025-01-26", "2025-06-18", "2025-06-18"))
    assert "turns “2026-11-26” into “2025-06-18”" in mixed and "1 of the 3 points" in mixed and "2025-01-26" in mixed
    assert "every one of the 3 points" in scenes.path_notice(path("a", "a", "b", "b", "b"))

    def run(tokens, forced_step=-1):
        return s2s.Decoding(("<bos>",) + tuple(tokens[:-1]), tuple(tokens), np.zeros((len(tokens), 3)), "",
                            0.0, forced_step, None)

    free = run(list("1999-03-26") + ["<eos>"])
    assert "nothing changes" in scenes.forced_notice(free, run(list("1999-03-26") + ["<eos>"], 0))
    assert "repaired: after step 1 it writes “999-03-26”" in scenes.forced_notice(free, run(list("2999-03-26") + ["<eos>"], 0))
    back = scenes.forced_notice(free, run(list("209-03-26") + ["<eos>"], 0))
    assert "writes “09-03-26” after step 1 instead of “999-03-26”, then gets back on track: both end in “9-03-26”" in back
    rewritten = scenes.forced_notice(free, run(list("2000") + ["<eos>"], 0))
    assert "instead of “999-03-26”: one change rewrote what came after it" in rewritten
    # forced at the greedy run's ⟨eos⟩: cut by the length limit, or ended right after the forced token
    cut = scenes.forced_notice(free, run(list("1999-03-261"), 10))
    assert "step 11 is the last step the decoder may take" in cut and "repaired" not in cut
    ended = scenes.forced_notice(free, run(list("1999-03-261") + ["<eos>"], 10))
    assert "nothing follows the forced token in either run" in ended and "repaired" not in ended
