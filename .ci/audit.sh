#!/usr/bin/env bash
# Dependency audit of the installed virtualenv with pip-audit (PyPI's vulnerability data).
#
#   .ci/audit.sh                          # audits ./.venv
#   VENV=/path/to/venv .ci/audit.sh
#   AUDIT_JSON=audit.json .ci/audit.sh    # keep pip-audit's JSON report
#   AUDIT_STRICT=1 .ci/audit.sh           # a skipped audit fails (exit 3): for release pipelines
#
# Target: requirements.lock (pinned, sha256-hashed; regenerate with .ci/lock.sh) when present,
# else the installed venv. The venv is checked against the lock first: drift is reported.
#
# Exit codes: 0 clean (or skipped, LOUDLY), 1 known vulnerabilities, 2 usage/tool error,
# 3 skipped under AUDIT_STRICT=1.
#
# pip-audit looks every installed distribution up in PyPI's per-release JSON API
# (https://pypi.org/pypi/NAME/VERSION/json). When that API is unreachable — no network, or a
# registry proxy that only serves the project-level JSON, as on the dev machines — pip-audit
# "succeeds" having audited nothing. This script refuses that false green: it prints
# "skipped: no network" with a loud WARNING banner (a GitHub Actions ::warning:: annotation and a
# job-summary line too), exit 0 so offline CI stays usable — or exit 3 with AUDIT_STRICT=1.
# No offline vulnerability database exists in the registries reachable here (the only one,
# PyPI's safety-db, stopped in 2021-07), so there is nothing current to fall back to.
#
# Ignore list: every entry needs an id, the package, and why it is acceptable, and must be
# revisited when the package is upgraded. Keep it short.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
[[ -x "$PY" ]] || { echo "audit: no virtualenv at $VENV" >&2; exit 2; }
"$PY" -m pip_audit --version >/dev/null 2>&1 || { echo "audit: pip-audit is not installed in $VENV" >&2; exit 2; }

# id                       package — reason it is acceptable
IGNORES=(
  # "GHSA-xxxx-xxxx-xxxx"  # <package> <version> — not reachable from ShopTalk because …
)

LOCK="${AUDIT_LOCK:-requirements.lock}"

# Loud, failure-free (unless AUDIT_STRICT=1) notice that nothing was audited.
skipped() {
  local why="$1"
  echo "skipped: no network"
  {
    echo "################################################################################"
    echo "WARNING: DEPENDENCY AUDIT SKIPPED — NO VULNERABILITY DATA WAS CHECKED"
    echo "  reason: $why"
    echo "  target: ${TARGET_DESC:-the installed venv}"
    echo "  run .ci/audit.sh where https://pypi.org/pypi/NAME/VERSION/json is reachable"
    echo "################################################################################"
  } >&2
  echo "::warning title=Dependency audit skipped::No vulnerability data was checked ($why). Run .ci/audit.sh with network access."
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    echo "⚠️ **Dependency audit skipped**: $why — nothing was audited." >>"$GITHUB_STEP_SUMMARY"
  fi
  if [[ "${AUDIT_STRICT:-0}" == "1" ]]; then
    echo "audit: AUDIT_STRICT=1 — a skipped audit is a failure" >&2
    exit 3
  fi
  exit 0
}

# 0. The fixed target: the lock, and whether the venv still matches it.
TARGET_DESC="the installed venv ($VENV)"
if [[ -f "$LOCK" ]]; then
  TARGET_DESC="$LOCK ($(grep -c '==' "$LOCK") pinned distributions)"
  "$PY" - "$LOCK" <<'PYEOF' || true
import re, sys
from importlib.metadata import distributions
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
pins = dict(
    (norm(m.group(1)), m.group(2))
    for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", open(sys.argv[1]).read(), re.M)
)
installed = {norm(d.metadata["Name"]): d.version for d in distributions()}
drift = sorted(f"{n} {installed.get(n, 'missing')} (lock {v})" for n, v in pins.items() if installed.get(n) != v)
if drift:
    print(f"audit: WARNING the venv differs from {sys.argv[1]} in {len(drift)} package(s): " + ", ".join(drift[:10]), file=sys.stderr)
PYEOF
fi

# 1. Is the per-release vulnerability API reachable? (probe with pip's own release)
if ! "$PY" - <<'PYEOF'
import sys, urllib.error, urllib.request
from importlib.metadata import version
url = f"https://pypi.org/pypi/pip/{version('pip')}/json"
try:
    urllib.request.urlopen(url, timeout=10).read(1)
except urllib.error.HTTPError as exc:
    print(f"audit: {url} answered HTTP {exc.code} (per-release JSON API not served here)", file=sys.stderr)
    sys.exit(1)
except Exception as exc:
    print(f"audit: PyPI unreachable ({type(exc).__name__}: {exc})", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  skipped "PyPI's per-release vulnerability API is unreachable"
fi

# 2. Audit, keeping the JSON report to tell "clean" from "nothing audited".
report="${AUDIT_JSON:-$(mktemp --suffix=.json)}"
args=(--vulnerability-service pypi --skip-editable --progress-spinner off --desc on --timeout 30
      --format json --output "$report")
if [[ -f "$LOCK" ]]; then args+=(--requirement "$LOCK" --require-hashes --no-deps --disable-pip); fi
for id in "${IGNORES[@]}"; do args+=(--ignore-vuln "$id"); done
status=0
"$PY" -m pip_audit "${args[@]}" >/dev/null 2>"$report.stderr" || status=$?

rc=0
"$PY" - "$report" "$status" <<'PYEOF' || rc=$?
import json, sys
path, status = sys.argv[1], int(sys.argv[2])
try:
    data = json.load(open(path))
except (OSError, ValueError):
    print(f"audit: pip-audit failed (exit {status}):", open(path + ".stderr").read()[-2000:], file=sys.stderr)
    sys.exit(2)
deps = data.get("dependencies", [])
audited = [d for d in deps if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
if deps and not audited:
    print(f"vulnerability data unavailable for all {len(deps)} packages", file=sys.stderr)
    sys.exit(4)
for dep in vulnerable:
    for vuln in dep["vulns"]:
        fix = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
        print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fix: {fix})")
skipped = len(deps) - len(audited)
print(f"audit: {len(audited)} packages audited, {skipped} skipped, {len(vulnerable)} vulnerable")
sys.exit(1 if vulnerable else 0)
PYEOF
if [[ $rc -eq 4 ]]; then skipped "no vulnerability data for any package"; fi
exit $rc
