package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/spf13/cobra"
)

// noVersion is what a build without a module version or a VCS stamp is
// called: a plain `go build` or `go run` with -buildvcs=false, or outside
// a repository. It says why, since "(devel)" alone reads like a version.
const noVersion = "(devel: built without version information)"

func newVersionCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print zoo's version, the Go version and the BLAS in use",
		Long: `Print zoo's version, the Go version it was built with, and the BLAS that
computes the matrix products.

The version comes from the build: the module version when zoo was installed
with go install github.com/gorgonia-zoo/zoo/cmd/zoo@VERSION; else the
revision, commit time and "modified" (uncommitted changes) that go build
records in a Git checkout; else "` + noVersion + `"
(go run, go build -buildvcs=false, a build in a git worktree, which Go does
not stamp, or a copy outside Git). zoo --version prints the same first line.

The BLAS is OpenBLAS when the machine has it (apt-get install libopenblas0),
else pure Go. Beside a library, float32 products (all of training) run on
zoo's own kernel or on the library, whichever measured faster: the first run
on a machine times both on a training step's products (about 2 s) and
keeps the choice in the user's cache directory (blas-choice.json under
~/.cache/zoo on Linux), so that every later run computes the same way until
the CPU, the library or zoo's kernel changes. The "blas choice:" line gives
the figures. Set ZOO_BLAS=remeasure to measure again, ZOO_BLAS=go to force
pure Go, ZOO_BLAS=library to send every product to the library found, or
ZOO_BLAS=LIBRARY to load another CBLAS.

With --json, one object (docs/json.md):
  version    string   the module version (v0.1.0, or a pseudo-version such
                      as v0.1.1-0.20261203152233-e35a6d9abcde+dirty), or
                      "(devel)" when the build records none
  revision   string   optional: the VCS revision the build was made from
  vcs_time   string   optional: that revision's commit time, RFC 3339
  modified   bool     optional: whether the working tree had uncommitted
                      changes (present whenever revision is)
  go         string   the Go version that built zoo, e.g. "go1.26.0"
  os, arch   string   the platform, as GOOS and GOARCH ("linux", "amd64")
  blas       object   the BLAS in use:
    description  string  the line zoo version prints after "blas: "
    name         string  "openblas", "blis" or "cblas" for a library,
                         "go" for pure Go, "gonum" for gonum's BLAS alone
    kernel       string  optional: zoo's own float32 kernel, "avx2", when
                         it computes the float32 products
    library      string  optional: the library file loaded
    version      string  optional: the library's own description
    threads      number  optional: the library's threads, when it says
    reason       string  optional: why pure Go is in use or, beside a
                         library, where float32 runs and why (the line
                         zoo version prints after "blas choice: ")
    choice       object  optional: the measurement behind that choice,
                         when one was made (a library found, ZOO_BLAS
                         unset, auto or remeasure):
      own             bool    float32 on zoo's kernel (false: the library)
      own_gflops      number  zoo's kernel's measured rate, GFLOP/s: an
                              MLP/128 training step's float32 products,
                              with Go's element-wise work between them
      library_gflops  number  the library's, the same way
      measured        string  when, RFC 3339
      cached          bool    read from the cache file, not measured now
      cache_file      string  optional: the file that keeps the choice
      note            string  optional: a cache file that could not be
                              read (measured again) or written`,
		Example: "  zoo version\n  zoo --version\n  zoo version --json\n  ZOO_BLAS=go zoo version\n  ZOO_BLAS=remeasure zoo version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			bi, _ := debug.ReadBuildInfo()
			blas := cblas.Current()
			if asJSON {
				return printJSON(e, newVersionInfo(bi, blas))
			}
			fmt.Fprintf(e.out, "zoo %s\n", zooVersion(bi))
			fmt.Fprintf(e.out, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(e.out, "blas: %s\n", blas)
			if blas.Fast() && blas.Reason != "" {
				fmt.Fprintf(e.out, "blas choice: %s\n", blas.Reason)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version, Go, platform and BLAS as one JSON object")
	return cmd
}

// setVersion gives root the --version flag, printing the first line of zoo
// version.
func setVersion(root *cobra.Command) {
	bi, _ := debug.ReadBuildInfo()
	root.Version = zooVersion(bi)
	root.SetVersionTemplate("zoo {{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "print zoo's version (zoo version's first line)")
}

// buildVCS is what the build recorded of the VCS checkout it was made in.
type buildVCS struct {
	system, revision, time string
	modified               bool
}

// readBuildVCS reads bi's vcs.* settings; revision is "" when the build
// recorded none.
func readBuildVCS(bi *debug.BuildInfo) buildVCS {
	var v buildVCS
	if bi == nil {
		return v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs":
			v.system = s.Value
		case "vcs.revision":
			v.revision = s.Value
		case "vcs.time":
			v.time = s.Value
		case "vcs.modified":
			v.modified = s.Value == "true"
		}
	}
	return v
}

