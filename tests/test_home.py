"""The home page maps the lecture: one link per lesson page, and every page is mapped."""

from streamlit.testing.v1 import AppTest

from conftest import APPTEST_TIMEOUT, PAGES, ROOT


def test_home_links_every_lesson_page():
    import app

    listed = sorted(ROOT / lesson["page"] for lesson in app.LESSONS)
    assert listed == PAGES
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value.startswith("RNN Lab")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for lesson in app.LESSONS:
        assert lesson["part"] in text
