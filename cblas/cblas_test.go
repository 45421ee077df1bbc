package cblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// openOrSkip loads the library the default search finds, computing every
// product (ZOO_BLAS=library), or skips the test saying why.
func openOrSkip(t *testing.T) *Implementation {
	t.Helper()
	impl, info := Select("library")
	im, ok := impl.(*Implementation)
	if !ok {
		t.Skipf("no CBLAS library to test (%s); install libopenblas0 to run this test", info.Reason)
	}
	return im
}

// TestGemmMatchesGonum compares the library with gonum on random matrices
// in every transpose combination, with padded leading dimensions and
// shapes on both sides of the small-product threshold.
func TestGemmMatchesGonum(t *testing.T) {
	im := openOrSkip(t)
	var ref gonum.Implementation
	r := rand.New(rand.NewPCG(3, 4))
	ts := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {64, 33, 17}, {128, 100, 78}, {5, 200, 1}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range ts {
			for _, tB := range ts {
				name := fmt.Sprintf("%dx%dx%d/%c%c", m, n, k, tA, tB)
				aRows, aCols := m, k
				if tA != blas.NoTrans {
					aRows, aCols = k, m
				}
				bRows, bCols := k, n
				if tB != blas.NoTrans {
					bRows, bCols = n, k
				}
				lda, ldb, ldc := aCols+1, bCols+2, n+3
				a, b := randoms(r, aRows*lda), randoms(r, bRows*ldb)
				c := randoms(r, m*ldc)
				for _, alpha := range []float64{1, -0.5} {
					for _, beta := range []float64{0, 0.25} {
						want, got := append([]float64(nil), c...), append([]float64(nil), c...)
						ref.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
						im.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
						if err := close64(got, want, 1e-12*float64(k)); err != nil {
							t.Errorf("dgemm %s α=%g β=%g: %v", name, alpha, beta, err)
						}
						want32, got32 := to32(c), to32(c)
						ref.Sgemm(tA, tB, m, n, k, float32(alpha), to32(a), lda, to32(b), ldb, float32(beta), want32, ldc)
						im.Sgemm(tA, tB, m, n, k, float32(alpha), to32(a), lda, to32(b), ldb, float32(beta), got32, ldc)
						if err := close64(to64(got32), to64(want32), 1e-6*float64(k)); err != nil {
							t.Errorf("sgemm %s α=%g β=%g: %v", name, alpha, beta, err)
						}
					}
				}
			}
		}
	}
}

func TestGemvMatchesGonum(t *testing.T) {
	im := openOrSkip(t)
	var ref gonum.Implementation
	r := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][2]int{{1, 1}, {7, 3}, {100, 784}, {1000, 10}} {
		m, n := sz[0], sz[1]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, inc := range []int{1, 2} {
				lenX, lenY := n, m
				if tA != blas.NoTrans {
					lenX, lenY = m, n
				}
				a, x, y := randoms(r, m*(n+1)), randoms(r, lenX*inc), randoms(r, lenY*inc)
				want, got := append([]float64(nil), y...), append([]float64(nil), y...)
				ref.Dgemv(tA, m, n, 1.5, a, n+1, x, inc, 0.5, want, inc)
				im.Dgemv(tA, m, n, 1.5, a, n+1, x, inc, 0.5, got, inc)
				if err := close64(got, want, 1e-12*float64(max(m, n))); err != nil {
					t.Errorf("dgemv %dx%d/%c inc %d: %v", m, n, tA, inc, err)
				}
				want32, got32 := to32(y), to32(y)
				ref.Sgemv(tA, m, n, 1.5, to32(a), n+1, to32(x), inc, 0.5, want32, inc)
				im.Sgemv(tA, m, n, 1.5, to32(a), n+1, to32(x), inc, 0.5, got32, inc)
				if err := close64(to64(got32), to64(want32), 1e-6*float64(max(m, n))); err != nil {
					t.Errorf("sgemv %dx%d/%c inc %d: %v", m, n, tA, inc, err)
				}
			}
		}
	}
}

