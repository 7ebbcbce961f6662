""".ci/audit.sh (issue 14, item 10): an audit that could not reach any vulnerability data is a LOUD
skip (banner, CI annotation), a failure under AUDIT_STRICT=1, and it audits the hash-locked set."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, lock: Path, **env: str) -> subprocess.CompletedProcess[str]:
    offline = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    summary = tmp_path / "summary.md"
    return subprocess.run(
        ["bash", str(REPO / ".ci" / "audit.sh")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**offline, "AUDIT_LOCK": str(lock), "GITHUB_STEP_SUMMARY": str(summary), **env},
        check=False,
    )


def test_offline_audit_is_a_loud_skip_and_strict_fails(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("pip==0.0.1 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    proc = _run(tmp_path, lock)
    assert proc.returncode == 0, proc.stderr
    assert "skipped: no network" in proc.stdout
    assert "::warning title=Dependency audit skipped::" in proc.stdout
    assert "WARNING: DEPENDENCY AUDIT SKIPPED" in proc.stderr
    assert "differs from" in proc.stderr and "pip" in proc.stderr  # venv drift from the lock is reported
    assert "Dependency audit skipped" in (tmp_path / "summary.md").read_text()
    strict = _run(tmp_path, lock, AUDIT_STRICT="1")
    assert strict.returncode == 3 and "AUDIT_STRICT=1" in strict.stderr


def test_lock_pins_every_distribution_with_hashes() -> None:
    text = (REPO / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", text, re.M)
    assert len(pins) > 100
    blocks = re.split(r"^(?=[A-Za-z0-9])", text, flags=re.M)
    for block in blocks:
        if "==" in block.split("\n")[0]:
            assert "--hash=sha256:" in block, block.split("\n")[0]
    names = {p[0].lower() for p in pins}
    assert {"fastapi", "pymilvus", "torch", "pip-audit"} <= names
