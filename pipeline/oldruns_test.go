package pipeline

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/runs"
)

// oldRuns are run directories written by zoo at 2ed7c3f, before the
// pipeline was split out of runs: a finished mlp and denoising autoencoder
// (small, MNIST), an mlp interrupted after its eighth epoch, and the
// weights of the same mlp trained without interruption.
const oldRuns = "testdata/2ed7c3f"

// copyRun copies the fixture run name into a new directory.
func copyRun(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(oldRuns, name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOldRunsOpen: runs written before the redesign open, predict,
// encode and evaluate to what they reported.
func TestOldRunsOpen(t *testing.T) {
	for _, name := range []string{"mlp", "dae"} {
		t.Run(name, func(t *testing.T) {
			dir := copyRun(t, name)
			ev, err := Evaluate(context.Background(), dir, DataOptions{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := runs.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			// Another BLAS rounds differently: close, not equal.
			if want := m.Summary.TestLoss; math.Abs(ev.Test.Loss-want) > 1e-5*want {
				t.Errorf("test loss %v, the run reported %v", ev.Test.Loss, want)
			}
			x := make([]float32, 2*784)
			switch name {
			case "mlp":
				if math.Abs(ev.Test.Error-m.Summary.TestError) > 0.011 {
					t.Errorf("test error %v, the run reported %v", ev.Test.Error, m.Summary.TestError)
				}
				if m.Classes != 10 {
					t.Errorf("%d classes, want MNIST's 10 (the summary predates the classes key)", m.Classes)
				}
				if p, err := m.Predict(x); err != nil || len(p) != 2 {
					t.Errorf("Predict: %v, %v", p, err)
				}
			case "dae":
				if codes, err := m.Encode(x); err != nil || len(codes) != 2*m.CodeUnits() {
					t.Errorf("Encode: %d values, %v", len(codes), err)
				}
				if rec, err := m.Reconstruct(x); err != nil || len(rec) != len(x) {
					t.Errorf("Reconstruct: %d values, %v", len(rec), err)
				}
			}
		})
	}
}

// TestOldCheckpointResumes: a run interrupted before the redesign resumes
// from its checkpoint and, with the BLAS it was written with, ends with the
// weights of the same run never interrupted.
func TestOldCheckpointResumes(t *testing.T) {
	dir := copyRun(t, "mlp-cut")
	if _, err := Resume(context.Background(), Options{Out: dir, BLAS: cblas.Current().String()}); err != nil {
		t.Fatal(err)
	}
	whole, err := runs.ReadSummary(filepath.Join(oldRuns, "mlp-whole"))
	if err != nil {
		t.Fatal(err)
	}
	if whole.BLAS != cblas.Current().String() {
		t.Skipf("the fixture was computed with %s, this test with %s: their weights differ in rounding", whole.BLAS, cblas.Current())
	}
	if !bytes.Equal(read(t, dir, runs.WeightsFile), read(t, filepath.Join(oldRuns, "mlp-whole"), runs.WeightsFile)) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
}
