"""A room of learners: N browser sessions press Train at once on one server.
A measurement, not a test.

    python tests/measure/measure_room.py [--sessions 1 5 10 20] [--dataset digits|mnist] [--json]

Starts `streamlit run app.py` on localhost and, for each N, opens N sessions
(separate contexts of one headless Chromium, /usr/bin/chromium), each on the
Train page with the default controls (`--dataset mnist`: MNIST picked in the
sidebar, from --data-dir), plus one idle session.  All N click Train in the
same instant; for each: seconds from the click to the "Last run" line that a
finished run draws.  Meanwhile the idle session opens the Data page and back
(its page must stay responsive), and the server process is sampled every
0.2 s.  Reports per N: median / 95th percentile / max of click-to-finish,
the spread (max - min), the idle page's switch time, server CPU seconds and
peak memory, Chromium's CPU seconds (the browsers' share of the machine),
errors, and whether every session ended with the same validation accuracy.

`--close` also measures a learner who closes the tab while training: the
server's CPU use in the 3 s after the close.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import measure_dashboard as md  # noqa: E402  (start_server, chromium_cpu_seconds)
import test_browser as tb  # noqa: E402  (CHROMIUM_ARGS, VIEWPORT)
from pages.helpers.wording import dataset_label  # noqa: E402  (the Dataset box shows labels)

TICK = os.sysconf("SC_CLK_TCK")


class ServerSampler:
    """CPU seconds and peak resident memory of the server process, sampled in a thread."""

    def __init__(self, pid):
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def cpu(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mb(self):
        with open(f"/proc/{self.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024

    def _loop(self):
        while not self._stop.wait(0.2):
            self.peak_mb = max(self.peak_mb, self.rss_mb())

    def __enter__(self):
        self.cpu0, self.peak_mb = self.cpu(), self.rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu_seconds = self.cpu() - self.cpu0


async def open_session(browser, url, dataset):
    ctx = await browser.new_context(viewport=tb.VIEWPORT)
    page = await ctx.new_page()
    page.set_default_timeout(900_000)
    await page.goto(url + "/")
    await page.get_by_role("heading", name="Train", exact=True).wait_for()
    await page.locator(".js-plotly-plot").first.wait_for()
    await idle(page)
    if dataset != "digits":
        await page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").click()
        await page.get_by_role("option", name=dataset_label(dataset), exact=True).click()
        await idle(page, 1000)
    return ctx, page


async def idle(page, settle_ms=300):
    await page.wait_for_timeout(settle_ms)
    await page.locator('[data-testid="stApp"]:not([data-test-script-state="running"])').wait_for()


async def train(page, t0):
    await tb.button(page, "Train").click()  # "Train" and its keyboard shortcut
    await page.get_by_text(re.compile(r"^Last run: ")).wait_for()
    seconds = time.perf_counter() - t0
    errors = await page.get_by_test_id("stException").count()
    text = await page.get_by_text(re.compile(r"^Epoch \d+ of \d+")).first.inner_text()
    acc = re.search(r"validation accuracy ([\d.]+)%", text)
    return seconds, errors, acc.group(1) if acc else None


async def switch_pages(page):
    """The idle session: Data page and back to Train; seconds for each to show."""
    t0 = time.perf_counter()
    await page.get_by_role("link", name="Data").click()
    await page.get_by_role("heading", name="Data", exact=True).wait_for()
    t1 = time.perf_counter()
    await page.get_by_role("link", name="Train").click()
    await page.get_by_role("heading", name="Train", exact=True).wait_for()
    return max(t1 - t0, time.perf_counter() - t1)


async def crowd(browser, url, n, dataset, pid):
    sessions = [await open_session(browser, url, dataset) for _ in range(n + 1)]
    watcher = sessions.pop()[1]
    with ServerSampler(pid) as server:
        cpu0, t0 = md.chromium_cpu_seconds(), time.perf_counter()
        jobs = [asyncio.ensure_future(train(page, t0)) for _, page in sessions]
        await asyncio.sleep(1.0)
        switch = await switch_pages(watcher)
        results = await asyncio.gather(*jobs, return_exceptions=True)
        wall, chromium = time.perf_counter() - t0, md.chromium_cpu_seconds() - cpu0
    for ctx, _ in sessions:
        await ctx.close()
    await watcher.context.close()
    done = [r for r in results if not isinstance(r, BaseException)]
    times = sorted(r[0] for r in done)
    return {"sessions": n, "dataset": dataset, "finished": len(done),
            "errors": sum(r[1] for r in done) + len(results) - len(done),
            "median_s": round(statistics.median(times), 1), "p95_s": round(times[int(0.95 * (len(times) - 1))], 1),
            "min_s": round(times[0], 1), "max_s": round(times[-1], 1),
            "same_accuracy": len({r[2] for r in done}) == 1, "accuracies": sorted({r[2] for r in done}),
            "idle_page_switch_s": round(switch, 2), "wall_s": round(wall, 1),
            "server_cpu_s": round(server.cpu_seconds, 1), "server_peak_mb": round(server.peak_mb),
            "chromium_cpu_s": round(chromium, 1)}


async def closed_tab(browser, url, pid):
    """A learner closes the tab two seconds into a long run: server CPU in the next 3 s."""
    ctx, page = await open_session(browser, url, "digits")
    await page.get_by_role("tab", name="Training").click()
    await page.get_by_role("slider", name="Epochs").focus()
    await page.keyboard.press("End")  # the slider's last value: a run of minutes
    await idle(page)
    sampler = ServerSampler(pid)
    await tb.button(page, "Train").click()
    await asyncio.sleep(2.0)
    training = sampler.cpu()
    await asyncio.sleep(1.0)
    training = (sampler.cpu() - training) / 1.0
    await ctx.close()
    await asyncio.sleep(1.0)
    after = sampler.cpu()
    await asyncio.sleep(3.0)
    return {"cpu_share_while_training": round(training, 2), "cpu_share_after_close": round((sampler.cpu() - after) / 3.0, 2)}


async def main_async(args):
    from playwright.async_api import async_playwright

    os.environ.setdefault("NNLAB_MNIST_DIR", args.data_dir)
    proc, url = md.start_server()
    out = []
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=tb.chromium_path(), args=tb.CHROMIUM_ARGS)
            for n in args.sessions:
                out.append(await crowd(browser, url, n, args.dataset, proc.pid))
                print(json.dumps(out[-1]) if args.json else report(out[-1]), flush=True)
            if args.close:
                out.append({"closed_tab": await closed_tab(browser, url, proc.pid)})
                print(json.dumps(out[-1]), flush=True)
            await browser.close()
    finally:
        proc.kill()
    return out


def report(r):
    return (f"{r['sessions']:>3} x {r['dataset']}: click to finished median {r['median_s']} s, p95 {r['p95_s']} s, "
            f"max {r['max_s']} s (spread {r['max_s'] - r['min_s']:.1f} s); {r['errors']} errors; same accuracy: "
            f"{r['same_accuracy']} {r['accuracies']}; idle page switch {r['idle_page_switch_s']} s; server "
            f"{r['server_cpu_s']} CPU s over {r['wall_s']} s, peak {r['server_peak_mb']} MB; "
            f"Chromium {r['chromium_cpu_s']} CPU s")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--dataset", default="digits", choices=["digits", "mnist"])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    ap.add_argument("--close", action="store_true", help="also: a tab closed while training")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
