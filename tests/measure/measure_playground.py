"""How fast the Playground's pictures update in a real browser: a measurement, not a test.

    python tests/measure/measure_playground.py [--reps 3] [--toy moons] [--json]

Starts `streamlit run app.py`, opens /playground in headless Chromium
(/usr/bin/chromium), presses **Train** on the default setup (two moons, 8-8 tanh,
Adam, 200 epochs) and watches the page from inside the browser: on every
animation frame a small script reads the title ("Epoch 37 · ...") of the
decision boundary on screen (the top one of its slots, pages/helpers/live_chart.py)
and notes when it changes and how long no boundary is on screen.  Reports per
run: wall seconds from the click to the last picture, epochs per second,
pictures the server sent (the page's "Last run" caption), pictures the browser
showed (distinct epochs seen), their rate, the longest gap between two, and
the time the boundary was missing (a picture sent before the last one was drawn).
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import nnlab  # noqa: E402,F401  first, before NumPy: nnlab/fast/openblas.py

WATCH = """() => {
  window.__frames = []; window.__blank = 0; let last = null, lastT = performance.now();
  const tick = (t) => {
    // what is on screen: the highest of the boundary's slots (pages/helpers/live_chart.py) that holds a drawn plot
    const drawn = [...document.querySelectorAll('.st-key-live_boundary > div')].filter(d => {
      const p = d.querySelector('.js-plotly-plot'); return p && p.getBoundingClientRect().width > 0 && d.querySelector('.gtitle'); });
    drawn.sort((a, b) => (+getComputedStyle(b).zIndex || 0) - (+getComputedStyle(a).zIndex || 0));
    const title = drawn.length ? drawn[0].querySelector('.gtitle').textContent : null;
    if (!title) window.__blank += t - lastT;
    else if (title !== last) { window.__frames.push([t, title]); last = title; }
    lastT = t; window.__raf = requestAnimationFrame(tick);
  };
  window.__raf = requestAnimationFrame(tick);
}"""


def one_run(browser, url, toy):
    import test_browser as tb

    ctx = browser.new_context(viewport=tb.VIEWPORT)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(url + "/playground")
        page.get_by_role("heading", name="Playground", exact=True).wait_for()
        page.locator(".js-plotly-plot").first.wait_for()
        tb.wait_idle(page, 800)
        if toy != "moons":
            page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").click()
            page.get_by_role("option", name=toy, exact=False).first.click()
            tb.wait_idle(page, 800)
        page.evaluate(WATCH)
        t0 = page.evaluate("performance.now()")
        tb.button(page, "Train").click()
        note = page.get_by_text(re.compile(r"^Last run: ")).inner_text()
        epochs = int(re.search(r"Last run: (\d+) epoch", note).group(1))
        page.get_by_text(re.compile(rf"^Epoch {epochs} of")).first.wait_for()
        page.wait_for_function(f"window.__frames.length && window.__frames.at(-1)[1].startsWith('Epoch {epochs} ')")
        frames = page.evaluate("window.__frames")
        blank = page.evaluate("window.__blank")
        page.evaluate("cancelAnimationFrame(window.__raf)")
    finally:
        ctx.close()
    sent = int(re.search(r"(\d+) pictures sent", note).group(1))
    in_page = float(re.search(r" in ([\d.]+) s", note).group(1))
    times = [t for t, title in frames if t >= t0]
    shown = len({title for t, title in frames if t >= t0})
    seconds = (times[-1] - t0) / 1000
    gaps = [b - a for a, b in zip(times, times[1:])]
    return {"seconds": seconds, "epochs": epochs, "epochs_per_s": epochs / seconds, "in_page_s": in_page,
            "sent": sent, "shown": shown, "shown_per_s": shown / seconds,
            "longest_gap_s": max(gaps, default=0) / 1000, "blank_s": blank / 1000}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--toy", default="moons", help="a dataset label as the select box shows it")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    import test_browser as tb
    from measure_dashboard import start_server

    proc, url = start_server()
    runs = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
            for rep in range(args.reps):
                runs.append(one_run(browser, url, args.toy))
                print(f"run {rep + 1}: " + "  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                                    for k, v in runs[-1].items()), flush=True)
            browser.close()
    finally:
        proc.terminate()
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"median of {args.reps}: {median['epochs']:.0f} epochs in {median['seconds']:.2f} s "
          f"({median['epochs_per_s']:.0f} epochs/s); pictures sent {median['sent']:.0f}, shown "
          f"{median['shown']:.0f} ({median['shown_per_s']:.1f} per second), longest gap "
          f"{median['longest_gap_s']:.2f} s, boundary missing {median['blank_s']:.2f} s")
    if args.json:
        print(json.dumps({"median": median, "runs": runs}))


if __name__ == "__main__":
    main()
