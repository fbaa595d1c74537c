"""No import cycle between the modules of cells, members, meetings, reports and tooling.

The graph is read from the source with ``ast`` (nothing is imported): A → B for each import of B that runs when A is
imported (module level, class bodies, ``if``/``try`` blocks; not function bodies), and A → P for each package P whose
``__init__`` such an import runs. A cycle means one of the modules works only in some import orders; it is broken by
moving the shared part to a third module, never by moving an import into a function.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cells", "members", "meetings", "reports", "tooling")


def module_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` file under the packages (``pkg/__init__.py`` is ``pkg``)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _import_statements(tree: ast.Module, *, deferred: bool):
    """The import statements that run when the module is imported (everything outside function bodies), and with
    ``deferred`` those inside functions too."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if not deferred and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, modules: dict[str, Path], *, deferred: bool = False) -> set[str]:
    """The modules among ``modules`` that importing ``name`` (at ``path``) runs, itself excluded; with ``deferred``
    also those its functions import when called."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _import_statements(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), deferred=deferred):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name`` imports mod.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for dotted in names:
            parts = dotted.split(".")
            # Importing a.b.c runs a/__init__, a/b/__init__ and a/b/c.
            targets.update(".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules)
    targets.discard(name)
    return targets


def import_graph(
    root: Path = ROOT, packages: tuple[str, ...] = PACKAGES, *, deferred: bool = False
) -> dict[str, set[str]]:
    """Module → the modules it imports (see ``imports_of``)."""
    modules = module_files(root, packages)
    return {name: imports_of(name, path, modules, deferred=deferred) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a path a → … → a) per strongly connected group of modules, shortest first within each group."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative (no recursion limit on deep graphs)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles = []
    for group in groups:
        start = min(group)
        # Breadth-first from start back to itself, inside the group: the shortest cycle through start.
        paths = {successor: [start, successor] for successor in sorted(graph[start] & group)}
        queue = list(paths)
        while start not in paths:
            node = queue.pop(0)
            for successor in sorted(graph[node] & group):
                if successor not in paths:
                    paths[successor] = [*paths[node], successor]
                    queue.append(successor)
        cycles.append(paths[start])
    return sorted(cycles, key=lambda cycle: (len(cycle), cycle))


# Imports inside functions that close a cycle, each with its reason. Anything else is a cycle dodged, not removed.
KNOWN_DEFERRED_CYCLES: list[list[str]] = []


def test_no_module_of_the_apps_imports_itself_through_others():
    graph = import_graph()

    cycles = find_cycles(graph)

    assert "meetings.outbox" in graph  # the graph is read from the real apps
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(cycle) for cycle in cycles)


def test_no_import_inside_a_function_hides_a_cycle():
    cycles = find_cycles(import_graph(deferred=True))

    hidden = [cycle for cycle in cycles if cycle not in KNOWN_DEFERRED_CYCLES]
    assert not hidden, "cycles closed by an import inside a function:\n" + "\n".join(" → ".join(c) for c in hidden)


def test_the_check_reports_the_path_of_a_cycle(tmp_path):
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mail.py").write_text("from app.calendar import invite\n\ndef send():\n    from app import tasks\n")
    (package / "calendar.py").write_text("import datetime\n\nfrom . import wording\n\ndef invite(): ...\n")
    (package / "wording.py").write_text("if True:\n    from app.mail import send\n")
    (package / "tasks.py").write_text("from app import mail\n")

    graph = import_graph(tmp_path, ("app",))

    assert graph["app.mail"] == {"app", "app.calendar"}  # the import inside send() is not an edge
    assert find_cycles(graph) == [["app.calendar", "app.wording", "app.mail", "app.calendar"]]
    assert import_graph(tmp_path, ("app",), deferred=True)["app.mail"] == {"app", "app.calendar", "app.tasks"}
