package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/spf13/cobra"
)

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print zoo's version, the Go version and the BLAS in use",
		Long: `Print zoo's version (from the module's build information), the Go version it
was built with, and the BLAS that computes the matrix products: OpenBLAS when
the machine has it (apt-get install libopenblas0), else pure Go. On CPUs with
AVX2 and without AVX-512, float32 products (all of training) stay on zoo's own
kernel, which is faster there. Set ZOO_BLAS=go to force pure Go,
ZOO_BLAS=library to send every product to the library found, or
ZOO_BLAS=LIBRARY to load another CBLAS.`,
		Example: "  zoo version\n  ZOO_BLAS=go zoo version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(e.out, "zoo %s\n", zooVersion())
			fmt.Fprintf(e.out, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(e.out, "blas: %s\n", cblas.Current())
			return nil
		},
	}
}

// zooVersion is the main module's version and, when the build recorded
// it, its VCS revision: "v1.2.0", "(devel) 1a2b3c4d5e6f (modified)".
func zooVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown: built without module information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev + modified
	}
	return v
}
