//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestRunKeepsItsData: a run trained with --data and interrupted resumes,
// as the interrupt message says (zoo train --resume DIR, no --data), on
// the same data — not the built-in MNIST — to the weights of the run
// never interrupted; eval measures it on that data to the
// figures its summary reports. The refusals (data gone, changed, other
// files) are rows of TestErrors.
func TestRunKeepsItsData(t *testing.T) {
	dir := t.TempDir()
	recipe := filepath.Join(dir, "tiny.yaml")
	writeText(t, recipe, tinyRecipe)
	data := tinyMNIST(t, filepath.Join(dir, "data"), nil)
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := zoo(t, "train", recipe, "--data", data, "--out", whole); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, tt := range []struct {
		name string
		// resume is the --resume command line after the cut, given the
		// run and its data, which it may move.
		resume func(run, data string) []string
	}{
		{"as the interrupt message says", func(run, data string) []string { return []string{"train", "--resume", run} }},
		{"the data moved, given with --data", func(run, data string) []string {
			moved := data + "-moved"
			if err := os.Rename(data, moved); err != nil {
				t.Fatal(err)
			}
			return []string{"train", "--resume", run, "--data", moved}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			own := copyDir(t, data, filepath.Join(base, "data"))
			cut := filepath.Join(base, "cut")
			ctx, cancel := context.WithCancel(context.Background())
			log := &cutLog{at: "epoch 1/2  train loss", cancel: cancel}
			var errOut bytes.Buffer
			code := run(ctx, []string{"train", recipe, "--data", own, "--out", cut}, log, &errOut)
			cancel()
			if code != exitStopped || !strings.Contains(errOut.String(), "continue with: zoo train --resume "+cut+"\n") {
				t.Fatalf("cut: exit %d, %s", code, errOut.String())
			}
			if code, stdout, stderr := zoo(t, tt.resume(cut, own)...); code != 0 {
				t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if !bytes.Equal(readFile(t, cut, runs.WeightsFile), readFile(t, whole, runs.WeightsFile)) {
				t.Error("the resumed run's weights differ from the uninterrupted run's: it read other data")
			}
			s, err := runs.ReadSummary(cut)
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := zoo(t, "eval", cut)
			if want := fmt.Sprintf("test error %.2f%%", 100*s.TestError); code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "on 20 examples") {
				t.Errorf("eval without --data: exit %d, %q %s; want %q on the 20 test examples of the run's data", code, stdout, stderr, want)
			}
		})
	}
}
