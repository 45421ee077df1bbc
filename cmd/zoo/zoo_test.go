package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/runs"
)

// zoo runs the CLI in-process and returns its exit code and output.
func zoo(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestListAndShow(t *testing.T) {
	code, out, _ := zoo(t, "list")
	if code != 0 || !strings.Contains(out, "mlp-mnist") {
		t.Errorf("zoo list: exit %d, output %q", code, out)
	}
	code, out, _ = zoo(t, "show", "mlp-mnist")
	if code != 0 || !strings.Contains(out, "optimizer:") {
		t.Errorf("zoo show: exit %d, output %q", code, out)
	}
	code, _, errOut := zoo(t, "show", "mlp-mnsit")
	if code != 1 || !strings.Contains(errOut, `did you mean "mlp-mnist"?`) {
		t.Errorf("zoo show typo: exit %d, stderr %q", code, errOut)
	}
}

// TestTrainDeterministic is the foundation's reproducibility promise: the
// same seed gives the same numbers and byte-identical weights; another seed
// gives other weights.
func TestTrainDeterministic(t *testing.T) {
	dir := t.TempDir()
	train := func(name, seed string) string {
		out := filepath.Join(dir, name)
		code, stdout, stderr := zoo(t, "train", "mlp-mnist", "--quick", "--seed", seed, "--out", out)
		if code != 0 {
			t.Fatalf("zoo train: exit %d\n%s\n%s", code, stdout, stderr)
		}
		return out
	}
	a, b, c := train("a", "7"), train("b", "7"), train("c", "8")

	wa, wb, wc := readFile(t, a, runs.WeightsFile), readFile(t, b, runs.WeightsFile), readFile(t, c, runs.WeightsFile)
	if !bytes.Equal(wa, wb) {
		t.Error("same seed, different weight files")
	}
	if bytes.Equal(wa, wc) {
		t.Error("seeds 7 and 8 gave identical weight files")
	}
	if ma, mb := metricsWithoutTime(t, a), metricsWithoutTime(t, b); ma != mb {
		t.Errorf("same seed, different metrics:\n%s\n%s", ma, mb)
	}
	sa, sb := summaryWithoutTime(t, a), summaryWithoutTime(t, b)
	if sa != sb {
		t.Errorf("same seed, different summaries:\n%s\n%s", sa, sb)
	}
	var s runs.Summary
	if err := json.Unmarshal(readFile(t, a, runs.SummaryFile), &s); err != nil {
		t.Fatal(err)
	}
	if s.Recipe != "mlp-mnist" || s.Seed != 7 || s.Epochs != 1 || s.TestError <= 0 || s.TestError >= 1 {
		t.Errorf("summary %+v", s)
	}
	if want := cblas.Current().String(); s.BLAS != want {
		t.Errorf("summary says blas %q, want %q (zoo version's)", s.BLAS, want)
	}

	// eval reproduces the test error from the saved weights.
	code, out, errOut := zoo(t, "eval", a, "--json")
	if code != 0 {
		t.Fatalf("zoo eval: exit %d: %s", code, errOut)
	}
	var ev pipeline.Evaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("zoo eval --json: %v\n%s", err, out)
	}
	if ev.Test.Error != s.TestError || ev.Test.Loss != s.TestLoss {
		t.Errorf("eval gives error %v loss %v, training reported %v %v", ev.Test.Error, ev.Test.Loss, s.TestError, s.TestLoss)
	}

	// A second train into the same directory must not touch the model.
	code, _, errOut = zoo(t, "train", "mlp-mnist", "--quick", "--seed", "9", "--out", a)
	if code == 0 || !strings.Contains(errOut, "already holds a run") {
		t.Errorf("train over an existing run: exit %d, %q", code, errOut)
	}
	if !bytes.Equal(readFile(t, a, runs.WeightsFile), wa) {
		t.Error("the existing model was changed")
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\ndata: {name: mnist}\nmodel: {type: mlp}\nloss: cross-entropy\noptimizer: {name: sgd}\nbatch_size: -1\nepochs: 1\n"), 0o644)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", bad}, 1, "line 6: batch_size: must be ≥ 1, got -1"},
		{[]string{"train", filepath.Join(dir, "missing.yaml")}, 1, "neither a built-in recipe"},
		{[]string{"train", "mlp-mnist", "--seed", "x"}, 1, `--seed "x"`},
		{[]string{"train", "mlp-mnist", "--set", "optimizer.lr=-1"}, 1, "invalid lr -1"},
		{[]string{"train", "mlp-mnist", "--quick", "--data", dir, "--out", filepath.Join(dir, "r")}, 1, "train-images-idx3-ubyte"},
		{[]string{"eval", dir}, 1, "not a run directory"},
		// A huge rate makes the loss explode: a clear message and its own exit code.
		{[]string{"train", "mlp-mnist", "--quick", "--set", "optimizer.lr=1e6", "--out", filepath.Join(dir, "d")}, exitDiverged, "diverged at update"},
	}
	for _, tt := range tests {
		code, _, errOut := zoo(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("zoo %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want)
		}
	}
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// metricsWithoutTime returns metrics.csv without its seconds column.
func metricsWithoutTime(t *testing.T, dir string) string {
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, dir, runs.MetricsFile))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r[:len(r)-1], ",") + "\n")
	}
	return b.String()
}

func summaryWithoutTime(t *testing.T, dir string) string {
	var m map[string]any
	if err := json.Unmarshal(readFile(t, dir, runs.SummaryFile), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "seconds")
	delete(m, "matmul_gflops_per_s") // a rate: flops over seconds
	out, _ := json.Marshal(m)
	return string(out)
}

// TestRegularizedRunsDeterministic: dropout masks and input noise come from
// the run's seed too, so a regularized run repeats bit for bit.
func TestRegularizedRunsDeterministic(t *testing.T) {
	dir := t.TempDir()
	var weights [2][]byte
	for i := range weights {
		out := filepath.Join(dir, strconv.Itoa(i))
		code, stdout, stderr := zoo(t, "train", "mlp-mnist-dropout", "--quick", "--out", out,
			"--set", "regularizers.noise={method: stochastic, sigma: 0.2, k: 2}", "--set", "regularizers.l2=1e-4")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		weights[i] = readFile(t, out, runs.WeightsFile)
	}
	if !bytes.Equal(weights[0], weights[1]) {
		t.Error("two runs of a recipe with dropout, noise and L2 gave different weights")
	}
}

// TestTrainCPUProfile checks that --cpuprofile writes a profile in
// pprof's format: a gzipped protocol buffer whose strings name the CPU
// sample types.
func TestTrainCPUProfile(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "cpu.prof")
	code, stdout, stderr := zoo(t, "train", "mlp-mnist", "--quick", "--set", "data.train=500", "--out", filepath.Join(dir, "run"), "--cpuprofile", prof)
	if code != 0 {
		t.Fatalf("zoo train --cpuprofile: exit %d\n%s\n%s", code, stdout, stderr)
	}
	zr, err := gzip.NewReader(bytes.NewReader(readFile(t, dir, "cpu.prof")))
	if err != nil {
		t.Fatalf("the CPU profile is not gzipped: %v", err)
	}
	pb, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the CPU profile does not decompress: %v", err)
	}
	for _, s := range []string{"samples", "count", "cpu", "nanoseconds"} {
		if !bytes.Contains(pb, []byte(s)) {
			t.Errorf("the CPU profile does not name %q", s)
		}
	}
}
