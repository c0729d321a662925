"""The service groups are layered: a group imports only the groups before it in
``api.services.LAYERS``, and no service module reaches itself again through its imports."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import api.main  # noqa: F401 - every owner of attachments registers its check on import
from api.models.vocabulary import AttachmentOwner
from api.services import LAYERS
from api.services.core import attachments

SERVICES = Path(__file__).resolve().parents[2] / "api" / "services"


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every service module this file imports (at the top or inside a function), by line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("api.services."):
                parts = node.module.split(".")
                if len(parts) == 3:  # from api.services.cases import cases, case_rules
                    found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
                else:
                    found.append((node.lineno, ".".join(parts[:4])))
            elif node.module == "api.services":
                found += [(node.lineno, f"api.services.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name) for a in node.names if a.name.startswith("api.services.")
            ]
    return found


def _modules() -> dict[str, Path]:
    return {
        f"api.services.{p.parent.name}.{p.stem}": p
        for p in SERVICES.glob("*/*.py")
        if p.stem != "__init__"
    }


def test_every_module_is_in_a_group_and_every_group_in_the_layers() -> None:
    assert not [p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py"]
    groups = {p.parent.name for p in SERVICES.glob("*/__init__.py")}
    assert groups == set(LAYERS)
    for group in LAYERS:
        doc = ast.get_docstring(ast.parse((SERVICES / group / "__init__.py").read_text()))
        assert doc, f"{group}/__init__.py says what it owns"
        assert "May import" in doc, f"{group}/__init__.py says what it may import"


def test_no_group_imports_one_above_it() -> None:
    rank = {group: i for i, group in enumerate(LAYERS)}
    upward = []
    for name, path in _modules().items():
        group = name.split(".")[2]
        for line, imported in _imports(path):
            target = imported.split(".")[2]
            if target not in rank:
                upward.append(f"{path.relative_to(SERVICES)}:{line} imports {imported}")
            elif rank[target] > rank[group]:
                upward.append(
                    f"{path.relative_to(SERVICES)}:{line}: {group} imports {imported},"
                    f" a group above it"
                )
    assert upward == []


def test_no_import_cycle_between_service_modules() -> None:
    modules = _modules()
    graph = {
        name: {imported for _, imported in _imports(path) if imported in modules}
        for name, path in modules.items()
    }
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' → '.join(cycle.args[1])}") from None


def test_every_owner_of_attachments_says_who_may_see_them() -> None:
    assert attachments.owner_types() == set(AttachmentOwner)
