package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// archs are the archs this machine can run: the portable one always, the
// assembly one when the CPU has AVX2 and FMA.
func archs() []arch {
	if native.name != portable.name {
		return []arch{portable, native}
	}
	return []arch{portable}
}

// gemmCase is one call: shapes, transposes, scalars and the padding of the
// leading dimensions beyond their minimum.
type gemmCase struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float32
	padA, padB  int
	padC        int
	nanC        bool // fill C with NaN (meaningful with beta == 0)
	workers     int
	arch        arch
	seed        uint64
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("%c%c/%dx%dx%d/α=%g,β=%g/pad=%d,%d,%d/nan=%t/w=%d/%s",
		tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC, tc.nanC, tc.workers, tc.arch.name)
}

// operands are the random inputs of a case, with their leading dimensions.
type operands struct {
	a, b, c       []float32
	lda, ldb, ldc int
}

func (tc gemmCase) operands() operands {
	r := rand.New(rand.NewPCG(tc.seed, uint64(tc.m*1000003+tc.n*1009+tc.k)))
	aRows, aCols := tc.m, tc.k
	if tc.tA != blas.NoTrans {
		aRows, aCols = tc.k, tc.m
	}
	bRows, bCols := tc.k, tc.n
	if tc.tB != blas.NoTrans {
		bRows, bCols = tc.n, tc.k
	}
	o := operands{lda: max(1, aCols+tc.padA), ldb: max(1, bCols+tc.padB), ldc: max(1, tc.n+tc.padC)}
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(2*r.Float64() - 1)
		}
		return x
	}
	o.a, o.b, o.c = fill(aRows*o.lda), fill(bRows*o.ldb), fill(tc.m*o.ldc)
	if tc.nanC {
		for i := range o.c {
			o.c[i] = float32(math.NaN())
		}
	}
	return o
}

// reference computes C = alpha·op(A)·op(B) + beta·C in float64 and the
// error bound of each element: with unit round-off u, a float32 sum of k
// products is within about k·u·Σ|a||b| of the exact one.
func reference(tc gemmCase, o operands) (want, bound []float64) {
	at := func(i, l int) float64 {
		if tc.tA != blas.NoTrans {
			return float64(o.a[l*o.lda+i])
		}
		return float64(o.a[i*o.lda+l])
	}
	bt := func(l, j int) float64 {
		if tc.tB != blas.NoTrans {
			return float64(o.b[j*o.ldb+l])
		}
		return float64(o.b[l*o.ldb+j])
	}
	want = make([]float64, len(o.c))
	bound = make([]float64, len(o.c))
	for i := range o.c {
		want[i] = float64(o.c[i]) // elements outside the m×n window stay
	}
	const u = 1.0 / (1 << 24)
	for i := range tc.m {
		for j := range tc.n {
			var s, abs float64
			for l := range tc.k {
				s += at(i, l) * bt(l, j)
				abs += math.Abs(at(i, l) * bt(l, j))
			}
			c := float64(o.c[i*o.ldc+j])
			var bc float64
			if tc.beta != 0 {
				bc = float64(tc.beta) * c
			}
			if tc.alpha == 0 {
				s, abs = 0, 0
			}
			want[i*o.ldc+j] = float64(tc.alpha)*s + bc
			bound[i*o.ldc+j] = 2*float64(tc.k+2)*u*(math.Abs(float64(tc.alpha))*abs+math.Abs(bc)) + 1e-30
		}
	}
	return want, bound
}

