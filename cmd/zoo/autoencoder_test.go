package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestTrainAutoencoder drives `zoo train` and `zoo eval` on an autoencoder
// recipe: both report the reconstruction loss, not an error rate, and the
// run directory holds the figures.
func TestTrainAutoencoder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ae")
	code, stdout, stderr := zoo(t, "train", "sparse-ae-mnist", "--quick", "--set", "data.train=1000", "--set", "epochs=1", "--out", out)
	if code != 0 || !strings.Contains(stdout, "test reconstruction loss") || strings.Contains(stdout, "test error") {
		t.Fatalf("zoo train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, f := range []string{runs.ReconstructionsFile, runs.FiltersFile, runs.WeightsFile} {
		readFile(t, out, f)
	}
	code, stdout, stderr = zoo(t, "eval", out)
	if code != 0 || !strings.Contains(stdout, "test reconstruction loss") {
		t.Errorf("zoo eval: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = zoo(t, "train", "dae-mnist", "--quick", "--set", "model.corruption.type=blur", "--out", filepath.Join(t.TempDir(), "x"))
	if code != 1 || !strings.Contains(stderr, `model.corruption.type: unknown corruption "blur"`) {
		t.Errorf("bad corruption: exit %d, stderr %q", code, stderr)
	}
}

// TestConvAutoencoderCLI drives a conv-autoencoder run through the
// commands that take an autoencoder: train, eval, encode, reconstruct,
// filters (its first convolution's kernels) and inspect.
func TestConvAutoencoderCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "conv")
	code, stdout, stderr := zoo(t, "train", "conv-ae-mnist", "--quick", "--set", "data.train=300", "--set", "data.validation=100", "--set", "data.test=100",
		"--set", "model.conv=[{filters: 4, kernel: 3, activation: relu, pool: 2}, {filters: 2, kernel: 3, activation: relu, pool: 2}]", "--out", out)
	if code != 0 || !strings.Contains(stdout, "test reconstruction loss") {
		t.Fatalf("zoo train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = zoo(t, "eval", out)
	if code != 0 || !strings.Contains(stdout, "test reconstruction loss") {
		t.Errorf("zoo eval: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = zoo(t, "encode", out, "--out", filepath.Join(dir, "codes.csv"))
	if rows := strings.Split(strings.TrimSpace(string(readFile(t, dir, "codes.csv"))), "\n"); code != 0 || len(rows) != 101 || strings.Count(rows[0], ",") != 2*7*7 {
		t.Errorf("zoo encode: exit %d, %d rows, header %q\n%s", code, len(rows), rows[0], stderr)
	}
	code, stdout, stderr = zoo(t, "reconstruct", out, "--out", filepath.Join(dir, "rec.png"))
	if code != 0 || !strings.Contains(stdout, "test digits") {
		t.Errorf("zoo reconstruct: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = zoo(t, "filters", out, "--out", filepath.Join(dir, "kernels.png"), "--scale", "8", "--cols", "8")
	if code != 0 || !strings.Contains(stdout, "4 of the 4 filters of encoder.0 (1→4 channels, 3×3, relu)") {
		t.Errorf("zoo filters: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !bytes.Equal(readFile(t, dir, "kernels.png"), readFile(t, out, runs.FiltersFile)) {
		t.Errorf("zoo filters differs from the run's %s", runs.FiltersFile)
	}
	code, stdout, stderr = zoo(t, "inspect", out)
	if code != 0 || !strings.Contains(stdout, "conv-autoencoder: 28×28 inputs → 98-unit code") || !strings.Contains(stdout, "(3×3 convolution, 2×2 max pooling)") {
		t.Errorf("zoo inspect: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
