// Package blastest gives test binaries the BLAS zoo's CLI uses.
package blastest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
)

// CacheEnv names the directory that keeps the BLAS choice of a test
// binary, shared with the processes it starts (which inherit it).
const CacheEnv = "ZOO_TEST_BLAS_CACHE"

// Main installs the BLAS as zoo's CLI does (ZOO_BLAS chooses), so that
// tests compute with the matrix products real runs use rather than
// gonum's default, which is also several times slower, then runs the
// tests and exits. Call it from a package's TestMain.
//
// The choice between zoo's kernel and a library is measured as the CLI
// measures it, but kept in a temporary directory, never in the user's
// cache.
func Main(m *testing.M) {
	dir := os.Getenv(CacheEnv)
	made := false
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "zoo-blas-cache-"); err != nil {
			panic(err)
		}
		made = true
		os.Setenv(CacheEnv, dir)
	}
	cblas.InstallWith(cblas.Options{CacheFile: filepath.Join(dir, "blas-choice.json")})
	code := m.Run()
	if made {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
