"""`python -m nnlab gradcheck`: backward against central differences (float64)."""
from __future__ import annotations

import json

from nnlab.cli.common import int_range, out, setting_type
from nnlab.core import hyperparams
from nnlab.core.losses import LOSSES


def add_parser(sub):
    g = sub.add_parser("gradcheck", help="check backward against central differences (float64)")
    g.add_argument("--hidden", type=setting_type(hyperparams.get("hidden")), default=[5, 4],
                   help="hidden widths (default 5,4)")
    g.add_argument("--activations", "--activation", type=setting_type(hyperparams.get("activations")),
                   default=["tanh"], help="activation of every hidden layer, or one per layer (default tanh)")
    g.add_argument("--loss", choices=list(LOSSES), default="cross_entropy")
    g.add_argument("--output", choices=["softmax", "sigmoid", "linear"], default=None)
    g.add_argument("--l2", type=setting_type(hyperparams.get("l2")), default=0.0)
    g.add_argument("--l1", type=setting_type(hyperparams.get("l1")), default=0.0)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--per-layer", action="store_true",
                   help="a table: each layer's W and b, entries checked, max relative error, pass/fail")
    g.add_argument("--max-checks", type=int_range("--max-checks", 1), default=None,
                   help="compare at most this many entries per parameter array, chosen at random "
                        "(default: all; bounds the time on large networks)")
    g.add_argument("--json", action="store_true")


def run(args):
    from nnlab.core.gradcheck import THRESHOLD, check_random_network

    res = check_random_network(hidden=args.hidden, activations=args.activations, loss=args.loss,
                               output="" if args.output in (None, "softmax") else args.output,
                               l2=args.l2, l1=args.l1, seed=args.seed, max_checks=args.max_checks)
    rows = res["per_layer"]
    if args.per_layer:
        out(f"{'layer':10s} {'param':5s} {'entries':>9s} {'checked':>8s} {'at kinks':>8s} {'max rel. error':>15s}"
            "  result")
        for r in rows:
            out(f"{r['layer']:10s} {r['param']:5s} {r['entries']:9,d} {r['checked']:8,d} {r['at_kinks']:8,d} "
                f"{r['max_rel_error']:15.2e}  {'pass' if r['ok'] else 'FAIL'}")
        if any(r["at_kinks"] for r in rows):
            out("at kinks: entries skipped because a nudge switched a ReLU unit on or off (no derivative there)")
    else:
        for name, err in res["errors"].items():
            out(f"{name:10s} max relative error {err:.2e}")
    sampled = [r for r in rows if r["checked"] < r["entries"]]
    if sampled:
        out(f"arrays of more than {args.max_checks} entries: {args.max_checks} of them checked, chosen at "
            f"random (seed {args.seed})")
    ok = res["max_rel_error"] < THRESHOLD
    out(f"max relative error {res['max_rel_error']:.2e}: {'OK' if ok else 'FAILED'} (threshold {THRESHOLD:g})")
    if args.json:
        result = {"max_rel_error": res["max_rel_error"], "errors": res["errors"], "ok": ok, "threshold": THRESHOLD}
        if args.per_layer:
            result["per_layer"] = rows
        out(json.dumps(result))
    return 0 if ok else 1
