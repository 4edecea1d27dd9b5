"""How well the Draw page's offered digits model reads hand-drawn digits: a measurement, not a test.

    python tests/measure/measure_draw.py [--seeds 0 1 2] [--json]

For each seed, trains the model the Draw page offers on `digits` (the `digits`
preset, DRAW_OFFER_EPOCHS epochs) and reports:

* its training time and its accuracy on the tutorial split's test set (594 digits);
* how many drawings of tests/strokes.py it reads (every style of every digit, at
  every placement), rendered as the canvas draws them (320x320, pen 22) and
  preprocessed as the page does; the margin is the right class's probability
  minus the largest other one (negative when misread);
* the same for conftest's ten plain digits (large, centred).

The browser figure (the same strokes drawn with the mouse in Chromium) comes
from `pytest tests/test_browser.py -k draw -s`, which prints it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import nnlab  # noqa: E402,F401  first, before NumPy: nnlab/fast/openblas.py

import numpy as np  # noqa: E402
from conftest import DIGIT_STROKES, render_strokes  # noqa: E402
from strokes import drawings  # noqa: E402

from nnlab.data import preprocess  # noqa: E402
from nnlab.experiments import presets  # noqa: E402
from nnlab.data.datasets import load_dataset  # noqa: E402
from nnlab.train.trainer import Trainer  # noqa: E402

OFFER_EPOCHS = 100  # pages.helpers.common.DRAW_OFFER_EPOCHS["digits"] (not imported: that module needs streamlit)
MARGIN = 0.2        # "clearly ahead": the right class at least this much above any other


def train_offer(data, seed=0):
    net, cfg = presets.build("digits", data, seed=seed, epochs=OFFER_EPOCHS)
    t0 = time.perf_counter()
    for _ in Trainer(net, data, cfg).run():
        pass
    return net, time.perf_counter() - t0


def margins(net, items):
    """[(digit, label, placement, predicted, margin)] for items of (digit, label, placement, rgba)."""
    x = np.concatenate([preprocess.preprocess(rgba, (8, 8), 16).x for *_, rgba in items])
    probs = net.predict_proba(x)
    out = []
    for (digit, label, where, _), p in zip(items, probs):
        others = np.delete(p, digit)
        out.append((digit, label, where, int(np.argmax(p)), float(p[digit] - others.max())))
    return out


def varied_set():
    return [(d, f"{d} {style}, {where}", where, render_strokes(s, scale=scale, offset=off))
            for d, style, where, s, scale, off in drawings()]


def plain_ten():
    return [(d, f"{d} plain", "large, centred", render_strokes(s)) for d, s in DIGIT_STROKES.items()]


def summary(rows):
    right = sum(d == p for d, _, _, p, _ in rows)
    clear = sum(m >= MARGIN for *_, m in rows)
    places = {}
    for d, label, where, p, m in rows:
        n_right = places.setdefault(where, [0, 0])
        n_right[0] += 1
        n_right[1] += d == p
    return {"n": len(rows), "right": right, "clear": clear,
            "by_placement": {k: f"{r}/{n}" for k, (n, r) in places.items()},
            "median_margin": round(float(np.median([m for *_, m in rows])), 3),
            "misread": [f"{label} -> {p}" for d, label, _, p, _ in rows if d != p]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    data = load_dataset("digits")
    varied, plain = varied_set(), plain_ten()
    results = []
    for seed in args.seeds:
        net, seconds = train_offer(data, seed)
        acc = float(np.mean(net.predict(data.X_test) == data.y_test))
        r = {"seed": seed, "train_seconds": round(seconds, 2), "test_accuracy": round(acc, 4),
             "varied": summary(margins(net, varied)), "plain": summary(margins(net, plain))}
        results.append(r)
        if not args.json:
            v, p = r["varied"], r["plain"]
            print(f"seed {seed}: trained in {seconds:.1f} s, test accuracy {acc:.2%}; "
                  f"varied set {v['right']}/{v['n']} read right ({v['clear']} with margin >= {MARGIN}, "
                  f"median margin {v['median_margin']}; {v['by_placement']}); plain ten {p['right']}/10 "
                  f"({p['clear']} clear)")
            for m in v["misread"] + p["misread"]:
                print("   misread:", m)
    if args.json:
        print(json.dumps(results))  # one line: the last line of the output
    return results


if __name__ == "__main__":
    main()