// check runs a case and compares it with the reference.
func check(t *testing.T, tc gemmCase) {
	t.Helper()
	o := tc.operands()
	want, bound := reference(tc, o)
	got := append([]float32(nil), o.c...)
	sgemm(config{arch: tc.arch, workers: tc.workers}, tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, got, o.ldc)
	bad := 0
	for i := range got {
		d := math.Abs(float64(got[i]) - want[i])
		if math.IsNaN(want[i]) && math.IsNaN(float64(got[i])) {
			continue
		}
		if !(d <= bound[i]) {
			if bad++; bad <= 3 {
				t.Errorf("%v: c[%d] = %g, want %g ± %g", tc, i, got[i], want[i], bound[i])
			}
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}

// TestSgemmShapes covers every size from 1 to 70 in each dimension once
// (so every partial-tile shape and several kc-block splits), in all
// transpose combinations, with padded leading dimensions, one and three
// goroutines, and both kernels.
func TestSgemmShapes(t *testing.T) {
	n := 0
	for _, arch := range archs() {
		for s := 1; s <= 70; s++ {
			tA := transposes[s%3]
			tB := transposes[(s/3)%3]
			for _, dims := range [][3]int{{s, 71 - s, 2*s + 1}, {71 - s, s, s}, {s, s, 300 - s}} {
				check(t, gemmCase{
					tA: tA, tB: tB, m: dims[0], n: dims[1], k: dims[2],
					alpha: 1, beta: 0, padA: s % 4, padB: (s + 1) % 5, padC: s % 3,
					workers: 1 + s%3, arch: arch, seed: uint64(s),
				})
				n++
			}
		}
	}
	t.Logf("%d products", n)
}

// TestSgemmScalars checks alpha and beta, including the shortcuts: alpha
// or k zero, beta one, and beta zero overwriting NaNs in C.
func TestSgemmScalars(t *testing.T) {
	for _, arch := range archs() {
		for _, tA := range transposes[:2] {
			for _, tB := range transposes[:2] {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, 0.25}, {2, -1}, {0, 0}, {0, 1}, {0, 0.5}, {1.5, float32(math.Copysign(0, -1))}} {
					for _, nan := range []bool{false, true} {
						for _, k := range []int{0, 1, 17, 300} {
							if nan && ab[1] != 0 {
								continue
							}
							check(t, gemmCase{
								tA: tA, tB: tB, m: 13, n: 37, k: k, alpha: ab[0], beta: ab[1],
								padA: 1, padB: 2, padC: 3, nanC: nan, workers: 2, arch: arch, seed: 9,
							})
						}
					}
				}
			}
		}
	}
}

// TestSgemmLarge checks shapes of the training workloads, which span
// several kc, mc and goroutine blocks.
func TestSgemmLarge(t *testing.T) {
	cases := []gemmCase{
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 128, n: 1000, k: 1000},
		{tA: blas.NoTrans, tB: blas.Trans, m: 128, n: 1000, k: 1000},
		{tA: blas.Trans, tB: blas.NoTrans, m: 1000, n: 1000, k: 128},
		{tA: blas.Trans, tB: blas.Trans, m: 150, n: 2100, k: 260, beta: 0.5},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 301, n: 20, k: 513, beta: -1, padA: 3, padC: 5},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 32, n: 1000, k: 784, padB: 3},
	}
	if testing.Short() {
		cases = cases[3:]
	}
	for _, tc := range cases {
		tc.alpha, tc.workers, tc.arch, tc.seed = 1, 2, native, 5
		check(t, tc)
	}
}

// TestSgemmLeadingDimensions covers both ways of reading a B that is not
// transposed: in place (most leading dimensions) and packed (multiples of
// 32), with partial panels either way.
func TestSgemmLeadingDimensions(t *testing.T) {
	for _, arch := range archs() {
		for _, nb := range [][2]int{{16, 0}, {16, 16}, {32, 0}, {40, 24}, {50, 14}, {33, 0}, {100, 60}} {
			check(t, gemmCase{
				tA: blas.NoTrans, tB: blas.NoTrans, m: 20, n: nb[0], k: 270, alpha: 1, beta: 0.5,
				padB: nb[1], workers: 2, arch: arch, seed: 11,
			})
		}
	}
}

// TestSgemmDeterministic: the result does not depend on the number of
// goroutines, bit for bit, because each element is summed by one goroutine
// in a fixed order.
func TestSgemmDeterministic(t *testing.T) {
	for _, arch := range archs() {
		for _, tc := range []gemmCase{
			{tA: blas.NoTrans, tB: blas.NoTrans, m: 128, n: 1000, k: 600, alpha: 1},
			{tA: blas.NoTrans, tB: blas.Trans, m: 97, n: 301, k: 700, alpha: 0.5, beta: 2},
			{tA: blas.Trans, tB: blas.NoTrans, m: 500, n: 64, k: 128, alpha: 1},
			{tA: blas.NoTrans, tB: blas.NoTrans, m: 32, n: 1000, k: 300, alpha: 1}, // B read in place, split along N
		} {
			o := tc.operands()
			var first []float32
			for _, w := range []int{1, 2, 3, 4, 7} {
				got := append([]float32(nil), o.c...)
				sgemm(config{arch: arch, workers: w}, tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, got, o.ldc)
				if first == nil {
					first = got
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
						t.Errorf("%s %v: %d goroutines give c[%d] = %g, 1 gives %g", arch.name, tc, w, i, got[i], first[i])
						break
					}
				}
			}
		}
	}
}

