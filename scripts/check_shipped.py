#!/usr/bin/env python3
"""check_shipped.py REF EVAL.json INSPECT.json: exits 1 unless `zoo eval REF
--json` (EVAL.json) gives the test figures that the shipped run's summary.json
records (INSPECT.json, `zoo inspect REF --json`) exactly: the number of test
examples, the loss (an autoencoder's reconstruction loss) and a classifier's
error. .ci/run calls it for every shipped model (docs/shipped.md)."""
import json
import sys

ref, ev, ins = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
s, m = ins["summary"], ev["metrics"]
want = {"n": s["test_examples"], "loss": s.get("test_reconstruction_loss", s["test_loss"])}
if "error" in m:
    want["error"] = s["test_error"]
got = {k: m.get(k) for k in want}
if got != want:
    sys.exit(f"{ref}: zoo eval gives {got}, its summary.json records {want} ({s.get('blas')})")
print(f"{ref}: test {', '.join(f'{k} {v}' for k, v in got.items())}, as recorded")
