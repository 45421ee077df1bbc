//go:build slurm

// The Slurm integration test submits job arrays to a real cluster: run
// scripts/slurm-up.sh (as root) first, then
//
//	go test -tags slurm -run Slurm ./sweeps/
//
// and scripts/slurm-down.sh after. Its "zoo" is a fake that records each
// task's arguments and environment, so the test proves the array, paths and
// environment SubmitArray gives the tasks, and what ArrayStates sees, without
// training anything.

package sweeps

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// slurmWait polls ArrayStates every half second until done says the states
// are what it waits for, or the context ends.
func slurmWait(ctx context.Context, t *testing.T, job string, done func(map[int]string) bool) map[int]string {
	t.Helper()
	for {
		states, err := ArrayStates(ctx, job)
		if err != nil {
			t.Fatalf("ArrayStates(%s): %v", job, err)
		}
		if done(states) {
			return states
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %s: still %v when the test gave up", job, states)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func TestSlurmCluster(t *testing.T) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Fatal("no sbatch: start a cluster with scripts/slurm-up.sh (as root) first")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	root := t.TempDir()
	dir := filepath.Join(root, "lr sweep's dir")
	bin := filepath.Join(root, "bin dir")
	for _, d := range []string{dir, bin, filepath.Join(dir, "out")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The fake zoo records what it was given, then waits until the test
	// releases it (so every task is still queued when ArrayStates looks).
	zoo := filepath.Join(bin, "zoo")
	fake := `#!/bin/bash
set -eu
dir=$3 index=$4
{ printf '%s\n' "$@"; echo "GOMAXPROCS=$GOMAXPROCS OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"; echo "pwd=$(pwd)"; } > "$dir/out/$index.tmp"
mv "$dir/out/$index.tmp" "$dir/out/$index"
for i in $(seq 1 1200); do [ -e "$dir/go" ] && exit 0; sleep 0.2; done
exit 1
`
	if err := os.WriteFile(zoo, []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}

	o := SlurmOptions{CPUsPerTask: 1, Time: "10", Mem: "100M"}
	job, err := SubmitArray(ctx, dir, []int{0, 1, 2, 3}, zoo, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("scancel", job).Run() })

	queued := slurmWait(ctx, t, job, func(s map[int]string) bool { return len(s) == 4 })
	for i, s := range queued {
		if s != "pending" && s != "running" && s != "configuring" {
			t.Errorf("task %d is %q, want pending, running or configuring", i, s)
		}
	}
	t.Logf("job %s: %v", job, queued)
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	slurmWait(ctx, t, job, func(s map[int]string) bool { return len(s) == 0 })

	check := func(i int, job string, extra ...string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "out", fmt.Sprint(i)))
		if err != nil {
			t.Errorf("task %d left no trace: %v", i, err)
			return
		}
		want := append([]string{"sweep", "point", dir, fmt.Sprint(i)}, extra...)
		want = append(want, "GOMAXPROCS=1 OPENBLAS_NUM_THREADS=1", "pwd="+dir)
		if got := strings.Split(strings.TrimSpace(string(b)), "\n"); !reflect.DeepEqual(got, want) {
			t.Errorf("task %d ran with\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		log, err := os.ReadFile(SlurmLog(dir, i, job))
		if err != nil {
			t.Errorf("task %d: %v", i, err)
		} else if !strings.Contains(string(log), fmt.Sprintf("job %s_%d on ", job, i)) {
			t.Errorf("task %d's log says %q", i, log)
		}
	}
	for i := range 4 {
		check(i, job)
	}

	// A later rung: two of the points again, as a second array.
	for _, i := range []int{1, 3} {
		os.Remove(filepath.Join(dir, "out", fmt.Sprint(i)))
	}
	o.Rung, o.PointArgs = 1, []string{"--rung", "1"}
	job2, err := SubmitArray(ctx, dir, []int{3, 1}, zoo, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("scancel", job2).Run() })
	slurmWait(ctx, t, job2, func(s map[int]string) bool { return len(s) == 0 })
	check(1, job2, "--rung", "1")
	check(3, job2, "--rung", "1")
	if _, err := os.Stat(filepath.Join(dir, "out", "0")); err != nil {
		t.Error(err)
	}

	jobs, err := SlurmJobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].JobID != job || jobs[1].JobID != job2 ||
		!reflect.DeepEqual(jobs[0].Indices, []int{0, 1, 2, 3}) || !reflect.DeepEqual(jobs[1].Indices, []int{1, 3}) || jobs[1].Rung != 1 {
		t.Errorf("jobs.json holds %+v", jobs)
	}

	// A job Slurm does not know.
	if states, err := ArrayStates(ctx, "999999"); err != nil || len(states) != 0 {
		t.Errorf("ArrayStates of an unknown job = %v, %v; want none", states, err)
	}
}