// TestSgemmPanicsLikeGonum: invalid arguments panic with gonum's messages.
func TestSgemmPanicsLikeGonum(t *testing.T) {
	s := func(n int) []float32 { return make([]float32, n) }
	for name, f := range map[string]func(){
		"transpose": func() { Sgemm('X', blas.NoTrans, 2, 2, 2, 1, s(4), 2, s(4), 2, 0, s(4), 2) },
		"m":         func() { Sgemm(blas.NoTrans, blas.NoTrans, -1, 2, 2, 1, s(4), 2, s(4), 2, 0, s(4), 2) },
		"lda":       func() { Sgemm(blas.Trans, blas.NoTrans, 4, 4, 4, 1, s(64), 3, s(16), 4, 0, s(16), 4) },
		"ldc":       func() { Sgemm(blas.NoTrans, blas.NoTrans, 4, 4, 4, 1, s(16), 4, s(16), 4, 0, s(16), 3) },
		"short a":   func() { Sgemm(blas.NoTrans, blas.NoTrans, 4, 4, 4, 1, s(15), 4, s(16), 4, 0, s(16), 4) },
		"short b":   func() { Sgemm(blas.NoTrans, blas.Trans, 4, 4, 4, 1, s(16), 4, s(15), 4, 0, s(16), 4) },
		"short c":   func() { Sgemm(blas.NoTrans, blas.NoTrans, 4, 4, 4, 1, s(16), 4, s(16), 4, 0, s(15), 4) },
	} {
		func() {
			defer func() {
				if p, _ := recover().(string); !strings.HasPrefix(p, "blas: ") {
					t.Errorf("%s: panic %q, want gonum's blas: … message", name, p)
				}
			}()
			f()
		}()
	}
	// Empty products accept empty slices, as gonum does.
	Sgemm(blas.NoTrans, blas.NoTrans, 0, 3, 2, 1, nil, 2, s(6), 3, 0, nil, 3)
	Sgemm(blas.NoTrans, blas.NoTrans, 2, 0, 2, 1, s(4), 2, nil, 1, 0, nil, 1)
}

// TestSgemmMatchesGonum compares the exported Sgemm with gonum's.
func TestSgemmMatchesGonum(t *testing.T) {
	tc := gemmCase{tA: blas.Trans, tB: blas.NoTrans, m: 77, n: 45, k: 333, alpha: 0.75, beta: 0.5, padA: 2, padB: 1, padC: 4, seed: 3}
	o := tc.operands()
	want, got := append([]float32(nil), o.c...), append([]float32(nil), o.c...)
	gonum.Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, want, o.ldc)
	Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, got, o.ldc)
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-4 {
			t.Fatalf("c[%d] = %g, gonum %g", i, got[i], want[i])
		}
	}
}

// FuzzSgemm checks random shapes, transposes and scalars against the
// reference with both kernels.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(5), uint8(17), uint16(33), uint8(0), uint8(1), int8(4), int8(0), uint8(2))
	f.Add(uint8(6), uint8(16), uint16(256), uint8(3), uint8(0), int8(-2), int8(3), uint8(1))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, trans, pad uint8, alpha, beta int8, workers uint8) {
		tc := gemmCase{
			tA: transposes[trans%3], tB: transposes[(trans/3)%3],
			m: int(m % 100), n: int(n % 100), k: int(k % 600),
			alpha: float32(alpha) / 4, beta: float32(beta) / 4,
			padA: int(pad % 3), padB: int(pad / 3 % 3), padC: int(pad / 9 % 3),
			workers: 1 + int(workers%4), seed: uint64(pad),
		}
		for _, arch := range archs() {
			tc.arch = arch
			check(t, tc)
		}
	})
}
