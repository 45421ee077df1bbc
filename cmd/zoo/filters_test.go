package main

import (
	"bytes"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

func testFilters(t *testing.T, mlp, dae string) {
	dir := t.TempDir()
	// An autoencoder's encoder.0, drawn as the run drew its figure.
	code, out, stderr := zoo(t, "filters", dae, "--out", filepath.Join(dir, "dae.png"))
	if code != 0 || !strings.Contains(out, "100 of the 256 units of encoder.0 (784→256, sigmoid)") {
		t.Fatalf("zoo filters (autoencoder): exit %d\n%s%s", code, out, stderr)
	}
	if !bytes.Equal(readFile(t, dir, "dae.png"), readFile(t, dae, runs.FiltersFile)) {
		t.Errorf("the filters differ from the run's %s", runs.FiltersFile)
	}
	// A classifier's layers.0: 12 units, 4 to a row, at scale 1.
	code, out, stderr = zoo(t, "filters", mlp, "--out", filepath.Join(dir, "mlp.png"), "--n", "12", "--cols", "4", "--scale", "1")
	if code != 0 || !strings.Contains(out, "12 of the 512 units of layers.0 (784→512, relu)") {
		t.Fatalf("zoo filters (classifier): exit %d\n%s%s", code, out, stderr)
	}
	img, err := png.Decode(bytes.NewReader(readFile(t, dir, "mlp.png")))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 4*29+1 || b.Dy() != 3*29+1 {
		t.Errorf("12 tiles, 4 to a row, are %v", b)
	}
	wantError(t, []string{"filters", dir, "--out", filepath.Join(dir, "x.png")}, "not a finished run directory")
}

func TestFiltersArgs(t *testing.T) {
	wantError(t, []string{"filters", "run"}, "no --out")
	wantError(t, []string{"filters", "run", "--out", "f.png", "--cols", "0"}, "--cols 0")
	wantError(t, []string{"filters", "run", "--out", "f.png", "--n", "-1"}, "--n -1")
}
