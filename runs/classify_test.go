package runs_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestClassifyAndDescribe: Classify agrees with Predict and gives
// probabilities; Layers and Tensors describe the saved model.
func TestClassifyAndDescribe(t *testing.T) {
	m, err := runs.Load(trainQuick(t, "mlp-mnist"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, err := datasets.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	x := data.Test.Slice(0, 300).X
	pred, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Classify(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got {
		if p.Class != pred[i] || len(p.Probabilities) != 10 {
			t.Fatalf("example %d: Classify says %d (%d probabilities), Predict %d", i, p.Class, len(p.Probabilities), pred[i])
		}
		sum := 0.0
		for _, q := range p.Probabilities {
			sum += q
		}
		if top := p.Top(3); math.Abs(sum-1) > 1e-9 || top[0] != p.Class || p.Probabilities[top[1]] > p.Probabilities[top[0]] || p.Probabilities[top[2]] > p.Probabilities[top[1]] {
			t.Fatalf("example %d: probabilities sum to %v, top 3 %v of %v", i, sum, top, p.Probabilities)
		}
	}

	// Several goroutines classify at once (run with -race).
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part, err := m.Classify(x[g*100*784 : (g+1)*100*784])
			if err != nil {
				t.Error(err)
				return
			}
			for i, p := range part {
				if !slices.Equal(p.Probabilities, got[g*100+i].Probabilities) {
					t.Errorf("goroutine %d, example %d: concurrent probabilities differ", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()

	want := []runs.LayerInfo{
		{Name: "layers.0", In: 784, Out: 512, Activation: "relu"},
		{Name: "layers.1", In: 512, Out: 256, Activation: "relu"},
		{Name: "layers.2", In: 256, Out: 10, Activation: "linear"},
	}
	if l := m.Layers(); !slices.Equal(l, want) {
		t.Errorf("Layers() = %+v, want %+v", l, want)
	}
	ts := m.Tensors()
	total := 0
	for _, tt := range ts {
		total += tt.Size
	}
	if len(ts) != 6 || ts[0].Name != "layers.0.weight" || !slices.Equal(ts[0].Shape, []int{784, 512}) ||
		!slices.Equal(ts[1].Shape, []int{512}) || ts[1].DType != "F32" || total != m.Summary.Parameters {
		t.Errorf("Tensors() = %+v (total %d, the run has %d parameters)", ts, total, m.Summary.Parameters)
	}
	if m.Param("layers.1.bias") == nil || m.Param("layers.9.bias") != nil {
		t.Error("Param finds the wrong parameters")
	}
	if _, err := m.Classify(x[:10]); err == nil || !strings.Contains(err.Error(), "not whole examples") {
		t.Errorf("a partial example: %v", err)
	}
}

func TestDescribeTiedAutoencoder(t *testing.T) {
	r, err := recipes.Builtin("dae-mnist", recipes.Options{Quick: true, Set: []string{"epochs=1", "data.train=500"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pipeline.Train(context.Background(), r, pipeline.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	m, err := runs.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	want := []runs.LayerInfo{
		{Name: "encoder.0", In: 784, Out: 256, Activation: "sigmoid"},
		{Name: "decoder.0", In: 256, Out: 784, Activation: "sigmoid", TiedTo: "encoder.0"},
	}
	if l := m.Layers(); !slices.Equal(l, want) {
		t.Errorf("Layers() = %+v, want %+v", l, want)
	}
	var names []string
	for _, tt := range m.Tensors() {
		names = append(names, tt.Name)
	}
	if !slices.Equal(names, []string{"encoder.0.weight", "encoder.0.bias", "decoder.0.bias"}) {
		t.Errorf("tensors %v", names)
	}
	if _, err := m.Classify(make([]float32, 784)); err == nil || !strings.Contains(err.Error(), "does not classify") {
		t.Errorf("an autoencoder classified: %v", err)
	}
}
