"""A real PostgreSQL server for tests: Debian's ``postgresql`` binaries, ``initdb`` into a temp dir,
``pg_ctl`` start on a free loopback port, trust auth for one superuser, torn down afterwards.

As root (CI, this image) the server runs as the ``postgres`` system user (PostgreSQL refuses to run
as root); otherwise as the current user. Tests that need it skip with a clear reason when the
binaries are missing::

    from tests.servers.postgres import postgres_server  # noqa: F401  (session fixture)

    def test_x(postgres_server):
        url = postgres_server.create_database("test_x")
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.common.launcher import free_port

SUPERUSER = "shoptalk"


def find_pg_bin() -> Path | None:
    """The directory holding ``initdb``/``pg_ctl``: Debian's versioned dirs, then ``PATH``."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresServer:
    def __init__(self, bin_dir: Path, port: int | None = None) -> None:
        self.bin_dir = bin_dir
        self.port = port or free_port()
        self.base = Path(tempfile.mkdtemp(prefix="shoptalk-pg-"))
        self.data_dir = self.base / "data"
        self.log_file = self.base / "server.log"
        self._user: str | None = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError as exc:  # pragma: no cover - Debian's package creates the user
                raise RuntimeError("running as root needs the 'postgres' system user") from exc
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
            self._user = "postgres"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {"user": self._user} if self._user else {}
        return subprocess.run(
            list(args), check=True, capture_output=True, text=True, timeout=timeout, cwd=self.base, **kwargs
        )

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        try:
            self._run(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "start",
            )
        except subprocess.CalledProcessError as exc:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(f"postgres did not start: {exc.stderr}\n{log[-2000:]}") from exc
        return self

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database; returns its URL."""
        name = name or "t_" + uuid.uuid4().hex[:12]
        self._run(
            str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name
        )
        return self.url_for(name)

    def stop(self) -> None:
        try:
            if self.data_dir.exists():
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install -y postgresql")
    server = PostgresServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()
