"""The home page maps the lecture: one link per lesson page, and every page is mapped."""

from conftest import PAGES, ROOT, open_page


def test_home_links_every_lesson_page():
    import app

    listed = sorted(ROOT / lesson["page"] for lesson in app.LESSONS)
    assert listed == PAGES
    at = open_page().run()
    assert not at.exception
    assert at.title[0].value.startswith("RNN Lab")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for lesson in app.LESSONS:
        assert lesson["part"] in text


def test_once_keeps_one_cached_wrapper_per_page_function():
    """app.once: a page re-executed on every rerun gets the same Streamlit cache wrapper, which caches."""
    import streamlit as st

    import app

    calls = []

    def make():  # the same source, as each rerun of a page defines it again
        def square(x: int) -> int:
            calls.append(x)
            return x * x

        return square

    first = app.once(st.cache_data(show_spinner=False))(make())
    again = app.once(st.cache_data(show_spinner=False))(make())
    assert again is first
    assert first(7) == 49 and again(7) == 49 and calls == [7]
    first.clear()
