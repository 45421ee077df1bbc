package main

import (
	"bytes"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

func testReconstruct(t *testing.T, mlp, dae string) {
	dir := t.TempDir()
	// With the run's defaults the grid is the run's own figure: the same
	// digits, the same corruption (the run's seed), the same weights.
	path := filepath.Join(dir, "grid.png")
	code, out, stderr := zoo(t, "reconstruct", dae, "--out", path)
	if code != 0 || !strings.Contains(out, "rows: originals, corrupted (mask 0.3), reconstructions") {
		t.Fatalf("zoo reconstruct: exit %d\n%s%s", code, out, stderr)
	}
	if !bytes.Equal(readFile(t, dir, "grid.png"), readFile(t, dae, runs.ReconstructionsFile)) {
		t.Errorf("%s differs from the run's %s", path, runs.ReconstructionsFile)
	}

	// An existing file is not overwritten.
	code, _, stderr = zoo(t, "reconstruct", dae, "--out", path)
	if code != exitError || !strings.Contains(stderr, "--out "+path+" exists, and zoo does not overwrite files") {
		t.Errorf("zoo reconstruct over an existing file: exit %d\n%s", code, stderr)
	}

	// 4 clean digits at scale 1: two rows of four 28×28 cells and borders,
	// right of the rows' labels (7 pixels a letter, 4 either side).
	code, out, stderr = zoo(t, "reconstruct", dae, "--out", filepath.Join(dir, "clean.png"), "--n", "4", "--scale", "1", "--clean")
	if code != 0 || !strings.Contains(out, "rows: originals, reconstructions") {
		t.Fatalf("zoo reconstruct --clean: exit %d\n%s%s", code, out, stderr)
	}
	img, err := png.Decode(bytes.NewReader(readFile(t, dir, "clean.png")))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 7*len("reconstruction")+8+4*29+1 || b.Dy() != 2*29+1 {
		t.Errorf("grid of 4 clean digits is %v", b)
	}

	wantError(t, []string{"reconstruct", mlp, "--out", filepath.Join(dir, "mlp.png")}, "holds a classifier", "zoo train ae-mnist")
}

func TestReconstructArgs(t *testing.T) {
	wantError(t, []string{"reconstruct", "run"}, "no --out", "--out grid.png")
	wantError(t, []string{"reconstruct", "run", "--out", "grid.jpg"}, "name the file .png")
	wantError(t, []string{"reconstruct", "run", "--out", "grid.png", "--n", "0"}, "--n 0: want at least one digit")
	wantError(t, []string{"reconstruct", "run", "--out", "grid.png", "--scale", "0"}, "--scale 0")
}
