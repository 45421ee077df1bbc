package fused

import (
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestTransposeMatchesGorgonia: xᵀ and, through y = a·Wᵀ, the gradients of
// W and a, bit for bit those of gorgonia.Transpose, for both dtypes and
// shapes that are and are not multiples of the block.
func TestTransposeMatchesGorgonia(t *testing.T) {
	run := func(dt tensor.Dtype, rows, cols int, tr func(*gorgonia.Node) (*gorgonia.Node, error)) (wt, dw, da []float64) {
		values := normals(dt, rows, cols, 1)
		const batch = 3
		g := gorgonia.NewGraph()
		w := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, cols), gorgonia.WithName("w"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(values(rows*cols)))))
		a := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(batch, cols), gorgonia.WithName("a"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(batch, cols), tensor.WithBacking(values(batch*cols)))))
		rc := gorgonia.NewConstant(tensor.New(tensor.WithShape(batch, rows), tensor.WithBacking(values(batch*rows))))
		wtn, err := tr(w)
		if err != nil {
			t.Fatal(err)
		}
		y := gorgonia.Must(gorgonia.Mul(a, wtn))
		cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rc))))
		if _, err := gorgonia.Grad(cost, w, a); err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if s := wtn.Value().Shape(); !s.Eq(tensor.Shape{cols, rows}) {
			t.Fatalf("transpose of (%d, %d) has shape %v", rows, cols, s)
		}
		return float64s(wtn.Value()), float64s(w.Deriv().Value()), float64s(a.Deriv().Value())
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, s := range [][2]int{{1, 5}, {7, 1}, {32, 64}, {33, 65}, {800, 784}, {100, 3}} {
			wtW, dwW, daW := run(dt, s[0], s[1], func(n *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Transpose(n) })
			wtG, dwG, daG := run(dt, s[0], s[1], Transpose)
			if !slices.Equal(wtG, wtW) || !slices.Equal(dwG, dwW) || !slices.Equal(daG, daW) {
				t.Errorf("%v %v: differs from gorgonia.Transpose (values %t, dW %t, da %t)", dt, s,
					slices.Equal(wtG, wtW), slices.Equal(dwG, dwW), slices.Equal(daG, daW))
			}
		}
	}
}

// BenchmarkTranspose32 transposes the tied weights of sdae-mnist's first
// pretraining stage (800×784), as every training step does twice.
func BenchmarkTranspose32(b *testing.B) {
	const rows, cols = 800, 784
	src, dst := make([]float32, rows*cols), make([]float32, rows*cols)
	for i := range src {
		src[i] = float32(i)
	}
	b.SetBytes(int64(4 * rows * cols))
	for b.Loop() {
		transpose(dst, src, rows, cols)
	}
}
