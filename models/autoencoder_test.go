package models

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestAutoencoderShapes(t *testing.T) {
	enc := []Layer{{128, ReLU}, {64, Tanh}, {32, Linear}}
	tests := []struct {
		name   string
		c      AutoencoderConfig
		params []string // name:shape of every parameter, in order
	}{
		{"shallow", AutoencoderConfig{Inputs: 784, Encoder: []Layer{{32, Sigmoid}}, Output: Sigmoid},
			[]string{"encoder.0.weight[784 32]", "encoder.0.bias[1 32]", "decoder.0.weight[32 784]", "decoder.0.bias[1 784]"}},
		{"shallow tied", AutoencoderConfig{Inputs: 784, Encoder: []Layer{{32, Sigmoid}}, Output: Sigmoid, Tied: true},
			[]string{"encoder.0.weight[784 32]", "encoder.0.bias[1 32]", "decoder.0.bias[1 784]"}},
		{"deep mirrored", AutoencoderConfig{Inputs: 784, Encoder: enc, Output: Sigmoid},
			[]string{"encoder.0.weight[784 128]", "encoder.0.bias[1 128]", "encoder.1.weight[128 64]", "encoder.1.bias[1 64]",
				"encoder.2.weight[64 32]", "encoder.2.bias[1 32]",
				"decoder.0.weight[32 64]", "decoder.0.bias[1 64]", "decoder.1.weight[64 128]", "decoder.1.bias[1 128]",
				"decoder.2.weight[128 784]", "decoder.2.bias[1 784]"}},
		{"deep tied", AutoencoderConfig{Inputs: 784, Encoder: enc, Output: Linear, Tied: true},
			[]string{"encoder.0.weight[784 128]", "encoder.0.bias[1 128]", "encoder.1.weight[128 64]", "encoder.1.bias[1 64]",
				"encoder.2.weight[64 32]", "encoder.2.bias[1 32]", "decoder.0.bias[1 64]", "decoder.1.bias[1 128]", "decoder.2.bias[1 784]"}},
		{"explicit decoder", AutoencoderConfig{Inputs: 784, Encoder: []Layer{{32, ReLU}}, Decoder: []Layer{{256, ReLU}}, Output: Sigmoid},
			[]string{"encoder.0.weight[784 32]", "encoder.0.bias[1 32]", "decoder.0.weight[32 256]", "decoder.0.bias[1 256]",
				"decoder.1.weight[256 784]", "decoder.1.bias[1 784]"}},
	}
	for _, tt := range tests {
		a, err := NewAutoencoder(tt.c, rng.New(1, "init"))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, p := range a.Params() {
			got = append(got, fmt.Sprintf("%s%v", p.Name, []int(p.Value.Shape())))
		}
		if !slices.Equal(got, tt.params) {
			t.Errorf("%s: parameters\n%v\nwant\n%v", tt.name, got, tt.params)
		}
		if a.CodeUnits() != tt.c.Encoder[len(tt.c.Encoder)-1].Units || a.Inputs() != 784 {
			t.Errorf("%s: %d inputs, %d code units", tt.name, a.Inputs(), a.CodeUnits())
		}
	}
	// The mirrored decoder repeats the encoder's hidden activations and ends
	// with the output activation.
	a, _ := NewAutoencoder(AutoencoderConfig{Inputs: 784, Encoder: enc, Output: Sigmoid, Tied: true}, rng.New(1, "init"))
	var acts []Activation
	for _, d := range a.Decoder {
		acts = append(acts, d.(*TiedDense).Act)
	}
	if want := []Activation{Tanh, ReLU, Sigmoid}; !slices.Equal(acts, want) {
		t.Errorf("tied decoder activations %v, want %v", acts, want)
	}
}

func TestAutoencoderErrors(t *testing.T) {
	for name, c := range map[string]AutoencoderConfig{
		"no encoder":           {Inputs: 10},
		"no inputs":            {Encoder: []Layer{{3, ReLU}}},
		"tied with a decoder":  {Inputs: 10, Encoder: []Layer{{3, ReLU}}, Decoder: []Layer{{5, ReLU}}, Tied: true},
		"bad output":           {Inputs: 10, Encoder: []Layer{{3, ReLU}}, Output: "softmax"},
		"zero-width code":      {Inputs: 10, Encoder: []Layer{{0, ReLU}}},
		"bad layer activation": {Inputs: 10, Encoder: []Layer{{3, "gelu"}}},
	} {
		if _, err := NewAutoencoder(c, rng.New(1, "init")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// gradients returns Σ MSE(g(f(x)), x) over a batch and the gradient of every
// parameter of a, by name.
func gradients(t *testing.T, a *Autoencoder, x []float64) (float64, map[string][]float64) {
	t.Helper()
	g := NewGraph(true)
	n := len(x) / a.Inputs()
	xn := g.Input("x", tensor.Float64, n, a.Inputs())
	if err := gorgonia.Let(xn, tensor.New(tensor.WithShape(n, a.Inputs()), tensor.WithBacking(x))); err != nil {
		t.Fatal(err)
	}
	r, err := a.Reconstruct(g, xn)
	if err != nil {
		t.Fatal(err)
	}
	diff := gorgonia.Must(gorgonia.Sub(r, xn))
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(diff))))
	params, err := g.Nodes(a.Params())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, params...); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g.G, gorgonia.BindDualValues(params...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]float64{}
	for i, p := range a.Params() {
		gv, err := params[i].Grad()
		if err != nil {
			t.Fatal(err)
		}
		out[p.Name] = slices.Clone(gv.Data().([]float64))
	}
	return cost.Value().Data().(float64), out
}

