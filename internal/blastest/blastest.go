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
func Main(m *testing.M) {
	cblas.Install()
	os.Exit(m.Run())
}
