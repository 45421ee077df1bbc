package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"gonum.org/v1/gonum/mat"
)

// run trains the built-in recipe name with the overrides set into a new
// directory and returns the directory and the summary.
func run(t *testing.T, name string, set ...string) (string, *runs.Summary) {
	t.Helper()
	r, err := recipes.Builtin(name, recipes.Options{Set: set})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	s, err := Train(context.Background(), r, Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// metricRows returns metrics.csv's rows without the seconds column.
func metricRows(t *testing.T, dir string) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(read(t, dir, runs.MetricsFile))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r[:len(r)-1], ","))
	}
	return out
}

var small = []string{"data.train=1000", "data.validation=200", "data.test=200", "epochs=1"}

// TestDenoisingRunIsDeterministic trains dae-mnist (masking noise, so every
// batch draws from the run's generator) twice with one seed: the weights
// must be bit-identical, and the run directory complete.
func TestDenoisingRunIsDeterministic(t *testing.T) {
	dir1, s1 := run(t, "dae-mnist", small...)
	dir2, s2 := run(t, "dae-mnist", small...)
	if !bytes.Equal(read(t, dir1, runs.WeightsFile), read(t, dir2, runs.WeightsFile)) {
		t.Error("two runs with the same seed saved different weights")
	}
	if m1, m2 := metricRows(t, dir1), metricRows(t, dir2); strings.Join(m1, "\n") != strings.Join(m2, "\n") {
		t.Errorf("metrics differ:\n%v\n%v", m1, m2)
	}
	if s1.TestReconstructionLoss != s2.TestReconstructionLoss || !(s1.TestReconstructionLoss > 0) {
		t.Errorf("test reconstruction losses %v and %v", s1.TestReconstructionLoss, s2.TestReconstructionLoss)
	}
	if rows := metricRows(t, dir1); len(rows) != 2 || rows[0] != "phase,layer,epoch,train_loss,val_loss,val_error,lr" || !strings.HasPrefix(rows[1], "train,,1,") {
		t.Errorf("metrics.csv %q", rows)
	}
	// Originals, corrupted inputs, reconstructions: 3 rows of 10 digits,
	// each 28×28 drawn at scale 2 in a one-pixel frame, right of the rows'
	// labels (7 pixels a letter, 4 either side).
	for name, want := range map[string][2]int{runs.ReconstructionsFile: {7*len("reconstruction") + 8 + 10*57 + 1, 3*57 + 1}, runs.FiltersFile: {10*57 + 1, 10*57 + 1}} {
		img, err := png.Decode(bytes.NewReader(read(t, dir1, name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != want[0] || b.Dy() != want[1] {
			t.Errorf("%s is %d×%d, want %d×%d", name, b.Dx(), b.Dy(), want[0], want[1])
		}
	}
	// zoo eval measures the saved model again.
	ev, err := Evaluate(context.Background(), dir1, DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Test.Loss != s1.TestReconstructionLoss || ev.Test.HasError {
		t.Errorf("Evaluate: %+v; the run said %v", ev.Test, s1.TestReconstructionLoss)
	}
}

// TestStackedRun runs a tiny sdae-mnist: metrics.csv holds the pretraining
// epochs of every layer then the fine-tuning, and the saved classifier
// evaluates as the run reported.
func TestStackedRun(t *testing.T) {
	// Narrow layers keep it fast; the recipe's own widths are checked by
	// the recipes package and the README run.
	dir, s := run(t, "sdae-mnist", append(small, "pretrain.epochs=1", "model.encoder.0.units=64", "model.encoder.1.units=32")...)
	rows := metricRows(t, dir)
	r, _ := recipes.Builtin("sdae-mnist", recipes.Options{})
	layers := len(r.Model.Encoder)
	if len(rows) != 1+layers+1 {
		t.Fatalf("metrics.csv: %q", rows)
	}
	for k := range layers {
		if !strings.HasPrefix(rows[1+k], fmt.Sprintf("pretrain,%d,1,", k)) || !strings.HasSuffix(rows[1+k], ",,"+numOf(t, r, k)) {
			t.Errorf("row %d: %q", 1+k, rows[1+k])
		}
	}
	if !strings.HasPrefix(rows[1+layers], "finetune,,1,") {
		t.Errorf("last row %q", rows[1+layers])
	}
	if len(s.Pretrain) != layers || s.TestError <= 0 || s.TestReconstructionLoss != 0 {
		t.Errorf("summary %+v", s)
	}
	ev, err := Evaluate(context.Background(), dir, DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Test.Error != s.TestError {
		t.Errorf("Evaluate: test error %v, the run said %v", ev.Test.Error, s.TestError)
	}
	for _, f := range []string{runs.ReconstructionsFile, runs.FiltersFile} {
		read(t, dir, f)
	}
}

// numOf is the learning rate of pretraining layer k as metrics.csv writes it.
func numOf(t *testing.T, r *recipes.Recipe, k int) string {
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatFloat(sp.Model.Pretrain[k].Optimizer.Hyper["lr"], 'g', -1, 64)
}

// TestLinearAutoencoderSpansPCA trains linear-ae-mnist (k = 16 linear code
// units, linear output, MSE; its own optimizer and schedule) on 10,000
// digits and compares the subspace its decoder spans with the top-k
// principal subspace of the same digits, computed with gonum: the largest
// principal angle between them must be under 5° (measured: 1.95°).
func TestLinearAutoencoderSpansPCA(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for about 20 s")
	}
	const n = 10000
	dir, s := run(t, "linear-ae-mnist", "data.train=10000", "data.validation=1000", "data.test=1000", "epochs=20")
	f, err := safetensors.ReadFile(filepath.Join(dir, runs.WeightsFile), safetensors.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	w, ok := f.Get("decoder.0.weight")
	if !ok || len(w.Shape) != 2 || w.Shape[1] != 784 {
		t.Fatalf("decoder weight %+v", w)
	}
	k := w.Shape[0]
	wd, err := w.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	data, err := datasets.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	pcs, explained := principalSubspace(data.Train.Slice(0, n), k)
	angle := largestPrincipalAngle(rowSpace(wd, k, 784), pcs)
	if testing.Verbose() {
		t.Logf("k=%d: largest principal angle %.2f°; test MSE %.5f; the top-%d components explain %.1f%% of the variance", k, angle, s.TestReconstructionLoss, k, 100*explained)
	}
	if angle > 5 {
		t.Errorf("largest principal angle between the linear autoencoder's and PCA's %d-dimensional subspaces: want < 5°, got %.2f°", k, angle)
	}
}

// principalSubspace returns an orthonormal basis (784×k) of the top-k
// principal components of s, and the fraction of the variance they explain.
func principalSubspace(s *datasets.Set, k int) (*mat.Dense, float64) {
	n, d := s.Len(), s.Dim()
	x := mat.NewDense(n, d, nil)
	mean := make([]float64, d)
	for i := range n {
		for j, v := range s.Row(i) {
			mean[j] += float64(v) / float64(n)
		}
	}
	for i := range n {
		for j, v := range s.Row(i) {
			x.Set(i, j, float64(v)-mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		panic("eigendecomposition failed")
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	vals := eig.Values(nil) // ascending
	var total, top float64
	for i, v := range vals {
		total += v
		if i >= d-k {
			top += v
		}
	}
	return mat.DenseCopyOf(vecs.Slice(0, d, d-k, d)), top / total
}

// rowSpace returns an orthonormal basis (cols×rows) of the span of the rows
// of the rows×cols matrix w.
func rowSpace(w []float32, rows, cols int) *mat.Dense {
	a := mat.NewDense(cols, rows, nil)
	for i := range rows {
		for j := range cols {
			a.Set(j, i, float64(w[i*cols+j]))
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, cols, 0, rows))
}

// largestPrincipalAngle returns, in degrees, the largest principal angle
// between the spans of the orthonormal columns of a and b: acos of the
// smallest singular value of aᵀb.
func largestPrincipalAngle(a, b *mat.Dense) float64 {
	var m mat.Dense
	m.Mul(a.T(), b)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		panic("SVD failed")
	}
	sv := svd.Values(nil)
	return math.Acos(math.Min(1, sv[len(sv)-1])) * 180 / math.Pi
}
