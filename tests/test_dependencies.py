"""Dependencies point one way: tooling → api → reports → meetings → members → cells. An app never imports one above it:
the domain never imports ``tooling`` (demo data and benchmarks), and no module of cells, members or meetings imports
``reports``.

Imports are read from the source with ``ast`` (nothing is imported), so an import inside a function or a
``TYPE_CHECKING`` block counts as well, and so does ``importlib.import_module("tooling…")``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The apps, lowest first: each may import those before it, never those after it.
LAYERS = ("cells", "members", "meetings", "reports", "api", "tooling")
DOMAIN = LAYERS[:-1]


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


def imports_of_apps(names: set[str], apps: tuple[str, ...]) -> list[str]:
    """The names among ``names`` that are these apps or modules of them."""
    return sorted(name for name in names if name.split(".")[0] in apps)


def tooling_imports(names: set[str]) -> list[str]:
    return imports_of_apps(names, ("tooling",))


def test_no_domain_module_imports_tooling():
    files = sorted(path for app in DOMAIN for path in (ROOT / app).rglob("*.py"))

    offenders = {str(path.relative_to(ROOT)): found for path in files if (found := tooling_imports(imported(path)))}

    assert len(files) > 50  # the apps were found: an empty walk would pass for the wrong reason
    assert offenders == {}


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_no_app_imports_an_app_above_it(app):
    above = LAYERS[LAYERS.index(app) + 1 :]
    files = sorted((ROOT / app).rglob("*.py"))

    offenders = {
        str(path.relative_to(ROOT)): found for path in files if (found := imports_of_apps(imported(path), above))
    }

    assert files
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
