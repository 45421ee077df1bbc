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

// run64 runs the graph g (float64) and returns the values of the nodes.
func run64(t *testing.T, g *Graph, nodes ...*gorgonia.Node) [][]float64 {
	t.Helper()
	vm := gorgonia.NewTapeMachine(g.G)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(nodes))
	for i, n := range nodes {
		out[i] = slices.Clone(n.Value().Data().([]float64))
	}
	return out
}

func normals64(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

// TestConv2DMatchesDirectConvolution: a layer's output is the textbook
// cross-correlation with zero padding, Σ_i Σ_{u,v} W[o,i,u,v]·x[i, y+u−p,
// x+v−p] + b[o], then the activation, for PyTorch's weight layout.
func TestConv2DMatchesDirectConvolution(t *testing.T) {
	for _, c := range []struct{ n, in, out, h, w, k int }{
		{2, 1, 3, 5, 4, 3}, {1, 3, 1, 4, 6, 3}, {3, 2, 4, 7, 7, 5}, {2, 3, 2, 3, 3, 1},
	} {
		r := rand.New(rand.NewPCG(uint64(c.k), uint64(c.h)))
		l, err := NewConv2D("conv", c.in, c.out, c.k, Tanh, "", tensor.Float64, r)
		if err != nil {
			t.Fatal(err)
		}
		copy(l.B.Value.Data().([]float64), normals64(r, c.out))
		x := normals64(r, c.n*c.in*c.h*c.w)
		g := NewGraph(false)
		xn := g.Input("x", tensor.Float64, c.n, c.in, c.h, c.w)
		if err := gorgonia.Let(xn, tensor.New(tensor.WithShape(c.n, c.in, c.h, c.w), tensor.WithBacking(x))); err != nil {
			t.Fatal(err)
		}
		y, err := l.Forward(g, xn)
		if err != nil {
			t.Fatal(err)
		}
		if !y.Shape().Eq(tensor.Shape{c.n, c.out, c.h, c.w}) {
			t.Fatalf("%+v: output shape %v", c, y.Shape())
		}
		got := run64(t, g, y)[0]
		W, B, p := l.W.Value.Data().([]float64), l.B.Value.Data().([]float64), c.k/2
		for n := range c.n {
			for o := range c.out {
				for i := range c.h {
					for j := range c.w {
						s := B[o]
						for ci := range c.in {
							for u := range c.k {
								for v := range c.k {
									yy, xx := i+u-p, j+v-p
									if yy < 0 || yy >= c.h || xx < 0 || xx >= c.w {
										continue
									}
									s += W[((o*c.in+ci)*c.k+u)*c.k+v] * x[((n*c.in+ci)*c.h+yy)*c.w+xx]
								}
							}
						}
						want := math.Tanh(s)
						if g := got[((n*c.out+o)*c.h+i)*c.w+j]; math.Abs(g-want) > 1e-12 {
							t.Fatalf("%+v: y[%d,%d,%d,%d] = %v, want %v", c, n, o, i, j, g, want)
						}
					}
				}
			}
		}
	}
}

// TestConvAutoencoderShapes: the Keras tutorial's network, 28×28×1 with
// stages of 16, 8 and 8 filters each pooled by 2, has a 4×4×8 code and
// the mirrored decoder.
func TestConvAutoencoderShapes(t *testing.T) {
	c := ConvAutoencoderConfig{Channels: 1, Height: 28, Width: 28, Output: Sigmoid, Encoder: []ConvLayer{
		{Filters: 16, Kernel: 3, Activation: ReLU, Pool: 2},
		{Filters: 8, Kernel: 3, Activation: ReLU, Pool: 2},
		{Filters: 8, Kernel: 3, Activation: ReLU, Pool: 2},
	}}
	a, err := NewConvAutoencoder(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.CodeShape(), []int{8, 4, 4}) || a.CodeUnits() != 128 || a.Inputs() != 784 {
		t.Errorf("code %v (%d units), inputs %d; want [8 4 4], 128, 784", a.CodeShape(), a.CodeUnits(), a.Inputs())
	}
	var got []string
	for _, p := range a.Params() {
		got = append(got, fmt.Sprintf("%s %v", p.Name, p.Value.Shape()))
	}
	want := []string{
		"encoder.0.weight (16, 1, 3, 3)", "encoder.0.bias (1, 16)",
		"encoder.1.weight (8, 16, 3, 3)", "encoder.1.bias (1, 8)",
		"encoder.2.weight (8, 8, 3, 3)", "encoder.2.bias (1, 8)",
		"decoder.0.weight (8, 8, 3, 3)", "decoder.0.bias (1, 8)",
		"decoder.1.weight (8, 8, 3, 3)", "decoder.1.bias (1, 8)",
		"decoder.2.weight (16, 8, 3, 3)", "decoder.2.bias (1, 16)",
		"decoder.3.weight (1, 16, 3, 3)", "decoder.3.bias (1, 1)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("parameters\n%v\nwant\n%v", got, want)
	}
	if n := Count(a.Params()); n != int(c.Size().Params) {
		t.Errorf("%d parameters, Size says %v", n, c.Size().Params)
	}
	g := NewGraph(false)
	x := g.Input("x", tensor.Float32, 5, 784)
	h, err := a.Encode(g, x)
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.Reconstruct(g, x)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Shape().Eq(tensor.Shape{5, 128}) || !r.Shape().Eq(tensor.Shape{5, 784}) {
		t.Errorf("code %v, reconstruction %v; want (5, 128), (5, 784)", h.Shape(), r.Shape())
	}
}

// TestConvAutoencoderSameSeedSameWeights: the weights come from the
// generator alone.
func TestConvAutoencoderSameSeedSameWeights(t *testing.T) {
	c := ConvAutoencoderConfig{Channels: 1, Height: 6, Width: 6, Encoder: []ConvLayer{{Filters: 2, Kernel: 3, Activation: ReLU, Pool: 2}}}
	a, _ := NewConvAutoencoder(c, rng.New(7, "init"))
	b, _ := NewConvAutoencoder(c, rng.New(7, "init"))
	d, _ := NewConvAutoencoder(c, rng.New(8, "init"))
	for i, p := range a.Params() {
		if !slices.Equal(p.Float64s(), b.Params()[i].Float64s()) {
			t.Errorf("%s differs with the same seed", p.Name)
		}
		if i%2 == 0 && slices.Equal(p.Float64s(), d.Params()[i].Float64s()) {
			t.Errorf("%s is the same with another seed", p.Name)
		}
	}
}

// TestConvAutoencoderGradientMatchesFiniteDifferences checks the gradient
// of every parameter of small convolutional autoencoders, assembled from
// zoo's im2col, Gorgonia's products and max pooling and zoo's fused ops,
// against central differences of the loss, with sizes that pooling does
// not divide (5×6 → 3×3 → 1×1 and back), and with one channel, whose
// output layer is a matrix-vector product.
func TestConvAutoencoderGradientMatchesFiniteDifferences(t *testing.T) {
	for _, c := range []ConvAutoencoderConfig{
		{Channels: 2, Height: 5, Width: 6, Output: Sigmoid, DType: tensor.Float64, Encoder: []ConvLayer{
			{Filters: 3, Kernel: 3, Activation: Tanh, Pool: 2},
			{Filters: 2, Kernel: 1, Activation: ReLU, Pool: 3},
			{Filters: 2, Kernel: 3, Activation: Sigmoid},
		}},
		{Channels: 1, Height: 4, Width: 4, Output: Sigmoid, DType: tensor.Float64, Encoder: []ConvLayer{
			{Filters: 2, Kernel: 3, Activation: Tanh, Pool: 2},
		}},
	} {
		checkConvGradient(t, c)
	}
}

func checkConvGradient(t *testing.T, c ConvAutoencoderConfig) {
	t.Helper()
	a, err := NewConvAutoencoder(c, rng.New(3, "init"))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	for _, p := range a.Params() {
		copy(p.Value.Data().([]float64), normals64(r, p.Value.Size())) // biases too
	}
	const n = 3
	x := make([]float64, n*a.Inputs())
	for i := range x {
		x[i] = r.Float64()
	}
	// build compiles the loss Σ(r − x)² on a new graph, with the
	// parameters' gradients when grad; the parameters' nodes hold their
	// values themselves, so a rerun sees a changed weight.
	build := func(grad bool) (gorgonia.VM, *gorgonia.Node, gorgonia.Nodes) {
		g := NewGraph(grad)
		xn := g.Input("x", tensor.Float64, n, a.Inputs())
		if err := gorgonia.Let(xn, tensor.New(tensor.WithShape(n, a.Inputs()), tensor.WithBacking(x))); err != nil {
			t.Fatal(err)
		}
		rec, err := a.Reconstruct(g, xn)
		if err != nil {
			t.Fatal(err)
		}
		cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(gorgonia.Must(gorgonia.Sub(rec, xn))))))
		params, err := g.Nodes(a.Params())
		if err != nil {
			t.Fatal(err)
		}
		if !grad {
			return gorgonia.NewTapeMachine(g.G), cost, params
		}
		if _, err := gorgonia.Grad(cost, params...); err != nil {
			t.Fatal(err)
		}
		return gorgonia.NewTapeMachine(g.G, gorgonia.BindDualValues(params...)), cost, params
	}
	vm, _, params := build(true)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	grads := map[string][]float64{}
	for i, p := range a.Params() {
		gv, err := params[i].Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads[p.Name] = slices.Clone(gv.Data().([]float64))
	}
	vm.Close()
	fwd, cost, _ := build(false)
	defer fwd.Close()
	loss := func() float64 {
		fwd.Reset()
		if err := fwd.RunAll(); err != nil {
			t.Fatal(err)
		}
		return cost.Value().Data().(float64)
	}
	const h = 1e-6
	checked := 0
	for _, p := range a.Params() {
		v := p.Value.Data().([]float64)
		for i := range v {
			old := v[i]
			v[i] = old + h
			up := loss()
			v[i] = old - h
			dn := loss()
			v[i] = old
			num := (up - dn) / (2 * h)
			if got := grads[p.Name][i]; math.Abs(num-got) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("∂/∂%s[%d]: graph %.9g, finite differences %.9g", p.Name, i, got, num)
			}
			checked++
		}
	}
	if checked != Count(a.Params()) {
		t.Fatalf("checked %d of %d parameters", checked, Count(a.Params()))
	}
}

