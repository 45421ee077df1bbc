#!/usr/bin/env bash
# Kill test: SIGKILL `zoo train` at random moments, N times, resuming after
# each kill, and check that the run survives.
#
#   scripts/killtest.sh [N [SEED]]      (default 20 kills, seed 1)
#   KILLTEST_ARGS="sdae-mnist --quick --epochs 2 --set data.train=3000 --set pretrain.epochs=2" scripts/killtest.sh 10 1
#
# Any recipe works (mlp, with or without the adaptive schedule,
# autoencoder, conv-autoencoder, sdae, vae): KILLTEST_ARGS are the arguments of `zoo train`, less
# --out. It builds zoo and scripts/runcheck, trains the reference run
# uninterrupted, then trains the same run again in another directory,
# killing it with SIGKILL after a random delay (drawn from bash's RANDOM
# seeded with SEED, so the sequence of delays is reproducible; where each
# kill lands still depends on the machine's speed). After every kill:
#
#   - runcheck loads every file in the run directory (recipe.yaml parses,
#     checkpoint.safetensors decodes and fits the model of its phase,
#     metrics.csv agrees with the checkpoint, model.safetensors loads, the
#     figures and adaptive.csv parse; see internal/killtest.Check);
#   - the run continues with `zoo train --resume DIR`, or, if it was killed
#     before its first checkpoint, starts again from scratch in a fresh
#     DIR: runs are checkpointed after every epoch and on SIGINT/SIGTERM,
#     so SIGKILL loses the work since the last epoch, never the run.
#
# Whenever the run finishes (after its last kill, or because it outlived a
# delay), its model.safetensors must equal the reference's byte for byte,
# and so must adaptive.csv and the figures (reconstructions.png, filters.png,
# samples.png, latent-grid.png, latent-codes.png) when the run writes them,
# and metrics.csv too, timings aside; if kills remain, another round starts.
#
# Environment: KILLTEST_DIR (work directory, default a new temporary one),
# KILLTEST_MAX_MS (longest delay before a kill; default the reference
# run's wall time, so a kill can land anywhere in a run),
# KILLTEST_ARGS (the training arguments, default below).
set -euo pipefail

