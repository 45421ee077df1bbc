// Package blastest gives test binaries the BLAS zoo's CLI uses.
package blastest

import (
	"os"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
)

// Main installs the BLAS as zoo's CLI does (ZOO_BLAS chooses), so that
// tests compute with the matrix products real runs use rather than
// gonum's default, which is also several times slower, then runs the
// tests and exits. Call it from a package's TestMain.
//
// Beside a library, float32 stays on zoo's kernel without the CLI's
// measurement (cblas.Options.Unmeasured): a measured choice would make
// the tests' results depend on the machine's load, and would write the
// user's cache. ZOO_BLAS=library tests the library computing float32.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit: it installs the BLAS, runs the tests and
// returns their exit code, for a TestMain that cleans up after them.
func Run(m *testing.M) int {
	cblas.InstallWith(cblas.Options{Unmeasured: true})
	return m.Run()
}
