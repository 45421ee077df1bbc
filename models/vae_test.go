package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestVAEShapes(t *testing.T) {
	tests := []struct {
		name   string
		c      VAEConfig
		params []string // name:shape of every parameter, in order
	}{
		{"mirrored", VAEConfig{Inputs: 784, Encoder: []Layer{{400, ReLU}}, Latent: 20},
			[]string{"encoder.0.weight[784 400]", "encoder.0.bias[1 400]", "latent.mean.weight[400 20]", "latent.mean.bias[1 20]",
				"latent.logvar.weight[400 20]", "latent.logvar.bias[1 20]", "decoder.0.weight[20 400]", "decoder.0.bias[1 400]",
				"decoder.1.weight[400 784]", "decoder.1.bias[1 784]"}},
		{"no hidden layer", VAEConfig{Inputs: 6, Latent: 2},
			[]string{"latent.mean.weight[6 2]", "latent.mean.bias[1 2]", "latent.logvar.weight[6 2]", "latent.logvar.bias[1 2]",
				"decoder.0.weight[2 6]", "decoder.0.bias[1 6]"}},
		{"explicit decoder", VAEConfig{Inputs: 10, Encoder: []Layer{{8, Tanh}, {5, ReLU}}, Latent: 2, Decoder: []Layer{{7, ReLU}}},
			[]string{"encoder.0.weight[10 8]", "encoder.0.bias[1 8]", "encoder.1.weight[8 5]", "encoder.1.bias[1 5]",
				"latent.mean.weight[5 2]", "latent.mean.bias[1 2]", "latent.logvar.weight[5 2]", "latent.logvar.bias[1 2]",
				"decoder.0.weight[2 7]", "decoder.0.bias[1 7]", "decoder.1.weight[7 10]", "decoder.1.bias[1 10]"}},
	}
	for _, tt := range tests {
		v, err := NewVAE(tt.c, rng.New(1, "init"))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, p := range v.Params() {
			got = append(got, fmt.Sprintf("%s%v", p.Name, []int(p.Value.Shape())))
		}
		if !slices.Equal(got, tt.params) {
			t.Errorf("%s: parameters\n%v\nwant\n%v", tt.name, got, tt.params)
		}
		if s := tt.c.Size(); int(s.Params) != Count(v.Params()) {
			t.Errorf("%s: Size counts %v parameters, the model has %d", tt.name, s.Params, Count(v.Params()))
		}
		if last := v.Decoder[len(v.Decoder)-1]; last.Act != Sigmoid || last.Out() != tt.c.Inputs {
			t.Errorf("%s: output layer %s is %d wide, %s", tt.name, last.Name(), last.Out(), last.Act)
		}
	}
}

func TestVAEErrors(t *testing.T) {
	for name, c := range map[string]VAEConfig{
		"no inputs":            {Latent: 2},
		"no latent":            {Inputs: 10},
		"bad layer activation": {Inputs: 10, Latent: 2, Encoder: []Layer{{3, "gelu"}}},
		"zero-width decoder":   {Inputs: 10, Latent: 2, Decoder: []Layer{{0, ReLU}}},
	} {
		if _, err := NewVAE(c, rng.New(1, "init")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// negELBO returns the mean negative ELBO of a float64 VAE on x for the
// noise eps, and the gradient of every parameter, in Params order.
func negELBO(t *testing.T, v *VAE, x, eps []float64, batch int) (float64, [][]float64) {
	t.Helper()
	g := NewGraph(true)
	xn := gorgonia.NewMatrix(g.G, tensor.Float64, gorgonia.WithShape(batch, v.Inputs()), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(batch, v.Inputs()), tensor.WithBacking(x))))
	e, err := v.NegELBO(g, xn, xn)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Random) != 1 || g.Random[0].Node.Name() != NoiseName {
		t.Fatalf("the graph has random inputs %v, want one, %s", g.Random, NoiseName)
	}
	if err := gorgonia.Let(g.Random[0].Node, tensor.New(tensor.WithShape(batch, v.Latent()), tensor.WithBacking(append([]float64(nil), eps...)))); err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Mean(e.Per))
	params, err := g.Nodes(v.Params())
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
	var grads [][]float64
	for _, n := range params {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads = append(grads, append([]float64(nil), gv.Data().([]float64)...))
	}
	return cost.Value().Data().(float64), grads
}

// TestVAEGradientsMatchFiniteDifferences checks the gradient of the whole
// objective (the encoder, the reparameterisation, the decoder, the summed
// cross-entropy and the KL term) against central differences, the noise
// held fixed.
func TestVAEGradientsMatchFiniteDifferences(t *testing.T) {
	const batch, h = 3, 1e-6
	v, err := NewVAE(VAEConfig{Inputs: 5, Encoder: []Layer{{4, Tanh}}, Latent: 2, Decoder: []Layer{{3, Sigmoid}}, DType: tensor.Float64}, rng.New(2, "init"))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	// Non-zero biases, so that every term of the gradient is exercised.
	for _, p := range v.Params() {
		for i, d := 0, p.Value.Data().([]float64); i < len(d); i++ {
			d[i] += 0.3 * r.NormFloat64()
		}
	}
	x, eps := make([]float64, batch*5), make([]float64, batch*2)
	for i := range x {
		x[i] = r.Float64()
	}
	for i := range eps {
		eps[i] = r.NormFloat64()
	}
	_, grads := negELBO(t, v, x, eps, batch)
	for k, p := range v.Params() {
		d := p.Value.Data().([]float64)
		for i := range d {
			old := d[i]
			d[i] = old + h
			up, _ := negELBO(t, v, x, eps, batch)
			d[i] = old - h
			dn, _ := negELBO(t, v, x, eps, batch)
			d[i] = old
			num := (up - dn) / (2 * h)
			if math.Abs(num-grads[k][i]) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("∂/∂%s[%d]: graph %.9g, finite differences %.9g", p.Name, i, grads[k][i], num)
			}
		}
	}
}

// TestVAENegELBOValue checks the objective against the formula computed
// by hand for a VAE with no hidden layer.
func TestVAENegELBOValue(t *testing.T) {
	v, err := NewVAE(VAEConfig{Inputs: 3, Latent: 1, DType: tensor.Float64}, rng.New(5, "init"))
	if err != nil {
		t.Fatal(err)
	}
	x, eps := []float64{0.2, 1, 0}, []float64{0.7}
	got, _ := negELBO(t, v, x, eps, 1)
	w := func(d *Dense, i, j int) float64 { return d.W.Value.Data().([]float64)[i*d.Out()+j] }
	var mu, lv float64
	for i, xi := range x {
		mu += xi * w(v.Mean, i, 0)
		lv += xi * w(v.LogVar, i, 0)
	}
	z := mu + math.Exp(lv/2)*eps[0]
	want := -0.5 * (1 + lv - mu*mu - math.Exp(lv))
	for j, xj := range x {
		p := 1 / (1 + math.Exp(-z*w(v.Decoder[0], 0, j)))
		want -= xj*math.Log(p) + (1-xj)*math.Log(1-p)
	}
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("negative ELBO %.15g, want %.15g", got, want)
	}
}

func TestStandardNormalDrawsInOrder(t *testing.T) {
	a := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 3))
	StandardNormal(a, rand.NewPCG(1, 2))
	r := rand.New(rand.NewPCG(1, 2))
	for i, v := range a.Data().([]float32) {
		if want := float32(r.NormFloat64()); v != want {
			t.Fatalf("element %d: %v, want %v", i, v, want)
		}
	}
}
