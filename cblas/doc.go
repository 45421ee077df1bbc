// Package cblas gives Gorgonia a fast BLAS without cgo: it loads a CBLAS
// library (OpenBLAS) at run time with purego and routes the hot level-3 and
// level-2 calls (Sgemm, Dgemm, Sgemv, Dgemv) to it, keeping gonum's pure-Go
// implementation for everything else. Without a library it falls back to
// pure Go: gonum's BLAS with zoo's own Sgemm (PureGo), which packs and
// blocks the matrices for the caches and runs an AVX2+FMA micro-kernel on
// all cores, 5–10× faster than gonum's on the products of training.
//
// Programs call Install once at start-up:
//
//	info := cblas.Install() // gorgonia.Use(...) with the best BLAS found
//	fmt.Println("blas:", info)
//
// Install looks for libopenblas.so.0, libopenblas.so, then libblas.so.3 if
// it is an optimized CBLAS (OpenBLAS or BLIS behind Debian's alternatives),
// checks the bound functions against gonum on small products, and installs
// the library with gorgonia.Use (which also sets the tensor package's BLAS).
// When no library is found, or it disagrees with gonum, it installs pure
// Go and says why in Info.Reason.
//
// Beside a library, single precision (what zoo trains in) runs on zoo's
// own kernel or on the library, whichever measured faster on this
// machine: the first run times both on the products of a training step
// (zoo bench's MLP at batch 128, with Go's element-wise work between
// them, since a library's threads spin between products and take the
// cores from that work), alternating the two for about 1.5 s and
// comparing medians. zoo's kernel keeps float32 unless the library is
// more than 3 % faster. The choice is kept in
// os.UserCacheDir()/zoo/blas-choice.json, keyed by the CPU (model,
// features, cores, GOMAXPROCS), the library (file, vendor, version,
// threads) and zoo's kernel, so that every later run on the machine
// computes the same way, and so gives the same results for the same seed,
// until one of them changes. Processes starting together wait for one
// measurement (a lock on blas-choice.json.lock beside it). A cache file
// zoo cannot read, or whose entries are not consistent, is measured again
// and replaced. Info.Reason
// and Info.Choice give the figures; `zoo version` prints them. Double
// precision is always the library's. On a CPU without AVX2 and FMA, zoo
// has no float32 kernel of its own and the library computes both.
//
// The environment variable ZOO_BLAS chooses:
//
//	ZOO_BLAS unset or "auto"   the first library found (float32 as measured), else pure Go
//	ZOO_BLAS=remeasure         the same, measuring the choice again and keeping the new one
//	ZOO_BLAS=library           the first library found, for every product
//	ZOO_BLAS=go                pure Go, for comparisons
//	ZOO_BLAS=gonum             gonum's BLAS alone (its slower Sgemm too)
//	ZOO_BLAS=NAME or PATH      that library only, for every product, e.g. libopenblas.so.0
//
// Only the default and remeasure measure; the others pin the choice.
//
// OpenBLAS reads OPENBLAS_NUM_THREADS itself; Info.Threads reports the
// number it uses. Its threads spin between products waiting for the next
// one, so when a library with several threads computes single precision,
// zoo's own workers (internal/par) park as soon as a parallel section ends
// instead of spinning beside them.
//
// On Debian or Ubuntu, `apt-get install libopenblas0` provides the library.
//
// Loading a library needs the dynamic loader, so a zoo binary links libc
// dynamically (with or without cgo: purego provides dlopen when
// CGO_ENABLED=0). Build with -tags nocblas for a static, pure-Go binary
// that always uses PureGo.
package cblas
