#!/usr/bin/env bash
# ci-slurm-sweep.sh runs a sweep through Slurm end to end, as CI does: it
# starts a one-node cluster (scripts/slurm-up.sh, as root), builds zoo,
# submits the 4-point quick sweep
#
#   zoo sweep mlp-mnist --quick --grid optimizer.lr=0.01,0.1 --grid batch_size=64,128
#       --on slurm --cpus-per-task 1 --out DIR
#
# waits for it with `zoo sweep status DIR`, and checks that
#   - the sweep went through Slurm: DIR/slurm/jobs.json records one array
#     of points 0-3, and each task left its log in DIR/slurm/logs;
#   - `zoo sweep report DIR --json` has the four points, all done, each
#     with its validation metric, and the best point;
#   - every point's run directory is a finished run (`zoo eval` opens it);
#   - the same sweep on this machine (--jobs 2) trains byte-identical
#     models (a run's results do not depend on its threads).
# It stops the cluster on any exit, by process id (scripts/slurm-down.sh),
# unless the cluster was already up when it began.
#
#   sudo scripts/ci-slurm-sweep.sh
#   sudo ZOO=/path/to/zoo scripts/ci-slurm-sweep.sh     a zoo already built
#
# Environment: SWEEP_TIMEOUT (default 900) is how many seconds the Slurm
# sweep may take; OUT (default a new temporary directory) holds the sweeps,
# kept afterwards; ZOO_SLURM_DIR is slurm-up.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."

TIMEOUT=${SWEEP_TIMEOUT:-900}
export ZOO_SLURM_DIR=${ZOO_SLURM_DIR:-${TMPDIR:-/tmp}/zoo-slurm}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

say() { echo "ci-slurm-sweep: $*"; }
fail() {
	echo "ci-slurm-sweep: FAIL: $*" >&2
	exit 1
}

# The cluster: stopped on exit only when this script started it.
if [ -s "$ZOO_SLURM_DIR/pids" ]; then
	say "a cluster started by slurm-up.sh is up already: it stays up"
else
	cleanup() {
		local rc=$?
		scripts/slurm-down.sh || rc=1
		exit "$rc"
	}
	trap cleanup EXIT
fi
scripts/slurm-up.sh

OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
if [ -z "${ZOO:-}" ]; then
	ZOO=$OUT/zoo
	say "building zoo"
	go build -o "$ZOO" ./cmd/zoo
fi
ZOO=$(cd "$(dirname "$ZOO")" && pwd)/$(basename "$ZOO")
# shellcheck disable=SC2054 # the commas are --grid's
SWEEP=(mlp-mnist --quick --grid optimizer.lr=0.01,0.1 --grid batch_size=64,128)
dir=$OUT/slurm-sweep
ldir=$OUT/local-sweep
rm -rf "$dir" "$ldir"

