"""Serve nnlab from several app processes behind nginx, on one machine (docs/deploy.md).

    python deploy/serve.py --processes 4 --port 8080

starts 4 `streamlit run app.py` processes on localhost ports, waits until each answers
/_stcore/health, writes the nginx configuration (deploy/nginx.conf.template) into a prefix
folder with its logs and temporary files, and runs nginx in the foreground.  They all get
this process's environment, so they share one lab store (NNLAB_HOME, or NNLAB_STORE).
Ctrl-C or SIGTERM stops nginx, then every app process; an app process that dies is started
again on its port.  If this script itself is killed (kill -9), its children are told by the
kernel (Linux) and stop too.

Only the standard library: it runs before anything is installed but Streamlit and nginx.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
HEALTH = "/_stcore/health"
STREAMLIT_UPLOAD_MB = 200  # Streamlit's default server.maxUploadSize, when config.toml sets none
STOP_SECONDS = 10  # a process that has not stopped after this long is killed


# --------------------------------------------------------------- the configuration
def max_upload_mb(root: Path = ROOT) -> int:
    """server.maxUploadSize of the app's .streamlit/config.toml (MB of 1024*1024 bytes)."""
    path = root / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text()) if path.exists() else {}
    return int(config.get("server", {}).get("maxUploadSize", STREAMLIT_UPLOAD_MB))


def base_path(text: str) -> str:
    """"/nnlab/" -> "nnlab" (Streamlit's server.baseUrlPath); "" or "/" -> ""."""
    path = text.strip().strip("/")
    if path and not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", path):
        raise ValueError(f"not a URL path: {text!r}")
    return path


def nginx_config(prefix: Path, listen: str, servers: list[str], base: str = "",
                 upload_mb: int | None = None, workers: int = 1) -> str:
    """The nginx configuration: `servers` ("127.0.0.1:8501", ...) behind `listen`
    ("8080" or "127.0.0.1:8080"), the app under /`base`/ when `base` is set."""
    if not servers:
        raise ValueError("no app process to send requests to")
    upload_mb = max_upload_mb() if upload_mb is None else upload_mb
    location = f"/{base}/" if base else "/"
    redirect = (f"        location = / {{\n            return 302 /{base}/;\n        }}\n" if base else "")
    fields = {
        "prefix": str(Path(prefix).resolve()),
        "listen": listen,
        "servers": "\n".join(f"        server {s} max_fails=0;" for s in servers),
        "upload_mb": str(upload_mb),
        "body_mb": str(upload_mb + 1),
        "location": location,
        "root_redirect": redirect,
        "workers": str(workers),
    }
    text = re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], TEMPLATE.read_text())
    return text


