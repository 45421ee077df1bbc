package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestEvalSplitLimit: a --quick run (of 1 epoch, said so), scored on the
// first 1000 test digits, leaves no lock file; zoo eval scores it as it was scored by default,
// says on how many of which split's examples, and scores the whole test
// split with --limit 0, or the first N of another split with --split and
// --limit.
func TestEvalSplitLimit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "quick")
	code, stdout, stderr := zoo(t, "train", "mlp-mnist", "--quick", "--out", dir)
	if code != 0 {
		t.Fatalf("zoo train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "  (1 epoch, ") {
		t.Errorf("zoo train of one epoch says %q, want (1 epoch, …)", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, runs.LockFile)); !os.IsNotExist(err) {
		t.Errorf("the finished run keeps %s (%v)", runs.LockFile, err)
	}
	s, err := runs.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, fmt.Sprintf("%s (mlp-mnist): test error %.2f%%  test loss %.4f  on the first 1000 of 10000 test examples\n", dir, 100*s.TestError, s.TestLoss)},
		{[]string{"--limit", "0"}, "on all 10000 test examples\n"},
		{[]string{"--split", "validation", "--limit", "300"}, "validation loss"},
		{[]string{"--split", "validation", "--limit", "300"}, "on the first 300 of 10000 validation examples\n"},
		{[]string{"--split", "train"}, "on the first 5000 of 50000 train examples\n"},
	} {
		code, stdout, stderr := zoo(t, append([]string{"eval", dir}, tt.args...)...)
		if code != 0 || !strings.Contains(stdout, tt.want) {
			t.Errorf("zoo eval %v: exit %d, %q %s; want %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
	code, stdout, stderr = zoo(t, "eval", dir, "--limit", "0", "--json")
	var ev pipeline.Evaluation
	if err := json.Unmarshal([]byte(stdout), &ev); code != 0 || err != nil {
		t.Fatalf("zoo eval --json: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	if ev.Split != pipeline.SplitTest || ev.SplitSize != 10000 || ev.Metrics.N != 10000 || ev.Test == nil || *ev.Test != ev.Metrics {
		t.Errorf("zoo eval --limit 0 --json: %+v", ev)
	}
}
