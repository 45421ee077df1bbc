package cblas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

// benchSgemm times C = A·B (or the transposes) of the given shape with impl
// and reports GFLOP/s.
func benchSgemm(b *testing.B, impl gorgonia.BLAS, tA, tB blas.Transpose, m, n, k int) {
	r := rand.New(rand.NewPCG(1, 1))
	a, bb, c := to32(randoms(r, m*k)), to32(randoms(r, k*n)), make([]float32, m*n)
	lda, ldb := k, n
	if tA != blas.NoTrans {
		lda = m
	}
	if tB != blas.NoTrans {
		ldb = k
	}
	b.ResetTimer()
	for range b.N {
		impl.Sgemm(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm compares gonum, pure Go (PureGo) and the library on the square 1024³
// product and on the shapes of the MLP workload at batch 128 (forward
// X·W, the input gradient dY·Wᵀ and the weight gradient Xᵀ·dY).
func BenchmarkSgemm(b *testing.B) {
	impls := map[string]gorgonia.BLAS{"gonum": gonum.Implementation{}, "go": PureGo{}}
	if impl, info := Select("library"); info.Fast() {
		impls[info.Name] = impl
	}
	shapes := []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
		{"fwd_128x784x1000", blas.NoTrans, blas.NoTrans, 128, 1000, 784},
		{"dx_128x1000x1000", blas.NoTrans, blas.Trans, 128, 1000, 1000},
		{"dw_1000x1000x128", blas.Trans, blas.NoTrans, 1000, 1000, 128},
	}
	for _, s := range shapes {
		for name, impl := range impls {
			b.Run(s.name+"/"+name, func(b *testing.B) { benchSgemm(b, impl, s.tA, s.tB, s.m, s.n, s.k) })
		}
	}
}

// BenchmarkSgemmSmall measures where a call through purego starts to pay
// off, which sets defaultMinFlops.
func BenchmarkSgemmSmall(b *testing.B) {
	_, info := Select("library")
	if !info.Fast() {
		b.Skip("no CBLAS library")
	}
	impl, _ := Select("library")
	lib := *impl.(*Implementation)
	lib.MinFlops = 0
	for _, n := range []int{2, 4, 8, 12, 16, 24, 32} {
		b.Run(fmt.Sprintf("%d/gonum", n), func(b *testing.B) { benchSgemm(b, gonum.Implementation{}, blas.NoTrans, blas.NoTrans, n, n, n) })
		b.Run(fmt.Sprintf("%d/lib", n), func(b *testing.B) { benchSgemm(b, &lib, blas.NoTrans, blas.NoTrans, n, n, n) })
	}
}
