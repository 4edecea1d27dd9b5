"""Strokes lost after Clear on the Draw page, in the browser: a measurement, not a test.

    python tests/measure/measure_draw_clear.py [--digits 20] [--after reading|ms:N] [--json]

Starts the app, trains the Draw page's offered model, then draws `--digits`
digits of tests/strokes.py with the mouse, pressing **Clear** before each one
and drawing as soon as the previous reading has disappeared (`--after reading`,
what a person does) or N ms after the click (`--after ms:0`).  A digit is lost
when no reading appears within 8 s of lifting the pen.  Prints one line per
digit and the count (issue 21: 3 of 40 lost by hand).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from strokes import one_round, place

RECTS = """els => els.map(e => { const r = e.getBoundingClientRect();
  return r.width ? {x: r.x, y: r.y, width: r.width, height: r.height} : null; })"""
INK = """el => { const d = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
  let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n; }"""


def start_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start")


def draw(pg, strokes, scale, offset):
    """Mouse strokes on the canvas a person sees first (the topmost one, if two)."""
    canvases = pg.locator("canvas.upper-canvas")
    for _ in range(100):  # a person waits until a canvas is on screen
        boxes = [b for b in canvases.evaluate_all(RECTS) if b]
        if boxes:
            break
        pg.wait_for_timeout(50)
    box = min(boxes, key=lambda b: b["y"])
    for stroke in strokes:
        pts = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in place(stroke, scale, offset)]
        pg.mouse.move(*pts[0])
        pg.mouse.down()
        for q in pts[1:]:
            pg.mouse.move(*q, steps=3)
        pg.mouse.up()
        pg.wait_for_timeout(150)
    return len(boxes)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--digits", type=int, default=20)
    ap.add_argument("--after", default="reading", help="reading (default) or ms:N")
    ap.add_argument("--json", action="store_true", help="also print the result as JSON (the last line)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    proc, url = start_server()
    lost = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            pg = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            pg.set_default_timeout(60_000)
            pg.goto(url + "/draw")
            pg.get_by_role("button", name="Train a good default now").click()
            pg.locator("canvas.upper-canvas").first.wait_for()
            pg.wait_for_timeout(1500)
            reading = pg.get_by_role("heading", name=re.compile("The network reads"))
            for n, (digit, style, where, strokes, scale, offset) in enumerate((one_round() * 4)[:args.digits]):
                if n:
                    pg.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Clear", exact=True).click()
                    if args.after == "reading":
                        reading.wait_for(state="detached")
                    else:
                        pg.wait_for_timeout(int(args.after.split(":")[1]))
                n_canvases = draw(pg, strokes, scale, offset)
                try:
                    reading.wait_for(timeout=8000)
                    pg.wait_for_timeout(1000)
                    print(f"{n:2d} {digit} {style}: read as {reading.inner_text().rsplit(':', 1)[1].strip()}"
                          f" (canvases on the page while drawing: {n_canvases})", flush=True)
                except Exception:  # noqa: BLE001  nothing read: the strokes went nowhere
                    ink = pg.locator("canvas.dc-canvas.lower-canvas").last.evaluate(INK)
                    lost.append(f"{digit} {style}")
                    print(f"{n:2d} {digit} {style}: LOST (ink pixels left on the canvas: {ink};"
                          f" canvases while drawing: {n_canvases})", flush=True)
                    pg.wait_for_timeout(2000)
            browser.close()
    finally:
        proc.terminate()
    print(f"lost {len(lost)} of {args.digits} (--after {args.after}): {lost}")
    if args.json:
        print(json.dumps({"digits": args.digits, "after": args.after, "lost": lost}))
    return lost


if __name__ == "__main__":
    main()