// moduleVersion is bi's main module version, "" when it has none: a build
// inside the module's own tree says "(devel)" (or nothing) unless the Go
// command stamped a version from the VCS.
func moduleVersion(bi *debug.BuildInfo) string {
	if bi == nil || bi.Main.Version == "(devel)" {
		return ""
	}
	return bi.Main.Version
}

// zooVersion describes the build in one line: "v0.1.0" as go install
// @v0.1.0 builds it; "(devel), git revision 1a2b3c4d5e6f of
// 2026-12-03T15:22:33Z, modified" from a Git checkout; noVersion when bi
// (nil if the binary has no build information) records neither.
func zooVersion(bi *debug.BuildInfo) string {
	version := moduleVersion(bi)
	vcs := readBuildVCS(bi)
	if vcs.revision == "" {
		if version == "" {
			return noVersion
		}
		return version
	}
	if version == "" {
		version = "(devel)"
	}
	system := vcs.system
	if system == "" {
		system = "VCS"
	}
	parts := []string{version, fmt.Sprintf("%s revision %s", system, shortRevision(vcs.revision))}
	if vcs.time != "" {
		parts[1] += " of " + vcs.time
	}
	if vcs.modified {
		parts = append(parts, "modified")
	}
	return strings.Join(parts, ", ")
}

// shortRevision keeps the first 12 characters of a revision, as Go's
// pseudo-versions do.
func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// versionInfo is zoo version --json's object; its fields are documented
// in the command's help and docs/json.md.
type versionInfo struct {
	Version  string   `json:"version"`
	Revision string   `json:"revision,omitempty"`
	VCSTime  string   `json:"vcs_time,omitempty"`
	Modified *bool    `json:"modified,omitempty"`
	Go       string   `json:"go"`
	OS       string   `json:"os"`
	Arch     string   `json:"arch"`
	BLAS     blasJSON `json:"blas"`
}

// blasJSON is the BLAS's part of versionInfo: cblas.Info's fields, copied
// one by one so that a field cblas adds later is not published unseen.
type blasJSON struct {
	Description string          `json:"description"`
	Name        string          `json:"name"`
	Kernel      string          `json:"kernel,omitempty"`
	Library     string          `json:"library,omitempty"`
	Version     string          `json:"version,omitempty"`
	Threads     int             `json:"threads,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Choice      *blasChoiceJSON `json:"choice,omitempty"`
}

// blasChoiceJSON is cblas.Choice, copied field by field as blasJSON is.
type blasChoiceJSON struct {
	Own           bool    `json:"own"`
	OwnGFLOPS     float64 `json:"own_gflops"`
	LibraryGFLOPS float64 `json:"library_gflops"`
	Measured      string  `json:"measured"`
	Cached        bool    `json:"cached"`
	CacheFile     string  `json:"cache_file,omitempty"`
	Note          string  `json:"note,omitempty"`
}

func newVersionInfo(bi *debug.BuildInfo, blas cblas.Info) versionInfo {
	v := versionInfo{
		Version: moduleVersion(bi),
		Go:      runtime.Version(),
		OS:      runtime.GOOS,
		Arch:    runtime.GOARCH,
		BLAS: blasJSON{
			Description: blas.String(),
			Name:        blas.Name,
			Kernel:      blas.Kernel,
			Library:     blas.Library,
			Version:     blas.Version,
			Threads:     blas.Threads,
			Reason:      blas.Reason,
		},
	}
	if c := blas.Choice; c != nil {
		v.BLAS.Choice = &blasChoiceJSON{Own: c.Own, OwnGFLOPS: c.OwnGFLOPS, LibraryGFLOPS: c.LibraryGFLOPS,
			Measured: c.Measured.Format(time.RFC3339), Cached: c.Cached, CacheFile: c.CacheFile, Note: c.Note}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	if vcs := readBuildVCS(bi); vcs.revision != "" {
		v.Revision, v.VCSTime, v.Modified = vcs.revision, vcs.time, &vcs.modified
	}
	return v
}
