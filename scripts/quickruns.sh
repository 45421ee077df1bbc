#!/usr/bin/env bash
# quickruns.sh ZOO OUT: train every built-in recipe and run every
# experiment on its --quick profile with the zoo binary ZOO, into OUT (one
# directory each, and its log). Two trees made before and after a change
# are compared with scripts/sameresults: a refactor keeps results.
#
#   git worktree add /tmp/old-src BASE && (cd /tmp/old-src && go build -o /tmp/old/zoo ./cmd/zoo)
#   go build -o /tmp/new/zoo ./cmd/zoo
#   scripts/quickruns.sh /tmp/old/zoo /tmp/old/out
#   scripts/quickruns.sh /tmp/new/zoo /tmp/new/out
#   go run ./scripts/sameresults --skip exp-optimizer-paths/rosenbrock.png,exp-optimizers-mnist/optimizers_mnist.png /tmp/old/out /tmp/new/out
#
# The two figures skipped above are drawn against wall-clock time.
set -u
zoo=$1
out=$2
mkdir -p "$out"
status=0
for name in $("$zoo" list | awk '{print $1}'); do
	"$zoo" train "$name" --quick --out "$out/$name" >"$out/$name.log" 2>&1 || { echo "quickruns: zoo train $name failed (see $out/$name.log)"; status=1; }
done
for name in $("$zoo" experiment list | awk '{print $1}'); do
	"$zoo" experiment "$name" --quick --out "$out/exp-$name" >"$out/exp-$name.log" 2>&1 || { echo "quickruns: zoo experiment $name failed (see $out/exp-$name.log)"; status=1; }
done
exit $status
