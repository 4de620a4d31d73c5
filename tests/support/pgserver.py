"""A throwaway PostgreSQL server for the test session, from the machine's server binaries (Debian's package).

pytest-postgresql would do this too, but it runs ``initdb`` as the current user, and PostgreSQL refuses to run
as root — which is what CI and the developers' machines are. This starts the server as the ``postgres`` system
user when we are root (as the current user otherwise), on a free loopback port, with trust authentication.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` of the newest PostgreSQL installed, if any."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PgServer:
    bindir: Path
    datadir: Path
    port: int
    prefix: list[str]

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start(settings: dict[str, str] | None = None) -> PgServer:
    """A throwaway server on a free port; ``settings`` are passed as ``-c name=value`` on top of the test ones."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found: run `make test` (it installs Debian's postgresql)")
    prefix = _as_user()
    root = Path(tempfile.mkdtemp(prefix="zhuisu-pg-"))
    datadir = root / "data"
    if prefix:
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    opts = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=100"
    ) + "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    return _run(PgServer(bindir, datadir, port, prefix), opts, root / "log")


def _run(server: PgServer, opts: str, log: Path) -> PgServer:
    """Start ``server`` (``pg_ctl start`` with ``opts``, its log in ``log``) and wait until it takes connections."""
    command = [*server.prefix, str(server.bindir / "pg_ctl"), "-D", str(server.datadir), "-o", opts, "-l", str(log)]
    subprocess.run([*command, "-w", "start"], check=True, capture_output=True)
    _wait(server.port)
    return server


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start on port {port}")


def start_replica(primary: PgServer) -> PgServer:
    """A streaming replica of ``primary`` on a free port: ``pg_basebackup -R`` (which writes ``standby.signal`` and
    the connection to the primary), then started as a hot standby that replays the primary's WAL as it comes."""
    root = Path(tempfile.mkdtemp(prefix="zhuisu-pg-replica-"))
    datadir = root / "data"
    if primary.prefix:
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
    subprocess.run(
        [
            *primary.prefix,
            str(primary.bindir / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(datadir),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",  # not the spread checkpoint (minutes) a busy server's backup waits for by default
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c hot_standby=on"
    return _run(PgServer(primary.bindir, datadir, port, primary.prefix), opts, root / "log")