N=${1:-20}
SEED=${2:-1}
MAX_MS=${KILLTEST_MAX_MS:-}
read -r -a ARGS <<<"${KILLTEST_ARGS:-mlp-mnist --quick --epochs 6 --set data.train=3000}"
# A --data directory is also the resumes' and runcheck's.
DATA=()
for ((i = 0; i < ${#ARGS[@]}; i++)); do
	case ${ARGS[i]} in
	--data) DATA=(--data "${ARGS[i + 1]:-}") ;;
	--data=*) DATA=(--data "${ARGS[i]#--data=}") ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
work=${KILLTEST_DIR:-$(mktemp -d -t zoo-killtest.XXXXXX)}
mkdir -p "$work"
log=$work/killtest.log
: >"$log"
say() { echo "$@" | tee -a "$log"; }

(cd "$root" && go build -o "$work/zoo" ./cmd/zoo && go build -o "$work/runcheck" ./scripts/runcheck)
zoo=$work/zoo

say "killtest: $N kills, seed $SEED, zoo train ${ARGS[*]}"
say "killtest: work directory $work; $(uptime)"

ref=$work/reference
rm -rf "$ref"
start=$(date +%s.%N)
"$zoo" train "${ARGS[@]}" --out "$ref" >>"$log" 2>&1
ref_ms=$(awk "BEGIN{printf \"%d\", ($(date +%s.%N) - $start) * 1000}")
MAX_MS=${MAX_MS:-$ref_ms}
rep=$("$work/runcheck" ${DATA[@]+"${DATA[@]}"} "$ref" 2>&1) || {
	say "FAIL: the reference run $ref does not load: $rep"
	exit 1
}
say "reference run (uninterrupted): $ref_ms ms; kills come 1 to $MAX_MS ms after a start"

RANDOM=$SEED
kills=0 rounds=0 starts=0 resumes=0 early=0 stray=0 finished_before=0
# metrics.csv without its last column, seconds (in either layout).
nosec() { sed 's/,[^,]*$//' "$1"; }
# Each round trains the run to the end, killing it until N kills in all
# are done; a run that outlives its kills ends the round, and another
# begins.
while ((kills < N)); do
	rounds=$((rounds + 1))
	dir=$work/killed-$rounds
	rm -rf "$dir"
	while [[ ! -f $dir/summary.json ]]; do
		if [[ -f $dir/checkpoint.safetensors ]]; then
			cmd=(train --resume "$dir" ${DATA[@]+"${DATA[@]}"})
			resumes=$((resumes + 1))
		else
			# Killed before the first checkpoint (or never started): start over.
			rm -rf "$dir"
			cmd=(train "${ARGS[@]}" --out "$dir")
			starts=$((starts + 1))
		fi
		"$zoo" "${cmd[@]}" >>"$log" 2>&1 &
		pid=$!
		if ((kills >= N)); then
			wait "$pid" || {
				say "FAIL: the last, uninterrupted ${cmd[*]} exited with $?"
				exit 1
			}
			continue
		fi
		ms=$((((RANDOM << 15) | RANDOM) % MAX_MS + 1))
		sleep "$(awk "BEGIN{print $ms / 1000}")"
		kill -KILL "$pid" 2>/dev/null || true
		status=0
		{ wait "$pid"; } 2>/dev/null || status=$?
		if ((status == 0)); then
			finished_before=$((finished_before + 1))
			say "        ${cmd[1]} finished before its kill at ${ms} ms"
			continue
		fi
		if ((status != 137)); then
			say "FAIL: ${cmd[*]} exited with $status (see $log)"
			exit 1
		fi
		kills=$((kills + 1))
		if [[ ! -e $dir ]]; then
			# Killed while loading the data or building the model: a run
			# creates its directory only once it can start.
			early=$((early + 1))
			say "kill $(printf %2d $kills) at $(printf %5d $ms) ms into ${cmd[1]}: before the run directory was created"
			continue
		fi
		if ! rep=$("$work/runcheck" ${DATA[@]+"${DATA[@]}"} "$dir" 2>&1); then
			say "FAIL: after kill $kills (${ms} ms into ${cmd[1]}): $rep"
			exit 1
		fi
		[[ -f $dir/checkpoint.safetensors || -f $dir/summary.json ]] || early=$((early + 1))
		n=$(find "$dir" -maxdepth 1 -name '.*.tmp-*' 2>/dev/null | wc -l)
		stray=$((stray + n))
		say "kill $(printf %2d $kills) at $(printf %5d $ms) ms into ${cmd[1]}: $rep"
	done

	rep=$("$work/runcheck" ${DATA[@]+"${DATA[@]}"} "$dir") || {
		say "FAIL: the finished run $dir does not load: $rep"
		exit 1
	}
	if ! cmp -s "$ref/model.safetensors" "$dir/model.safetensors"; then
		say "FAIL: $dir/model.safetensors differs from the uninterrupted run's"
		exit 1
	fi
	if ! diff <(nosec "$ref/metrics.csv") <(nosec "$dir/metrics.csv") >/dev/null; then
		say "FAIL: $dir/metrics.csv differs from the uninterrupted run's"
		exit 1
	fi
	same=model.safetensors verb=equals
	for f in adaptive.csv reconstructions.png filters.png samples.png latent-grid.png latent-codes.png; do
		[[ -f $ref/$f || -f $dir/$f ]] || continue
		if ! cmp -s "$ref/$f" "$dir/$f"; then
			say "FAIL: $dir/$f differs from the uninterrupted run's (or one of them is missing)"
			exit 1
		fi
		same="$same, $f" verb=equal
	done
	say "round $rounds finished ($rep): $same $verb the uninterrupted run's byte for byte, metrics.csv too (timings aside)"
done

say "survived $kills of $kills kills in $rounds rounds: $starts fresh starts ($early kills came before the first checkpoint), $resumes resumes, $finished_before runs finished before their kill, $stray stray temporary files seen after kills"
say "killtest: done; $(uptime)"
