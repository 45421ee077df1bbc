#!/bin/sh
# bench_vs_pytorch.sh: zoo against PyTorch on the same training workloads,
# one after the other in one run, on this machine.
#
# Run from the repository root:
#
#     scripts/bench_vs_pytorch.sh            # about 3 minutes on 2 cores
#     scripts/bench_vs_pytorch.sh --quick    # seconds; a check, not figures
#
# It runs, in this order:
#   1. PyTorch (Debian's python3-torch, /usr/bin/python3), with
#      torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=2, then with
#      torch.set_num_threads(2); the table takes the better per workload
#      (on 2 cores the first is usually best);
#   2. zoo bench --json with the BLAS found (OpenBLAS when installed);
#   3. ZOO_BLAS=go zoo bench --json (pure Go).
# and prints a Markdown table of samples/s, the ratio zoo/PyTorch per
# workload and the peak memory, with the load averages of each run. The
# JSON of every run stays in $OUT (default: a new directory under /tmp).
#
# Needs Go, and python3-torch with python3-numpy (Debian/Ubuntu). When torch
# is missing the script installs them with apt-get if it runs as root (or
# tells you the command otherwise); libopenblas0 likewise for zoo's fast
# path. Measure on an otherwise idle machine: the load is printed with
# every run. A developer tool: zoo itself never needs Python.
set -eu

QUICK=""
if [ "${1:-}" = "--quick" ]; then
	QUICK="--quick"
fi
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/zoo-bench-XXXXXX)}
mkdir -p "$OUT"

install() { # install Debian packages, or say how
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing $*" >&2
		apt-get install -y -q "$@" >&2 || { apt-get update -q >&2 && apt-get install -y -q "$@" >&2; }
	else
		echo "missing: run  sudo apt-get install $*" >&2
		exit 1
	fi
}
if ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
	install python3-torch python3-numpy
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
	install libopenblas0
fi

cd "$ROOT"
go build -o "$OUT/zoo" ./cmd/zoo
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')" >&2
echo "$("$OUT/zoo" version | tr '\n' ';' )" >&2

echo "== PyTorch, torch threads 1, OPENBLAS_NUM_THREADS=2  (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
OPENBLAS_NUM_THREADS=2 "$PY" "$HERE/bench_pytorch.py" run --threads 1 $QUICK >"$OUT/pytorch-1thread.json"
echo "== PyTorch, torch threads 2, OpenBLAS default threads  (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
"$PY" "$HERE/bench_pytorch.py" run --threads 2 $QUICK >"$OUT/pytorch-2threads.json"
echo "== zoo bench  (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
"$OUT/zoo" bench --json $QUICK >"$OUT/zoo-openblas.json"
echo "== ZOO_BLAS=go zoo bench  (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
ZOO_BLAS=go "$OUT/zoo" bench --json $QUICK >"$OUT/zoo-go.json"

echo
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(date -u '+%Y-%m-%d'); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$PY" "$HERE/bench_pytorch.py" table "$OUT/pytorch-1thread.json" "$OUT/pytorch-2threads.json" "$OUT/zoo-openblas.json" "$OUT/zoo-go.json"
echo
echo "JSON of every run: $OUT"
