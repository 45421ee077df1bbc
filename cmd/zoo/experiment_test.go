package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/experiments"
)

func TestExperimentCommand(t *testing.T) {
	code, out, errOut := zoo(t, "experiment", "list")
	if code != 0 || !strings.Contains(out, "optimizer-paths") {
		t.Errorf("zoo experiment list: exit %d, output %q %q", code, out, errOut)
	}

	dir := filepath.Join(t.TempDir(), "paths")
	code, out, errOut = zoo(t, "experiment", "optimizer-paths", "--quick", "--out", dir)
	if code != 0 {
		t.Fatalf("zoo experiment optimizer-paths: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "see "+dir) {
		t.Errorf("output does not say where the results are:\n%s", out)
	}
	for _, f := range []string{"paths.csv", "hyperparams.json", "report.md", "ravine.png", "rosenbrock.png", "beale.png", "saddle.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"experiment", "optimizer-path"}, `unknown experiment "optimizer-path" (known: ` + strings.Join(experiments.Names(), ", ") + `; see zoo experiment list); did you mean "optimizer-paths"?`},
		{[]string{"experiment", "optimizer-paths", "extra"}, "unknown command"},
		{[]string{"experiment", "optimizer-paths", "--out", filepath.Join(dir, "paths.csv", "x")}, "optimizer-paths"},
	}
	for _, tt := range tests {
		code, _, errOut := zoo(t, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("zoo %s: exit %d, stderr %q; want exit 1 and %q", strings.Join(tt.args, " "), code, errOut, tt.want)
		}
	}
}
