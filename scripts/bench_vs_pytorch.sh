#!/bin/sh
# bench_vs_pytorch.sh: zoo against PyTorch on the same training workloads,
# one after the other in one run, on this machine.
#
# Run from the repository root:
#
#     scripts/bench_vs_pytorch.sh            # 3 rounds (about 6 minutes on 2 cores before the conv workload)
#     ROUNDS=5 scripts/bench_vs_pytorch.sh   # more rounds, steadier medians
#     ONLY=conv ROUNDS=5 scripts/bench_vs_pytorch.sh   # some workloads only (zoo bench --only's list)
#     scripts/bench_vs_pytorch.sh --quick    # 1 short round; a check, not figures
#
# Each round runs, one after the other:
#   1. PyTorch (Debian's python3-torch, /usr/bin/python3), with
#      torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=2, then with
#      torch.set_num_threads(2); the round's PyTorch figure is the better
#      of the two per workload (on 2 cores the first is usually best);
#   2. zoo bench --json as installed: the BLAS found (with OpenBLAS
#      installed on an AVX2 CPU without AVX-512, float32 stays on zoo's
#      kernel; see `zoo version`);
#   3. ZOO_BLAS=library zoo bench --json: OpenBLAS computing every product
#      (skipped when no library is found);
#   4. ZOO_BLAS=go zoo bench --json: pure Go, no library.
# Ratios are taken within a round, so that the machine's drift (a fifth or
# more between minutes on a shared VM) moves both sides alike, and the
# table prints every round's ratio and their median, with samples/s and
# peak memory as medians over the rounds. The JSON of every run stays in
# $OUT (default: a new directory under /tmp).
#
# Needs Go, and python3-torch with python3-numpy (Debian/Ubuntu). When torch
# is missing the script installs them with apt-get if it runs as root (or
# tells you the command otherwise); libopenblas0 likewise. Measure on an
# otherwise idle machine: the load is printed with every run. A developer
# tool: zoo itself never needs Python.
set -eu

QUICK=""
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-}
if [ "${1:-}" = "--quick" ]; then
	QUICK="--quick"
	ROUNDS=1
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

load() { cut -d' ' -f1-3 /proc/loadavg; }
LIB=yes
if ZOO_BLAS=library "$OUT/zoo" version | grep -q '^blas: pure Go'; then
	LIB=""
fi
FILES=""
for r in $(seq "$ROUNDS"); do
	echo "== round $r of $ROUNDS: PyTorch, torch threads 1, OPENBLAS_NUM_THREADS=2  (load: $(load))" >&2
	OPENBLAS_NUM_THREADS=2 "$PY" "$HERE/bench_pytorch.py" run --threads 1 $QUICK ${ONLY:+--only "$ONLY"} >"$OUT/r$r-pytorch-1thread.json"
	echo "== round $r: PyTorch, torch threads 2, OpenBLAS default threads  (load: $(load))" >&2
	"$PY" "$HERE/bench_pytorch.py" run --threads 2 $QUICK ${ONLY:+--only "$ONLY"} >"$OUT/r$r-pytorch-2threads.json"
	echo "== round $r: zoo bench  (load: $(load))" >&2
	"$OUT/zoo" bench --json $QUICK ${ONLY:+--only "$ONLY"} >"$OUT/r$r-zoo-default.json"
	FILES="$FILES $OUT/r$r-pytorch-1thread.json $OUT/r$r-pytorch-2threads.json $OUT/r$r-zoo-default.json"
	if [ -n "$LIB" ]; then
		echo "== round $r: ZOO_BLAS=library zoo bench  (load: $(load))" >&2
		ZOO_BLAS=library "$OUT/zoo" bench --json $QUICK ${ONLY:+--only "$ONLY"} >"$OUT/r$r-zoo-library.json"
		FILES="$FILES $OUT/r$r-zoo-library.json"
	fi
	echo "== round $r: ZOO_BLAS=go zoo bench  (load: $(load))" >&2
	ZOO_BLAS=go "$OUT/zoo" bench --json $QUICK ${ONLY:+--only "$ONLY"} >"$OUT/r$r-zoo-go.json"
	FILES="$FILES $OUT/r$r-zoo-go.json"
done

echo
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(date -u '+%Y-%m-%d'); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# shellcheck disable=SC2086 # FILES is a list of paths without spaces
"$PY" "$HERE/bench_pytorch.py" table $FILES
echo
echo "JSON of every run: $OUT"
