package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUsingModels trains a classifier (mlp-mnist) and a denoising
// autoencoder (dae-mnist) once, quickly, and drives the commands that use
// trained runs on them: predict, encode, reconstruct, filters, inspect and
// compare (see each command's _test.go).
func TestUsingModels(t *testing.T) {
	dir := t.TempDir()
	mlp := trainForTest(t, filepath.Join(dir, "mlp"), "mlp-mnist", "--quick")
	dae := trainForTest(t, filepath.Join(dir, "dae"), "dae-mnist", "--quick", "--set", "epochs=1", "--set", "data.train=1000")
	t.Run("predict", func(t *testing.T) { testPredict(t, mlp, dae) })
	t.Run("encode", func(t *testing.T) { testEncode(t, mlp, dae) })
	t.Run("reconstruct", func(t *testing.T) { testReconstruct(t, mlp, dae) })
	t.Run("filters", func(t *testing.T) { testFilters(t, mlp, dae) })
	t.Run("inspect", func(t *testing.T) { testInspect(t, mlp, dae) })
	t.Run("compare", func(t *testing.T) { testCompare(t, mlp, dae) })
}

// trainForTest runs zoo train RECIPE ARGS… --out out and returns out.
func trainForTest(t *testing.T, out, recipe string, args ...string) string {
	t.Helper()
	code, stdout, stderr := zoo(t, append([]string{"train", recipe, "--out", out}, args...)...)
	if code != 0 {
		t.Fatalf("zoo train %s: exit %d\n%s\n%s", recipe, code, stdout, stderr)
	}
	return out
}

// wantError runs zoo with args and checks it fails with exit code 1 and a
// message containing each of wants.
func wantError(t *testing.T, args []string, wants ...string) {
	t.Helper()
	code, _, stderr := zoo(t, args...)
	if code != exitError {
		t.Errorf("zoo %v: exit %d, want %d; stderr %q", args, code, exitError, stderr)
		return
	}
	for _, w := range wants {
		if !strings.Contains(stderr, w) {
			t.Errorf("zoo %v: stderr %q lacks %q", args, stderr, w)
		}
	}
}
