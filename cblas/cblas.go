package cblas

import (
	"math"

	"github.com/gorgonia-zoo/zoo/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

// CBLAS enumerations (cblas.h).
const (
	rowMajor  int32 = 101
	noTrans   int32 = 111
	trans     int32 = 112
	conjTrans int32 = 113
)

// Library is a CBLAS shared library bound at run time (see Open).
type Library struct {
	// Path is the name the library was opened by, e.g. libopenblas.so.0.
	Path string
	// Vendor is "openblas", "blis", or "cblas" for an unidentified one.
	Vendor string
	// Version is the library's own description (OpenBLAS's configuration
	// string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen
	// MAX_THREADS=64"), or "" if it has none.
	Version string

	sgemm func(order, tA, tB, m, n, k int32, alpha float32, a []float32, lda int32, b []float32, ldb int32, beta float32, c []float32, ldc int32)
	dgemm func(order, tA, tB, m, n, k int32, alpha float64, a []float64, lda int32, b []float64, ldb int32, beta float64, c []float64, ldc int32)
	sgemv func(order, tA, m, n int32, alpha float32, a []float32, lda int32, x []float32, incX int32, beta float32, y []float32, incY int32)
	dgemv func(order, tA, m, n int32, alpha float64, a []float64, lda int32, x []float64, incX int32, beta float64, y []float64, incY int32)

	getThreads func() int32 // nil if the library does not say
	setThreads func(int32)  // nil if it cannot be told
}

// Threads returns the number of threads the library computes with, or 0 if
// it does not say.
func (l *Library) Threads() int {
	if l == nil || l.getThreads == nil {
		return 0
	}
	return int(l.getThreads())
}

// SetThreads sets the number of threads of an OpenBLAS library; it has no
// effect on others. OPENBLAS_NUM_THREADS sets the same at start-up.
func (l *Library) SetThreads(n int) {
	if l != nil && l.setThreads != nil && n >= 1 {
		l.setThreads(int32(n))
	}
}

// Implementation is gonum's pure-Go BLAS with Sgemm, Dgemm, Sgemv and Dgemv
// computed by a CBLAS library. It implements gorgonia.BLAS (and so
// tensor.BLAS).
//
// Calls the library cannot take (invalid arguments, which gonum reports
// with its usual panics; sizes beyond int32; negative increments; empty
// products) and products smaller than MinFlops go to gonum.
type Implementation struct {
	gonum.Implementation
	Lib *Library
	// MinFlops is the smallest product (2·m·n·k for gemm, 2·m·n for gemv)
	// sent to the library; smaller ones run in Go, where they cost less
	// than the call into C. Zero sends every valid call to the library.
	MinFlops int
	// OwnFloat32 keeps single precision in Go, as PureGo computes it:
	// Sgemm on zoo's kernel (internal/sgemm), Sgemv on gonum's. Only
	// double precision goes to the library. See Select for when.
	OwnFloat32 bool
}

var _ gorgonia.BLAS = (*Implementation)(nil)

// defaultMinFlops is the product size below which gonum is at least as fast
// as a call through purego (see BenchmarkSgemmSmall).
const defaultMinFlops = 2 * 16 * 16 * 16

// NewImplementation returns the library-backed BLAS with the default
// small-product threshold.
func NewImplementation(l *Library) *Implementation {
	return &Implementation{Lib: l, MinFlops: defaultMinFlops}
}

func cTrans(t blas.Transpose) (int32, bool) {
	switch t {
	case blas.NoTrans:
		return noTrans, true
	case blas.Trans, blas.ConjTrans: // real data: both transpose
		return trans, true
	}
	return 0, false
}

func fits(xs ...int) bool {
	for _, x := range xs {
		if x < 0 || x > math.MaxInt32 {
			return false
		}
	}
	return true
}

// gemmOK reports whether a row-major gemm call is valid and non-empty, so
// the library may take it: the same checks gonum makes, so that C never
// reads or writes outside the slices.
func gemmOK(tA, tB blas.Transpose, m, n, k, lda, ldb, ldc, la, lb, lc int) bool {
	if _, ok := cTrans(tA); !ok {
		return false
	}
	if _, ok := cTrans(tB); !ok {
		return false
	}
	if m < 1 || n < 1 || k < 1 || !fits(m, n, k, lda, ldb, ldc) {
		return false
	}
	aRows, aCols := m, k
	if tA != blas.NoTrans {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if tB != blas.NoTrans {
		bRows, bCols = n, k
	}
	return lda >= aCols && ldb >= bCols && ldc >= n &&
		la >= (aRows-1)*lda+aCols && lb >= (bRows-1)*ldb+bCols && lc >= (m-1)*ldc+n
}

// gemvOK is gemmOK for gemv; negative increments go to gonum.
func gemvOK(tA blas.Transpose, m, n, lda, incX, incY, la, lx, ly int) bool {
	if _, ok := cTrans(tA); !ok {
		return false
	}
	if m < 1 || n < 1 || incX < 1 || incY < 1 || !fits(m, n, lda, incX, incY) {
		return false
	}
	lenX, lenY := n, m
	if tA != blas.NoTrans {
		lenX, lenY = m, n
	}
	return lda >= n && la >= (m-1)*lda+n && lx > (lenX-1)*incX && ly > (lenY-1)*incY
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in single precision.
func (im *Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if im.OwnFloat32 {
		sgemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if im.Lib == nil || 2*m*n*k < im.MinFlops || !gemmOK(tA, tB, m, n, k, lda, ldb, ldc, len(a), len(b), len(c)) {
		im.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	ta, _ := cTrans(tA)
	tb, _ := cTrans(tB)
	im.Lib.sgemm(rowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, a, int32(lda), b, int32(ldb), beta, c, int32(ldc))
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C in double precision.
func (im *Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if im.Lib == nil || 2*m*n*k < im.MinFlops || !gemmOK(tA, tB, m, n, k, lda, ldb, ldc, len(a), len(b), len(c)) {
		im.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	ta, _ := cTrans(tA)
	tb, _ := cTrans(tB)
	im.Lib.dgemm(rowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, a, int32(lda), b, int32(ldb), beta, c, int32(ldc))
}

// Sgemv computes y = alpha·op(A)·x + beta·y in single precision.
func (im *Implementation) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	if im.OwnFloat32 || im.Lib == nil || 2*m*n < im.MinFlops || !gemvOK(tA, m, n, lda, incX, incY, len(a), len(x), len(y)) {
		im.Implementation.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	ta, _ := cTrans(tA)
	im.Lib.sgemv(rowMajor, ta, int32(m), int32(n), alpha, a, int32(lda), x, int32(incX), beta, y, int32(incY))
}

// Dgemv computes y = alpha·op(A)·x + beta·y in double precision.
func (im *Implementation) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	if im.Lib == nil || 2*m*n < im.MinFlops || !gemvOK(tA, m, n, lda, incX, incY, len(a), len(x), len(y)) {
		im.Implementation.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	ta, _ := cTrans(tA)
	im.Lib.dgemv(rowMajor, ta, int32(m), int32(n), alpha, a, int32(lda), x, int32(incX), beta, y, int32(incY))
}
