package sgemm

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

type sgemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// benchShapes are the square reference and the products of zoo's training
// workloads: the forward X·W, the input gradient dY·Wᵀ and the weight
// gradient Xᵀ·dY of a 1000-unit layer at batch 128 and 32, and the first
// layer of the MNIST MLP.
var benchShapes = []struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}{
	{"1024³", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
	{"NN_128x1000x1000", blas.NoTrans, blas.NoTrans, 128, 1000, 1000},
	{"NT_128x1000x1000", blas.NoTrans, blas.Trans, 128, 1000, 1000},
	{"TN_1000x1000x128", blas.Trans, blas.NoTrans, 1000, 1000, 128},
	{"NN_32x1000x1000", blas.NoTrans, blas.NoTrans, 32, 1000, 1000},
	{"NN_128x1000x784", blas.NoTrans, blas.NoTrans, 128, 1000, 784},
	{"TN_784x1000x128", blas.Trans, blas.NoTrans, 784, 1000, 128},
	{"NT_128x784x1000", blas.NoTrans, blas.Trans, 128, 784, 1000},
	{"NN_128x10x1000", blas.NoTrans, blas.NoTrans, 128, 10, 1000},
	{"NN_64³", blas.NoTrans, blas.NoTrans, 64, 64, 64},
	// The small MLP of the experiments, 784-100-10 at batch 64.
	{"NN_64x100x784", blas.NoTrans, blas.NoTrans, 64, 100, 784},
	{"TN_784x100x64", blas.Trans, blas.NoTrans, 784, 100, 64},
	{"NT_64x100x10", blas.NoTrans, blas.Trans, 64, 100, 10},
	{"TN_100x10x64", blas.Trans, blas.NoTrans, 100, 10, 64},
	{"NN_64x10x100", blas.NoTrans, blas.NoTrans, 64, 10, 100},
	{"NN_1000x100x784", blas.NoTrans, blas.NoTrans, 1000, 100, 784}, // its evaluation
	// mlp-mnist, 784-512-256-10 at batch 128: forward, input and weight
	// gradients (widths divisible by 32: B is packed, not read in place).
	{"NN_128x512x784", blas.NoTrans, blas.NoTrans, 128, 512, 784},
	{"NN_128x256x512", blas.NoTrans, blas.NoTrans, 128, 256, 512},
	{"NN_128x10x256", blas.NoTrans, blas.NoTrans, 128, 10, 256},
	{"NT_128x512x256", blas.NoTrans, blas.Trans, 128, 512, 256},
	{"NT_128x256x10", blas.NoTrans, blas.Trans, 128, 256, 10},
	{"TN_784x512x128", blas.Trans, blas.NoTrans, 784, 512, 128},
	{"TN_512x256x128", blas.Trans, blas.NoTrans, 512, 256, 128},
	{"TN_256x10x128", blas.Trans, blas.NoTrans, 256, 10, 128},
}

func benchSgemm(b *testing.B, f sgemmFunc, tA, tB blas.Transpose, m, n, k int) {
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(2*r.Float64() - 1)
		}
		return x
	}
	a, bb, c := fill(m*k), fill(k*n), make([]float32, m*n)
	lda, ldb := k, n
	if tA != blas.NoTrans {
		lda = m
	}
	if tB != blas.NoTrans {
		ldb = k
	}
	b.ResetTimer()
	for range b.N {
		f(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm compares this package (with GOMAXPROCS goroutines, one
// goroutine, and the portable kernel) with gonum on the training shapes.
func BenchmarkSgemm(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	impls := []struct {
		name string
		f    sgemmFunc
	}{
		{"zoo", Sgemm},
		{"zoo-1thread", func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			sgemm(config{arch: native, workers: 1}, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}},
		{"zoo-gokernel", func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			sgemm(config{arch: portable, workers: procs}, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}},
		{"gonum", gonum.Implementation{}.Sgemm},
	}
	for _, s := range benchShapes {
		for _, im := range impls {
			b.Run(s.name+"/"+im.name, func(b *testing.B) { benchSgemm(b, im.f, s.tA, s.tB, s.m, s.n, s.k) })
		}
	}
}

// BenchmarkKernel times the micro-kernel alone on data in L1, the ceiling
// for the whole product.
func BenchmarkKernel(b *testing.B) {
	const k = kc
	a, bp, c := make([]float32, k*mr), make([]float32, k*nr), make([]float32, mr*nr)
	for _, arch := range archs() {
		b.Run(arch.name, func(b *testing.B) {
			for range b.N {
				arch.kernel(k, &a[0], &bp[0], nr, &c[0], nr, 1, 0)
			}
			b.ReportMetric(2*mr*nr*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
