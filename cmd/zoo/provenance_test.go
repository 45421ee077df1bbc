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
			if want := fmt.Sprintf("test error %.2f%%", 100*s.TestError); code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "on all 20 test examples") {
				t.Errorf("eval without --data: exit %d, %q %s; want %q on the 20 test examples of the run's data", code, stdout, stderr, want)
			}
		})
	}
}

// tinyAE is an autoencoder trained in a moment on tinyMNIST's data.
const tinyAE = `name: tiny-ae
data: {name: mnist}
model: {type: autoencoder, encoder: [{units: 4, activation: sigmoid}], output: sigmoid}
loss: bce
optimizer: {name: sgd, lr: 0.1}
batch_size: 20
epochs: 1
`

// TestCommandsReadRunData: every command that reads a finished run's data
// (eval, encode, reconstruct) reads the data it was trained on without
// --data, and refuses it once gone rather than reading the built-in MNIST.
func TestCommandsReadRunData(t *testing.T) {
	dir := t.TempDir()
	recipe := filepath.Join(dir, "tiny-ae.yaml")
	writeText(t, recipe, tinyAE)
	data := tinyMNIST(t, filepath.Join(dir, "data"), nil)
	ae := filepath.Join(dir, "ae")
	if code, _, stderr := zoo(t, "train", recipe, "--data", data, "--out", ae); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	commands := []struct {
		name string
		args []string
		// check checks the output of a run on the tiny data.
		check func(t *testing.T, stdout string)
	}{
		{"eval", []string{"eval", ae}, func(t *testing.T, stdout string) {
			if !strings.Contains(stdout, "on all 20 test examples") {
				t.Errorf("eval: %q, want the 20 test examples of the run's data", stdout)
			}
		}},
		{"encode", []string{"encode", ae}, func(t *testing.T, stdout string) {
			if n := strings.Count(stdout, "\n"); n != 21 {
				t.Errorf("encode wrote %d lines, want a header and the 20 test examples of the run's data", n)
			}
		}},
		{"reconstruct", []string{"reconstruct", ae, "--out", filepath.Join(dir, "grid.png")}, func(*testing.T, string) {}},
	}
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := zoo(t, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			c.check(t, stdout)
		})
	}
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	// zoo does not overwrite an --out file: the grid written above stays.
	if err := os.Remove(filepath.Join(dir, "grid.png")); err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		t.Run(c.name+" without the data", func(t *testing.T) {
			code, _, stderr := zoo(t, c.args...)
			if want := "the run was trained on the mnist data in " + data; code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "that directory is gone") {
				t.Errorf("exit %d, %q; want exit 1 and %q… that directory is gone", code, stderr, want)
			}
		})
	}
}
