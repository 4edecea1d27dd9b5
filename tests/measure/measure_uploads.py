"""How long and how much memory each pathological upload costs the loaders
(docs/hardening.md).  Not a test: run it by hand.

    python tests/measure/measure_uploads.py              # every case, each in a fresh process
    python tests/measure/measure_uploads.py --only dup   # the cases whose name contains 'dup'
    python tests/measure/measure_uploads.py --timeout 60

Each case runs in its own Python process (so peak RSS is that case's), under a
wall-clock timeout; a case that hits it is reported as a hang.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MB = 2 ** 20
NEAR = 90 * MB


def csv_cases():
    """name -> bytes: the shapes of CSV that once hung or bloated the loader."""
    def rows(n_features, n_rows):
        row = b",".join([b"1"] * n_features)
        return b"".join(b"%d," % (r % 2) + row + b"\n" for r in range(n_rows))

    return {
        "300,000 values on one line (the issue's file)": b",".join(b"%d" % (i % 10) for i in range(300_000)) + b"\n",
        "300,000 distinct names, no rows": b",".join(b"c%d" % i for i in range(300_000)) + b"\n",
        "40,000 duplicate names": b"label," + b",".join([b"1"] * 40_000) + b"\n" + rows(40_000, 2),
        "99,000 columns x 12 rows (accepted)": b"label," + b",".join(b"p%d" % i for i in range(99_000)) + b"\n"
        + rows(99_000, 12),
        "99,000 columns x 480 rows, 95 MB (accepted)": b"label," + b",".join(b"p%d" % i for i in range(99_000))
        + b"\n" + rows(99_000, 480),
        "one field of 90 MB": b"label,x\n0," + b"1" * NEAR + b"\n",
        "a 90 MB column name": b"label,x" + b"a" * NEAR + b"\n0,1\n",
        "90 MB of quotes": b'"' * NEAR,
        "90 MB of commas in a row of a quoted file": b'"label",x\n0,' + b"," * NEAR + b"\n",
        "90 MB of newlines": b"label,x\n" + b"\n" * NEAR,
        "90 MB of carriage returns": b"label,x\n" + b"\r" * NEAR,
        "23.6 million short rows": b"label,x\n" + b"0,1\n1,2\n" * (NEAR // 8),
        "gzip of 200 MB": gzip.compress(b"label,x\n" + b"0" * (200 * MB), 9),
    }


def model_cases():
    sys.path.insert(0, str(ROOT / "tests"))
    from datafiles import hostile_model_files

    return hostile_model_files()


CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
kind, path = sys.argv[2], sys.argv[3]
raw = open(path, "rb").read()
from nnlab.data.datasets import load_dataset
from nnlab import modelfile
from nnlab.data.dataerror import DataError
t = time.perf_counter()
try:
    if kind == "csv":
        d = load_dataset("csv", data=raw); out = f"accepted: {d.n_features:,} features"
    else:
        modelfile.load(raw); out = "accepted"
except (DataError, modelfile.ModelFileError) as e:
    out = "refused: " + str(e)
except BaseException as e:
    out = f"CRASH {type(e).__name__}: {str(e)[:120]}"
# VmHWM: this process's own peak (ru_maxrss would include the parent's, kept across exec)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"s": time.perf_counter() - t, "rss_mb": hwm / 1024, "out": out}))
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--root", default=str(ROOT), help="the nnlab checkout to measure (e.g. an older one)")
    args = ap.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for kind, cases in (("csv", csv_cases()), ("model", model_cases())):
            for name, raw in cases.items():
                if args.only.lower() not in name.lower():
                    continue
                path = Path(tmp) / "case"
                path.write_bytes(raw)
                try:
                    r = subprocess.run([sys.executable, "-c", CHILD, args.root, kind, str(path)],
                                       capture_output=True, text=True, timeout=args.timeout)
                    res = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else \
                        {"s": float("nan"), "rss_mb": float("nan"), "out": "CRASH " + r.stderr.strip()[-120:]}
                    line = f"{res['s']:7.2f} s {res['rss_mb']:6.0f} MB  {res['out'][:110]}"
                except subprocess.TimeoutExpired:
                    line = f"  > {args.timeout:.0f} s           HANG (killed)"
                print(f"{kind:5} {len(raw) / MB:7.2f} MB  {name:45.45}  {line}", flush=True)


if __name__ == "__main__":
    main()