// TestInvalidArgumentsPanicLikeGonum: calls the library must not take
// reach gonum, which panics with its own message instead of C reading out
// of bounds.
func TestInvalidArgumentsPanicLikeGonum(t *testing.T) {
	im := openOrSkip(t)
	im.MinFlops = 0
	cases := map[string]func(){
		"short a": func() {
			im.Sgemm(blas.NoTrans, blas.NoTrans, 4, 4, 4, 1, make([]float32, 15), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
		},
		"short c": func() {
			im.Dgemm(blas.NoTrans, blas.Trans, 4, 4, 4, 1, make([]float64, 16), 4, make([]float64, 16), 4, 0, make([]float64, 15), 4)
		},
		"bad lda": func() {
			im.Sgemm(blas.Trans, blas.NoTrans, 4, 4, 4, 1, make([]float32, 64), 3, make([]float32, 16), 4, 0, make([]float32, 16), 4)
		},
		"short x": func() {
			im.Sgemv(blas.NoTrans, 4, 4, 1, make([]float32, 16), 4, make([]float32, 3), 1, 0, make([]float32, 4), 1)
		},
		"bad flag": func() {
			im.Dgemm('X', blas.NoTrans, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		},
	}
	for name, f := range cases {
		func() {
			defer func() {
				p := recover()
				if s, _ := p.(string); !strings.HasPrefix(s, "blas: ") {
					t.Errorf("%s: panic %v, want gonum's blas: … message", name, p)
				}
			}()
			f()
		}()
	}
}

// TestMatMulThroughTensor runs a product through tensor's engine, as
// Gorgonia does, with the library installed and with gonum.
func TestMatMulThroughTensor(t *testing.T) {
	im := openOrSkip(t)
	r := rand.New(rand.NewPCG(7, 8))
	a := tensor.New(tensor.WithShape(64, 50), tensor.WithBacking(to32(randoms(r, 64*50))))
	b := tensor.New(tensor.WithShape(64, 30), tensor.WithBacking(to32(randoms(r, 64*30))))
	prev := gorgonia.WhichBLAS()
	defer gorgonia.Use(prev)
	product := func() []float32 { // aᵀ·b, the weight-gradient case
		at := a.Clone().(*tensor.Dense)
		if err := at.T(); err != nil {
			t.Fatal(err)
		}
		c, err := tensor.MatMul(at, b)
		if err != nil {
			t.Fatal(err)
		}
		return c.Data().([]float32)
	}
	gorgonia.Use(gonum.Implementation{})
	want := product()
	gorgonia.Use(im)
	got := product()
	if err := close64(to64(got), to64(want), 1e-5); err != nil {
		t.Error(err)
	}
}

func TestVerifyAcceptsLibrary(t *testing.T) {
	im := openOrSkip(t)
	if err := Verify(im); err != nil {
		t.Error(err)
	}
	if im.Lib.Vendor == "openblas" && im.Lib.Threads() < 1 {
		t.Errorf("openblas reports %d threads", im.Lib.Threads())
	}
}

// TestFallback: the pure-Go path, chosen or forced by a missing library,
// says why.
func TestFallback(t *testing.T) {
	for _, tc := range []struct{ env, reason string }{
		{"go", "forced by ZOO_BLAS=go"},
		{"libzoo-no-such-blas.so.9", "libzoo-no-such-blas.so.9"},
		{"libc.so.6", "not a CBLAS library"},
	} {
		if len(candidates()) == 0 && tc.env == "libc.so.6" {
			continue // this build cannot open libraries at all
		}
		impl, info := Select(tc.env)
		if !isPureGo(impl) {
			t.Errorf("ZOO_BLAS=%s: got %T, want %T", tc.env, impl, wantPure)
		}
		if info.Fast() || info.Name != "go" || !strings.Contains(info.Reason, tc.reason) {
			t.Errorf("ZOO_BLAS=%s: info %+v, want pure Go with reason mentioning %q", tc.env, info, tc.reason)
		}
		if !strings.HasPrefix(info.String(), "pure Go (") {
			t.Errorf("ZOO_BLAS=%s: String() = %q", tc.env, info.String())
		}
	}
}

// TestGonum: ZOO_BLAS=gonum gives gonum's BLAS alone.
func TestGonum(t *testing.T) {
	impl, info := Select("gonum")
	if _, ok := impl.(gonum.Implementation); !ok || info.Fast() || info.Name != "gonum" {
		t.Errorf("got %T, %+v; want gonum.Implementation", impl, info)
	}
	if want := "pure Go (gonum): forced by ZOO_BLAS=gonum"; info.String() != want {
		t.Errorf("String() = %q, want %q", info.String(), want)
	}
}

// TestOwnFloat32: by default a library computes double precision, and
// single precision goes where it measured faster; where that is zoo's
// kernel, single-precision products are PureGo's, bit for bit, and Info
// says so. ZOO_BLAS=library and a named library take both.
func TestOwnFloat32(t *testing.T) {
	lib := openOrSkip(t)
	if lib.OwnFloat32 {
		t.Fatal("ZOO_BLAS=library: float32 stays in Go")
	}
	if named, _ := Select(lib.Lib.Path); named.(*Implementation).OwnFloat32 {
		t.Errorf("ZOO_BLAS=%s: float32 stays in Go", lib.Lib.Path)
	}
	cache := filepath.Join(t.TempDir(), "blas-choice.json")
	impl, info := selectWith("", Options{CacheFile: cache})
	im := impl.(*Implementation)
	if !sgemm.UsesAVX2() {
		if im.OwnFloat32 || info.Choice != nil {
			t.Fatalf("no AVX2: OwnFloat32 %t, choice %+v; want the library, unmeasured", im.OwnFloat32, info.Choice)
		}
		return
	}
	ch := info.Choice
	if ch == nil || ch.Cached || ch.CacheFile != cache || ch.OwnGFLOPS <= 0 || ch.LibraryGFLOPS <= 0 {
		t.Fatalf("default: choice %+v; want a measurement kept in %s", ch, cache)
	}
	if im.OwnFloat32 != ch.Own || (info.Kernel != "") != ch.Own {
		t.Fatalf("default: OwnFloat32 %t, Kernel %q; choice %+v", im.OwnFloat32, info.Kernel, ch)
	}
	if !strings.Contains(info.Reason, "GFLOP/s") {
		t.Errorf("Reason %q does not give the figures", info.Reason)
	}
	// The next selection reads the same choice back.
	if _, again := selectWith("", Options{CacheFile: cache}); again.Choice == nil || !again.Choice.Cached || again.Choice.Own != ch.Own || again.Choice.OwnGFLOPS != ch.OwnGFLOPS {
		t.Errorf("second selection: choice %+v, want the first's %+v from the cache", again.Choice, ch)
	}
	if !ch.Own {
		return
	}
	if want := "float32 on zoo's AVX2 kernel"; !strings.Contains(info.String(), want) {
		t.Errorf("String() = %q, want it to say %q", info.String(), want)
	}
	r := rand.New(rand.NewPCG(5, 6))
	const m, n, k = 70, 300, 200 // large enough to share out between goroutines
	a, b := to32(randoms(r, m*k)), to32(randoms(r, k*n))
	got, want := make([]float32, m*n), make([]float32, m*n)
	im.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, 0, got, n)
	PureGo{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, 0, want, n)
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("sgemm element %d: %g, PureGo gives %g", i, got[i], want[i])
		}
	}
	x, y, yWant := to32(randoms(r, k)), make([]float32, m), make([]float32, m)
	im.Sgemv(blas.NoTrans, m, k, 1, a, k, x, 1, 0, y, 1)
	PureGo{}.Sgemv(blas.NoTrans, m, k, 1, a, k, x, 1, 0, yWant, 1)
	for i := range yWant {
		if math.Float32bits(y[i]) != math.Float32bits(yWant[i]) {
			t.Fatalf("sgemv element %d: %g, PureGo gives %g", i, y[i], yWant[i])
		}
	}
	// Double precision is the library's: it agrees with gonum, not bit for bit.
	a64, b64 := randoms(r, m*k), randoms(r, k*n)
	c64, ref := make([]float64, m*n), make([]float64, m*n)
	im.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a64, k, b64, n, 0, c64, n)
	gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a64, k, b64, n, 0, ref, n)
	if err := close64(c64, ref, 1e-12*k); err != nil {
		t.Errorf("dgemm: %v", err)
	}
}

