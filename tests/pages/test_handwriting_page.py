"""AppTest of the handwriting page: default scene, a shared link, a what-if, and bad text."""

import pytest

from conftest import open_page

PAGE = "5_Handwriting.py"
SMALL = {"hw_steps": "50", "hw_hidden": "32", "hw_mixtures": "3", "hw_window": "2", "hw_bias": "1.5"}
TIMEOUT = 600  # the default scene trains Graves' synthesis network for about half a minute (26 s here)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def small():
    """A shared link with small settings: the page trains those, not the defaults."""
    at = open_page(PAGE, query=SMALL, timeout=TIMEOUT).run()
    assert not at.exception
    return at


@pytest.mark.e2e  # trains Graves' full synthesis network (about half a minute): with the slow tests, not the daily loop
def test_default_scene_renders():
    at = open_page(PAGE, timeout=TIMEOUT).run()
    assert not at.exception and not at.error
    assert any("not people's handwriting" in w.value for w in at.warning)
    assert at.text_input(key="hw_text").value == "more of national temperament"
    text = markdown(at)
    assert "nats per point" in text and "than the reference" in text
    assert "What to notice:** at bias b = 2" in text
    assert at.slider(key="hw_point").value >= 1


def test_shared_link_sets_the_what_ifs(small):
    assert small.slider(key="hw_steps").value == 50
    assert small.slider(key="hw_hidden").value == 32
    assert small.slider(key="hw_mixtures").value == 3
    assert small.slider(key="hw_window").value == 2
    assert small.slider(key="hw_bias").value == 1.5
    assert "at bias b = 1.5" in markdown(small)


def test_what_if_bias_and_text(small):
    small.slider(key="hw_bias").set_value(0.0).run()
    assert not small.exception and not small.error
    assert "at bias b = 0 the written rows" in markdown(small)
    small.text_input(key="hw_text").set_value("Of The Nation").run()
    assert not small.exception and not small.error
    assert "reaches character" in markdown(small) and " of 13. On " in markdown(small)  # 13 characters


@pytest.mark.parametrize("bad, named", [
    ("", ["empty"]),
    ("héllo, world!", ["'é'", "','", "'!'"]),
    ("a" * 50, ["50 characters", "limit is 40"]),
])
def test_bad_text_gets_a_message_naming_it(small, bad, named):
    small.text_input(key="hw_text").set_value(bad).run()
    assert not small.exception
    message = "\n".join(e.value for e in small.error)
    for part in named:
        assert part in message.replace("\\", "")
    assert small.header[-1].value.startswith("2 ·")  # the sections that need the text wait for a good one


def test_retrain_cost_is_stated_for_the_chosen_steps(small):
    """The page says what a retrain costs here, scaled to the steps on the slider (50 of the default 270)."""
    from core.handwriting import model as Mo
    from ui import handwriting as hw

    small.text_input(key="hw_text").set_value("more of national temperament").run()  # earlier tests left bad text
    captions = "\n".join(c.value for c in small.caption)
    assert f"about {hw.train_seconds('synthesis', 50)} s here for 50 steps" in captions
    assert f"about {hw.train_seconds('prediction', 50)} s here for 50 steps" in captions
    assert hw.train_seconds("synthesis", Mo.HandConfig().steps) == hw.TRAIN_SECONDS["synthesis"]


def test_rows_per_character_is_measured_from_the_lines_shown(small):
    """The data section's rows per character are counted on its three lines: near the training pool's
    average (200 lines, core's own count), not a number written into the page."""
    import re

    from core.handwriting import model as Mo

    shown = float(re.search(r"the three below, from the set, have ([\d.]+) rows per character", markdown(small)).group(1))
    pool = Mo.untrained(Mo.HandConfig()).points_per_char
    assert 0.75 * pool < shown < 1.25 * pool, (shown, pool)
    assert f"The training set is {len(Mo.training_lines()[0]):,} lines" in markdown(small)
