"""The dependency direction of DESIGN.md: app/ and sync/ never import Qt or the UI, app/ no
network or database library, the sync client nothing of the server, and no package imports
itself back in a circle at module level."""

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "ui", "sync", "i18n")
FORBIDDEN = {
    "app": {"PySide6", "shiboken6", "ui", "httpx", "sync", "sqlalchemy"},
    "i18n": {"PySide6", "shiboken6", "ui", "httpx", "sync"},
    "sync": {"PySide6", "shiboken6", "ui"},
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upward(package):
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for line, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert offences == []


# --- the graph of the project's own modules --------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for package in PACKAGES
           for path in (ROOT / package).rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(body, *, module_level: bool):
    """Import statements of a body; with ``module_level``, only those that run on import:
    not inside functions, nor under ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and module_level:
            continue
        elif isinstance(node, ast.If) and module_level and _is_type_checking(node.test):
            yield from _statements(node.orelse, module_level=module_level)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    yield from _statements(inner, module_level=module_level)


def _targets(module: str, node) -> set[str]:
    """The project's modules an import statement in ``module`` loads (``from a import b``
    loads the submodule ``a.b`` when there is one, else ``a``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                 for alias in node.names]
    found = set()
    for name in names:
        while name and name not in MODULES:  # `import a.b.c` of a non-module: its package
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def _graph(*, module_level: bool) -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[module] = {target for node in _statements(tree.body, module_level=module_level)
                         for target in _targets(module, node)} - {module}
    return graph


def test_no_module_imports_itself_back_at_module_level():
    # A cycle works only while every module in it is imported in the right order; imports
    # moved inside functions to hide one break the day someone moves them back.
    try:
        graphlib.TopologicalSorter(_graph(module_level=True)).prepare()
    except graphlib.CycleError as cycle:
        # graphlib walks from a module to those that import it: reversed, "a -> b" reads
        # "a imports b"
        pytest.fail("module-level import cycle: " + " -> ".join(reversed(cycle.args[1])))


def test_the_graph_sees_an_import_cycle():
    graph = {"sync.a": {"sync.b"}, "sync.b": {"sync.c"}, "sync.c": {"sync.a"}}
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(graph).prepare()
    tree = ast.parse("import sync.protocol\nif TYPE_CHECKING:\n    import ui\n"
                     "def f():\n    import app.store\ntry:\n    import app.clock\n"
                     "except ImportError:\n    pass\n")
    loaded = {t for node in _statements(tree.body, module_level=True)
              for t in _targets("sync.client", node)}
    assert loaded == {"sync.protocol", "app.clock"}


def test_the_sync_client_loads_nothing_of_the_server():
    # Everything the app's sync client imports, at any depth and inside functions too, is
    # bundled with the app; the server is not.
    graph = _graph(module_level=False)
    seen, todo = set(), ["sync.client"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    assert sorted(m for m in seen if m.startswith("sync.server")) == []


def test_only_the_servers_api_and_dashboard_speak_http():
    # Routers once lived inside domain modules (distribution, leaderboards, profiles), which
    # made every CLI command that touched them load FastAPI; they belong in sync/server/api/.
    server = ROOT / "sync" / "server"
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in server.rglob("*.py")
        if path.parent.relative_to(server).parts[:1] not in (("api",), ("web",))
        for line, name in _imports(path)
        if name.split(".")[0] in ("fastapi", "starlette")
    ]
    assert offences == []
