package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// interopEnv set to 1 makes TestInteropNumPy fail, rather than skip, when
// no Python 3 with NumPy is found; .ci/run sets it after installing
// Debian's python3-numpy.
const interopEnv = "ZOO_INTEROP"

// numpyPython returns a Python 3 that imports numpy: Debian's
// /usr/bin/python3 first, then python3 on the PATH.
func numpyPython(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	if os.Getenv(interopEnv) == "1" {
		t.Fatalf("%s=1 but no Python 3 with NumPy (tried %v); install python3-numpy", interopEnv, candidates)
	}
	t.Skipf("no Python 3 with NumPy (tried %v); set %s=1 to make this a failure", candidates, interopEnv)
	return ""
}

// numpyResult is what scripts/interop_numpy.py --json prints.
type numpyResult struct {
	N        int     `json:"n"`
	Wrong    int     `json:"wrong"`
	Error    float64 `json:"error"`
	Loss     float64 `json:"loss"`
	NearTies int     `json:"near_ties"`
}

// runNumPy runs scripts/interop_numpy.py on a run with args.
func runNumPy(t *testing.T, py, run string, args ...string) numpyResult {
	t.Helper()
	script := filepath.Join("..", "..", "scripts", "interop_numpy.py")
	cmd := exec.Command(py, append([]string{script, run, "--json"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if e, ok := err.(*exec.ExitError); ok {
			stderr = string(e.Stderr)
		}
		t.Fatalf("%s %s %s: %v\n%s", py, script, run, err, stderr)
	}
	var r numpyResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("interop_numpy.py printed %q: %v", out, err)
	}
	return r
}

// evalJSON runs zoo eval --json on run.
func evalJSON(t *testing.T, run string) (n int, errRate, loss float64) {
	t.Helper()
	code, stdout, stderr := zoo(t, "eval", run, "--json")
	if code != 0 {
		t.Fatalf("zoo eval %s --json: exit %d\n%s", run, code, stderr)
	}
	var ev struct {
		Test struct {
			Loss  float64 `json:"loss"`
			Error float64 `json:"error"`
			N     int     `json:"n"`
		} `json:"test"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatalf("zoo eval --json printed %q: %v", stdout, err)
	}
	return ev.Test.N, ev.Test.Error, ev.Test.Loss
}

// wantClose fails unless got is within rel (relative) of want.
func wantClose(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s: NumPy %.10g, zoo %.10g (relative difference %.2g, want ≤ %g)", what, got, want, math.Abs(got-want)/math.Abs(want), rel)
	}
}

// TestInteropNumPy checks docs/interop.md's claim: a run's weights, read
// by NumPy alone (scripts/interop_numpy.py, no zoo code), classify the
// test digits exactly as zoo does — the same number wrong — and give
// zoo's losses, for a classifier (mlp-mnist) and a tied denoising
// autoencoder (dae-mnist: no decoder weight in the file).
func TestInteropNumPy(t *testing.T) {
	py := numpyPython(t)
	dir := t.TempDir()
	mlp := trainForTest(t, filepath.Join(dir, "mlp"), "mlp-mnist", "--quick")
	dae := trainForTest(t, filepath.Join(dir, "dae"), "dae-mnist", "--quick", "--set", "epochs=1", "--set", "data.train=1000")

	t.Run("mlp eval", func(t *testing.T) {
		// zoo eval scores the recipe's data.test, the first 1,000 test
		// digits of the quick profile; the script reads the same limit
		// from the file's zoo.recipe, and is given it too.
		n, errRate, loss := evalJSON(t, mlp)
		for _, args := range [][]string{nil, {"--limit", strconv.Itoa(n)}} {
			got := runNumPy(t, py, mlp, args...)
			wrong := int(math.Round(errRate * float64(n)))
			if got.N != n || got.Wrong != wrong {
				t.Errorf("interop_numpy.py %v: %d wrong of %d, zoo eval %d of %d", args, got.Wrong, got.N, wrong, n)
			}
			wantClose(t, "test loss", got.Loss, loss, 1e-6)
		}
	})

	t.Run("mlp full test split", func(t *testing.T) {
		if testing.Short() {
			t.Skip("scores all 10,000 test digits twice; not with -short")
		}
		m, err := runs.Load(mlp)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		s, err := datasets.MNIST()
		if err != nil {
			t.Fatal(err)
		}
		zm, err := m.Evaluate(s.Test)
		if err != nil {
			t.Fatal(err)
		}
		got := runNumPy(t, py, mlp, "--limit", strconv.Itoa(s.Test.Len()))
		wrong := int(math.Round(zm.Error * float64(zm.N)))
		if got.N != zm.N || got.Wrong != wrong {
			t.Errorf("all test digits: NumPy %d wrong of %d, zoo %d of %d", got.Wrong, got.N, wrong, zm.N)
		}
		wantClose(t, "test loss", got.Loss, zm.Loss, 1e-6)
		t.Logf("%d of %d wrong in both; digits with their top two logits within 1e-4: %d", wrong, zm.N, got.NearTies)
	})

	t.Run("tied autoencoder", func(t *testing.T) {
		n, _, loss := evalJSON(t, dae)
		got := runNumPy(t, py, dae)
		if got.N != n {
			t.Errorf("interop_numpy.py scored %d examples, zoo eval %d", got.N, n)
		}
		wantClose(t, "reconstruction loss", got.Loss, loss, 1e-6)
	})

	// The other way: a model file written by Python (the script's
	// --save-model, the layout docs/interop.md gives PyTorch users) loads
	// with runs.LoadModel and, made a run, scores exactly as the original.
	for _, run := range []string{mlp, dae} {
		t.Run("model file from Python "+filepath.Base(run), func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "from-python.safetensors")
			runNumPy(t, py, run, "--save-model", file)
			m, err := runs.LoadModel(file)
			if err != nil {
				t.Fatal(err)
			}
			n, errRate, loss := evalJSON(t, run)
			imported := filepath.Join(t.TempDir(), "run")
			err = runs.WriteRun(imported, m, runs.RunInfo{
				Data:  recipes.Data{Name: "mnist", Test: n},
				Shape: []int{28, 28},
			})
			if err != nil {
				t.Fatal(err)
			}
			n2, errRate2, loss2 := evalJSON(t, imported)
			if n2 != n || errRate2 != errRate || loss2 != loss {
				t.Errorf("zoo eval of the Python-written model: n %d, error %v, loss %v; of the run: n %d, error %v, loss %v",
					n2, errRate2, loss2, n, errRate, loss)
			}
		})
	}
}