// TestNoLibrary: when the default search finds nothing, pure Go is used
// and the reason tells how to get the library.
func TestNoLibrary(t *testing.T) {
	saved := searchList
	defer func() { searchList = saved }()
	searchList = []string{"libzoo-no-such-blas.so.9"}
	impl, info := Select("")
	if !isPureGo(impl) || info.Reason != missingHint {
		t.Errorf("got %T, %+v; want %T with reason %q", impl, info, wantPure, missingHint)
	}
}

// wantPure is the pure-Go BLAS of this machine: zoo's Sgemm where it has
// its AVX2 kernel, else gonum's.
var wantPure, _ = pureGo("")

func isPureGo(impl gorgonia.BLAS) bool {
	switch impl.(type) {
	case PureGo:
		return sgemm.UsesAVX2()
	case gonum.Implementation:
		return !sgemm.UsesAVX2()
	}
	return false
}

// TestPureGoMatchesGonum compares the pure-Go BLAS's Sgemm with gonum's in
// every transpose combination, with padded leading dimensions, through
// tensor's engine as Gorgonia calls it.
func TestPureGoMatchesGonum(t *testing.T) {
	var ref gonum.Implementation
	var im PureGo
	r := rand.New(rand.NewPCG(9, 10))
	ts := []blas.Transpose{blas.NoTrans, blas.Trans}
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {64, 33, 17}, {128, 100, 300}, {5, 200, 1}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range ts {
			for _, tB := range ts {
				aRows, aCols := m, k
				if tA != blas.NoTrans {
					aRows, aCols = k, m
				}
				bRows, bCols := k, n
				if tB != blas.NoTrans {
					bRows, bCols = n, k
				}
				lda, ldb, ldc := aCols+1, bCols+2, n+3
				a, b, c := to32(randoms(r, aRows*lda)), to32(randoms(r, bRows*ldb)), to32(randoms(r, m*ldc))
				want, got := append([]float32(nil), c...), append([]float32(nil), c...)
				ref.Sgemm(tA, tB, m, n, k, -0.5, a, lda, b, ldb, 0.25, want, ldc)
				im.Sgemm(tA, tB, m, n, k, -0.5, a, lda, b, ldb, 0.25, got, ldc)
				if err := close64(to64(got), to64(want), 1e-6*float64(k)); err != nil {
					t.Errorf("sgemm %dx%dx%d/%c%c: %v", m, n, k, tA, tB, err)
				}
			}
		}
	}

	x := tensor.New(tensor.WithShape(64, 50), tensor.WithBacking(to32(randoms(r, 64*50))))
	w := tensor.New(tensor.WithShape(50, 30), tensor.WithBacking(to32(randoms(r, 50*30))))
	prev := gorgonia.WhichBLAS()
	defer gorgonia.Use(prev)
	product := func() []float32 {
		y, err := tensor.MatMul(x, w)
		if err != nil {
			t.Fatal(err)
		}
		return y.Data().([]float32)
	}
	gorgonia.Use(ref)
	want := product()
	gorgonia.Use(im)
	if err := close64(to64(product()), to64(want), 1e-5); err != nil {
		t.Errorf("through tensor.MatMul: %v", err)
	}
}

