package losses

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mseChain is MSE as Gorgonia's ops compute it.
func mseChain(p, t *gorgonia.Node) (*gorgonia.Node, error) {
	diff, err := gorgonia.Sub(p, t)
	if err != nil {
		return nil, err
	}
	sq, err := gorgonia.Square(diff)
	if err != nil {
		return nil, err
	}
	return gorgonia.Mean(sq, 1)
}

// TestMSEMatchesGorgoniaChain: per-example losses, the mean and the
// gradient with respect to the predictions are bit for bit those of
// Mean(Square(Sub(p, t)), 1), for both dtypes and a few shapes. The
// per-example losses are read from a graph without gradients: in the
// chain's, the backward pass divides their buffer in place a second time.
func TestMSEMatchesGorgoniaChain(t *testing.T) {
	forward := func(dt tensor.Dtype, rows, cols int, loss func(p, t *gorgonia.Node) (*gorgonia.Node, error)) []float64 {
		p, tg, g := mseInputs(dt, rows, cols)
		l, err := loss(p, tg)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return values64(l.Value())
	}
	run := func(dt tensor.Dtype, rows, cols int, loss func(p, t *gorgonia.Node) (*gorgonia.Node, error)) (per, cost, dp []float64) {
		per = forward(dt, rows, cols, loss)
		p, tg, g := mseInputs(dt, rows, cols)
		l, err := loss(p, tg)
		if err != nil {
			t.Fatal(err)
		}
		c := gorgonia.Must(gorgonia.Mean(l))
		if _, err := gorgonia.Grad(c, p); err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return per, values64(c.Value()), values64(p.Deriv().Value())
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, s := range [][2]int{{1, 1}, {1, 7}, {5, 3}, {128, 784}, {33, 1000}} {
			perW, costW, dpW := run(dt, s[0], s[1], mseChain)
			perG, costG, dpG := run(dt, s[0], s[1], MSE)
			if !slices.Equal(perG, perW) || !slices.Equal(costG, costW) || !slices.Equal(dpG, dpW) {
				t.Errorf("%v %v: MSE differs from Gorgonia's chain (losses equal: %t, mean %t, gradient %t)", dt, s,
					slices.Equal(perG, perW), slices.Equal(costG, costW), slices.Equal(dpG, dpW))
			}
		}
	}
}

// mseInputs is a graph with predictions and targets in [0, 1), drawn from
// the shape.
func mseInputs(dt tensor.Dtype, rows, cols int) (p, t *gorgonia.Node, g *gorgonia.ExprGraph) {
	r := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	values := func(n int) any {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.Float64()
		}
		if dt == tensor.Float64 {
			return v
		}
		v32 := make([]float32, n)
		for i, x := range v {
			v32[i] = float32(x)
		}
		return v32
	}
	g = gorgonia.NewGraph()
	p = gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, cols), gorgonia.WithName("p"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(values(rows*cols)))))
	t = gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, cols), gorgonia.WithName("t"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(values(rows*cols)))))
	return p, t, g
}

func values64(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	return nil
}
