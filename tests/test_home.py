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
