"""The layers only point one way: core never imports streamlit, figures never import torch."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit():
    offenders = [p.relative_to(ROOT) for p in (ROOT / "core").rglob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_figure_builders_never_import_torch_or_streamlit():
    files = list((ROOT / "core" / "figures").rglob("*.py"))
    assert files, "figure builders live in core/figures/"
    offenders = [p.name for p in files if imported_modules(p) & {"torch", "streamlit"}]
    assert offenders == []


def test_the_checker_sees_imports():
    """Guard against a walker that can't fail: it must find streamlit in app.py."""
    assert "streamlit" in imported_modules(ROOT / "app.py")


def test_heavy_libraries_stay_off_the_shared_path():
    """app.py and core/__init__ run for every page: no gensim, sklearn or umap there."""
    heavy = {"gensim", "sklearn", "umap"}
    for path in (ROOT / "app.py", ROOT / "core" / "__init__.py", ROOT / "core" / "figures" / "__init__.py"):
        assert not imported_modules(path) & heavy, path
