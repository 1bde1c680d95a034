"""A throwaway PostgreSQL server for the tests: one cluster per test session, one database per test.

``postgres`` (session scope) finds ``initdb`` and ``pg_ctl`` (on PATH, else the newest
``/usr/lib/postgresql/*/bin``, where Debian's ``postgresql`` package puts them), makes a cluster
in a new temporary folder (trust authentication, user ``postgres``, no fsync: nothing here is
worth keeping), starts it on a free port of 127.0.0.1 with its socket in that folder, and stops
it and removes the folder at the end. ``pg_url`` gives each test a database of its own and the
address ``postgresql+psycopg://postgres@127.0.0.1:PORT/NAME``.

initdb refuses to run as root, and CI runs the tests as root: then initdb, pg_ctl and so the
server run as the ``postgres`` user (Python's ``subprocess`` switches user and group, dropping
root's other groups, before executing them), in a folder under /tmp owned by that user.

Without the binaries the fixture skips with the reason, except in CI (``CI`` set), where it
fails: CI installs Debian's postgresql (``.ci/run``), so missing binaries there are a fault.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

SERVER_USER = "postgres"  # the OS user the server runs as when the tests run as root
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
START_TIMEOUT = 60  # seconds


def find_binaries() -> Path | None:
    """The folder holding both ``initdb`` and ``pg_ctl``, or None."""
    initdb = shutil.which("initdb")
    if initdb is not None:
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").is_file():
            return folder
        pg_ctl = shutil.which("pg_ctl")
        if pg_ctl is not None and Path(pg_ctl).resolve().parent == folder:
            return folder

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))

    found = [p for p in DEBIAN_BINARIES.glob("*/bin") if (p / "initdb").is_file() and (p / "pg_ctl").is_file()]
    return max(found, key=version) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway PostgreSQL server."""

    binaries: Path
    base: Path  # the temporary folder: data/, the socket, server.log
    port: int = 0
    as_user: str | None = None  # run the binaries as this OS user (when the tests run as root)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def _run(self, *args: str, timeout: float = START_TIMEOUT) -> None:
        """Run one of the cluster's binaries, as ``as_user`` when set; fail with its output."""
        output = self.base / "command.log"
        with output.open("w", encoding="utf-8") as sink:
            done = subprocess.run(
                [str(self.binaries / args[0]), *args[1:]],
                cwd=self.base,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                user=self.as_user,
                group=self.as_user,
                extra_groups=[] if self.as_user else None,
                env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            )
        if done.returncode != 0:
            server = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}):\n{output.read_text(errors='replace')}\n{server}"
            )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N")

    def start(self) -> None:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.base),  # what -k sets
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        options = " ".join(f"-c {shlex.quote(f'{name}={value}')}" for name, value in settings.items())
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_TIMEOUT), "-o", options
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", timeout=START_TIMEOUT)

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True)

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _base_folder() -> tuple[Path, str | None]:
    """A new temporary folder for the cluster, and the user to run it as (None: this process's user)."""
    if os.geteuid() != 0:
        return Path(tempfile.mkdtemp(prefix="matching-pg-")), None
    try:
        server = pwd.getpwnam(SERVER_USER)
    except KeyError:
        pytest.fail(f"The tests run as root but there is no {SERVER_USER!r} user to run PostgreSQL as.")
    # Under /tmp, not TMPDIR: root's own temporary folders are often closed to other users.
    base = Path(tempfile.mkdtemp(prefix="matching-pg-", dir="/tmp"))
    os.chown(base, server.pw_uid, server.pw_gid)
    base.chmod(0o700)
    return base, SERVER_USER


def start_cluster() -> Cluster:
    binaries = find_binaries()
    if binaries is None:
        reason = (
            "PostgreSQL's initdb and pg_ctl were not found (on PATH or in /usr/lib/postgresql/*/bin); "
            "install Debian's postgresql package to run the PostgreSQL tests"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    base, as_user = _base_folder()
    cluster = Cluster(binaries, base, as_user=as_user)
    try:
        cluster.init()
        for attempt in range(3):  # the free port may be taken between finding and binding it
            cluster.port = _free_port()
            try:
                cluster.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return cluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL server for the whole test session (see the module docstring)."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: Cluster) -> Iterator[str]:
    """A new, empty database on the session's server, dropped after the test."""
    name = postgres.create_database()
    yield postgres.url(name)
    with contextlib.suppress(psycopg.Error):  # the whole cluster goes at the end of the session anyway
        postgres.drop_database(name)
