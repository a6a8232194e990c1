"""The layers only point one way (an ast walk over every file):

- core/ never imports streamlit; figure builders never import torch;
- only app.py, pages/, ui/ and devtools/ (the wire protocol) import streamlit;
- no page defines a cached function, and nothing imports a private Streamlit name outside its wrapper.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STREAMLIT_HOMES = {"app.py", "pages", "ui", "devtools"}
# The one module allowed to reach past Streamlit's public API (the WebSocket wire protocol).
PRIVATE_WRAPPERS = {ROOT / "devtools" / "stclient.py"}
PUBLIC_STREAMLIT = {"streamlit", "streamlit.testing.v1", "streamlit.errors", "streamlit.components.v1"}


def python_files() -> list[Path]:
    skip = {".venv", "venv", ".git", "node_modules"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def imports(path: Path) -> set[str]:
    """Every module a file imports, by full dotted name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_the_checker_sees_imports():
    """Guard against a walker that can't fail: it must find streamlit in app.py."""
    assert "streamlit" in top(imports(ROOT / "app.py"))


def test_core_never_imports_streamlit():
    offenders = [p.relative_to(ROOT) for p in (ROOT / "core").rglob("*.py") if "streamlit" in top(imports(p))]
    assert offenders == []


def test_figure_builders_never_import_torch_or_streamlit():
    files = [p for p in (ROOT / "core").rglob("*.py") if p.name == "figures.py" or p.parent.name == "figures"]
    assert files, "every lesson has a figures.py"
    offenders = [p.relative_to(ROOT) for p in files if top(imports(p)) & {"torch", "streamlit"}]
    assert offenders == []


def test_only_the_app_pages_ui_and_devtools_import_streamlit():
    offenders = []
    for path in python_files():
        rel = path.relative_to(ROOT)
        if rel.parts[0] in STREAMLIT_HOMES or rel.parts[0] in {"tests", "bench"}:
            continue  # tests drive the app through AppTest; bench starts servers
        if "streamlit" in top(imports(path)):
            offenders.append(rel)
    assert offenders == []


def test_no_private_streamlit_names_outside_their_wrapper():
    offenders = []
    for path in python_files():
        if path in PRIVATE_WRAPPERS:
            continue
        private = {n for n in imports(path) if n.startswith("streamlit.") and n not in PUBLIC_STREAMLIT}
        if private:
            offenders.append((path.relative_to(ROOT), sorted(private)))
    assert offenders == []


def test_no_page_defines_a_cached_function():
    """Pages are re-executed on every rerun: cached functions live in ui/<lesson>.py, decorated once."""
    offenders = []
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    text = ast.unparse(dec)
                    if "cache" in text or "once" in text or "shared" in text:
                        offenders.append((path.name, node.name))
    assert offenders == []


def test_pages_never_import_app_or_torch():
    offenders = [p.name for p in (ROOT / "pages").glob("*.py") if top(imports(p)) & {"app", "torch"}]
    assert offenders == []


def test_heavy_libraries_stay_off_the_shared_path():
    """app.py and the ui shell run for every page: no torch, gensim, sklearn or umap at their import."""
    heavy = {"gensim", "sklearn", "umap", "torch"}
    for rel in ("app.py", "ui/shell.py", "ui/params.py", "ui/show.py", "ui/train.py", "ui/cache.py"):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        module_level = set()
        for node in tree.body:  # imports inside functions are lazy: fine
            if isinstance(node, ast.Import):
                module_level.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                module_level.add(node.module.split(".")[0])
        assert not module_level & heavy, rel
