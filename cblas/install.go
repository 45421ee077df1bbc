package cblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"github.com/gorgonia-zoo/zoo/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

// EnvVar is the environment variable that chooses the BLAS (see the package
// documentation).
const EnvVar = "ZOO_BLAS"

// Info describes the BLAS in use.
type Info struct {
	// Name is "openblas", "blis" or "cblas" for a loaded library, "go" for
	// the pure-Go fallback, "gonum" for gonum's BLAS alone (ZOO_BLAS=gonum).
	Name string `json:"name"`
	// Kernel is the micro-kernel of zoo's own Sgemm when single-precision
	// products run on it: "avx2" for the assembly one. For pure Go, ""
	// means gonum's Sgemm (a CPU without AVX2 and FMA); beside a library,
	// "" means the library computes them too (see Select).
	Kernel string `json:"kernel,omitempty"`
	// Library is the file loaded; "" for pure Go.
	Library string `json:"library,omitempty"`
	// Version is the library's own description, if it gives one.
	Version string `json:"version,omitempty"`
	// Threads is the number of threads the library uses; 0 if it does not
	// say (and for pure Go, which runs the calling goroutine only).
	Threads int `json:"threads,omitempty"`
	// Reason says why pure Go is in use or, beside a library, where the
	// float32 products run and why (the measured figures, see Choice).
	Reason string `json:"reason,omitempty"`
	// Choice is the measurement that put float32 on zoo's kernel or on the
	// library; nil when none was made (no library, or ZOO_BLAS pins it).
	Choice *Choice `json:"choice,omitempty"`
}

// pureName is Info.Name for pure Go, and what ZOO_BLAS forces it with.
const pureName = "go"

// Fast reports whether a CBLAS library is in use.
func (i Info) Fast() bool { return i.Name != pureName && i.Name != "gonum" }

// String is one line for `zoo version` and `zoo bench`, e.g.
// "openblas 0.3.21 (libopenblas.so.0, 2 threads)" or
// "pure Go (AVX2 SGEMM kernel; gonum for the rest): no CBLAS library found; …".
func (i Info) String() string {
	if !i.Fast() {
		s := "pure Go (gonum)"
		if i.Kernel != "" {
			s = fmt.Sprintf("pure Go (%s SGEMM kernel; gonum for the rest)", strings.ToUpper(i.Kernel))
		}
		if i.Reason != "" {
			s += ": " + i.Reason
		}
		return s
	}
	name := i.Name
	if v := versionNumber(i.Version); v != "" {
		name += " " + v
	}
	detail := i.Library
	if i.Threads > 0 {
		detail += fmt.Sprintf(", %d thread%s", i.Threads, plural(i.Threads))
	}
	if i.Kernel != "" {
		detail += fmt.Sprintf("; float32 on zoo's %s kernel", strings.ToUpper(i.Kernel))
	}
	return fmt.Sprintf("%s (%s)", name, detail)
}

