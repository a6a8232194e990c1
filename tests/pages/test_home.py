"""The home page maps the lecture: one link per lesson page, and every page is mapped."""

from conftest import PAGES, ROOT, open_page


def test_home_links_every_lesson_page():
    from ui.shell import LESSONS

    listed = sorted(ROOT / lesson["page"] for lesson in LESSONS)
    assert listed == PAGES
    at = open_page().run()
    assert not at.exception
    assert at.title[0].value.startswith("RNN Lab")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for lesson in LESSONS:
        assert lesson["part"] in text


def test_no_two_pages_share_a_widget_key():
    """Streamlit keeps a keyed widget's value in the session when a student changes page, so a key two
    lessons share carries one page's value into the other: hidden=128 from the encoder–decoder made the
    hello page's 1–64 slider raise. Every widget key must belong to one page."""
    import ast
    from collections import defaultdict

    CHARTS = {"plotly_chart", "show_chart", "show"}  # chart keys hold no value
    PARAMS = {"Int", "Float", "Choice", "Text", "Flag"}
    owners = defaultdict(set)
    for page in PAGES:
        for node in ast.walk(ast.parse(page.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) not in CHARTS:
                for kw in node.keywords:
                    if kw.arg == "key" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        owners[kw.value.value].add(page.stem)
                declared = getattr(node.func, "id", "") in PARAMS or getattr(node.func, "attr", "") in PARAMS
                if declared and node.args and isinstance(node.args[0], ast.Constant):
                    owners[node.args[0].value].add(page.stem)  # ui.params declarations: Int("hidden", …)
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not shared, f"widget keys used on more than one page: {shared}"
