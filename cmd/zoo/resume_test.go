package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestInterruptAndResume interrupts a run as Ctrl-C would (after its first
// checkpoint), resumes it, and checks the weights are byte-identical to an
// uninterrupted run's.
func TestInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"train", "mlp-mnist", "--quick", "--epochs", "3", "--set", "data.train=3000"}
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := zoo(t, append(args, "--out", whole)...); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}

	cut := filepath.Join(dir, "cut")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // Ctrl-C as soon as the first checkpoint exists
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(cut, runs.CheckpointFile)); err == nil {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var out, errOut bytes.Buffer
	code := run(ctx, append(args, "--out", cut), &out, &errOut)
	cancel()
	if code != exitStopped || !strings.Contains(errOut.String(), "zoo train --resume "+cut) {
		t.Fatalf("interrupted run: exit %d, stderr %q", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(cut, runs.WeightsFile)); err == nil {
		t.Fatal("an interrupted run saved a final model")
	}

	code, stdout, stderr := zoo(t, "train", "--resume", cut)
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !bytes.Equal(readFile(t, cut, runs.WeightsFile), readFile(t, whole, runs.WeightsFile)) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
	if a, b := metricsWithoutTime(t, cut), metricsWithoutTime(t, whole); a != b {
		t.Errorf("metrics differ:\n%s\n%s", a, b)
	}
	if _, err := os.Stat(filepath.Join(cut, runs.CheckpointFile)); err == nil {
		t.Error("the checkpoint is left behind after the run finished")
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--resume", cut}, "is finished"},
		{[]string{"train", "--resume", dir}, "has no checkpoint.safetensors"},
		{[]string{"train", "--resume", cut, "--quick"}, "--quick cannot change it"},
		{[]string{"train", "mlp-mnist", "--resume", cut}, "drop \"mlp-mnist\""},
	} {
		if code, _, stderr := zoo(t, tt.args...); code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("zoo %s: exit %d, %q; want an error with %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}
