#!/usr/bin/env bash
# slurm-up.sh starts a one-node Slurm cluster on this machine, for CI and for
# trying `zoo sweep --on slurm` without a real cluster (see docs/sweeps.md
# and ../shared/notes/slurm.md for the measured recipe).
#
#   sudo scripts/slurm-up.sh      start it (or check that it is up)
#   sbatch --wrap hostname        use it like any cluster
#   sudo scripts/slurm-down.sh    stop what slurm-up.sh started
#
# It needs root and Debian (or Ubuntu): it installs slurm-wlm and munge with
# apt-get when they are missing, writes /etc/slurm/slurm.conf for one node
# named after this host (reached at 127.0.0.1, so the name need not resolve;
# partition "debug", every CPU, the memory less 1 GiB), starts munged,
# slurmctld and slurmd, and waits until `sinfo` shows the node ready. It is idempotent: a daemon that already answers is used as it is, and
# only the daemons this script starts are written, with their process ids, to
# $ZOO_SLURM_DIR/pids, which slurm-down.sh reads. It refuses to replace a
# slurm.conf it did not write.
#
# Environment: ZOO_SLURM_DIR (default ${TMPDIR:-/tmp}/zoo-slurm) holds the
# pids file, the daemons' logs, pid files and spool directories;
# SLURM_UP_TIMEOUT (default 90) is how many seconds to wait for the node.
# On failure it prints the daemons' logs and stops what it started.
set -euo pipefail

STATE=${ZOO_SLURM_DIR:-${TMPDIR:-/tmp}/zoo-slurm}
PIDS=$STATE/pids
CONF=/etc/slurm/slurm.conf
MARK="# Written by zoo's scripts/slurm-up.sh; slurm-up.sh rewrites it."
TIMEOUT=${SLURM_UP_TIMEOUT:-90}
here=$(cd "$(dirname "$0")" && pwd)

