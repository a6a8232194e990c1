"""AppTest of the word-embeddings page: default scene, main widgets changed, bad input, shared links."""

import pytest

from core.embeddings import vectors as E
from conftest import open_page

PAGE = "2_Word_embeddings.py"


TIMEOUT = 900  # a first run trains the "bank" model and the warm start: seconds alone, minutes on a busy CPU


def page(**query: str):
    """The real app (entry app.py, then this page), opened from a link with these query values; not run yet."""
    return open_page(PAGE, query, timeout=TIMEOUT)


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def default_run():
    return page().run()


def test_default_scene_shows_glove_numbers(default_run):
    at = default_run
    assert not at.exception
    assert not at.error
    m = metrics(at)
    assert m["One-hot length = vocabulary size V"] == "400,000"
    assert m["Dense length D"] == "50"
    assert m["One-hot cos(dog, horse)"] == "0"
    assert m["Google analogies"] == "49.7%"
    glove = E.load_glove()
    ws = E.evaluate_pairs(glove, restrict_vocab=30_000)
    assert m["WordSim353 Spearman"] == f"{ws.spearman:.3f}"
    assert m["Dense cos(dog, horse)"] == f"{E.cosine(glove, 'dog', 'horse'):.3f}"
    assert m["Variance explained"].endswith("%")  # PCA keeps a share of the variance


def test_neighbours_and_analogy_tables_match_core(default_run):
    at = default_run
    glove = E.load_glove()
    tables = [df.value for df in at.dataframe]
    nb = next(t for t in tables if "cosine similarity" in t.columns)
    assert list(nb["word"]) == list(E.neighbours(glove, "france", 8).words)
    an = next(t for t in tables if "answer" in t.columns)
    assert an["answer"].iloc[0] == "queen"
    bank = next(t for t in tables if "neighbour of bank" in t.columns)
    assert list(bank["neighbour of bank"]) == list(E.neighbours(glove, "bank", 10).words)


def test_main_widgets_changed():
    at = page()
    at.session_state["num_coords"] = True  # the student opens "Numbers: coordinates of every point"
    at.run()
    at.selectbox(key="preset").set_value("family and gender").run()
    assert "queen" in at.text_area(key="words").value
    at.segmented_control(key="method").set_value("t-SNE")
    at.radio(key="fit").set_value("with background").run()
    at.slider(key="background").set_value(200)
    at.text_input(key="an_a").set_value("paris")
    at.text_input(key="an_b").set_value("france")
    at.text_input(key="an_c").set_value("rome")
    at.text_input(key="query").set_value("frog")
    at.run()
    assert not at.exception and not at.error
    tables = [df.value for df in at.dataframe]
    assert next(t for t in tables if "answer" in t.columns)["answer"].iloc[0] == "italy"
    coords = next(t for t in tables if "axis 1" in t.columns)
    assert (coords["group"] == "background").sum() == 200
    assert "toad" in list(coords["word"])  # the neighbours of frog are drawn
    assert "Variance explained" in metrics(at) and metrics(at)["Variance explained"] == "n/a"


def test_bad_words_get_messages_not_tracebacks():
    at = page().run()
    at.text_area(key="words").set_value("Paris, fraance, berlin")
    at.text_input(key="an_c").set_value("man")
    at.text_input(key="oh_words").set_value("")
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # typed words are shown escaped
    assert "“Paris” (did you mean “paris”?)" in errors and "“fraance” (did you mean “france”?)" in errors
    assert "repeats “man”" in errors
    assert "empty" in errors or "at least two" in errors
    at.text_area(key="words").set_value("  ")
    at.run()
    assert "The word list is empty" in " ".join(e.value for e in at.error)


def test_bad_vector_path_and_bad_link_values(monkeypatch):
    monkeypatch.delenv("RNNLAB_VECTORS_DIR", raising=False)
    at = page(source="file", vec_path="/etc/passwd", background="99999", method="magic")
    at.run()
    assert not at.exception
    assert any("by path is off" in w.value for w in at.warning)  # no folder allowed: nothing is opened
    assert any("magic" in w.value for w in at.warning)
    assert any("3000" in i.value for i in at.info)


