package runs_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

func trainQuick(t *testing.T, name string) string {
	t.Helper()
	r, err := recipes.Builtin(name, recipes.Options{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pipeline.Train(context.Background(), r, pipeline.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLoadClassifier: a loaded run predicts what it was measured on, and
// several goroutines may use it at once (run with -race).
func TestLoadClassifier(t *testing.T) {
	dir := trainQuick(t, "mlp-mnist")
	m, err := runs.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, err := datasets.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	test := data.Test.Slice(0, m.Summary.Test)
	pred, err := m.Predict(test.X)
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i, p := range pred {
		if p != test.Labels[i] {
			wrong++
		}
	}
	if got := float64(wrong) / float64(len(pred)); got != m.Summary.TestError {
		t.Errorf("loaded model's test error %v, the run reported %v", got, m.Summary.TestError)
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := test.Slice(g*50, g*50+50)
			got, err := m.Predict(part.X)
			if err != nil {
				t.Error(err)
				return
			}
			if !slices.Equal(got, pred[g*50:g*50+50]) {
				t.Errorf("goroutine %d: concurrent predictions differ", g)
			}
		}()
	}
	wg.Wait()

	if _, err := m.Predict(test.X[:100]); err == nil || !strings.Contains(err.Error(), "not whole examples") {
		t.Errorf("a partial example: %v", err)
	}
	if _, err := m.Encode(test.X); err == nil {
		t.Error("a classifier encoded")
	}
}

func TestLoadAutoencoder(t *testing.T) {
	dir := trainQuick(t, "ae-mnist")
	m, err := runs.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, _ := datasets.MNIST()
	x := data.Test.Slice(0, 10).X
	codes, err := m.Encode(x)
	if err != nil || len(codes) != 10*m.CodeUnits() || m.CodeUnits() == 0 {
		t.Fatalf("Encode: %d values for %d code units, %v", len(codes), m.CodeUnits(), err)
	}
	rec, err := m.Reconstruct(x)
	if err != nil || len(rec) != len(x) {
		t.Fatalf("Reconstruct: %d values, %v", len(rec), err)
	}
	if _, err := m.Predict(x); err == nil {
		t.Error("an autoencoder classified")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := runs.Load(dir); err == nil || !strings.Contains(err.Error(), "not a finished run directory") {
		t.Errorf("empty directory: %v", err)
	}
}

// TestLoadInputShape: Load rebuilds the model for the input shape the
// summary records; a summary from before it was recorded means MNIST's
// 28×28; a damaged one is an error, not a huge allocation or a panic.
func TestLoadInputShape(t *testing.T) {
	dir := trainQuick(t, "mlp-mnist")
	sum, err := runs.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.InputShape, []int{28, 28}) {
		t.Fatalf("summary input_shape %v, want [28 28]", sum.InputShape)
	}
	if sum.Classes != 10 {
		t.Fatalf("summary classes %d, want 10", sum.Classes)
	}
	for _, tt := range []struct {
		shape   []int
		classes int
		wantErr string
	}{
		{nil, 0, ""}, // a summary from before both were recorded
		{[]int{784}, 10, ""},
		{[]int{0, 5}, 10, "input_shape [0 5]"},
		{[]int{-28, -28}, 10, "input_shape [-28 -28]"},
		{[]int{1 << 30, 1 << 30}, 10, "input_shape [1073741824 1073741824]"},
		{[]int{28, 28}, 1, "classes 1"},
		{[]int{28, 28}, 1 << 30, "classes 1073741824"},
	} {
		s := *sum
		s.InputShape, s.Classes = tt.shape, tt.classes
		if err := runs.WriteSummary(dir, &s); err != nil {
			t.Fatal(err)
		}
		m, err := runs.Load(dir)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("input_shape %v: %v", tt.shape, err)
		case tt.wantErr == "" && (product(m.Shape) != 784 || m.Classes != 10):
			t.Errorf("input_shape %v, classes %d: the model takes inputs of shape %v into %d classes", tt.shape, tt.classes, m.Shape, m.Classes)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("input_shape %v: error %v, want one about %q", tt.shape, err, tt.wantErr)
		}
		if m != nil {
			m.Close()
		}
	}
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
