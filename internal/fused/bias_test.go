package fused

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// biasGraph builds z = add(x, b) and cost = Σ z ⊙ r for a random constant r
// (so that dz = r), runs it on a tape machine and returns z and the
// gradients of x and b, as float64s.
func biasGraph(t *testing.T, dt tensor.Dtype, rows, cols int, row bool, add func(x, b *gorgonia.Node) (*gorgonia.Node, error)) (z, dx, db []float64) {
	t.Helper()
	values := normals(dt, rows, cols, 3)
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, cols), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(values(rows*cols)))))
	bShape := tensor.Shape{cols}
	if row {
		bShape = tensor.Shape{1, cols}
	}
	b := gorgonia.NewTensor(g, dt, len(bShape), gorgonia.WithShape(bShape...), gorgonia.WithName("b"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(bShape...), tensor.WithBacking(values(cols)))))
	rc := gorgonia.NewConstant(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(values(rows*cols))))
	zn, err := add(x, b)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(zn, rc))))
	if _, err := gorgonia.Grad(cost, x, b); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := b.Deriv().Value().Shape(); !got.Eq(bShape) {
		t.Fatalf("bias gradient shape %v, want %v", got, bShape)
	}
	return float64s(zn.Value()), float64s(x.Deriv().Value()), float64s(b.Deriv().Value())
}

// normals returns a source of n normal values times scale in dt's type
// (a []float32 or []float64 backing), seeded by the shape.
func normals(dt tensor.Dtype, rows, cols int, scale float64) func(n int) any {
	r := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	return func(n int) any {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64() * scale
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
}

func float64s(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	}
	panic(fmt.Sprintf("%T", v.Data()))
}

// TestAddBiasMatchesBroadcastAdd: values and both gradients bit for bit
// those of Gorgonia's BroadcastAdd, for both dtypes, one row, ragged shapes
// and shapes large enough to be shared out between goroutines.
func TestAddBiasMatchesBroadcastAdd(t *testing.T) {
	broadcast := func(x, b *gorgonia.Node) (*gorgonia.Node, error) {
		return gorgonia.BroadcastAdd(x, b, nil, []byte{0})
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, s := range [][3]int{{1, 5, 0}, {3, 7, 1}, {33, 784, 0}, {128, 1000, 1}, {300, 61, 1}, {1, 40000, 0}} {
			zW, dxW, dbW := biasGraph(t, dt, s[0], s[1], s[2] == 1, broadcast)
			zG, dxG, dbG := biasGraph(t, dt, s[0], s[1], s[2] == 1, AddBias)
			for _, c := range []struct {
				name      string
				got, want []float64
			}{{"z", zG, zW}, {"dx", dxG, dxW}, {"db", dbG, dbW}} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%v %v: %s differs from BroadcastAdd's", dt, s, c.name)
				}
			}
		}
	}
}

func TestAddBiasRejects(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	for _, b := range []*gorgonia.Node{
		gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(4), gorgonia.WithName("b4")),
		gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(3), gorgonia.WithName("b64")),
		gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(3, 3), gorgonia.WithName("bm")),
		gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(3, 1), gorgonia.WithName("bc")),
	} {
		if _, err := AddBias(x, b); err == nil {
			t.Errorf("no error adding %v %v to a float32 (2, 3) matrix", b.Dtype(), b.Shape())
		}
	}
}
