"""A throwaway PostgreSQL cluster in a temporary folder, with Debian's binaries
(/usr/lib/postgresql/*/bin; `apt-get install postgresql`).  Used by the tests' `pg_url`
fixture (conftest.py) and by tests/measure/measure_store_load.py.

    with Cluster() as url:          # postgresql://nnlab@127.0.0.1:PORT/postgres
        ...

initdb refuses to run as root: as root the folder is given to the `postgres` user and the
binaries run through `runuser -u postgres --` (/work/shared/MACHINE.md).  Trust
authentication on 127.0.0.1 and a socket in the folder: nothing outside the machine
can reach it, and it is gone (stopped, folder removed) at the end.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def binaries() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin holding initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, settings: dict | None = None, user: str = "nnlab"):
        self.bin = binaries()
        if self.bin is None:
            raise FileNotFoundError("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)")
        # fsync off by default: tests need no durability (a measurement passes {"fsync": "on"})
        self.settings, self.user = {"fsync": "off", **(settings or {})}, user
        self.port, self.dir, self.url = free_port(), None, None

    def _run(self, *args, timeout=60):
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)

    def start(self) -> str:
        self.dir = Path(tempfile.mkdtemp(prefix="nnlab-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-sync")
        self.resume()
        deadline = time.time() + 60
        while subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                             capture_output=True).returncode != 0:
            if time.time() > deadline:
                raise TimeoutError("PostgreSQL did not start: " + self.log())
            time.sleep(0.1)
        self.url = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"
        return self.url

    def pause(self):
        """Stop the server, keeping its data (a restart, a crash: `resume` starts it again)."""
        self._run("pg_ctl", "-D", str(self.dir / "data"), "stop", "-m", "fast")

    def resume(self):
        """Start the server on the cluster's data (what `start` made), waiting until it runs."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 " + \
            " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def log(self) -> str:
        try:
            return (self.dir / "log").read_text()[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.dir is None:
            return
        try:
            self.pause()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> str:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def schema_url(url: str, name: str | None = None) -> str:
    """`url` with a search path of its own (a fresh, empty schema: the store creates its tables there)."""
    name = name or "t_" + uuid.uuid4().hex[:12]
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{name}"')
    return f"{url}?options=-csearch_path%3D{name}"
