package pipeline

import (
	"bytes"
	"context"
	"encoding/binary"
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
// weights of the same run never interrupted. Its checkpoint does not say
// what matrix products were computed before it, so the summary gives no
// count rather than the resumed part's alone.
func TestOldCheckpointResumes(t *testing.T) {
	dir := copyRun(t, "mlp-cut")
	s, err := Resume(context.Background(), Options{Out: dir, BLAS: cblas.Current().String()})
	if err != nil {
		t.Fatal(err)
	}
	if s.MatmulFlops != 0 || s.MatmulGFLOPS != 0 {
		t.Errorf("resumed from a checkpoint without a count: matmul_flops %d, matmul_gflops_per_s %v; want neither", s.MatmulFlops, s.MatmulGFLOPS)
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

// TestRunModelFileLoads: a run's model.safetensors, copied out of its
// directory, loads on its own with runs.LoadModel (its recipe is in its
// metadata, the widths the data decided in its tensors) into the very
// parameters runs.Load gives.
func TestRunModelFileLoads(t *testing.T) {
	for _, name := range []string{"mlp", "dae"} {
		t.Run(name, func(t *testing.T) {
			dir := copyRun(t, name)
			m, err := runs.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			copied := filepath.Join(t.TempDir(), "model.safetensors")
			data, err := os.ReadFile(filepath.Join(dir, runs.WeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(copied, data, 0o644); err != nil {
				t.Fatal(err)
			}
			net, err := runs.LoadModel(copied)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"mlp": "mlp", "dae": "autoencoder"}[name]; net.Family() != want {
				t.Errorf("family %s, want %s", net.Family(), want)
			}
			got := net.Params()
			if len(got) != len(m.Params) {
				t.Fatalf("%d parameters, runs.Load gives %d", len(got), len(m.Params))
			}
			for i, p := range got {
				if p.Name != m.Params[i].Name || !bytes.Equal(floatBytes(p.Float64s()), floatBytes(m.Params[i].Float64s())) {
					t.Errorf("parameter %d (%s) differs from runs.Load's %s", i, p.Name, m.Params[i].Name)
				}
			}
		})
	}
}

// floatBytes is v's bits, for an exact comparison that NaN cannot fool.
func floatBytes(v []float64) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}
