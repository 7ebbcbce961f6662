#!/usr/bin/env python3
"""Generate the values table of a chart README from its values.yaml (helm-docs style).

A ``# -- text`` comment (continued by following ``#`` lines) documents the key below it. Keys
whose value is written on the same line (scalars, ``[]``, ``{}``, flow maps) are table rows;
block mappings are expanded. The table sits between ``<!-- values-table:start -->`` and
``<!-- values-table:end -->`` in README.md.

Usage: chart_values_table.py [--check] CHART_DIR
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

START, END = "<!-- values-table:start -->", "<!-- values-table:end -->"
KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z0-9_.\-/]+):(?P<rest>.*)$")


def rows(values_yaml: str) -> list[tuple[str, str, str, str]]:
    """(key, type, default, description) for every leaf key, in file order."""
    out: list[tuple[str, str, str, str]] = []
    stack: list[tuple[int, str]] = []
    doc: list[str] = []
    in_doc = False
    for line in values_yaml.splitlines():
        stripped = line.strip()
        if stripped.startswith("# --"):
            doc, in_doc = [stripped[4:].strip()], True
            continue
        if stripped.startswith("#"):
            if in_doc:
                doc.append(stripped[1:].strip())
            continue
        in_doc = False
        match = KEY_LINE.match(line)
        if not match:
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k in stack] + [match["key"]])
        rest = match["rest"].split(" #")[0].strip()
        if rest:
            value = yaml.safe_load(rest)
            out.append((path, _type(value), _default(value), " ".join(doc)))
        else:
            stack.append((indent, match["key"]))
        doc = []
    return out


def _type(value: object) -> str:
    return {bool: "bool", int: "int", float: "float", str: "string", list: "list", dict: "object"}.get(
        type(value), "string"
    )


def _default(value: object) -> str:
    return "`" + json.dumps(value, separators=(",", ":")).replace("|", "\\|") + "`"


def table(chart: Path) -> str:
    lines = ["| Key | Type | Default | Description |", "|-----|------|---------|-------------|"]
    for key, typ, default, desc in rows((chart / "values.yaml").read_text()):
        escaped = desc.replace("|", "\\|")
        lines.append(f"| `{key}` | {typ} | {default} | {escaped} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    parser.add_argument("chart", type=Path)
    args = parser.parse_args(argv)
    readme = args.chart / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        print(f"{readme}: missing {START} / {END} markers")
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    updated = f"{head}{START}\n{table(args.chart)}\n{END}{tail}"
    if args.check:
        if updated != text:
            print(f"{readme}: values table is out of date; run .ci/chart_values_table.py {args.chart}")
            return 1
        print(f"{readme}: values table up to date")
        return 0
    readme.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
