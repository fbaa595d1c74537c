"""The domain apps never import ``tooling``: demo data and benchmarks sit above the domain, never inside it.

Imports are read from the source with ``ast`` (nothing is imported), so an import inside a function or a
``TYPE_CHECKING`` block counts as well, and so does ``importlib.import_module("tooling…")``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("cells", "members", "meetings", "reports")


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """Every module name the file imports: absolute, relative (resolved against its package), or by string."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    package = parts[:-1]  # a module's package; for an __init__.py, the package itself
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" if module else alias.name for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def tooling_imports(names: set[str]) -> list[str]:
    return sorted(name for name in names if name == "tooling" or name.startswith("tooling."))


def test_no_domain_module_imports_tooling():
    files = sorted(path for app in DOMAIN for path in (ROOT / app).rglob("*.py"))

    offenders = {str(path.relative_to(ROOT)): found for path in files if (found := tooling_imports(imported(path)))}

    assert len(files) > 50  # the apps were found: an empty walk would pass for the wrong reason
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "import tooling.demo",
        "from tooling import bench",
        "from tooling.bench import run",
        "def later():\n    from tooling.demo import load_demo\n",
        "import importlib\nimportlib.import_module('tooling.bench')",
        "from .. import tooling",
    ],
)
def test_the_check_catches_every_way_of_importing_tooling(tmp_path, source):
    module = tmp_path / "reports" / "sneaky.py"
    module.parent.mkdir()
    module.write_text(source, encoding="utf-8")

    assert tooling_imports(imported(module, root=tmp_path))


def test_the_check_ignores_names_that_only_look_alike(tmp_path):
    module = tmp_path / "reports" / "innocent.py"
    module.parent.mkdir()
    module.write_text("import toolingx\nfrom reports import tooling_notes\nfrom . import tooling\n", encoding="utf-8")

    assert tooling_imports(imported(module, root=tmp_path)) == []
