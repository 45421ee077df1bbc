package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
)

// shippedCache keeps the test's unpacked shipped models out of the user's
// cache directory.
func shippedCache(t *testing.T) {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux and the BSDs
	t.Setenv("HOME", cache)           // on macOS
}

// TestShippedModels drives the commands that read a finished run with
// zoo:NAME, a model zoo ships trained: each names the run as given, eval
// gives the recorded figures, train --init starts from the weights, and
// nothing is written into the shipped copy.
func TestShippedModels(t *testing.T) {
	shippedCache(t)
	dir := t.TempDir()
	for _, name := range []string{"mlp-mnist", "dae-mnist", "sdae-mnist"} {
		if !shipped.Has(name) {
			t.Fatalf("zoo does not ship %s", name)
		}
	}
	mlpDir, err := shipped.Dir("mlp-mnist")
	if err != nil {
		t.Fatal(err)
	}
	s, err := runs.ReadSummary(mlpDir)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(args ...string) string {
		t.Helper()
		code, out, stderr := zoo(t, args...)
		if code != 0 {
			t.Fatalf("zoo %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
		}
		return out
	}

	var ev pipeline.Evaluation
	if err := json.Unmarshal([]byte(ok("eval", "zoo:mlp-mnist", "--json")), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Dir != "zoo:mlp-mnist" || ev.Recipe != "mlp-mnist" || ev.Metrics.N != s.Test {
		t.Errorf("zoo eval zoo:mlp-mnist --json: dir %q, recipe %q, %d examples", ev.Dir, ev.Recipe, ev.Metrics.N)
	}
	if cblas.Current().Kernel == "avx2" && (ev.Metrics.Error != s.TestError || ev.Metrics.Loss != s.TestLoss) {
		t.Errorf("zoo eval zoo:mlp-mnist: error %v, loss %v; recorded %v, %v on the same kernel", ev.Metrics.Error, ev.Metrics.Loss, s.TestError, s.TestLoss)
	}
	if out, want := ok("eval", "zoo:mlp-mnist", "--limit", "100"), "zoo:mlp-mnist (mlp-mnist): test error "; !strings.HasPrefix(out, want) {
		t.Errorf("zoo eval: %q, want it to start %q", out, want)
	}

	data, err := datasets.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	digit := filepath.Join(dir, "digit.png")
	writePicture(t, digit, userDrawn(t, data.Test.Row(0), 4))
	for _, model := range []string{"zoo:mlp-mnist", "zoo:sdae-mnist"} {
		if out := ok("predict", model, digit); !strings.HasPrefix(out, digit+"  7  (7 ") {
			t.Errorf("zoo predict %s: %q, want the digit 7", model, out)
		}
	}

	codes := filepath.Join(dir, "codes.npy")
	if out, want := ok("encode", "zoo:dae-mnist", "--out", codes), "wrote the 256-unit codes of 10000 test examples to "+codes+"\n"; out != want {
		t.Errorf("zoo encode: %q, want %q", out, want)
	}
	grid := filepath.Join(dir, "grid.png")
	if out := ok("reconstruct", "zoo:dae-mnist", "--out", grid, "--n", "4"); !strings.Contains(out, "rows: originals, corrupted (mask 0.3), reconstructions") {
		t.Errorf("zoo reconstruct: %q", out)
	}
	for _, png := range []string{grid, filepath.Join(dir, "filters.png")} {
		if png != grid {
			ok("filters", "zoo:dae-mnist", "--out", png)
		}
		if _, err := images.Load(png, images.LoadOptions{Width: 28, Height: 28}); err != nil {
			t.Errorf("%s: %v", png, err)
		}
	}
	sdaeDir, err := shipped.Dir("sdae-mnist")
	if err != nil {
		t.Fatal(err)
	}
	if out, want := ok("inspect", "zoo:sdae-mnist"), "zoo:sdae-mnist, shipped with zoo, unpacked in "+sdaeDir; !strings.Contains(out, want) {
		t.Errorf("zoo inspect zoo:sdae-mnist lacks %q:\n%s", want, out)
	}
	var cmp compareJSON
	if err := json.Unmarshal([]byte(ok("compare", "zoo:mlp-mnist", "zoo:sdae-mnist", "--json")), &cmp); err != nil {
		t.Fatal(err)
	}
	if len(cmp.Runs) != 2 || cmp.Runs[0].Dir != "zoo:mlp-mnist" || cmp.Runs[1].Dir != "zoo:sdae-mnist" ||
		!cmp.Runs[0].Finished || len(cmp.Runs[0].Curve) != s.Epochs || cmp.Runs[0].Summary.TestError != s.TestError {
		t.Errorf("zoo compare zoo:mlp-mnist zoo:sdae-mnist --json: %+v", cmp.Runs)
	}

	run := filepath.Join(dir, "from-shipped")
	ok("train", "mlp-mnist", "--quick", "--init", "zoo:mlp-mnist", "--out", run)
	got, err := runs.ReadSummary(run)
	if err != nil {
		t.Fatal(err)
	}
	if got.Init == nil || got.Init.From != filepath.Join(mlpDir, runs.WeightsFile) || got.Init.Copied() != len(got.Init.Tensors) {
		t.Errorf("zoo train --init zoo:mlp-mnist: init %+v, want every tensor from %s", got.Init, filepath.Join(mlpDir, runs.WeightsFile))
	}

	// The copies read hold the shipped files alone, unchanged.
	for _, name := range shipped.Names() {
		d, err := shipped.Dir(name)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if want := slices.Sorted(slices.Values(shipped.Files)); !slices.Equal(names, want) {
			t.Errorf("%s holds %v, want %v", d, names, want)
		}
		for _, f := range shipped.Files {
			b, err := os.ReadFile(filepath.Join(d, f))
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := shippedFile(name, f); string(b) != string(want) {
				t.Errorf("%s changed", filepath.Join(d, f))
			}
		}
	}
}

// shippedFile is one of the files zoo ships of the model name, from the
// repository's copy.
func shippedFile(name, file string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "..", "shipped", name, file))
}

// TestListMarksShipped: zoo list has zoo:NAME beside the recipes that
// ship trained, and no others.
func TestListMarksShipped(t *testing.T) {
	code, out, stderr := zoo(t, "list")
	if code != 0 {
		t.Fatalf("zoo list: exit %d: %s", code, stderr)
	}
	var marked []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[1] == fmt.Sprintf("zoo:%s", f[0]) {
			marked = append(marked, f[0])
		}
	}
	if !slices.Equal(marked, shipped.Names()) {
		t.Errorf("zoo list marks %v, zoo ships %v:\n%s", marked, shipped.Names(), out)
	}
}