def test_own_vector_file_by_path(tmp_path, monkeypatch):
    glove = E.load_glove()
    lines = [f"{w} " + " ".join(f"{x:.5f}" for x in glove.vectors[i]) for i, w in enumerate(glove.itos[:20000])]
    f = tmp_path / "mini.txt"
    f.write_text("\n".join(lines) + "\n", encoding="utf8")
    monkeypatch.setenv("RNNLAB_VECTORS_DIR", str(tmp_path))
    at = page(source="file", vec_path="mini.txt", words="cat, dog, king, queen, man, woman")
    at.run()
    assert not at.exception
    assert not at.error
    assert metrics(at)["One-hot length = vocabulary size V"] == "20,000"
    assert any("Loaded 20,000 words with 50 dimensions" in s.value for s in at.success)


def test_word2vec_source_trains_from_a_link():
    at = page()
    for k, v in {"source": "word2vec", "w2v_corpus": "lee", "w2v_epochs": "2", "w2v_dims": "20",
                 "words": "government, minister, police, court", "query": "police", "oh_words": "police, court",
                 "an_a": "police", "an_b": "court", "an_c": "government"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert not [e.value for e in at.error if not e.value.startswith("Not in the")]
    assert any("word2vec trained on" in s.value for s in at.success)
    assert metrics(at)["Dense length D"] == "20"


def test_gru_context_section_shows_states_by_default():
    at = page(lm_steps="50", lm_hidden="16")
    at.session_state["num_bank_states"] = True
    at.run()
    assert not at.exception and not at.error
    m = metrics(at)
    assert m["GloVe, any two"] == "1.000"
    same, diff = float(m["GRU h_t, same sense"]), float(m["GRU h_t, different senses"])
    assert -1 <= diff <= 1 and -1 <= same <= 1
    states = next(df.value for df in at.dataframe if "expected next words" in df.value.columns)
    assert len(states) == 8 and set(states["sense"]) == {"money", "river"}


def test_word2vec_default_words_are_dropped_with_a_note_not_errors():
    """Switching to word2vec keeps every section working: preset words it lacks are left out with a note."""
    at = page(source="word2vec", w2v_corpus="lee", w2v_epochs="2", preset="animals and vehicles")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Left out" in c.value for c in at.caption)


def test_preset_link_restores_its_words():
    at = page(preset="family and gender")
    at.run()
    assert not at.exception
    assert "queen" in at.text_area(key="words").value and "france" not in at.text_area(key="words").value
    coords_groups = {g for g in at.text_area(key="words").value.split("\n")}
    assert any(g.startswith("female:") for g in coords_groups)


def test_off_grid_steps_link_is_refused():
    """lm_steps=51 (the slider steps by 50) is refused: the model trains the default number of steps."""
    import base64
    import json

    import numpy as np

    from core.embeddings.bank import ContextLMConfig

    at = page(lm_steps="51")
    at.session_state["num_lm_loss"] = True  # the student opens the training-loss expander
    at.run()
    assert not at.exception
    assert any("lm\\_steps" in w.value or "lm_steps" in w.value for w in at.warning)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    loss = next(s for s in specs if "Training loss" in json.dumps(s.get("layout", {}).get("title", "")))
    x = loss["data"][0]["x"]
    n = len(base64.b64decode(x["bdata"])) // np.dtype(x["dtype"]).itemsize if isinstance(x, dict) else len(x)
    assert n == ContextLMConfig.steps != 51


def test_group_names_in_the_legend_are_inert():
    """A group name from a link can't become a link in the chart legend."""
    import json

    at = page(words='<a href="//x.io">log in</a>: france, paris, berlin')
    at.run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = [t.get("name", "") for s in specs for t in s["data"]]
    assert "&lt;a href=\"//x.io\"&gt;log in&lt;/a&gt;" in names
    assert not any("<a" in n for n in names)


@pytest.mark.parametrize("raw, used", [("2.5", 3), ("0.49", 0)])
def test_a_fraction_in_a_seed_link_names_the_seed_the_box_shows(raw, used):
    """The seed box shows 2.5 as 3 (format "%.0f"); the page uses 3 and says so (Python's round would say 2)."""
    at = page(map_seed=raw).run()
    assert not at.exception
    assert any(f"not a whole number, so {used} is used" in m.value for m in at.info)
    assert at.number_input(key="map_seed").value == float(raw)  # the box holds the link's value, shown rounded
