package cblas

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
)

// TestCounterCounts: each product adds 2·m·n·k (gemm) or 2·m·n (gemv, ger)
// in either precision, level-1 calls add nothing, empty products add
// nothing, and the results are those of the BLAS counted, bit for bit.
func TestCounterCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	c := NewCounter(PureGo{})
	const m, n, k = 7, 5, 3
	a, b := to32(randoms(r, m*k)), to32(randoms(r, k*n))
	want, got := make([]float32, m*n), make([]float32, m*n)
	PureGo{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
	c.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, got, n)
	if !slices.Equal(got, want) {
		t.Fatalf("Sgemm through the counter gives %v, want %v", got, want)
	}
	steps := []struct {
		name string
		call func()
		add  int64
	}{
		{"sgemm", func() {}, 2 * m * n * k}, // the call above
		{"dgemm", func() {
			c.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, randoms(r, k*m), m, randoms(r, k*n), n, 0, make([]float64, m*n), n)
		}, 2 * m * n * k},
		{"sgemv", func() { c.Sgemv(blas.NoTrans, m, k, 1, a, k, to32(randoms(r, k)), 1, 0, make([]float32, m), 1) }, 2 * m * k},
		{"dgemv", func() { c.Dgemv(blas.Trans, m, k, 1, randoms(r, m*k), k, randoms(r, m), 1, 0, make([]float64, k), 1) }, 2 * m * k},
		{"sger", func() { c.Sger(m, n, 1, to32(randoms(r, m)), 1, to32(randoms(r, n)), 1, make([]float32, m*n), n) }, 2 * m * n},
		{"dger", func() { c.Dger(m, n, 1, randoms(r, m), 1, randoms(r, n), 1, make([]float64, m*n), n) }, 2 * m * n},
		{"sdot (level 1)", func() { c.Sdot(k, a, 1, a, 1) }, 0},
		{"empty sgemm", func() { c.Sgemm(blas.NoTrans, blas.NoTrans, m, 0, k, 1, a, k, nil, 1, 0, nil, 1) }, 0},
	}
	var total int64
	for _, s := range steps {
		s.call()
		total += s.add
		if c.Flops() != total {
			t.Fatalf("after %s: %d flops counted, want %d", s.name, c.Flops(), total)
		}
	}
}

// TestCountInstallsAndRestores: Count puts a Counter in Gorgonia's place,
// sees the products computed through Gorgonia, and restore puts the
// previous BLAS back.
func TestCountInstallsAndRestores(t *testing.T) {
	prev := gorgonia.WhichBLAS()
	c, restore := Count()
	if gorgonia.WhichBLAS() != gorgonia.BLAS(c) {
		t.Fatalf("Count did not install its Counter")
	}
	x := gorgonia.NewMatrix(gorgonia.NewGraph(), gorgonia.Float32, gorgonia.WithShape(4, 3), gorgonia.WithInit(gorgonia.Ones()))
	y := gorgonia.Must(gorgonia.Mul(x, gorgonia.Must(gorgonia.Transpose(x))))
	vm := gorgonia.NewTapeMachine(x.Graph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Flops(), int64(2*4*4*3); got != want {
		t.Errorf("a 4×3·3×4 product counted %d flops, want %d (value %v)", got, want, y.Value())
	}
	restore()
	if gorgonia.WhichBLAS() != prev {
		t.Errorf("restore left %T in place, want %T", gorgonia.WhichBLAS(), prev)
	}
}
