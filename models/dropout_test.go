package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dropoutNet is a small float64 MLP with the given dropout; the weights
// depend on the seed only, not on the dropout.
func dropoutNet(t *testing.T, d Dropout) *MLP {
	t.Helper()
	m, err := NewMLP(MLPConfig{
		Inputs:  6,
		Hidden:  []Layer{{Units: 8, Activation: ReLU}, {Units: 5, Activation: Tanh}},
		Classes: 3,
		DType:   tensor.Float64,
		Dropout: d,
	}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// dropoutRun compiles m's logits in a training or inference graph with the
// gradients of Σ logits (so backpropagation through the masks is exercised)
// and returns a function that runs it once on a fixed batch, drawing the
// random inputs from r as the training program does.
func dropoutRun(t *testing.T, m *MLP, training bool) (*Graph, func(r *rand.Rand) []float64) {
	t.Helper()
	const batch = 4
	g := NewGraph(training)
	x := g.Input("x", tensor.Float64, batch, 6)
	logits, err := m.Logits(g, x)
	if err != nil {
		t.Fatal(err)
	}
	params, err := g.Nodes(m.Params())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(gorgonia.Must(gorgonia.Sum(logits)), params...); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g.G, gorgonia.BindDualValues(params...))
	t.Cleanup(func() { vm.Close() })
	xs := make([]float64, batch*6)
	for i := range xs {
		xs[i] = math.Sin(float64(i)) + 0.5
	}
	return g, func(r *rand.Rand) []float64 {
		t.Helper()
		if err := gorgonia.Let(x, tensor.New(tensor.WithShape(batch, 6), tensor.WithBacking(xs))); err != nil {
			t.Fatal(err)
		}
		for _, ri := range g.Random {
			ri.Fill(ri.Value, r)
			if err := gorgonia.Let(ri.Node, ri.Value); err != nil {
				t.Fatal(err)
			}
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		for _, p := range params { // the machine adds gradients up; start afresh
			if dv, err := p.Grad(); err == nil {
				dv.(*tensor.Dense).Zero()
			}
		}
		return slices.Clone(logits.Value().Data().([]float64))
	}
}

func TestMLPDropoutTraining(t *testing.T) {
	m := dropoutNet(t, Dropout{Input: 0.2, Hidden: []float64{0.5}})
	g, run := dropoutRun(t, m, true)
	var names []string
	for _, ri := range g.Random {
		names = append(names, ri.Node.Name())
	}
	if want := []string{"input.dropout", "layers.0.dropout", "layers.1.dropout"}; !slices.Equal(names, want) {
		t.Fatalf("random inputs %q, want %q", names, want)
	}
	a := run(rng.New(7, "dropout"))
	b := run(rng.New(8, "dropout"))
	if slices.Equal(a, b) {
		t.Error("two runs with different masks gave the same logits")
	}
	if again := run(rng.New(7, "dropout")); !slices.Equal(a, again) {
		t.Error("the same seed gave different logits")
	}
	r := rng.New(7, "dropout")
	first, second := run(r), run(r)
	if slices.Equal(first, second) {
		t.Error("the masks were not redrawn between runs")
	}
	_, plain := dropoutRun(t, dropoutNet(t, Dropout{}), false)
	if slices.Equal(a, plain(nil)) {
		t.Error("a training graph with dropout computed the plain network")
	}
}

func TestMLPDropoutInference(t *testing.T) {
	m := dropoutNet(t, Dropout{Input: 0.2, Hidden: []float64{0.5, 0.3}})
	g, run := dropoutRun(t, m, false)
	if len(g.Random) != 0 {
		t.Fatalf("an inference graph has %d random inputs", len(g.Random))
	}
	got := run(nil)
	if again := run(nil); !slices.Equal(got, again) {
		t.Error("inference is not deterministic")
	}
	// The same seed gives the same weights: dropout draws nothing at
	// initialisation.
	ref := dropoutNet(t, Dropout{})
	for i, p := range m.Params() {
		if !slices.Equal(p.Float64s(), ref.Params()[i].Float64s()) {
			t.Fatalf("%s differs between the networks with and without dropout", p.Name)
		}
	}
	_, plain := dropoutRun(t, ref, false)
	if want := plain(nil); !slices.Equal(got, want) {
		t.Errorf("inference with dropout %v, without %v: want equal", got, want)
	}
	// A training graph whose dropout is all zero is the plain network too,
	// and needs no generator.
	_, zero := dropoutRun(t, dropoutNet(t, Dropout{Hidden: []float64{0}}), true)
	if z := zero(nil); !slices.Equal(got, z) {
		t.Errorf("training with zero dropout %v, want %v", z, got)
	}
}

func TestDropoutConfig(t *testing.T) {
	tests := []struct {
		name   string
		d      Dropout
		hidden int
		ok     bool
		after  []float64 // After(k) for k = 0 … hidden
	}{
		{"none", Dropout{}, 2, true, []float64{0, 0, 0}},
		{"one for all", Dropout{Hidden: []float64{0.5}}, 2, true, []float64{0.5, 0.5, 0}},
		{"per layer", Dropout{Input: 0.2, Hidden: []float64{0.5, 0.25}}, 2, true, []float64{0.5, 0.25, 0}},
		{"input only, no hidden layers", Dropout{Input: 0.2}, 0, true, []float64{0}},
		{"too many", Dropout{Hidden: []float64{0.5, 0.5, 0.5}}, 2, false, nil},
		{"too few", Dropout{Hidden: []float64{0.5, 0.5}}, 3, false, nil},
		{"hidden without hidden layers", Dropout{Hidden: []float64{0.5}}, 0, false, nil},
		{"p = 1", Dropout{Hidden: []float64{1}}, 1, false, nil},
		{"negative input", Dropout{Input: -0.1}, 1, false, nil},
		{"NaN", Dropout{Hidden: []float64{math.NaN()}}, 1, false, nil},
	}
	for _, tt := range tests {
		err := tt.d.Validate(tt.hidden)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok %v", tt.name, err, tt.ok)
		}
		for k, want := range tt.after {
			if got := tt.d.After(k, tt.hidden); got != want {
				t.Errorf("%s: After(%d) = %v, want %v", tt.name, k, got, want)
			}
		}
	}
	_, err := NewMLP(MLPConfig{Inputs: 4, Hidden: []Layer{{Units: 3, Activation: ReLU}}, Classes: 2,
		Dropout: Dropout{Hidden: []float64{0.5, 0.5}}}, rng.New(1, "init"))
	if err == nil {
		t.Error("NewMLP accepted two dropout probabilities for one hidden layer")
	}
	if (Dropout{Hidden: []float64{0}}).Active() || !(Dropout{Input: 0.1}).Active() {
		t.Error("Active is wrong")
	}
}

// TestDropoutMasksAreNotWeights checks the naming contract the weight
// penalties rely on: in a training graph with dropout, the weight pattern
// selects the weights and neither the biases, the input nor the masks.
func TestDropoutMasksAreNotWeights(t *testing.T) {
	m := dropoutNet(t, Dropout{Input: 0.2, Hidden: []float64{0.5}})
	g, _ := dropoutRun(t, m, true)
	ws, err := regularizers.Select(g.G, regularizers.WeightPattern)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range ws {
		names = append(names, n.Name())
	}
	if want := []string{"layers.0.weight", "layers.1.weight", "layers.2.weight"}; !slices.Equal(names, want) {
		t.Errorf("selected %q, want %q", names, want)
	}
}