def write_config(prefix: Path, text: str) -> Path:
    """nginx.conf in `prefix`, with the logs/ and temp/ folders it names."""
    for sub in ("logs", "temp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


def nginx_command(nginx: str, prefix: Path, conf: Path, *extra: str) -> list[str]:
    """nginx on this prefix and configuration; -e: its startup errors go to the prefix too,
    never to the compiled-in /var/log/nginx."""
    return [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log"), *extra]


# ------------------------------------------------------------------- the processes
def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """n ports free now (all held open together, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def app_command(port: int, address: str = "127.0.0.1", base: str = "") -> list[str]:
    """`streamlit run app.py` as one app process behind the proxy."""
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", address, "--server.fileWatcherType", "none"]
    if base:
        cmd += ["--server.baseUrlPath", base]
    return cmd


def healthy(url: str, timeout: float = 2) -> bool:
    """True when `url` (an app's /_stcore/health) answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60, stop: threading.Event | None = None) -> bool:
    """Wait until `url` answers 200: False if `proc` ended, `stop` was set or time ran out."""
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline or (stop is not None and stop.is_set()):
            return False
        time.sleep(0.25)
    return True


def _die_with_parent():  # runs in the child between fork and exec
    """Linux: the kernel sends SIGTERM to this child when serve.py dies, even by kill -9."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(cmd: list[str], parent: int, **kwargs) -> subprocess.Popen:
    """A child in a process group of its own: Ctrl-C reaches this script only, which stops
    the children in order; the group also holds what a child starts (nginx's workers,
    a sweep's worker processes), so stopping the group leaves nothing behind."""
    def prepare():
        _die_with_parent()
        if os.getppid() != parent:  # serve.py died before prctl: nobody would tell us
            os._exit(1)
    return subprocess.Popen(cmd, start_new_session=True, preexec_fn=prepare if sys.platform == "linux" else None,
                            **kwargs)


def _signal_group(proc: subprocess.Popen, sig) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(proc: subprocess.Popen) -> bool:
    try:
        os.killpg(proc.pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def stop_groups(procs: list[subprocess.Popen], wait: float = STOP_SECONDS) -> None:
    """Stop each process and everything in its process group: SIGTERM to all at once (a
    clean stop), SIGKILL to whatever is left after `wait` seconds.  Every child is reaped."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + wait
    for proc in procs:
        try:
            proc.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            pass
    while any(_group_alive(p) for p in procs) and time.monotonic() < deadline:  # (a group outlives its leader)
        time.sleep(0.05)
    for proc in procs:
        _signal_group(proc, signal.SIGKILL)
        proc.wait()


class App:
    """One app process on its port, its output in logs/app-PORT.log."""

    def __init__(self, port: int, address: str, base: str, prefix: Path):
        self.port, self.address, self.base = port, address, base
        self.log_path = prefix / "logs" / f"app-{port}.log"
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    @property
    def upstream(self) -> str:
        """Its address for this machine's nginx ("0.0.0.0" listens everywhere, localhost included)."""
        return f"{'127.0.0.1' if self.address in ('0.0.0.0', '') else self.address}:{self.port}"

    @property
    def health_url(self) -> str:
        return f"http://{self.upstream}/{self.base + '/' if self.base else ''}{HEALTH.lstrip('/')}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = spawn(app_command(self.port, self.address, self.base), os.getpid(), cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.started = time.monotonic()


# ------------------------------------------------------------------- the command
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python deploy/serve.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=2, help="app processes on this machine (default 2; about one per core)")
    p.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    p.add_argument("--address", default="", help="nginx's address (default: every interface; 127.0.0.1: this machine only)")
    p.add_argument("--app-port", type=int, default=8501,
                   help="the first app process's port, the others follow (default 8501; 0: any free ports)")
    p.add_argument("--app-address", default="127.0.0.1",
                   help="the app processes' address (default 127.0.0.1; another machine's nginx needs 0.0.0.0)")
    p.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                   help="also send browsers to this app process (one on another machine); repeatable")
    p.add_argument("--base-path", default="", help="serve under this URL path, e.g. /nnlab (Streamlit's server.baseUrlPath)")
    p.add_argument("--prefix", default="", help="folder for nginx.conf, logs/ and temp/ (default: a new temporary folder)")
    p.add_argument("--home", default="", help="the lab store's folder for every process (NNLAB_HOME; default: as set, or ~/.nnlab)")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx", help="the nginx binary")
    p.add_argument("--no-nginx", action="store_true", help="only the app processes (a machine behind another one's nginx)")
    p.add_argument("--check", action="store_true", help="write the configuration, run `nginx -t` on it and stop")
    args = p.parse_args(argv)
    if args.processes < 0 or (args.processes == 0 and not args.upstream):
        p.error("--processes must be at least 1 (or 0 with --upstream)")
    try:
        args.base_path = base_path(args.base_path)
    except ValueError as e:
        p.error(str(e))
    return args


def say(text: str) -> None:
    print(f"[serve] {text}", flush=True)


def supervise(apps: list[App], nginx: subprocess.Popen | None, stop: threading.Event, prefix: Path) -> int:
    """Until `stop`: an app process that died is started again on its port (2 s after its
    last start at the soonest, so a crash loop cannot spin).  Its browsers wait meanwhile
    ("Connecting") and come back to it: nginx never moves them (nginx.conf.template).
    nginx gone: 1."""
    while not stop.wait(0.5):
        if nginx is not None and nginx.poll() is not None:
            say(f"nginx stopped (exit {nginx.returncode}); see {prefix / 'logs' / 'error.log'}")
            return 1
        for app in apps:
            if app.proc.poll() is not None and time.monotonic() - app.started > 2:
                say(f"the app process on port {app.port} stopped (exit {app.proc.returncode}); starting it again")
                stop_groups([app.proc], wait=2)  # (what it started, if anything is left)
                app.start()
    return 0


def store_name() -> str:
    """Where the lab store is, for the console: a database URL without its password."""
    url = os.environ.get("NNLAB_STORE")
    if url:
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)
    return f"SQLite in {os.environ.get('NNLAB_HOME') or '~/.nnlab'}"


def main(argv=None) -> int:
    args = parse_args(argv)
    prefix = Path(args.prefix).resolve() if args.prefix else Path(tempfile.mkdtemp(prefix="nnlab-serve-"))
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    if args.home:
        os.environ["NNLAB_HOME"] = str(Path(args.home).resolve())
    ports = (free_ports(args.processes, args.app_address) if args.app_port == 0
             else [args.app_port + i for i in range(args.processes)])
    apps = [App(port, args.app_address, args.base_path, prefix) for port in ports]
    listen = f"{args.address}:{args.port}" if args.address else str(args.port)
    conf = write_config(prefix, nginx_config(prefix, listen, [a.upstream for a in apps] + args.upstream,
                                             args.base_path))
    if args.check:
        say(f"configuration: {conf}")
        return subprocess.call(nginx_command(args.nginx, prefix, conf, "-t"))

    stop = threading.Event()
    got = []

    def on_signal(signum, _frame):
        got.append(signum)
        stop.set()

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    nginx = None
    try:
        for app in apps:  # all at once: each takes a few seconds to import
            app.start()
        for app in apps:
            if not wait_healthy(app.health_url, app.proc, stop=stop):
                if not stop.is_set():
                    say(f"the app process on port {app.port} did not start; see {app.log_path}")
                return 1
        say(f"{len(apps)} app processes on {', '.join(str(a.port) for a in apps)}; lab store: {store_name()}")
        if args.no_nginx:
            say("no nginx (--no-nginx); Ctrl-C stops")
        else:
            nginx = spawn(nginx_command(args.nginx, prefix, conf, "-g", "daemon off;"), os.getpid(),
                          stdin=subprocess.DEVNULL)
            host = args.address if args.address not in ("", "0.0.0.0", "::") else "localhost"
            say(f"nginx: http://{host}:{args.port}/{args.base_path + '/' if args.base_path else ''} "
                f"(configuration and logs in {prefix}); Ctrl-C stops")
        return supervise(apps, nginx, stop, prefix)
    finally:
        if got:
            say(f"stopping ({signal.Signals(got[0]).name})")
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        if nginx is not None:
            stop_groups([nginx])  # first: no new requests reach a stopping app
        stop_groups([app.proc for app in apps if app.proc is not None])
        say("stopped")


if __name__ == "__main__":
    sys.exit(main())
