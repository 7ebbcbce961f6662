"""Layering: ``ml/`` is the library underneath; it imports nothing from ``services/`` or ``flows/``.

Imports are read with ``ast`` (every ``import``/``from`` anywhere in a module, lazy ones inside
functions included), so a string that merely mentions ``services`` does not count and an import
hidden in a function does.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPPER_LAYERS = ("services", "flows")

# Known violations: none. The CLI sits above all three layers (``services/cli``); keep it empty.
ALLOWED: dict[str, set[str]] = {}


def upper_imports(path: Path) -> set[str]:
    """Modules from ``services``/``flows`` that ``path`` imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            # `from services import gateway` imports services.gateway
            if node.module in UPPER_LAYERS:
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.split(".")[0] in UPPER_LAYERS and name not in UPPER_LAYERS}


def violations() -> dict[str, set[str]]:
    found = {}
    for path in sorted((ROOT / "ml").rglob("*.py")):
        imported = upper_imports(path)
        if imported:
            found[path.relative_to(ROOT).as_posix()] = imported
    return found


def test_ml_imports_nothing_from_services_or_flows() -> None:
    new = {
        rel: sorted(mods - ALLOWED.get(rel, set()))
        for rel, mods in violations().items()
        if mods - ALLOWED.get(rel, set())
    }
    assert new == {}, f"ml/ must not import services/ or flows/: {new}"


def test_allow_list_only_shrinks() -> None:
    """A file that no longer imports upward leaves the list (so the entry cannot be reused)."""
    found = violations()
    assert sorted(set(ALLOWED) - set(found)) == [], "remove these files from ALLOWED"


def test_detector_sees_lazy_and_from_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import ml.config\n"
        "def f():\n    from services.gateway import app\n"
        "import flows.ingest as fi\n"
        "from services import common\n"
        "x = 'import services.gateway'\n"
    )
    assert upper_imports(module) == {"services.gateway", "flows.ingest", "services.common"}
