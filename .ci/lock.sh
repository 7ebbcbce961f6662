#!/usr/bin/env bash
# Regenerate requirements.lock: every distribution installed in the venv (all extras), pinned,
# with the sha256 of each wheel/sdist the index serves, so `pip install --require-hashes` and the
# dependency audit (.ci/audit.sh) work on one fixed set.
#
#   bash .ci/lock.sh            # writes requirements.lock from ./.venv
#
# uv runs from its own throw-away venv (not the project's); it needs the package index only.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
TOOL="${TMPDIR:-/tmp}/shoptalk-lock-uv"
[[ -x "$TOOL/bin/uv" ]] || { python3 -m venv "$TOOL" && "$TOOL/bin/pip" install --quiet uv; }
frozen="$(mktemp)"
"$VENV/bin/pip" freeze --exclude-editable | grep -v ' @ file' >"$frozen"
pyver="$("$VENV/bin/python" -c 'import platform; print(platform.python_version())')"
findlinks=(); [[ -d /opt/wheels ]] && findlinks=(--find-links /opt/wheels)
SSL_CERT_FILE="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$TOOL/bin/uv" pip compile "$frozen" \
  --generate-hashes --no-deps --no-header --native-tls --python-version "$pyver" \
  --python-platform x86_64-manylinux_2_35 "${findlinks[@]}" -o "$frozen.lock"
{
  echo "# Pinned, hash-checked lock of the full development environment (every extra), the fixed"
  echo "# target of .ci/audit.sh. Regenerate after changing dependencies: bash .ci/lock.sh"
  echo "# Install exactly this set: pip install --require-hashes --no-deps -r requirements.lock"
  sed '/^    # via /d' "$frozen.lock"
} >requirements.lock
# wheels found only in a local --find-links folder get no hash from uv: hash the files themselves
"$VENV/bin/python" - requirements.lock <<'PYEOF'
import glob, hashlib, os, re, sys
path = sys.argv[1]
out = []
for line in open(path).read().split("\n"):
    m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line)
    files = []
    if m:
        stem = m.group(1).lower().replace("-", "_") + "-" + m.group(2).lower()
        files = [f for f in glob.glob("/opt/wheels/*.whl") if os.path.basename(f).lower().startswith(stem)]
    if not files:
        out.append(line)
        continue
    hashes = sorted(hashlib.sha256(open(f, "rb").read()).hexdigest() for f in files)
    out.append(line + " \\")
    out += [f"    --hash=sha256:{h}" + (" \\" if i < len(hashes) - 1 else "") for i, h in enumerate(hashes)]
open(path, "w").write("\n".join(out))
PYEOF
echo "requirements.lock: $(grep -c '==' requirements.lock) pinned distributions"