func TestConvAutoencoderRejects(t *testing.T) {
	ok := ConvLayer{Filters: 2, Kernel: 3, Activation: ReLU, Pool: 2}
	for name, c := range map[string]ConvAutoencoderConfig{
		"no channels":   {Height: 4, Width: 4, Encoder: []ConvLayer{ok}},
		"no stage":      {Channels: 1, Height: 4, Width: 4},
		"even kernel":   {Channels: 1, Height: 4, Width: 4, Encoder: []ConvLayer{{Filters: 2, Kernel: 2, Activation: ReLU}}},
		"no filters":    {Channels: 1, Height: 4, Width: 4, Encoder: []ConvLayer{{Kernel: 3, Activation: ReLU}}},
		"pool too wide": {Channels: 1, Height: 4, Width: 4, Encoder: []ConvLayer{ok, ok, {Filters: 2, Kernel: 3, Activation: ReLU, Pool: 2}}},
		"negative pool": {Channels: 1, Height: 4, Width: 4, Encoder: []ConvLayer{{Filters: 2, Kernel: 3, Activation: ReLU, Pool: -1}}},
		"bad output":    {Channels: 1, Height: 4, Width: 4, Encoder: []ConvLayer{ok}, Output: "softmax"},
	} {
		if _, err := NewConvAutoencoder(c, rng.New(1, "init")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