// versionNumber picks the version out of "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
func versionNumber(v string) string {
	f := strings.Fields(v)
	if len(f) >= 2 && (f[0] == "OpenBLAS" || f[0] == "BLIS") {
		return f[1]
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

var (
	installOnce sync.Once
	mu          sync.Mutex
	current     = Info{Name: pureName, Reason: "Install was not called"}
	currentImpl gorgonia.BLAS
)

// Install chooses the BLAS as ZOO_BLAS says (the best library found by
// default), verifies it and installs it with gorgonia.Use. Only the first
// call of Install or InstallWith does anything; every call returns what is
// in use.
func Install() Info { return InstallWith(Options{}) }

// Options adjust Install.
type Options struct {
	// CacheFile is the file that keeps the measured choice (see Select);
	// "" means os.UserCacheDir()/zoo/blas-choice.json.
	CacheFile string
	// Unmeasured keeps float32 on zoo's kernel beside a library (where
	// the CPU has it) without measuring or reading the cache file: for
	// tests, whose results must not depend on the machine's load at the
	// time, nor write the user's cache. A test binary (testing.Testing)
	// is unmeasured unless it names a CacheFile. ZOO_BLAS=library, go or
	// a named library still choose as usual.
	Unmeasured bool
}

// InstallWith is Install with options.
func InstallWith(o Options) Info {
	installOnce.Do(func() {
		impl, info := selectWith(os.Getenv(EnvVar), o)
		use(impl, info)
	})
	return Current()
}

// Current returns the BLAS installed by Install (pure Go before that).
func Current() Info {
	mu.Lock()
	defer mu.Unlock()
	return current
}

func use(impl gorgonia.BLAS, info Info) {
	mu.Lock()
	defer mu.Unlock()
	gorgonia.Use(impl)
	current, currentImpl = info, impl
	// A library's threads spin between its products, waiting for the
	// next; zoo's workers (par) must not spin beside them. When float32
	// stays on zoo's kernel, training (float32) never wakes the library.
	if info.Fast() && info.Threads != 1 && info.Kernel == "" {
		par.SetSpin(0)
	} else {
		par.SetSpin(par.DefaultSpin)
	}
}

// searchList is the libraries the default search tries, in order.
var searchList = candidates()

// missingHint is the reason given when no library is found.
const missingHint = "no CBLAS library found (apt-get install libopenblas0 provides OpenBLAS)"

// Select returns the BLAS that the setting env (the value of ZOO_BLAS)
// asks for, and its description, without installing it. A library that
// cannot be loaded or fails Verify gives pure Go (see PureGo) with the
// reason. It keeps the measured choice in os.UserCacheDir()/zoo (see
// Options.CacheFile).
//
// By default ("" or "auto") the library found computes double precision,
// and single precision (what zoo trains in) goes where it measured
// faster: zoo's kernel or the library. The two are timed on a training
// step's products once per machine and library, and the choice is kept
// in the cache file, so that it never changes between runs on the same
// machine (which would change their results) until the CPU, the library
// or zoo's kernel does. "remeasure" times them again and keeps the new
// choice. "library" sends both precisions to the library found, as does
// naming one.
func Select(env string) (gorgonia.BLAS, Info) { return selectWith(env, Options{}) }

// remeasure is the ZOO_BLAS value that measures the choice again.
const remeasure = "remeasure"

func selectWith(env string, o Options) (gorgonia.BLAS, Info) {
	pure := pureGo
	env = strings.TrimSpace(env)
	var names []string
	search, choose := false, false
	switch strings.ToLower(env) {
	case "go", "pure", "purego":
		return pure("forced by " + EnvVar + "=" + env)
	case "gonum": // gonum's Sgemm too, to compare with the versions before PureGo
		return gonum.Implementation{}, Info{Name: "gonum", Reason: "forced by " + EnvVar + "=" + env}
	case "", "auto", "library", remeasure:
		if len(searchList) == 0 {
			return pure("this build cannot load a BLAS library (built with -tags nocblas, or an unsupported platform)")
		}
		names, search = searchList, true
		choose = !strings.EqualFold(env, "library")
	default:
		names = []string{env}
	}
	var errs []string
	for _, name := range names {
		l, err := Open(name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if search && !accept(name, l) {
			errs = append(errs, fmt.Sprintf("cblas: %s is not an optimized BLAS", name))
			continue
		}
		impl := NewImplementation(l)
		if err := Verify(impl); err != nil {
			return pure(fmt.Sprintf("%v; using pure Go", err))
		}
		info := Info{Name: l.Vendor, Library: l.Path, Version: l.Version, Threads: l.Threads()}
		switch {
		case !choose:
			info.Reason = fmt.Sprintf("float32 on %s too: %s=%s", l.Vendor, EnvVar, env)
		case !sgemm.UsesAVX2():
			info.Reason = fmt.Sprintf("float32 on %s too: zoo's float32 kernel needs AVX2 and FMA, which this CPU lacks", l.Vendor)
		case o.Unmeasured || (o.CacheFile == "" && testing.Testing()):
			_, pi := pure("")
			impl.OwnFloat32, info.Kernel = true, pi.Kernel
			info.Reason = fmt.Sprintf("float32 on zoo's %s kernel, unmeasured (as in tests: cblas.Options.Unmeasured)", strings.ToUpper(pi.Kernel))
		default:
			ownImpl, pi := pure("")
			ch := newChooser(o, ownImpl, impl).choose(keyFor(l), strings.EqualFold(env, remeasure))
			impl.OwnFloat32 = ch.Own
			if ch.Own {
				info.Kernel = pi.Kernel
			}
			info.Choice, info.Reason = &ch, ch.describe(l.Vendor, pi.Kernel)
		}
		return impl, info
	}
	if !search {
		return pure(fmt.Sprintf("%s=%s: %s", EnvVar, env, strings.Join(errs, "; ")))
	}
	return pure(missingHint)
}

// newChooser is the chooser that times own (zoo's kernel) against lib's
// every product, keeping the choice in o.CacheFile.
func newChooser(o Options, own gorgonia.BLAS, lib *Implementation) chooser {
	c := chooser{file: o.CacheFile, now: time.Now, busy: busyMachine}
	if c.file == "" {
		c.file, c.fileErr = defaultCacheFile()
	}
	all := *lib
	all.OwnFloat32 = false
	spins := lib.Lib.Threads() != 1
	c.measure = func() (float64, float64, error) { return measure(own, &all, spins) }
	return c
}

// accept reports whether a library found by the default search is worth
// using: the generic libblas.so.3 only if it is OpenBLAS or BLIS behind
// Debian's alternatives (the reference BLAS is slower than gonum).
func accept(name string, l *Library) bool {
	return !strings.HasPrefix(name, "libblas.") || l.Vendor != "cblas"
}

// Verify compares the library's gemm and gemv with gonum's on small random
// products in every transpose combination, in both precisions, and returns
// an error describing the first disagreement.
func Verify(im *Implementation) error {
	check := *im
	check.MinFlops, check.OwnFloat32 = 0, false // send every product to the library
	var ref gonum.Implementation
	r := rand.New(rand.NewPCG(1, 2))
	const m, n, k = 13, 11, 37
	ts := []blas.Transpose{blas.NoTrans, blas.Trans}
	for _, tA := range ts {
		for _, tB := range ts {
			lda, ldb := k+3, n+1 // padded leading dimensions
			if tA != blas.NoTrans {
				lda = m + 2
			}
			if tB != blas.NoTrans {
				ldb = k + 1
			}
			a64 := randoms(r, 40*40)
			b64 := randoms(r, 40*40)
			c64 := randoms(r, m*n)
			want64 := append([]float64(nil), c64...)
			ref.Dgemm(tA, tB, m, n, k, 0.7, a64, lda, b64, ldb, 0.3, want64, n)
			check.Dgemm(tA, tB, m, n, k, 0.7, a64, lda, b64, ldb, 0.3, c64, n)
			if err := close64(c64, want64, 1e-12); err != nil {
				return fmt.Errorf("cblas: %s: dgemm(%c, %c) disagrees with gonum: %v", im.Lib.Path, tA, tB, err)
			}
			a32, b32, c32 := to32(a64), to32(b64), to32(randoms(r, m*n))
			want32 := append([]float32(nil), c32...)
			ref.Sgemm(tA, tB, m, n, k, 0.7, a32, lda, b32, ldb, 0.3, want32, n)
			check.Sgemm(tA, tB, m, n, k, 0.7, a32, lda, b32, ldb, 0.3, c32, n)
			if err := close64(to64(c32), to64(want32), 1e-5); err != nil {
				return fmt.Errorf("cblas: %s: sgemm(%c, %c) disagrees with gonum: %v", im.Lib.Path, tA, tB, err)
			}
		}
		a64, x64, y64 := randoms(r, m*(k+1)), randoms(r, 2*k), randoms(r, 2*k)
		want64 := append([]float64(nil), y64...)
		ref.Dgemv(tA, m, k, 0.7, a64, k+1, x64, 1, 0.3, want64, 1)
		check.Dgemv(tA, m, k, 0.7, a64, k+1, x64, 1, 0.3, y64, 1)
		if err := close64(y64, want64, 1e-12); err != nil {
			return fmt.Errorf("cblas: %s: dgemv(%c) disagrees with gonum: %v", im.Lib.Path, tA, err)
		}
		a32, x32, y32 := to32(a64), to32(x64), to32(randoms(r, 2*k))
		want32 := append([]float32(nil), y32...)
		ref.Sgemv(tA, m, k, 0.7, a32, k+1, x32, 1, 0.3, want32, 1)
		check.Sgemv(tA, m, k, 0.7, a32, k+1, x32, 1, 0.3, y32, 1)
		if err := close64(to64(y32), to64(want32), 1e-5); err != nil {
			return fmt.Errorf("cblas: %s: sgemv(%c) disagrees with gonum: %v", im.Lib.Path, tA, err)
		}
	}
	return nil
}

func randoms(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 2*r.Float64() - 1
	}
	return x
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// close64 checks |got−want| ≤ tol·(1+|want|) element-wise (the products
// above sum 37 terms of magnitude ≤ 1).
func close64(got, want []float64, tol float64) error {
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			return fmt.Errorf("element %d is %g, want %g", i, got[i], want[i])
		}
	}
	return nil
}