// TestTiedWeightsAreOneParameter checks a tied decoder uses the encoder's
// weight itself: the tied weight's gradient is the encoder's plus the
// transposed decoder's gradient of the untied autoencoder holding the same
// values, and it matches finite differences of the loss.
func TestTiedWeightsAreOneParameter(t *testing.T) {
	const in, code, n = 6, 3, 4
	c := AutoencoderConfig{Inputs: in, Encoder: []Layer{{code, Sigmoid}}, Output: Sigmoid, Tied: true, DType: tensor.Float64}
	tied, err := NewAutoencoder(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tied.Params()); n != 3 {
		t.Fatalf("tied autoencoder has %d parameters, want 3 (W, b, b')", n)
	}
	if tied.Decoder[0].(*TiedDense).W != tied.Encoder[0].W {
		t.Fatal("the decoder does not hold the encoder's weight")
	}
	r := rng.New(2, "bias")
	for _, p := range tied.Params()[1:] {
		for i := range p.Value.Data().([]float64) {
			p.Value.Data().([]float64)[i] = r.NormFloat64() / 2
		}
	}
	x := make([]float64, n*in)
	for i := range x {
		x[i] = r.Float64()
	}
	c.Tied = false
	untied, err := NewAutoencoder(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	w := tied.Encoder[0].W.Value.Data().([]float64)
	copy(untied.Encoder[0].W.Value.Data().([]float64), w)
	copy(untied.Encoder[0].B.Value.Data().([]float64), tied.Encoder[0].B.Value.Data().([]float64))
	dec := untied.Decoder[0].(*Dense)
	for i := range in {
		for j := range code {
			dec.W.Value.Data().([]float64)[j*in+i] = w[i*code+j] // Wᵀ
		}
	}
	copy(dec.B.Value.Data().([]float64), tied.Decoder[0].(*TiedDense).B.Value.Data().([]float64))

	lt, gt := gradients(t, tied, x)
	lu, gu := gradients(t, untied, x)
	if math.Abs(lt-lu) > 1e-12 {
		t.Fatalf("same weights, different losses: tied %v, untied %v", lt, lu)
	}
	const h = 1e-6
	for i := range in {
		for j := range code {
			k := i*code + j
			sum := gu["encoder.0.weight"][k] + gu["decoder.0.weight"][j*in+i]
			if got := gt["encoder.0.weight"][k]; math.Abs(got-sum) > 1e-9 {
				t.Errorf("∂/∂W[%d,%d]: tied %.9g, encoder + decoder of the untied %.9g", i, j, got, sum)
			}
			old := w[k]
			w[k] = old + h
			up, _ := gradients(t, tied, x)
			w[k] = old - h
			dn, _ := gradients(t, tied, x)
			w[k] = old
			if num := (up - dn) / (2 * h); math.Abs(num-gt["encoder.0.weight"][k]) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("∂/∂W[%d,%d]: graph %.9g, finite differences %.9g", i, j, gt["encoder.0.weight"][k], num)
			}
		}
	}
}

func TestStackedStages(t *testing.T) {
	s, err := NewStacked(MLPConfig{Inputs: 20, Hidden: []Layer{{8, Sigmoid}, {4, Sigmoid}}, Classes: 3}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewMLP(MLPConfig{Inputs: 20, Hidden: []Layer{{8, Sigmoid}, {4, Sigmoid}}, Classes: 3}, rng.New(1, "init"))
	for i, p := range s.MLP.Params() {
		if !slices.Equal(p.Float64s(), m.Params()[i].Float64s()) {
			t.Errorf("%s: the stack does not start from the MLP's initial weights", p.Name)
		}
	}
	for k, width := range []int{8, 4} {
		a, err := s.Stage(k, Sigmoid, k == 1, rng.New(1, "stage"))
		if err != nil {
			t.Fatal(err)
		}
		if a.Encoder[0] != s.Encoders()[k] {
			t.Errorf("stage %d does not train encoder layer %d itself", k, k)
		}
		if a.CodeUnits() != width || a.Inputs() != s.Encoders()[k].In() {
			t.Errorf("stage %d: %d → %d", k, a.Inputs(), a.CodeUnits())
		}
	}
	if _, err := s.Stage(2, Sigmoid, false, rng.New(1, "stage")); err == nil {
		t.Error("a stage for a layer the stack does not have")
	}
}
