package sweeps

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkersStopWithTheSweep: a sweep killed outright (SIGKILL, no
// chance to forward a signal) does not leave its workers training on:
// each is sent SIGTERM, on which zoo sweep point checkpoints and stops.
// The sweep is this test binary run again (TestWorkersStopHelper), its
// worker a shell that records the SIGTERM it gets.
func TestWorkersStopWithTheSweep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	s, err := New(Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=0.1"}}, when)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir, s); err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "terminated")
	started := filepath.Join(t.TempDir(), "started")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkersStopHelper$")
	cmd.Env = append(os.Environ(), "ZOO_SWEEP_STOP_HELPER="+dir+"\n"+started+"\n"+mark)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for !exists(started) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the worker did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for !exists(mark) {
		if time.Now().After(deadline) {
			t.Fatal("the worker of a killed sweep was not sent SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWorkersStopHelper is the sweep TestWorkersStopWithTheSweep kills.
func TestWorkersStopHelper(t *testing.T) {
	env := os.Getenv("ZOO_SWEEP_STOP_HELPER")
	if env == "" {
		t.Skip("the child process of TestWorkersStopWithTheSweep")
	}
	parts := strings.Split(env, "\n")
	dir, started, mark := parts[0], parts[1], parts[2]
	s, err := ReadSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The worker waits for SIGTERM; a minute without it, it ends unmarked.
	worker := []string{"/bin/sh", "-c", `trap 'touch "$MARK"; exit 0' TERM; touch "$STARTED"; sleep 60 & wait`, "sh"}
	t.Setenv("MARK", mark)
	t.Setenv("STARTED", started)
	_ = RunLocal(context.Background(), dir, s, []int{0}, LocalOptions{Jobs: 1, Command: worker})
}
