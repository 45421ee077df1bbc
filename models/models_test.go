package models

import (
	"math"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestInitStatistics checks each scheme draws with its documented spread.
func TestInitStatistics(t *testing.T) {
	const in, out = 400, 300
	tests := []struct {
		init    Init
		act     Activation
		wantStd float64
	}{
		{Glorot, Sigmoid, math.Sqrt(6.0/(in+out)) / math.Sqrt(3)}, // U(−a,a) has std a/√3
		{He, ReLU, math.Sqrt(2.0 / in)},
		{"", ReLU, math.Sqrt(2.0 / in)},                    // ReLU defaults to He
		{"", Tanh, math.Sqrt(6.0/(in+out)) / math.Sqrt(3)}, // others to Glorot
	}
	for _, tt := range tests {
		d, err := NewDense("l", in, out, tt.act, tt.init, tensor.Float64, rng.New(1, "init"))
		if err != nil {
			t.Fatal(err)
		}
		w := d.W.Value.Data().([]float64)
		var sum, sq float64
		for _, v := range w {
			sum += v
			sq += v * v
		}
		mean := sum / float64(len(w))
		std := math.Sqrt(sq/float64(len(w)) - mean*mean)
		// 120,000 draws: the sample std is within 1 % of the true one.
		if math.Abs(std-tt.wantStd) > 0.01*tt.wantStd || math.Abs(mean) > 0.01*tt.wantStd {
			t.Errorf("%q/%s: mean %.5f std %.5f, want 0 and %.5f", tt.init, tt.act, mean, std, tt.wantStd)
		}
		for _, b := range d.B.Value.Data().([]float64) {
			if b != 0 {
				t.Fatalf("%q: bias %v, want 0", tt.init, b)
			}
		}
	}
}

func TestInitDeterministic(t *testing.T) {
	c := MLPConfig{Inputs: 20, Hidden: []Layer{{Units: 8, Activation: ReLU}}, Classes: 3}
	a, _ := NewMLP(c, rng.New(5, "init"))
	b, _ := NewMLP(c, rng.New(5, "init"))
	d, _ := NewMLP(c, rng.New(6, "init"))
	pa, pb, pd := a.Params()[0].Float64s(), b.Params()[0].Float64s(), d.Params()[0].Float64s()
	same, differ := true, false
	for i := range pa {
		same = same && pa[i] == pb[i]
		differ = differ || pa[i] != pd[i]
	}
	if !same || !differ {
		t.Errorf("same seed equal: %v, other seed differs: %v", same, differ)
	}
}

// TestMLPForward compares the graph with the forward pass computed by hand.
func TestMLPForward(t *testing.T) {
	m, err := NewMLP(MLPConfig{Inputs: 3, Hidden: []Layer{{Units: 2, Activation: ReLU}}, Classes: 2, DType: tensor.Float64}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	copy(m.Layers[0].W.Value.Data().([]float64), []float64{1, -1, 2, 0, -1, 3}) // [3,2]
	copy(m.Layers[0].B.Value.Data().([]float64), []float64{0.5, -10})
	copy(m.Layers[1].W.Value.Data().([]float64), []float64{1, 2, 3, 4}) // [2,2]
	copy(m.Layers[1].B.Value.Data().([]float64), []float64{0, 1})
	g := NewGraph(false)
	x := g.Input("x", tensor.Float64, 1, 3)
	logits, err := m.Logits(g, x)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g.G)
	defer vm.Close()
	gorgonia.Let(x, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3})))
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	// h = relu([1,2,3]·W + b) = relu([1+4-3+0.5, -1+0+9-10]) = [2.5, 0]
	// logits = h·W2 + b2 = [2.5, 5+1] = [2.5, 6]
	got := logits.Value().Data().([]float64)
	if got[0] != 2.5 || got[1] != 6 {
		t.Errorf("logits %v, want [2.5 6]", got)
	}
	if g.Activations["layers.0"] == nil || g.Activations["layers.1"] != logits {
		t.Errorf("activations not recorded: %v", g.Activations)
	}
	if n := Count(m.Params()); n != 3*2+2+2*2+2 {
		t.Errorf("Count = %d", n)
	}
}

func TestConfigErrors(t *testing.T) {
	r := rng.New(1, "init")
	tests := []struct {
		name string
		c    MLPConfig
	}{
		{"no inputs", MLPConfig{Inputs: 0, Classes: 2}},
		{"one class", MLPConfig{Inputs: 4, Classes: 1}},
		{"zero width", MLPConfig{Inputs: 4, Classes: 2, Hidden: []Layer{{Units: 0, Activation: ReLU}}}},
		{"bad activation", MLPConfig{Inputs: 4, Classes: 2, Hidden: []Layer{{Units: 3, Activation: "swish"}}}},
		{"bad dtype", MLPConfig{Inputs: 4, Classes: 2, DType: tensor.Int}},
	}
	for _, tt := range tests {
		if _, err := NewMLP(tt.c, r); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := ParseActivation("Relu"); err != nil {
		t.Errorf("ParseActivation is case-insensitive: %v", err)
	}
	if _, err := ParseInit("xavier"); err == nil {
		t.Error("unknown init accepted")
	}
}

func TestGraphNodesOrder(t *testing.T) {
	m, _ := NewMLP(MLPConfig{Inputs: 4, Hidden: []Layer{{Units: 3, Activation: Tanh}}, Classes: 2}, rng.New(1, "init"))
	g := NewGraph(true)
	if _, err := g.Nodes(m.Params()); err == nil {
		t.Error("Nodes of unused parameters accepted")
	}
	if _, err := m.Logits(g, g.Input("x", tensor.Float32, 5, 4)); err != nil {
		t.Fatal(err)
	}
	ns, err := g.Nodes(m.Params())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		if ns[i].Name() != p.Name || ns[i].Value() != p.Value {
			t.Errorf("node %d is %s, want %s sharing its tensor", i, ns[i].Name(), p.Name)
		}
	}
}
