package cblas

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
)

// A product is one single-precision matrix product of a training step:
// C (m×n) = op(A)·op(B) with inner dimension k.
type product struct {
	transA, transB bool
	m, n, k        int
}

// stepProducts are the float32 products of one training step of zoo
// bench's MLP at batch 128 (784-1000-1000-1000-10, the speed table's
// workload): per layer the forward X·W, the weight gradient Xᵀ·dY, and
// the input gradient dY·Wᵀ for every layer but the first.
func stepProducts() []product {
	const batch = 128
	sizes := []int{784, 1000, 1000, 1000, 10}
	var ps []product
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		ps = append(ps, product{m: batch, n: out, k: in})               // X·W
		ps = append(ps, product{transA: true, m: in, n: out, k: batch}) // Xᵀ·dY
		if i > 0 {
			ps = append(ps, product{transB: true, m: batch, n: in, k: out}) // dY·Wᵀ
		}
	}
	return ps
}

// stepFlops is the number of floating-point operations of ps.
func stepFlops(ps []product) float64 {
	var f float64
	for _, p := range ps {
		f += 2 * float64(p.m) * float64(p.n) * float64(p.k)
	}
	return f
}

// operands holds a product's matrices.
type operands struct {
	p        product
	a, b, c  []float32
	lda, ldb int
}

func newOperands(ps []product) []operands {
	r := rand.New(rand.NewPCG(7, 8))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(2*r.Float64() - 1)
		}
		return x
	}
	ops := make([]operands, len(ps))
	for i, p := range ps {
		lda, ldb := p.k, p.n
		if p.transA {
			lda = p.m
		}
		if p.transB {
			ldb = p.k
		}
		ops[i] = operands{p: p, a: fill(p.m * p.k), b: fill(p.k * p.n), c: make([]float32, p.m*p.n), lda: lda, ldb: ldb}
	}
	return ops
}

// step runs ops' products with impl, each followed by the element-wise
// pass a training step makes over such a result, on zoo's parallel
// workers: a sigmoid over the forward products, a multiply over the
// gradients (the sigmoid's derivative, the SGD update). A library whose
// threads spin between products takes the cores from that work, which a
// timing of the products alone would not see.
func step(impl gorgonia.BLAS, ops []operands) {
	tasks := runtime.GOMAXPROCS(0)
	for i := range ops {
		o := &ops[i]
		tA, tB := blas.NoTrans, blas.NoTrans
		if o.p.transA {
			tA = blas.Trans
		}
		if o.p.transB {
			tB = blas.Trans
		}
		impl.Sgemm(tA, tB, o.p.m, o.p.n, o.p.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.p.n)
		c, forward := o.c, !o.p.transA && !o.p.transB
		par.Run(tasks, func(t int) {
			lo, hi := t*len(c)/tasks, (t+1)*len(c)/tasks
			if forward {
				for j := lo; j < hi; j++ {
					c[j] = float32(1 / (1 + math.Exp(-float64(c[j]))))
				}
				return
			}
			for j := lo; j < hi; j++ {
				c[j] *= 1 - c[j]
			}
		})
	}
}

// measureBudget bounds how long a measurement alternates the two BLAS
// (after at least minPairs pairs of samples).
const (
	measureBudget = 1500 * time.Millisecond
	minPairs      = 5
	maxPairs      = 50
	// settle is the pause after each of the library's samples: OpenBLAS's
	// idle threads keep spinning for 2^28 CPU cycles after its last
	// product (its default THREAD_TIMEOUT, about 0.1 s at 2.5 GHz) and
	// would otherwise slow the next sample of zoo's kernel, which a run
	// that uses zoo's kernel alone never sees.
	settle = 120 * time.Millisecond
)

// measure times one training step's products (stepProducts, with the Go
// work between them) on own (zoo's kernel) and on lib (the library),
// alternating own, lib, own, lib… for about measureBudget, and returns
// each one's median rate in GFLOP/s. Each runs with zoo's workers spinning
// as they would beside it (see use).
func measure(own, lib gorgonia.BLAS, libSpins bool) (ownGFLOPS, libGFLOPS float64, err error) {
	ops := newOperands(stepProducts())
	flops := stepFlops(stepProducts())
	saved := par.SetSpin(par.DefaultSpin)
	defer par.SetSpin(saved)
	run := func(impl gorgonia.BLAS, isLib bool) time.Duration {
		if isLib && libSpins {
			par.SetSpin(0)
		} else {
			par.SetSpin(par.DefaultSpin)
		}
		t0 := time.Now()
		step(impl, ops)
		d := time.Since(t0)
		if isLib {
			time.Sleep(settle)
		}
		return d
	}
	run(own, false) // warm-up: page in the operands, start the workers
	run(lib, true)
	var ownTimes, libTimes []time.Duration
	start := time.Now()
	for len(ownTimes) < minPairs || (time.Since(start) < measureBudget && len(ownTimes) < maxPairs) {
		ownTimes = append(ownTimes, run(own, false))
		libTimes = append(libTimes, run(lib, true))
	}
	o, l := median(ownTimes), median(libTimes)
	if o <= 0 || l <= 0 {
		return 0, 0, errors.New("the clock did not advance")
	}
	return flops / o.Seconds() / 1e9, flops / l.Seconds() / 1e9, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
