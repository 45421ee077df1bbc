package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
)

// GEMM is one single-precision product C = op(A)·op(B), C m×n, inner size k.
type GEMM struct {
	Name   string `json:"name"`
	M      int    `json:"m"`
	N      int    `json:"n"`
	K      int    `json:"k"`
	TransA bool   `json:"trans_a,omitempty"`
	TransB bool   `json:"trans_b,omitempty"`
	// GFLOPS is 2·m·n·k over the median time of a product.
	GFLOPS float64 `json:"gflops"`
}

// StandardGEMMs returns the square 1024³ product and the products of a
// dense layer 1000→1000 at batch 128: forward X·W, input gradient dY·Wᵀ,
// weight gradient Xᵀ·dY (gonum's weakest case).
func StandardGEMMs() []GEMM {
	return []GEMM{
		{Name: "1024³", M: 1024, N: 1024, K: 1024},
		{Name: "X·W 128×1000×1000", M: 128, N: 1000, K: 1000},
		{Name: "dY·Wᵀ 128×1000×1000", M: 128, N: 1000, K: 1000, TransB: true},
		{Name: "Xᵀ·dY 1000×1000×128", M: 1000, N: 1000, K: 128, TransA: true},
	}
}

// MeasureGEMM times g with the BLAS Gorgonia uses for at least minTime
// (and 3 products) and fills in g.GFLOPS.
func MeasureGEMM(g GEMM, minTime time.Duration) GEMM {
	impl := gorgonia.WhichBLAS()
	r := rand.New(rand.NewPCG(2, 3))
	a, b, c := uniform(r, g.M*g.K), uniform(r, g.K*g.N), make([]float32, g.M*g.N)
	tA, lda := blas.NoTrans, g.K
	if g.TransA {
		tA, lda = blas.Trans, g.M
	}
	tB, ldb := blas.NoTrans, g.N
	if g.TransB {
		tB, ldb = blas.Trans, g.K
	}
	impl.Sgemm(tA, tB, g.M, g.N, g.K, 1, a, lda, b, ldb, 0, c, g.N) // warm-up
	var times []time.Duration
	start := time.Now()
	for len(times) < 3 || time.Since(start) < minTime {
		t0 := time.Now()
		impl.Sgemm(tA, tB, g.M, g.N, g.K, 1, a, lda, b, ldb, 0, c, g.N)
		times = append(times, time.Since(t0))
		if len(times) >= 10000 {
			break
		}
	}
	g.GFLOPS = 2 * float64(g.M) * float64(g.N) * float64(g.K) / median(times).Seconds() / 1e9
	return g
}

func (g GEMM) String() string {
	return fmt.Sprintf("%s: %.1f GFLOP/s", g.Name, g.GFLOPS)
}
