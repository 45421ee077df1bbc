package runs

import (
	"os"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
)

// TestMain installs the BLAS as zoo's CLI does (ZOO_BLAS chooses), so the
// tests compute with the matrix products real runs use, not gonum's
// default, which is also several times slower.
func TestMain(m *testing.M) {
	cblas.Install()
	os.Exit(m.Run())
}
