#!/usr/bin/env python3
"""Check skaffold.yaml offline (no skaffold binary exists here).

For the base config and every profile (its JSON patches applied): the apiVersion is a v4
schema; every artifact's context and Dockerfile exist; every Helm release's chart and values
files exist; every ``{{.IMAGE_REPO_x}}`` / ``{{.IMAGE_TAG_x}}`` template names a built artifact
and every artifact is deployed; and ``helm template`` renders the release with those values set
(so a key the chart's schema does not know fails here, not in someone's dev loop).

Usage: check_skaffold.py [--helm PATH] [skaffold.yaml]
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

API_VERSION = re.compile(r"^skaffold/v4(beta\d+)?$")
TEMPLATE_REF = re.compile(r"\{\{\s*\.IMAGE_(REPO|TAG|FULLY_QUALIFIED|DIGEST)_([A-Za-z0-9_]+)\s*\}\}")
REQUIRED_PROFILES = {"cpu", "gpu"}


def sanitize(image: str) -> str:
    """Skaffold's template key for an artifact: non-alphanumerics become underscores."""
    return re.sub(r"[^A-Za-z0-9]", "_", image)


def check_dockerfile(dockerfile: Path, context: Path, label: str) -> list[str]:
    """A non-root USER, and every COPY source (outside --from stages) present in the context."""
    text = dockerfile.read_text()
    errors = []
    if not re.search(r"^USER\s+(?!0\b|root\b)\S+", text, re.MULTILINE):
        errors.append(f"{label}: {dockerfile} has no non-root USER")
    for line in re.findall(r"^(?:COPY|ADD)\s+(.+)$", text, re.MULTILINE):
        parts = [p for p in line.split() if not p.startswith("--")]
        if "--from=" in line or len(parts) < 2:
            continue
        for src in parts[:-1]:
            if not list(context.glob(src)):
                errors.append(f"{label}: {dockerfile}: COPY source {src} is missing from the context")
            elif dockerignored(src, context):
                errors.append(f"{label}: {dockerfile}: COPY source {src} is excluded by .dockerignore")
    return errors


def dockerignored(src: str, context: Path) -> bool:
    """Top-level .dockerignore semantics (last matching pattern wins, ! re-includes)."""
    ignore = context / ".dockerignore"
    if not ignore.is_file():
        return False
    excluded = False
    for raw in ignore.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if fnmatch.fnmatch(src.strip("/"), pattern):
            excluded = not negate
    return excluded


def check_config(cfg: dict[str, Any], root: Path, helm: str, label: str) -> list[str]:
    errors: list[str] = []
    artifacts = cfg.get("build", {}).get("artifacts", [])
    if not artifacts:
        errors.append(f"{label}: build.artifacts is empty")
    keys = {}
    for art in artifacts:
        image = art.get("image", "")
        keys[sanitize(image)] = image
        context = root / art.get("context", ".")
        if not context.is_dir():
            errors.append(f"{label}: {image}: context {context} is not a directory")
            continue
        dockerfile = context / art.get("docker", {}).get("dockerfile", "Dockerfile")
        if not dockerfile.is_file():
            errors.append(f"{label}: {image}: Dockerfile {dockerfile} does not exist")
        else:
            errors += check_dockerfile(dockerfile, context, f"{label}: {image}")
    releases = cfg.get("deploy", {}).get("helm", {}).get("releases", [])
    if not releases:
        errors.append(f"{label}: deploy.helm.releases is empty")
    deployed: set[str] = set()
    for rel in releases:
        name = rel.get("name", "?")
        chart = root / rel.get("chartPath", "")
        if not (chart / "Chart.yaml").is_file():
            errors.append(f"{label}: release {name}: chartPath {chart} has no Chart.yaml")
            continue
        cmd = [helm, "template", name, str(chart), "--namespace", rel.get("namespace", "default")]
        for vf in rel.get("valuesFiles", []):
            if not (root / vf).is_file():
                errors.append(f"{label}: release {name}: values file {vf} does not exist")
            cmd += ["-f", str(root / vf)]
        for key, tpl in rel.get("setValueTemplates", {}).items():
            refs = TEMPLATE_REF.findall(str(tpl))
            if not refs:
                errors.append(f"{label}: release {name}: {key} uses no IMAGE_* template")
            for _kind, art_key in refs:
                if art_key not in keys:
                    errors.append(f"{label}: release {name}: {key} refers to unknown artifact {art_key}")
                deployed.add(art_key)
            fake = TEMPLATE_REF.sub(lambda m: "t1" if m.group(1) == "TAG" else "example/img", str(tpl))
            cmd += ["--set-string", f"{key}={fake}"]
        for key, value in rel.get("setValues", {}).items():
            cmd += ["--set-json", f"{key}={yaml.safe_dump(value, default_flow_style=True).strip()}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            errors.append(f"{label}: release {name}: helm template failed: {proc.stderr.strip()}")
    for art_key, image in keys.items():
        if art_key not in deployed:
            errors.append(f"{label}: artifact {image} is built but no release deploys it")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helm", default="helm")
    parser.add_argument("config", nargs="?", default="skaffold.yaml", type=Path)
    args = parser.parse_args(argv)
    root = args.config.resolve().parent
    cfg = yaml.safe_load(args.config.read_text())
    errors: list[str] = []
    if not API_VERSION.match(str(cfg.get("apiVersion", ""))):
        errors.append(f"apiVersion {cfg.get('apiVersion')!r} is not a skaffold v4 schema")
    if cfg.get("kind") != "Config":
        errors.append("kind must be Config")
    base = {k: v for k, v in cfg.items() if k != "profiles"}
    errors += check_config(base, root, args.helm, "base")
    profiles = {p.get("name"): p for p in cfg.get("profiles", [])}
    for missing in sorted(REQUIRED_PROFILES - profiles.keys()):
        errors.append(f"profile {missing!r} is missing")
    for name, profile in profiles.items():
        try:
            patched = jsonpatch.apply_patch(copy.deepcopy(base), profile.get("patches", []))
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            errors.append(f"profile {name}: patch does not apply: {exc}")
            continue
        for section in ("build", "deploy"):
            if section in profile:
                patched[section] = profile[section]
        errors += check_config(patched, root, args.helm, f"profile {name}")
    for error in errors:
        print(f"FAIL {error}")
    print(f"skaffold: base + {len(profiles)} profile(s) checked, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
