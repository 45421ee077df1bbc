//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/sweeps"
)

// TestSweepOnSlurm drives zoo sweep --on slurm against stand-ins for
// sbatch (which records each array and prints a job id) and squeue (which
// prints the file queue): what is submitted, what is not while queued, a
// resubmission of points that left the queue unfinished, successive
// halving's next rung, and the end.
func TestSweepOnSlurm(t *testing.T) {
	bin := t.TempDir()
	queue := filepath.Join(bin, "queue")
	fake := map[string]string{
		"sbatch": `n=$(cat "$0.n" 2>/dev/null || echo 100); n=$((n+1)); echo $n > "$0.n"; echo $n`,
		"squeue": `cat ` + queue + ` 2>/dev/null; exit 0`,
	}
	for name, body := range fake {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	setQueue := func(lines string) {
		if err := os.WriteFile(queue, []byte(lines), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	jobs := func(dir string) []sweeps.SlurmJob {
		t.Helper()
		js, err := sweeps.SlurmJobs(dir)
		if err != nil {
			t.Fatal(err)
		}
		return js
	}
	sweep := func(dir string, extra ...string) string {
		t.Helper()
		args := append(append([]string{"sweep"}, tinySweep...), extra...)
		args = append(args, "--on", "slurm", "--out", dir)
		code, out, errOut := zooSweep(t, args...)
		if code != 0 {
			t.Fatalf("zoo %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	point := func(dir, i string) {
		t.Helper()
		if code, out, errOut := zooSweep(t, "sweep", "point", dir, i); code != 0 {
			t.Fatalf("zoo sweep point %s %s: exit %d\n%s%s", dir, i, code, out, errOut)
		}
	}

	dir := filepath.Join(t.TempDir(), "sw")
	grid := []string{"--grid", "optimizer.lr=0.1,0.01"}
	if out := sweep(dir, grid...); !strings.Contains(out, "submitted 2 points as Slurm job 101 (000, 001)") {
		t.Errorf("first submission said:\n%s", out)
	}
	if js := jobs(dir); len(js) != 1 || !slices.Equal(js[0].Indices, []int{0, 1}) || js[0].JobID != "101" {
		t.Errorf("jobs.json after the first submission: %+v", js)
	}
	// Queued: nothing is submitted again, and status shows the queue.
	setQueue("0 RUNNING\n1 PENDING\n")
	if out := sweep(dir, grid...); !strings.Contains(out, "2 points queued or running (000, 001): nothing to submit") {
		t.Errorf("while queued:\n%s", out)
	}
	if len(jobs(dir)) != 1 {
		t.Errorf("a queued sweep was submitted again: %+v", jobs(dir))
	}
	if code, out, _ := zooSweep(t, "sweep", "status", dir); code != 0 || !strings.Contains(out, "QUEUE") || !strings.Contains(out, "pending") {
		t.Errorf("status of a queued sweep (exit %d):\n%s", code, out)
	}
	// Out of the queue with point 1 never trained (say, cancelled): only
	// it is submitted again.
	setQueue("")
	point(dir, "0")
	if out := sweep(dir, grid...); !strings.Contains(out, "submitted 1 point as Slurm job 102 (001)") {
		t.Errorf("resubmission:\n%s", out)
	}
	point(dir, "1")
	if out := sweep(dir, grid...); !strings.Contains(out, "every point has finished") {
		t.Errorf("a finished sweep:\n%s", out)
	}
	if len(jobs(dir)) != 2 {
		t.Errorf("jobs.json at the end: %+v", jobs(dir))
	}

	// Successive halving: a rung is submitted, then its promoted points.
	hdir := filepath.Join(t.TempDir(), "sh")
	halving := []string{"--set", "epochs=2", "--grid", "optimizer.lr=0.1,0.01,0.001", "--halving", "--eta", "3", "--budgets", "1"}
	if out := sweep(hdir, halving...); !strings.Contains(out, "submitted 3 points of rung 0 (1 epoch)") {
		t.Errorf("halving, rung 0:\n%s", out)
	}
	for _, i := range []string{"0", "1", "2"} {
		point(hdir, i)
	}
	out := sweep(hdir, halving...)
	js := jobs(hdir)
	if !strings.Contains(out, "of rung 1 (2 epochs)") || len(js) != 2 || js[1].Rung != 1 || len(js[1].Indices) != 1 {
		t.Fatalf("halving, rung 1: jobs %+v\n%s", js, out)
	}
	point(hdir, string(rune('0'+js[1].Indices[0])))
	if out := sweep(hdir, halving...); !strings.Contains(out, "every point has finished") {
		t.Errorf("halving, the end:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(hdir, sweeps.RungsFile))
	if err != nil {
		t.Fatal(err)
	}
	var r sweeps.Rungs
	if err := json.Unmarshal(b, &r); err != nil || len(r.Rungs) != 2 || !slices.Equal(r.Rungs[1].Points, js[1].Indices) {
		t.Errorf("rungs.json: %s (%v)", b, err)
	}
}
