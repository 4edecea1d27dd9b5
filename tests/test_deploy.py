"""deploy/: several app processes behind Debian's nginx (docs/deploy.md).

The configuration passes `nginx -t`; Ctrl-C, SIGTERM and kill -9 of deploy/serve.py leave no
process behind, and an app process that dies is started again; in Chromium, each browser
stays on one process (page, WebSocket, reruns, uploads, media) while browsers are spread
over both, and a lab trained through one process opens through the other; a learner who
trains through one process is on the room's scoreboard the other serves (the store on PostgreSQL).

Skipped (with the reason) only when nginx or Chromium is missing and CI is not set; in CI
they are failures (.ci/run installs both).

More browser tests on the same running deployment (the module's `deployment` fixture: two
processes behind nginx, and `browser`) open a browser on a chosen process with
`tab(browser, deployment, path, route=deployment.route_to(process))`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect
from datafiles import image_csv
from test_browser import (CHROMIUM_ARGS, LONG, VIEWPORT, button, chromium_path, click_train_and_wait, free_port,
                          lab_of, shows_the_lab, wait_idle)

from deploy import serve

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROUTE = "nnlab_route"
PROBE = re.compile(r"/[a-z]+/_stcore/(health|host-config)")


def nginx_path() -> str:
    if Path(NGINX).exists():
        return NGINX
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but there is no nginx at {NGINX}: the deploy tests must run in CI")
    pytest.skip(f"no nginx at {NGINX} (apt-get install nginx); set CI=1 to make this a failure")


# ------------------------------------------------------------------ processes
def process_table() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, state)} of every process, from /proc."""
    table = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # (the command name may hold spaces)
            table[int(d.name)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> set[int]:
    table = process_table()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _) in table.items():
            if ppid == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pids) -> set[int]:
    """The pids that still run (a zombie has stopped)."""
    table = process_table()
    return {p for p in pids if p in table and table[p][1] != "Z"}


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Deployment:
    """`python deploy/serve.py --processes N` on free ports, with its own prefix and lab store."""

    def __init__(self, tmp: Path, processes: int = 2, *args: str, store: str = ""):
        tmp.mkdir(parents=True, exist_ok=True)
        self.prefix, self.port = tmp / "prefix", free_port()
        self.out_path = tmp / "serve.out"
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "NNLAB_HOME": str(tmp / "home")}  # see test_browser.py
        if store:  # NNLAB_STORE: the lab store every process uses (default: SQLite in NNLAB_HOME)
            env["NNLAB_STORE"] = store
        self.base = ""
        if "--base-path" in args:
            self.base = serve.base_path(args[args.index("--base-path") + 1])
        with self.out_path.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "deploy/serve.py", "--processes", str(processes), "--port", str(self.port),
                 "--address", "127.0.0.1", "--app-port", "0", "--prefix", str(self.prefix),
                 "--nginx", nginx_path(), *args],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
        self.url = f"http://127.0.0.1:{self.port}" + (f"/{self.base}" if self.base else "")
        deadline = time.monotonic() + 120
        while not serve.healthy(self.url + serve.HEALTH):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"serve.py did not start:\n{self.output()}")
            time.sleep(0.3)
        self.upstreams = re.findall(r"^\s*server (\S+) ", (self.prefix / "nginx.conf").read_text(), re.M)
        assert len(self.upstreams) == processes, self.upstreams
        self.tree = descendants(self.proc.pid)  # streamlit processes, nginx and its workers

    def app_pid(self, upstream: str) -> int:
        """The pid of the app process serving `upstream` ("127.0.0.1:PORT")."""
        want = f"--server.port\0{upstream.rsplit(':', 1)[1]}\0"
        for pid in descendants(self.proc.pid):
            try:
                if want in Path(f"/proc/{pid}/cmdline").read_text():
                    return pid
            except OSError:
                continue
        raise AssertionError(f"no app process for {upstream}")

    def output(self) -> str:
        return self.out_path.read_text()

    def log(self) -> list[dict]:
        """nginx's access log, one dict a request (deploy/nginx.conf.template's log_format)."""
        path = self.prefix / "logs" / "access.log"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def requests_of(self, route: str) -> list[dict]:
        return [r for r in self.log() if r["route"] == route]

    def upstream_of(self, route: str, timeout: float = 5) -> str:
        """The one process that served the route's requests (nginx writes a line after the reply)."""
        deadline = time.monotonic() + timeout
        while not (found := {r["upstream"] for r in self.requests_of(route)}) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(found) == 1, (route, found)
        return found.pop()

    def get(self, path: str, cookie: str | None = None) -> str | None:
        """GET through nginx; the route cookie nginx set, if it set one."""
        req = urllib.request.Request(self.url + path, headers={"Cookie": f"{ROUTE}={cookie}"} if cookie else {})
        with urllib.request.urlopen(req, timeout=10) as r:
            cookies = r.headers.get_all("Set-Cookie") or []
        return next((c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith(ROUTE + "=")), None)

    def route_to(self, upstream: str) -> str:
        """A route cookie nginx issued that leads to `upstream`: new browsers' cookies until
        one does (each has an even chance: 64 misses in a row are 1 in 2**64)."""
        for _ in range(64):
            route = self.get(serve.HEALTH)
            if self.upstream_of(route) == upstream:
                return route
        raise AssertionError(f"no route to {upstream}")

    def other(self, upstream: str) -> str:
        return next(u for u in self.upstreams if u != upstream)

    def stop(self, sig=signal.SIGTERM) -> float:
        """Stop serve.py with `sig`: the seconds it took.  Fails if any process is left."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"serve.py did not stop on {sig!r}:\n{self.output()}")
        took = time.monotonic() - t0
        self.assert_nothing_left()
        return took

    def assert_nothing_left(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while (left := running(self.tree)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"left running: {left}\n{self.output()}"
        ports = [self.port] + [int(u.rsplit(":", 1)[1]) for u in self.upstreams]
        assert not [p for p in ports if port_open(p)], (ports, self.output())


# ------------------------------------------------------------------ unit tests
@pytest.mark.parametrize("base", ["", "/nnlab/"])
def test_the_generated_configuration_passes_nginx_t(tmp_path, base):
    """In a temporary prefix, as whoever runs the tests; nothing outside the prefix is written."""
    nginx = nginx_path()
    text = serve.nginx_config(tmp_path, "127.0.0.1:18080", ["127.0.0.1:18501", "127.0.0.1:18502"],
                              serve.base_path(base))
    assert not re.search(r"\{\{\w+\}\}", text) and "hash $route_key consistent" in text
    assert "client_max_body_size 101m" in text  # .streamlit/config.toml's maxUploadSize (100) + 1
    conf = serve.write_config(tmp_path, text)
    done = subprocess.run(serve.nginx_command(nginx, tmp_path, conf, "-t"), capture_output=True, text=True)
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    assert sorted(p.name for p in (tmp_path / "temp").iterdir()) == ["client_body", "fastcgi", "proxy", "scgi", "uwsgi"]


def test_the_upload_limit_is_read_from_the_app_s_streamlit_config(tmp_path):
    assert serve.max_upload_mb() == 100
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text("[server]\nmaxUploadSize = 7\n")
    assert serve.max_upload_mb(tmp_path) == 7
    assert serve.max_upload_mb(tmp_path / "nothing") == 200  # Streamlit's default


def test_base_paths():
    assert serve.base_path("/nnlab/") == serve.base_path("nnlab") == "nnlab"
    assert serve.base_path("/") == serve.base_path("") == ""
    for bad in ("/a b", "x;y", "a/../{b}"):
        with pytest.raises(ValueError):
            serve.base_path(bad)


def test_the_console_shows_where_the_store_is_but_never_a_password(monkeypatch):
    monkeypatch.setenv("NNLAB_STORE", "postgresql://nnlab:s3cret@db.lan:5432/nnlab")
    assert serve.store_name() == "postgresql://nnlab:***@db.lan:5432/nnlab"
    monkeypatch.delenv("NNLAB_STORE")
    monkeypatch.setenv("NNLAB_HOME", "/srv/nnlab")
    assert serve.store_name() == "SQLite in /srv/nnlab"


def test_ctrl_c_and_kill_9_leave_no_process_and_a_dead_app_process_comes_back(tmp_path):
    """Under a base path (/nnlab): a process killed -9 is started again on its port; Ctrl-C
    (SIGINT) stops nginx and both processes.  Then kill -9 of serve.py itself: the kernel
    stops its children (PR_SET_PDEATHSIG)."""
    dep = Deployment(tmp_path / "a", 2, "--base-path", "/nnlab")
    assert dep.get("/_stcore/health")  # through nginx, under /nnlab, with a route cookie
    with urllib.request.urlopen(f"http://127.0.0.1:{dep.port}/", timeout=5) as r:  # / goes to /nnlab/
        assert r.url.endswith("/nnlab/") and r.status == 200
    apps = [p for p in dep.tree if "streamlit" in Path(f"/proc/{p}/cmdline").read_text()]
    assert len(apps) == 2, apps
    os.kill(apps[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not ("starting it again" in dep.output() and all(serve.healthy(
            f"http://{u}/nnlab{serve.HEALTH}") for u in dep.upstreams)):
        assert time.monotonic() < deadline, dep.output()
        time.sleep(0.3)
    dep.tree |= descendants(dep.proc.pid)  # (the new process)
    took = dep.stop(signal.SIGINT)
    assert "stopped" in dep.output().splitlines()[-1]
    print(f"\n[deploy] Ctrl-C to every process gone: {took:.1f} s")

    dep = Deployment(tmp_path / "b", 1)
    dep.proc.kill()  # no clean-up of its own at all
    dep.proc.wait()
    dep.assert_nothing_left()


# ------------------------------------------------------------------ in the browser
@pytest.fixture(scope="module")
def deployment(tmp_path_factory, pg_url):
    """Two app processes behind nginx, shared by this module's browser tests, with their lab
    store on PostgreSQL (a throwaway cluster: conftest's pg_url), as servers on several
    machines would share it; stopped with SIGTERM at the end, which must leave no process
    (a failure here is a teardown error)."""
    chromium_path()
    dep = Deployment(tmp_path_factory.mktemp("deploy"), 2, store=pg_url)
    yield dep
    if dep.proc.poll() is None:
        dep.stop(signal.SIGTERM)


@pytest.fixture(scope="module")
def browser(deployment):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def browser_context(browser, deployment, route=None):
    """A new browser; `route`: its route cookie set beforehand (one nginx issued, e.g.
    deployment.route_to(process)), otherwise nginx sets one on its first request."""
    ctx = browser.new_context(viewport=VIEWPORT)
    if route:
        ctx.add_cookies([{"name": ROUTE, "value": route, "url": deployment.url}])
    return ctx


def tab(browser, deployment, path, route=None):
    """A new browser (browser_context) on `path`, rendered: (context, page)."""
    ctx = browser_context(browser, deployment, route)
    pg = ctx.new_page()
    pg.set_default_timeout(LONG)
    pg.goto(deployment.url + path)
    pg.locator("h1").first.wait_for()
    wait_idle(pg, 1000)
    return ctx, pg


def route_of(ctx) -> str:
    return next(c["value"] for c in ctx.cookies() if c["name"] == ROUTE)


def routes_to_each_process(deployment, n=60) -> dict[str, str]:
    """{route cookie: process} for `n` new browsers (plain requests without a cookie)."""
    routes = [deployment.get(serve.HEALTH) for _ in range(n)]
    return {r: deployment.upstream_of(r) for r in routes}


@pytest.mark.browser
def test_each_browser_stays_on_one_process_and_a_lab_opens_on_the_other(deployment, browser, tmp_path):
    """Browsers are spread over both processes by nginx's route cookie, and each stays on
    its own: the page, its WebSocket (its reruns travel on it), a reload's new WebSocket,
    media files and an upload.  A lab trained on one process opens on the other (one store).
    The second browser is sent to the other process deterministically, with a route cookie
    nginx issued that is known to lead there (ip_hash would put every test browser on one)."""
    assert "lab store: postgresql://nnlab@127.0.0.1" in deployment.output()  # (no password in the console)
    t0 = time.monotonic()
    routes = routes_to_each_process(deployment)
    share = Counter(routes.values())
    assert set(share) == set(deployment.upstreams) and min(share.values()) >= 10, share  # (by chance: 3 in 10**8)
    for route, upstream in list(routes.items())[:10]:  # a cookie keeps its process
        assert deployment.get(serve.HEALTH, route) is None  # (and gets no new cookie)
        assert deployment.upstream_of(route) == upstream  # (every request of the route: one process)

    ctx_a, pg = tab(browser, deployment, "/train")  # a browser as any learner's: nginx gives the cookie
    route_a, token = route_of(ctx_a), lab_of(pg.url)
    click_train_and_wait(pg, 40)
    pg.get_by_test_id("stSidebarNav").get_by_role("link", name="Data").click()  # (keeps the lab)
    pg.get_by_role("heading", name="Data", exact=True).wait_for()
    pg.get_by_role("img").first.wait_for()  # the digits' preview: a /media/ file
    pg.get_by_text("Your CSV").click()
    wait_idle(pg)
    upload = tmp_path / "three.csv"
    upload.write_bytes(image_csv(n=60, side=8, vmax=16, k=3))
    pg.locator('input[type="file"]').first.set_input_files(upload)  # /_stcore/upload_file, with the XSRF token
    pg.get_by_role("button", name="Use this CSV").wait_for()
    wait_idle(pg)
    pg.reload()  # a new WebSocket (a new session: the lab comes back from the store)
    pg.get_by_role("heading", name="Data", exact=True).wait_for()
    wait_idle(pg, 1000)
    up_a = deployment.upstream_of(route_a)

    route_b = deployment.route_to(deployment.other(up_a))
    ctx_b = browser_context(browser, deployment, route_b)
    shows_the_lab(browser, deployment.url, token, ctx_b)  # Evaluate shows the model, Compare the run
    assert route_of(ctx_b) == route_b  # (kept: nginx sets no new cookie over a valid one)
    ctx_a.close()
    ctx_b.close()  # (a WebSocket's line is written when it closes)

    for route, where in ((route_a, up_a), (route_b, deployment.upstream_of(route_b))):
        time.sleep(0.5)
        seen = deployment.requests_of(route)
        assert {r["upstream"] for r in seen} == {where}, (route, Counter(r["upstream"] for r in seen))
        sockets = [r for r in seen if r["uri"].endswith("/_stcore/stream")]
        assert len(sockets) >= 2 and {r["status"] for r in sockets} == {"101"}, sockets
        # No error but Streamlit's own: its page probes /<page>/_stcore/health and host-config for
        # a base path (404), and a media file of a run already replaced is gone (404).
        failed = [r for r in seen if r["status"] >= "400" and not PROBE.fullmatch(r["uri"])
                  and not (r["status"] == "404" and r["uri"].startswith("/media/"))]
        assert not failed, failed
        assert [r for r in seen if r["uri"].startswith("/media/") and r["status"] == "200"], seen
    seen_a = deployment.requests_of(route_a)
    uploads = [r for r in seen_a if r["uri"].startswith("/_stcore/upload_file/") and r["method"] == "PUT"]
    assert uploads and {r["status"] for r in uploads} <= {"200", "204"}, uploads  # (an XSRF refusal: 403)
    assert up_a != deployment.upstream_of(route_b)
    assert not [r for r in deployment.log() if "lab=" in r["uri"]]  # no lab token in the log
    print(f"\n[deploy] two browsers on two processes, one lab: {time.monotonic() - t0:.1f} s")


@pytest.mark.browser
def test_a_tab_whose_process_is_killed_comes_back_to_that_process_with_its_lab(deployment, browser):
    """kill -9 of the process a tab is on: serve.py starts it again, the tab reconnects (the
    page pings through nginx meanwhile: 502s) to the same process, not to the other one, and
    its lab is there (a new session, restored from the store)."""
    t0 = time.monotonic()
    ctx, pg = tab(browser, deployment, "/train")
    route, token = route_of(ctx), lab_of(pg.url)
    try:
        click_train_and_wait(pg, 40)
        upstream = deployment.upstream_of(route)
        restarts = deployment.output().count("starting it again")
        app = pg.get_by_test_id("stApp")
        os.kill(deployment.app_pid(upstream), signal.SIGKILL)
        expect(app).not_to_have_attribute("data-test-connection-state", "CONNECTED", timeout=LONG)
        expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=LONG)
        assert deployment.output().count("starting it again") == restarts + 1
        wait_idle(pg, 1000)
        pg.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
        pg.get_by_role("heading", name="Compare", exact=True).wait_for()
        wait_idle(pg, 1000)
        kept = lab_of(pg.url) == token and "run 1" in pg.inner_text("body")
        pg.goto(f"{deployment.url}/compare?lab={token}")  # the lab's address, on the restarted process
        pg.get_by_role("heading", name="Compare", exact=True).wait_for()
        wait_idle(pg, 1000)
        assert "run 1" in pg.inner_text("body") and "No runs yet" not in pg.inner_text("body")
    finally:
        ctx.close()
    time.sleep(0.5)
    seen = deployment.requests_of(route)
    assert {r["upstream"] for r in seen} == {upstream}, Counter(r["upstream"] for r in seen)
    sockets = [r for r in seen if r["uri"] == "/_stcore/stream" and r["status"] == "101"]
    assert len(sockets) >= 3, sockets  # the one cut off, the one after the restart, the page opened
    print(f"\n[deploy] a tab back on its restarted process: {time.monotonic() - t0:.1f} s")
    # The tab reloaded itself when its connection came back (pages/helpers/streamlit_compat.py):
    # its first click in the sidebar keeps its lab, not a new, empty one.
    assert kept, "after a reconnect to the restarted process, the tab's first click lost its lab"


@pytest.mark.browser
def test_a_learner_on_one_process_is_on_the_scoreboard_the_other_process_serves(deployment, browser):
    """A room across processes (issue 24): the presenter's scoreboard is served by one process,
    a learner joins and trains through the other; the row is there within 2 s of the run's end
    (the scoreboard polls the shared store — PostgreSQL here — not its own process's memory)."""
    from test_browser_room import LATENCY, join, on_board, open_room

    up_presenter = deployment.upstreams[0]
    up_learner = deployment.other(up_presenter)
    ctx_p, presenter = tab(browser, deployment, "/room", route=deployment.route_to(up_presenter))
    ctx_l = None
    try:
        code, link = open_room(presenter)
        presenter.get_by_text("No runs yet").wait_for()
        ctx_l, learner = tab(browser, deployment, f"/train?room={code}&epochs=5",
                             route=deployment.route_to(up_learner))
        join(learner, code, "Grace <b>H</b>")
        button(learner, "Train").click()
        learner.get_by_text(re.compile(r"^Epoch 5 of 5")).wait_for()
        ended = time.time()
        row = on_board(presenter, "Grace <b>H</b>")
        while not row.count() and time.time() < ended + 15:
            presenter.wait_for_timeout(50)
        shown = time.time()
        assert row.count(), "the learner's run is not on the scoreboard 15 s after it ended"
        print(f"\n[deploy] a run through one process on the other's scoreboard: {shown - ended:.2f} s after its end")
        assert shown - ended <= LATENCY
        routes = {route_of(ctx_p): up_presenter, route_of(ctx_l): up_learner}
    finally:
        for ctx in (ctx_l, ctx_p):
            if ctx is not None:
                ctx.close()
    time.sleep(0.5)
    for route, upstream in routes.items():  # each browser stayed on its own process throughout
        assert {r["upstream"] for r in deployment.requests_of(route)} == {upstream}