# showlogs prints the tasks' logs and the cluster's, for a failure.
showlogs() {
	local f
	for f in "$dir"/slurm/logs/*.log "$ZOO_SLURM_DIR"/log/slurmctld.log "$ZOO_SLURM_DIR"/log/slurmd.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $f" >&2
		tail -n 20 "$f" >&2
	done
}

say "zoo sweep ${SWEEP[*]} --on slurm --cpus-per-task 1 --out $dir"
"$ZOO" sweep "${SWEEP[@]}" --on slurm --cpus-per-task 1 --out "$dir"

# The array zoo submitted.
[ -f "$dir/slurm/jobs.json" ] || fail "no $dir/slurm/jobs.json: nothing was submitted to Slurm"
job=$("$PY" - "$dir/slurm/jobs.json" <<'EOF'
import json, sys
jobs = json.load(open(sys.argv[1]))
if len(jobs) != 1 or sorted(jobs[0]["indices"]) != [0, 1, 2, 3]:
    sys.exit(f"want one array of points 0-3 in jobs.json, found {jobs}")
print(jobs[0]["job_id"])
EOF
) || fail "$dir/slurm/jobs.json"
say "Slurm job $job"

# Wait for the four points: `zoo sweep status` ends with a line like
# "4 points: 2 done, 1 running, 1 pending".
status=""
poll() {
	status=$("$ZOO" sweep status "$dir") || fail "zoo sweep status $dir failed"
}
count() { # count STATE: how many points status counts in STATE
	printf '%s\n' "$status" | grep -E '^[0-9]+ points: ' | tail -n 1 | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' || echo 0
}
# queued: whether Slurm still lists the array (a job it has forgotten, or
# one with no task left, is not; an error of squeue's is taken for yes).
queued() {
	local out
	if out=$(squeue -h -j "$job" 2>&1); then
		[ -n "$out" ]
	else
		if printf '%s\n' "$out" | grep -q 'Invalid job id'; then
			return 1
		fi
	fi
}
deadline=$(($(date +%s) + TIMEOUT))
last=""
while :; do
	poll
	now=$(printf '%s\n' "$status" | grep -E '^[0-9]+ points: ' | tail -n 1 || true)
	if [ "$now" != "$last" ]; then
		say "$now"
		last=$now
	fi
	if [ "$(count "done")" = 4 ]; then
		break
	fi
	if [ "$(count failed)" != 0 ] || [ "$(count diverged)" != 0 ]; then
		printf '%s\n' "$status" >&2
		showlogs
		fail "a point failed or diverged"
	fi
	if ! queued; then
		# The array has left the queue: the run directories are final.
		poll
		if [ "$(count "done")" = 4 ]; then
			break
		fi
		printf '%s\n' "$status" >&2
		showlogs
		fail "Slurm job $job has finished, but not all four points are done"
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		printf '%s\n' "$status" >&2
		squeue >&2 || true
		showlogs
		fail "the sweep did not finish in ${TIMEOUT}s"
	fi
	sleep 5
done
printf '%s\n' "$status"

for i in 0 1 2 3; do
	log=$dir/slurm/logs/$(printf %03d "$i")-$job.log
	[ -s "$log" ] || fail "task $i of job $job left no log ($log)"
done

# The report.
"$ZOO" sweep report "$dir" --json >"$OUT/report.json" || fail "zoo sweep report $dir --json failed"
"$PY" - "$OUT/report.json" <<'EOF' || fail "zoo sweep report's JSON ($OUT/report.json)"
import json, math, sys
rep = json.load(open(sys.argv[1]))
points = rep["points"]
bad = []
if len(points) != 4:
    bad.append(f"{len(points)} points, want 4")
combos = set()
for p in points:
    if p["state"] != "done":
        bad.append(f"point {p['point']} is {p['state']}, want done")
    if not isinstance(p.get("val"), (int, float)) or not math.isfinite(p["val"]):
        bad.append(f"point {p['point']} has no validation metric: {p.get('val')}")
    combos.add((p["values"]["optimizer.lr"], p["values"]["batch_size"]))
want = {(lr, bs) for lr in ("0.01", "0.1") for bs in ("64", "128")}
if combos != want:
    bad.append(f"points {sorted(combos)}, want {sorted(want)}")
best = rep.get("best")
if not isinstance(best, int) or not 0 <= best < len(points):
    bad.append(f"best is {best}, want a point's row")
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
say "report: 4 points done, best row $("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["best"])' "$OUT/report.json")"

for i in 0 1 2 3; do
	"$ZOO" eval "$dir/points/$(printf %03d "$i")" >/dev/null || fail "zoo eval $dir/points/$(printf %03d "$i")"
done
say "zoo eval opens all four runs"

# The same sweep on this machine trains the same models.
say "zoo sweep ${SWEEP[*]} --jobs 2 --out $ldir"
"$ZOO" sweep "${SWEEP[@]}" --jobs 2 --out "$ldir" >/dev/null
for i in 0 1 2 3; do
	p=$(printf %03d "$i")
	cmp -s "$dir/points/$p/model.safetensors" "$ldir/points/$p/model.safetensors" ||
		fail "point $p: the model trained through Slurm differs from the one trained with --jobs 2"
done
say "ok: the Slurm sweep and the local one (--jobs 2) trained the same four models ($OUT)"
