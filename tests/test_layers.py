"""The package's layering: each layer imports only the layers below it, and nothing is circular.

Layers, lowest first: basics (errors, words, extras) → _model → _engine → _io → _analysis →
_render → the CLI and the public API. A lower layer may open a door upward only where listed in
``DOORS`` (a function-level import with a comment saying why).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "upgrade_score"
LAYERS = {"_errors": 0, "_text": 0, "_optional": 0, "_version": 0, "_progress": 0, "_model": 1, "_engine": 2,
          "_io": 3, "_analysis": 4, "_render": 5, "_cli": 6, "_cli_panel": 6, "_cli_enterprises": 6,
          "_cli_tools": 6, "_cli_output": 6,
          "__init__": 6, "__main__": 6}
# (importer, imported) pairs allowed to point upward, always from inside a function
DOORS = {
    ("_model.rubric", "_engine.compile"),    # a rubric compiles itself once, on first use
    ("_model.display", "_render.dispatch"),  # results display themselves (str, HTML, DataFrame)
}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 85  # "about 80": a long but linear function may run a few lines over


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """Absolute names (within the package) of the modules an import statement reads."""
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    if node.level == 0:
        if not (node.module or "").startswith("upgrade_score"):
            return []
        base = (node.module or "").split(".")[1:]
    else:
        base = package[: len(package) - (node.level - 1)] + (node.module or "").split(".")
        base = [part for part in base if part]
    targets = []
    for alias in node.names:
        candidate = ".".join([*base, alias.name])
        targets.append(candidate if candidate in MODULES else ".".join(base))
    return [t for t in targets if t]


def _imports(module: str) -> list[tuple[str, bool]]:
    """(imported module, at module level) for every runtime import; TYPE_CHECKING blocks skipped."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other, top)
                continue
            if isinstance(child, ast.ImportFrom):
                found.extend((target, top) for target in _resolve(module, child))
            elif isinstance(child, ast.Import):
                found.extend((alias.name.split(".", 1)[1], top) for alias in child.names
                             if alias.name.startswith("upgrade_score."))
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)

    visit(tree, True)
    return [(target, top) for target, top in found if target in MODULES and target != module]


def _layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_reaches_a_higher_layer(module: str) -> None:
    for target, _ in _imports(module):
        if (module, target) in DOORS:
            continue
        assert _layer(target) <= _layer(module), f"{module} imports {target} from a higher layer"


def test_doors_are_function_level_imports() -> None:
    for module, target in DOORS:
        kinds = {top for imported, top in _imports(module) if imported == target}
        assert kinds == {False}, f"{module} → {target} must be one lazy import inside a function"


def test_no_import_cycles() -> None:
    graph = {module: {t for t, top in _imports(module) if top} for module in MODULES}
    state: dict[str, int] = {}

    def walk(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target):], target] if target in trail else [module, target]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if target not in state:
                walk(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])


def test_lazy_imports_are_only_the_doors() -> None:
    lazy = {(module, target) for module in MODULES for target, top in _imports(module)
            if not top and _layer(target) > _layer(module)}
    assert lazy <= DOORS


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{module} has over {MAX_MODULE_LINES} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{module}.{node.name} has {length} lines"
