"""No test double or bench harness reaches an image, and no production module depends on one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOUBLE_PACKAGES = ("services.bench", "tests")
# Production code that may name the bench package: only the CLI's bench commands, lazily.
LAZY_BENCH_IMPORTERS = {
    "services/cli/bench_gateway.py",
    "services/cli/bench_inference.py",
    "services/cli/bench_load_runs.py",
}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module top level) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def _is_double(module: str) -> bool:
    return any(module == pkg or module.startswith(pkg + ".") for pkg in DOUBLE_PACKAGES)


def test_dockerignore_excludes_bench_and_tests() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"services/bench", "tests"} <= patterns


def test_dockerfiles_copy_only_library_packages() -> None:
    for dockerfile in ROOT.glob("services/**/Dockerfile*"):
        for source in re.findall(r"^COPY (?!--from)(\S+)", dockerfile.read_text(), flags=re.M):
            assert source in {"pyproject.toml", "requirements.lock", "ml", "services", "flows"}, (
                dockerfile,
                source,
            )


def test_production_code_never_imports_doubles_eagerly() -> None:
    offenders = []
    for package in ("ml", "services", "flows"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("services/bench/"):
                continue
            for module, top_level in _imports(path):
                if not _is_double(module):
                    continue
                if rel in LAZY_BENCH_IMPORTERS and module.startswith("services.bench") and not top_level:
                    continue
                offenders.append(f"{rel} -> {module}")
    assert offenders == []


def test_doubles_left_production_packages() -> None:
    moved = (
        "services/gateway/stub_llm.py",
        "services/gateway/bench.py",
        "ml/asr/tiny.py",
        "ml/captioning/tiny.py",
    )
    for gone in moved:
        assert not (ROOT / gone).exists(), gone
