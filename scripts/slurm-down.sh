#!/usr/bin/env bash
# slurm-down.sh stops the daemons scripts/slurm-up.sh started, and only those:
# it reads their process ids from $ZOO_SLURM_DIR/pids (default
# ${TMPDIR:-/tmp}/zoo-slurm/pids), sends each still running under its name
# SIGTERM (slurmd first, munged last), and waits for it to exit (SIGKILL after
# SLURM_DOWN_TIMEOUT seconds, default 30). Daemons it did not start, and a
# process that has since reused one of the ids, are left alone. When it
# started slurmctld, it first cancels the jobs that controller still has, by
# job id, and waits (up to 90 s) for them to leave the queue: a job's steps
# outlive slurmd, so stopping the daemons alone would leave them running
# (a zoo task saves a checkpoint on the SIGTERM of the cancel). Running it
# again, or with nothing started, does nothing.
set -euo pipefail

STATE=${ZOO_SLURM_DIR:-${TMPDIR:-/tmp}/zoo-slurm}
PIDS=$STATE/pids
TIMEOUT=${SLURM_DOWN_TIMEOUT:-30}

say() { echo "slurm-down: $*"; }

if [ ! -f "$PIDS" ]; then
	say "nothing to stop ($PIDS does not exist)"
	exit 0
fi

alive() {
	[ -r "/proc/$2/comm" ] && [ "$(cat "/proc/$2/comm" 2>/dev/null)" = "$1" ]
}

# The jobs of a controller this script's partner started.
ctld=$(awk '$1 == "slurmctld" {print $2}' "$PIDS" | tail -n 1)
if [ -n "$ctld" ] && alive slurmctld "$ctld"; then
	jobs=$(squeue -h -o %A 2>/dev/null | sort -u || true)
	if [ -n "$jobs" ]; then
		say "cancelling jobs ${jobs//$'\n'/ }"
		# shellcheck disable=SC2086
		scancel $jobs || true
		deadline=$(($(date +%s) + 90))
		while [ -n "$(squeue -h -o %A 2>/dev/null || true)" ] && [ "$(date +%s)" -lt "$deadline" ]; do
			sleep 1
		done
		if [ -n "$(squeue -h -o %A 2>/dev/null || true)" ]; then
			say "jobs still in the queue after 90 s: $(squeue -h -o %A | tr '\n' ' ')"
		fi
	fi
fi

status=0
for name in slurmd slurmctld munged; do
	# shellcheck disable=SC2013 # one id a line, no spaces
	for pid in $(awk -v n="$name" '$1 == n {print $2}' "$PIDS"); do
		if ! alive "$name" "$pid"; then
			continue
		fi
		kill -TERM "$pid" 2>/dev/null || true
		deadline=$(($(date +%s) + TIMEOUT))
		while alive "$name" "$pid"; do
			if [ "$(date +%s)" -ge "$deadline" ]; then
				say "$name (pid $pid) ignored SIGTERM for ${TIMEOUT}s: SIGKILL"
				kill -KILL "$pid" 2>/dev/null || true
				sleep 1
				if alive "$name" "$pid"; then
					say "$name (pid $pid) still runs"
					status=1
				fi
				break
			fi
			sleep 0.2
		done
		alive "$name" "$pid" || say "stopped $name (pid $pid)"
	done
done
if [ "$status" = 0 ]; then
	rm -f "$PIDS"
fi
exit "$status"