say() { echo "slurm-up: $*"; }
die() {
	echo "slurm-up: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (it installs packages and starts daemons): run it with sudo"

# alive NAME PID: whether PID is a running process named NAME (so a pid
# reused by another program is not taken for the daemon).
alive() {
	[ -n "$2" ] && [ -r "/proc/$2/comm" ] && [ "$(cat "/proc/$2/comm" 2>/dev/null)" = "$1" ]
}

# recorded NAME: the pid slurm-up.sh recorded for NAME, if it still runs.
recorded() {
	local pid
	[ -f "$PIDS" ] || return 1
	pid=$(awk -v n="$1" '$1 == n {print $2}' "$PIDS" | tail -n 1)
	alive "$1" "$pid" && echo "$pid"
}

record() {
	echo "$1 $2" >>"$PIDS"
	say "started $1 (pid $2)"
}

# waitpidfile NAME FILE: the pid a daemonizing NAME wrote to FILE.
waitpidfile() {
	local pid
	for _ in $(seq 1 100); do
		if [ -s "$2" ]; then
			pid=$(tr -d ' \n' <"$2")
			if alive "$1" "$pid"; then
				echo "$pid"
				return 0
			fi
		fi
		sleep 0.1
	done
	return 1
}

showlogs() {
	local f
	for f in "$STATE"/log/slurmctld.log "$STATE"/log/slurmd.log /var/log/munge/munged.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $f" >&2
		tail -n 30 "$f" >&2
	done
}

fail() {
	echo "slurm-up: $*" >&2
	showlogs
	if [ -s "$PIDS" ]; then
		echo "slurm-up: stopping what it started" >&2
		"$here/slurm-down.sh" >&2 || true
	fi
	exit 1
}

# 1. Packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
	say "installing slurm-wlm and munge (Debian)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

mkdir -p "$STATE/log" "$STATE/spool/slurmctld" "$STATE/spool/slurmd"

# 2. Configuration, for this host.
H=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/MemTotal/ {m = int($2 / 1024) - 1024; if (m < 512) m = int($2 / 1024); print m}' /proc/meminfo)
new=$(
	cat <<CONF
$MARK
ClusterName=zoo
SlurmctldHost=$H(127.0.0.1)
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((MEM / CPUS))
StateSaveLocation=$STATE/spool/slurmctld
SlurmdSpoolDir=$STATE/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmUser=root
ReturnToService=2
NodeName=$H NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
)
if [ -e "$CONF" ] && ! head -n 1 "$CONF" | grep -qxF "$MARK"; then
	die "$CONF exists and was not written by slurm-up.sh: this machine has its own Slurm set-up; use it, or move $CONF away to let slurm-up.sh write one"
fi
if [ ! -e "$CONF" ] || [ "$(cat "$CONF")" != "$new" ]; then
	if recorded slurmctld >/dev/null || recorded slurmd >/dev/null; then
		die "$CONF differs from the one slurm-up.sh writes for this machine now, while the daemons slurm-up.sh started run: run scripts/slurm-down.sh first"
	fi
	mkdir -p "$(dirname "$CONF")"
	printf '%s\n' "$new" >"$CONF.tmp"
	mv "$CONF.tmp" "$CONF"
	say "wrote $CONF ($H: $CPUS CPUs, $MEM MiB)"
fi

# 3. munge: Slurm's daemons and commands authenticate through it.
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
	say "munged answers"
else
	if [ ! -s /etc/munge/munge.key ]; then
		if command -v mungekey >/dev/null; then
			runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
		else
			dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
			chown munge:munge /etc/munge/munge.key
			chmod 400 /etc/munge/munge.key
		fi
	fi
	mkdir -p /run/munge /var/log/munge
	chown munge:munge /run/munge /var/log/munge
	rm -f "$STATE/munged.pid"
	mkdir -p "$STATE/munge" && chown munge:munge "$STATE/munge"
	runuser -u munge -- /usr/sbin/munged --pid-file="$STATE/munge/munged.pid" ||
		fail "munged did not start"
	pid=$(waitpidfile munged "$STATE/munge/munged.pid") || fail "munged wrote no pid file"
	record munged "$pid"
	munge -n | unmunge >/dev/null || fail "munged does not answer (munge -n | unmunge)"
fi

# 4. slurmctld, then slurmd: each daemonizes and writes its pid file.
start() { # start NAME
	local pid
	if pid=$(recorded "$1"); then
		say "$1 runs (pid $pid, started by slurm-up.sh)"
		return 0
	fi
	if pid=$(pgrep -x "$1" | head -n 1) && [ -n "$pid" ]; then
		say "$1 runs (pid $pid, not started by slurm-up.sh: left as it is)"
		return 0
	fi
	rm -f "$STATE/$1.pid"
	"/usr/sbin/$1" || fail "$1 did not start"
	pid=$(waitpidfile "$1" "$STATE/$1.pid") || fail "$1 exited or wrote no pid file"
	record "$1" "$pid"
}
start slurmctld
start slurmd

# 5. Wait for the node: idle, or busy with jobs when the cluster was up.
deadline=$(($(date +%s) + TIMEOUT))
state=""
resumed=""
while :; do
	state=$(sinfo -h -N -n "$H" -o '%T' 2>/dev/null | head -n 1 || true)
	case "$state" in
	idle | mixed | allocated | completing)
		say "node $H is $state; sinfo:"
		sinfo
		exit 0
		;;
	down* | drain*)
		# A node left down by an earlier run of the cluster: one resume.
		if [ -z "$resumed" ]; then
			scontrol update nodename="$H" state=resume >/dev/null 2>&1 || true
			resumed=1
		fi
		;;
	esac
	if [ "$(date +%s)" -ge "$deadline" ]; then
		fail "node $H not ready after ${TIMEOUT}s (sinfo says: ${state:-nothing})"
	fi
	sleep 1
done
