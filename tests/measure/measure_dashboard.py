"""How much the dashboard adds to training: a measurement, not a test.

    python tests/measure/measure_dashboard.py [--preset digits|mnist] [--reps 3] [--json]

With `--preset mnist` (784-512-256, 20 epochs of seconds each) the MNIST IDX
files come from `--data-dir` (default ../shared/data/mnist); the app finds them
through NNLAB_MNIST_DIR, and every run first picks the dataset in the sidebar.

For each repetition, in turn (so load from elsewhere hits all three alike):

* headless — the preset trained by `Trainer.run()` in this process;
* AppTest  — the Train page under Streamlit's `AppTest`: the page consumes the
  same generator and builds every progress and chart redraw, no browser;
* browser  — `streamlit run app.py` driven by Playwright in headless Chromium
  (/usr/bin/chromium): click **Train**, wait for "Epoch N of N".  The browser
  renders the redraws on the same cores that train.  The page's own "Last run"
  caption splits that run: `in_page` is the training loop inside the server
  (training + drawing), `in_page_training` the training part of it;
  `chromium_cpu` is the CPU time Chromium's processes used during the run
  (from /proc: Linux only).

Prints the median of each and its ratio to headless.  Needs the dev
requirements (playwright) and Chromium for the browser column.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import nnlab  # noqa: E402,F401  first, before NumPy: nnlab/fast/openblas.py

from nnlab.data import datasets as data  # noqa: E402
from nnlab.experiments import presets  # noqa: E402
from nnlab.train.trainer import Trainer  # noqa: E402
from pages.helpers.wording import dataset_label  # noqa: E402  (the Dataset box shows labels)


def headless(preset, ds, epochs=None):
    net, cfg = presets.build(preset, ds, seed=0, **({"epochs": epochs} if epochs else {}))
    t0 = time.perf_counter()
    for _ in Trainer(net, ds, cfg).run():
        pass
    return time.perf_counter() - t0, cfg.epochs


def apptest(preset, epochs, dataset):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    if dataset != "digits":
        at.selectbox(key="ctl_dataset").set_value(dataset)
        at.run()
    at.selectbox(key="ctl_preset").set_value(preset)
    at.run()
    next(b for b in at.button if b.label == "Apply preset").click()
    at.run()
    if at.slider(key="ctl_epochs").value != epochs:  # --epochs: fewer than the preset's
        at.slider(key="ctl_epochs").set_value(epochs)
        at.run()
    next(b for b in at.button if b.label == "Train").click()
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    assert not at.exception and len(at.session_state.history) == epochs, "the AppTest run did not finish"
    assert at.session_state.model_dataset == dataset, f"AppTest trained on {at.session_state.model_dataset}"
    return seconds


def start_server():
    import test_browser as tb

    port = tb.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start")


def chromium_cpu_seconds():
    """CPU seconds (user + system) used so far by every process whose command line
    mentions chromium; None where there is no /proc."""
    if not os.path.isdir("/proc"):
        return None
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"chromium" not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except OSError:  # the process ended meanwhile
            continue
    return total / os.sysconf("SC_CLK_TCK")


def browser_run(browser, url, preset, epochs, dataset):
    import test_browser as tb

    ctx = browser.new_context(viewport=tb.VIEWPORT)
    page = ctx.new_page()
    page.set_default_timeout(600_000)
    try:
        page.goto(url + "/")
        page.get_by_role("heading", name="Train", exact=True).wait_for()
        page.locator(".js-plotly-plot").first.wait_for()
        tb.wait_idle(page)
        if dataset != "digits":
            page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").click()
            page.get_by_role("option", name=dataset_label(dataset), exact=True).click()
            tb.wait_idle(page, 1000)
        tb.apply_preset(page, preset)
        cpu0, t0 = chromium_cpu_seconds(), time.perf_counter()
        tb.button(page, "Train").click()
        page.get_by_text(re.compile(rf"^Epoch {epochs} of {epochs}")).wait_for()
        seconds, cpu1 = time.perf_counter() - t0, chromium_cpu_seconds()
        note = page.get_by_text(re.compile(r"^Last run: ")).inner_text()
        wall, training = map(float, re.match(r"Last run: \d+ epochs? in ([\d.]+) s — ([\d.]+) s training", note).groups())
        return seconds, wall, training, (cpu1 - cpu0 if cpu0 is not None else None)
    finally:
        ctx.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="digits", choices=list(presets.PRESETS))
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"),
                    help="MNIST IDX files, for --preset mnist")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true", help="only headless and AppTest")
    ap.add_argument("--epochs", type=int, help="instead of the preset's (with --no-browser: a quick check)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.epochs and not args.no_browser:
        ap.error("--epochs needs --no-browser (the browser run trains the preset as it is)")
    dataset = "mnist" if args.preset == "mnist" else "digits"
    if dataset == "mnist":
        os.environ[data.MNIST_ENV] = args.data_dir  # how the app (AppTest and the server) finds them
    ds = data.load_dataset(dataset)  # the same split the app makes
    times = {"headless": [], "apptest": [], "browser": [], "in_page": [], "in_page_training": []}
    chromium_cpu = []
    use_browser = not args.no_browser and os.path.exists("/usr/bin/chromium")
    server = pw = browser = None
    try:
        if use_browser:
            from playwright.sync_api import sync_playwright
            import test_browser as tb

            server = start_server()
            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
        for rep in range(args.reps):
            seconds, epochs = headless(args.preset, ds, args.epochs)
            times["headless"].append(seconds)
            times["apptest"].append(apptest(args.preset, epochs, dataset))
            if use_browser:
                *runs, cpu = browser_run(browser, server[1], args.preset, epochs, dataset)
                for key, value in zip(("browser", "in_page", "in_page_training"), runs):
                    times[key].append(value)
                if cpu is not None:
                    chromium_cpu.append(cpu)
            print(f"run {rep + 1}: " + "  ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items() if v), flush=True)
    finally:
        if browser is not None:
            browser.close()
        if pw is not None:
            pw.stop()
        if server is not None:
            server[0].terminate()
    base = statistics.median(times["headless"])
    result = {"preset": args.preset, "epochs": epochs, "reps": args.reps, "all_seconds": times}
    print(f"{args.preset} preset, {epochs} epochs, median of {args.reps}:")
    for key, values in times.items():
        if values:
            med = statistics.median(values)
            result[f"{key}_median_s"], result[f"{key}_over_headless"] = med, med / base
            print(f"  {key:17s} {med:6.2f} s   {med / base:.2f}x headless")
    if chromium_cpu:
        result["chromium_cpu_median_s"] = statistics.median(chromium_cpu)
        print(f"  Chromium used {result['chromium_cpu_median_s']:.2f} s of CPU during the browser run "
              f"({os.cpu_count()} cores)")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