// TestVerifyRejectsWrongResults: a library that computes the wrong thing
// is caught before it is installed.
func TestVerifyRejectsWrongResults(t *testing.T) {
	lib := &Library{Path: "fake", Vendor: "cblas"}
	lib.dgemm = func(_, _, _, _, _, _ int32, _ float64, _ []float64, _ int32, _ []float64, _ int32, _ float64, c []float64, _ int32) {
		c[0] = math.NaN()
	}
	err := Verify(NewImplementation(lib))
	if err == nil || !strings.Contains(err.Error(), "dgemm") {
		t.Errorf("Verify of a wrong library: %v, want a dgemm disagreement", err)
	}
}

func TestInfoString(t *testing.T) {
	for _, tc := range []struct {
		info Info
		want string
	}{
		{Info{Name: "openblas", Library: "libopenblas.so.0", Version: "OpenBLAS 0.3.21 DYNAMIC_ARCH Zen", Threads: 2}, "openblas 0.3.21 (libopenblas.so.0, 2 threads)"},
		{Info{Name: "cblas", Library: "libcblas.so"}, "cblas (libcblas.so)"},
		{Info{Name: "openblas", Library: "libopenblas.so.0", Version: "OpenBLAS 0.3.21 DYNAMIC_ARCH Zen", Threads: 2, Kernel: "avx2"}, "openblas 0.3.21 (libopenblas.so.0, 2 threads; float32 on zoo's AVX2 kernel)"},
		{Info{Name: "go", Kernel: "avx2", Reason: missingHint}, "pure Go (AVX2 SGEMM kernel; gonum for the rest): " + missingHint},
		{Info{Name: "go", Reason: "forced by ZOO_BLAS=go"}, "pure Go (gonum): forced by ZOO_BLAS=go"},
		{Info{Name: "gonum"}, "pure Go (gonum)"},
	} {
		if got := tc.info.String(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.info, got, tc.want)
		}
	}
}
