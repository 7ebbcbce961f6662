"""Sort the rows of `duplicates` into logic pairs and the kinds set aside (issue 15's rule).

    duplicates --most 200 --seconds 120 | python3 .ci/duplicate_rule.py [-v]

Set aside, in this order: rows `duplicates` marks ``boilerplate``; rows with both sides under
``tests/`` (test code and fixtures); rows touching Terraform (declarative infrastructure config);
shape-only rows whose every line on both sides is a literal table entry or a pattern/table
constant (data tables); shape-only rows whose every line on both sides is a declaration
(keyword arguments, annotated fields or parameters, attribute copies, call/def openers and
closers, decorators). Everything else is a logic pair, including every row that is the same to
the letter (an identical keyword-argument list is the same mapping written twice).
Run from the repository root; -v lists the rows of each kind.
"""

import re
import sys
from pathlib import Path

ROOT = str(Path.cwd()) + "/"
ROW = re.compile(r"(D\d+) (\S+):(\d+)-(\d+) ~ (\S+):(\d+)-(\d+)(.*)")
DECL = [
    r"\w+=.*,?",  # keyword argument
    r"\*{0,2}\w+: .+?(=.+)?,?",  # annotated field / parameter
    r"self\.\w+ = \w+",  # attribute copy
    r"\)(\s*->\s*.+)?:?,?",  # closer
    r"(async )?def \w+\(",  # signature opener
    r"(return )?(cls|[A-Z]\w*)\(",  # constructor call opener
    r"@[\w.]+\(?.*",  # decorator
    r"class \w+(\(.*\))?:",  # class line
    r"(\"[^\"]*\"|'[^']*'),?",  # a string argument
    r"[\w.]+,",  # positional name argument
    r"\*\*?\w+,?|\*,?",  # *args / bare *
    r"(\w+ = )?(await )?[\w.]+\(",  # a call's opening line (its arguments follow)
    r"def \w+\(.*\)(\s*->\s*.+)?:",  # one-line signature
    r"@property|@dataclass(\(.*\))?",  # decorators without arguments
    r'""".*"""',  # a one-line docstring
]
DATA = [
    r"[rbf]*(\"|').*(\"|'),?\)?",  # string literal entry
    r"(\"[^\"]*\"|'[^']*'): .*,?",  # dict entry
    r"_?[A-Z0-9_]+ = (re\.compile\(|frozenset\(|\{|\[|\().*",  # constant table / regex opener
    r"[\]\})]+,?\)?",  # closers
    r"[\[{(],?",
    r"for _\w+, _\w+ in [A-Z_]+\.items\(\):",  # seed-table merge loop
    r"[A-Z_]+\[_\w+\] = [A-Z_]+\[_\w+\] \+ _\w+",
    r"_?[A-Z0-9_]+ = [rbf]*(\"|').*",  # a string / pattern constant
    r"\((\"[^\"]*\"|'[^']*'), lambda \w+: .*\),",  # a (name, formatter) table entry
]


def _lines(path: str, first: str, last: str) -> list[str]:
    src = Path(ROOT + path).read_text(errors="replace").splitlines()
    out = []
    for raw in src[int(first) - 1 : int(last)]:
        text = raw.strip()
        if text and not text.startswith("#"):
            out.append(re.sub(r"\s+#.*$", "", text))
    return out


def _all_match(lines: list[str], patterns: list[str]) -> bool:
    return all(any(re.fullmatch(p, line) for p in patterns) for line in lines)


def classify(row: re.Match[str]) -> str:
    _, f1, a1, b1, f2, a2, b2, rest = row.groups()
    if "boilerplate" in rest:
        return "boilerplate"
    if f1.startswith("tests/") and f2.startswith("tests/"):
        return "test-only"
    if f1.endswith(".tf") or f2.endswith(".tf"):
        return "terraform (declarative config)"
    shape = " shape" in rest
    left, right = _lines(f1, a1, b1), _lines(f2, a2, b2)
    if shape and _all_match(left, DATA) and _all_match(right, DATA):
        return "data table"
    if shape and _all_match(left, DECL) and _all_match(right, DECL):
        return "declaration (shape-only)"
    return "logic"


def main() -> None:
    rows = [m for m in (ROW.match(line) for line in sys.stdin.read().splitlines()) if m]
    kinds: dict[str, list[str]] = {}
    for row in rows:
        kinds.setdefault(classify(row), []).append(row.group(0))
    for kind, found in sorted(kinds.items(), key=lambda item: -len(item[1])):
        print(f"{kind}: {len(found)}")
    if "-v" in sys.argv:
        for kind in ("logic", "declaration (shape-only)", "data table", "terraform (declarative config)"):
            print(f"\n== {kind}")
            for found_row in kinds.get(kind, []):
                print(found_row)


if __name__ == "__main__":
    main()
