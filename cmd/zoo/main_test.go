package main

import (
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/blastest"
)

// TestMain installs the BLAS before the tests, as every zoo command does,
// keeping a measured choice out of the user's cache (see blastest.Main).
func TestMain(m *testing.M) { blastest.Main(m) }
