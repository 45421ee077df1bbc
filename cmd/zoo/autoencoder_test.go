package main

import (
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
