package main

import (
	"encoding/json"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/spf13/cobra"
)

func TestVersion(t *testing.T) {
	code, out, errOut := zoo(t, "version")
	if code != 0 {
		t.Fatalf("zoo version: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// Beside a library, a fourth line says where float32 runs and why.
	info := cblas.Current()
	wantLines := 3
	if info.Fast() && info.Reason != "" {
		wantLines = 4
	}
	if len(lines) != wantLines {
		t.Fatalf("zoo version printed %d lines, want %d:\n%s", len(lines), wantLines, out)
	}
	if wantLines == 4 && lines[3] != "blas choice: "+info.Reason {
		t.Errorf("line 4 %q, want %q", lines[3], "blas choice: "+info.Reason)
	}
	bi, _ := debug.ReadBuildInfo()
	if want := "zoo " + zooVersion(bi); lines[0] != want {
		t.Errorf("line 1 %q, want %q", lines[0], want)
	}
	if !regexp.MustCompile(`^go: go\d+\.\d+`).MatchString(lines[1]) {
		t.Errorf("line 2 %q, want go: goX.Y OS/ARCH", lines[1])
	}
	// The BLAS line is what the process installed at start-up.
	if want := "blas: " + cblas.Current().String(); lines[2] != want {
		t.Errorf("line 3 %q, want %q", lines[2], want)
	}
	if !info.Fast() && !strings.Contains(lines[2], "pure Go") {
		t.Errorf("pure-Go fallback not said: %q", lines[2])
	}

	// zoo --version (and -v) print zoo version's first line, alone.
	for _, flag := range []string{"--version", "-v"} {
		code, vout, errOut := zoo(t, flag)
		if code != 0 || vout != lines[0]+"\n" || errOut != "" {
			t.Errorf("zoo %s: exit %d, stdout %q, stderr %q; want %q", flag, code, vout, errOut, lines[0]+"\n")
		}
	}
}

// buildInfo is a binary's build information as the Go command records it.
func buildInfo(version string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/gorgonia-zoo/zoo", Version: version}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

const testRevision = "4ff1fbe3c465b0497928dc1bb88e1aa8188a9959"

func TestZooVersion(t *testing.T) {
	stamped := []string{"vcs", "git", "vcs.revision", testRevision, "vcs.time", "2026-12-03T15:25:05Z"}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "(devel: built without version information)"},
		{"go build -buildvcs=false", buildInfo("(devel)", "-buildmode", "exe"), "(devel: built without version information)"},
		{"empty version", buildInfo(""), "(devel: built without version information)"},
		{"go install @v0.1.0", buildInfo("v0.1.0", "-buildmode", "exe"), "v0.1.0"},
		{"checkout, clean", buildInfo("(devel)", append(stamped, "vcs.modified", "false")...),
			"(devel), git revision 4ff1fbe3c465 of 2026-12-03T15:25:05Z"},
		{"checkout, modified", buildInfo("(devel)", append(stamped, "vcs.modified", "true")...),
			"(devel), git revision 4ff1fbe3c465 of 2026-12-03T15:25:05Z, modified"},
		{"Go 1.24+ checkout: pseudo-version", buildInfo("v0.0.0-20261203152505-4ff1fbe3c465+dirty", append(stamped, "vcs.modified", "true")...),
			"v0.0.0-20261203152505-4ff1fbe3c465+dirty, git revision 4ff1fbe3c465 of 2026-12-03T15:25:05Z, modified"},
		{"tagged checkout", buildInfo("v0.1.0", append(stamped, "vcs.modified", "false")...),
			"v0.1.0, git revision 4ff1fbe3c465 of 2026-12-03T15:25:05Z"},
		{"revision alone", buildInfo("(devel)", "vcs.revision", "abc123"), "(devel), VCS revision abc123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := zooVersion(tc.bi); got != tc.want {
				t.Errorf("zooVersion = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVersionInfo(t *testing.T) {
	blas := cblas.Info{Name: "openblas", Library: "libopenblas.so.0", Version: "OpenBLAS 0.3.21 DYNAMIC_ARCH", Threads: 2, Kernel: "avx2"}
	stamped := []string{"vcs", "git", "vcs.revision", testRevision, "vcs.time", "2026-12-03T15:25:05Z"}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string // the JSON's first fields, before go, os and arch
	}{
		{"no build information", nil, `{"version":"(devel)"`},
		{"unstamped", buildInfo("(devel)"), `{"version":"(devel)"`},
		{"release", buildInfo("v0.1.0"), `{"version":"v0.1.0"`},
		{"clean checkout", buildInfo("(devel)", append(stamped, "vcs.modified", "false")...),
			`{"version":"(devel)","revision":"` + testRevision + `","vcs_time":"2026-12-03T15:25:05Z","modified":false`},
		{"modified checkout", buildInfo("v0.0.0-20261203152505-4ff1fbe3c465+dirty", append(stamped, "vcs.modified", "true")...),
			`{"version":"v0.0.0-20261203152505-4ff1fbe3c465+dirty","revision":"` + testRevision + `","vcs_time":"2026-12-03T15:25:05Z","modified":true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := json.Marshal(newVersionInfo(tc.bi, blas))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want + `,"go":"` + runtime.Version() + `","os":"` + runtime.GOOS + `","arch":"` + runtime.GOARCH + `",` +
				`"blas":{"description":"openblas 0.3.21 (libopenblas.so.0, 2 threads; float32 on zoo's AVX2 kernel)","name":"openblas","kernel":"avx2","library":"libopenblas.so.0","version":"OpenBLAS 0.3.21 DYNAMIC_ARCH","threads":2}}`
			if string(data) != want {
				t.Errorf("JSON\n%s\nwant\n%s", data, want)
			}
		})
	}
}

// TestVersionJSON runs zoo version --json: one object holding the
// documented fields and no others.
func TestVersionJSON(t *testing.T) {
	code, out, errOut := zoo(t, "version", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("zoo version --json: exit %d, stderr %q", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("zoo version --json: %v:\n%s", err, out)
	}
	documented := map[string]bool{"version": true, "revision": false, "vcs_time": false, "modified": false, "go": true, "os": true, "arch": true, "blas": true}
	for k := range got {
		if _, ok := documented[k]; !ok {
			t.Errorf("undocumented field %q", k)
		}
	}
	for k, required := range documented {
		if _, ok := got[k]; required && !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if _, ok := got["revision"]; ok {
		if _, ok := got["modified"].(bool); !ok {
			t.Errorf("revision without a boolean modified: %s", out)
		}
	}
	bi, _ := debug.ReadBuildInfo()
	if want := newVersionInfo(bi, cblas.Current()).Version; got["version"] != want {
		t.Errorf("version %v, want %q", got["version"], want)
	}
	if got["go"] != runtime.Version() || got["os"] != runtime.GOOS || got["arch"] != runtime.GOARCH {
		t.Errorf("go, os, arch = %v, %v, %v", got["go"], got["os"], got["arch"])
	}
	blas, ok := got["blas"].(map[string]any)
	if !ok {
		t.Fatalf("blas is %T, want an object", got["blas"])
	}
	info := cblas.Current()
	if blas["description"] != info.String() || blas["name"] != info.Name {
		t.Errorf("blas %v, want description %q and name %q", blas, info.String(), info.Name)
	}
	for k := range blas {
		switch k {
		case "description", "name", "kernel", "library", "version", "threads", "reason", "choice":
		default:
			t.Errorf("undocumented blas field %q", k)
		}
	}
	if blas["reason"] != nil && blas["reason"] != info.Reason {
		t.Errorf("blas.reason %v, want %q", blas["reason"], info.Reason)
	}
	if c, ok := blas["choice"].(map[string]any); ok {
		for k := range c {
			switch k {
			case "own", "own_gflops", "library_gflops", "measured", "cached", "cache_file", "note":
			default:
				t.Errorf("undocumented blas.choice field %q", k)
			}
		}
	} else if info.Choice != nil {
		t.Errorf("blas.choice %v, want the measurement %+v", blas["choice"], info.Choice)
	}
}

// TestVersionInfoChoice: a measured choice is published with its figures.
func TestVersionInfoChoice(t *testing.T) {
	ch := &cblas.Choice{Own: false, OwnGFLOPS: 150.5, LibraryGFLOPS: 230.25, Measured: time.Date(2026, 12, 3, 16, 5, 0, 0, time.UTC), Cached: true, CacheFile: "/c/zoo/blas-choice.json"}
	blas := cblas.Info{Name: "openblas", Library: "libopenblas.so.0", Threads: 2, Reason: "float32 on openblas: measured", Choice: ch}
	data, err := json.Marshal(newVersionInfo(nil, blas).BLAS)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"description":"openblas (libopenblas.so.0, 2 threads)","name":"openblas","library":"libopenblas.so.0","threads":2,"reason":"float32 on openblas: measured",` +
		`"choice":{"own":false,"own_gflops":150.5,"library_gflops":230.25,"measured":"2026-12-03T16:05:00Z","cached":true,"cache_file":"/c/zoo/blas-choice.json"}}`
	if string(data) != want {
		t.Errorf("JSON\n%s\nwant\n%s", data, want)
	}
}

// TestCommandsNeedingNoBLAS keeps the commands that compute no product from
// choosing a BLAS (the first choice on a machine times both kernels, about
// 2 s), and every command that does from skipping it.
func TestCommandsNeedingNoBLAS(t *testing.T) {
	root := newRootCmd(&env{})
	none := map[string]bool{"zoo list": true, "zoo show": true, "zoo sweep status": true, "zoo sweep report": true}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if got, want := sub.Annotations[blasAnnotation] == noProducts, none[sub.CommandPath()]; got != want {
				t.Errorf("%s: skips choosing a BLAS %v, want %v", sub.CommandPath(), got, want)
			}
			walk(sub)
		}
	}
	walk(root)
}
