package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestDefaultOut: without --out a run goes to zoo-runs/NAME-<time> under
// the working directory, not into a "runs" folder, which in zoo's own
// repository is the runs package's source.
func TestDefaultOut(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	if err := os.Mkdir("runs", 0o755); err != nil {
		t.Fatal(err)
	}
	writeText(t, filepath.Join("runs", "doc.go"), "package runs\n")
	code, stdout, stderr := zoo(t, "train", "mlp-mnist", "--quick", "--epochs", "1", "--set", "data.train=500")
	if code != 0 {
		t.Fatalf("zoo train: exit %d\n%s%s", code, stdout, stderr)
	}
	made, err := filepath.Glob(filepath.Join(runs.DefaultParent, "mlp-mnist-*", runs.SummaryFile))
	if err != nil || len(made) != 1 || runs.DefaultParent != "zoo-runs" {
		t.Fatalf("runs under %s: %v (%v)", runs.DefaultParent, made, err)
	}
	if !strings.Contains(stdout, "run saved in "+filepath.Dir(made[0])+"\n") {
		t.Errorf("zoo train says %q, want the run in %s", stdout, filepath.Dir(made[0]))
	}
	if entries, _ := os.ReadDir("runs"); len(entries) != 1 {
		t.Errorf("the runs package's folder holds %d entries, want its doc.go only", len(entries))
	}
}

// TestLockRemovedWhenRunEnds: a run stopped by Ctrl-C (its context
// cancelled) and a run that fails (diverges) leave no .zoo.lock behind,
// as a finished one does not (TestEvalSplitLimit).
func TestLockRemovedWhenRunEnds(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		cancel bool
		set    string
		code   int
	}{
		{"interrupted", true, "epochs=1", exitStopped},
		{"diverged", false, "optimizer.lr=1e20", 3},
	} {
		out := filepath.Join(dir, tt.name)
		ctx, cancel := context.WithCancel(context.Background())
		if tt.cancel {
			cancel()
		}
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{"train", "mlp-mnist", "--quick", "--set", "data.train=500", "--set", tt.set, "--out", out}, &stdout, &stderr)
		cancel()
		if code != tt.code {
			t.Fatalf("%s: exit %d, want %d\n%s", tt.name, code, tt.code, stderr.String())
		}
		if _, err := os.Stat(filepath.Join(out, runs.RecipeFile)); err != nil {
			t.Fatalf("%s: the run did not start: %v", tt.name, err)
		}
		if _, err := os.Stat(filepath.Join(out, runs.LockFile)); !os.IsNotExist(err) {
			t.Errorf("%s: the run left %s (%v)", tt.name, runs.LockFile, err)
		}
	}
}
