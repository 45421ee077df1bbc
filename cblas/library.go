//go:build !nocblas && (darwin || freebsd || linux || netbsd) && !android && (amd64 || arm64)

package cblas

import (
	"fmt"
	"strings"

	"github.com/ebitengine/purego"
)

// Open loads the CBLAS library name (a file name searched by the dynamic
// loader, such as "libopenblas.so.0", or a path) and binds cblas_sgemm,
// cblas_dgemm, cblas_sgemv and cblas_dgemv. It does not check the results;
// see Verify.
func Open(name string) (*Library, error) {
	h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("cblas: open %s: %v", name, err)
	}
	l := &Library{Path: name, Vendor: "cblas"}
	bind := func(fptr any, sym string) error {
		addr, err := purego.Dlsym(h, sym)
		if err != nil || addr == 0 {
			return fmt.Errorf("cblas: %s has no %s: it is not a CBLAS library", name, sym)
		}
		purego.RegisterFunc(fptr, addr)
		return nil
	}
	for _, f := range []struct {
		ptr any
		sym string
	}{
		{&l.sgemm, "cblas_sgemm"},
		{&l.dgemm, "cblas_dgemm"},
		{&l.sgemv, "cblas_sgemv"},
		{&l.dgemv, "cblas_dgemv"},
	} {
		if err := bind(f.ptr, f.sym); err != nil {
			purego.Dlclose(h)
			return nil, err
		}
	}
	// Optional vendor entry points: identification and threads.
	if addr, err := purego.Dlsym(h, "openblas_get_config"); err == nil && addr != 0 {
		var config func() string
		purego.RegisterFunc(&config, addr)
		l.Vendor = "openblas"
		l.Version = strings.TrimSpace(config())
		if addr, err := purego.Dlsym(h, "openblas_get_num_threads"); err == nil && addr != 0 {
			purego.RegisterFunc(&l.getThreads, addr)
		}
		if addr, err := purego.Dlsym(h, "openblas_set_num_threads"); err == nil && addr != 0 {
			purego.RegisterFunc(&l.setThreads, addr)
		}
	} else if addr, err := purego.Dlsym(h, "bli_info_get_version_str"); err == nil && addr != 0 {
		var version func() string
		purego.RegisterFunc(&version, addr)
		l.Vendor = "blis"
		l.Version = "BLIS " + strings.TrimSpace(version())
		if addr, err := purego.Dlsym(h, "bli_thread_get_num_threads"); err == nil && addr != 0 {
			purego.RegisterFunc(&l.getThreads, addr)
		}
	}
	return l, nil
}

// candidates lists the libraries Install tries, best first. libblas.so.3 is
// only accepted when it is an optimized library (see accept): Debian's
// reference BLAS is slower than gonum.
func candidates() []string {
	return []string{"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libblas.so.3"}
}
