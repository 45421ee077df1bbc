package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestBenchJSON runs the smallest workload briefly and checks the JSON
// object's shape (speed itself is measured, never asserted).
func TestBenchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("times real training steps; skipped with -short")
	}
	code, out, errOut := zoo(t, "bench", "--quick", "--json", "--only", "mlp/1")
	if code != 0 {
		t.Fatalf("zoo bench: exit %d: %s", code, errOut)
	}
	var rep struct {
		BLAS        string  `json:"blas"`
		SgemmGFLOPS float64 `json:"sgemm_gflops"`
		Workloads   []struct {
			Name             string  `json:"name"`
			Batch            int     `json:"batch"`
			SamplesPerSecond float64 `json:"samples_per_second"`
			GFLOPS           float64 `json:"gflops"`
			SgemmFraction    float64 `json:"sgemm_fraction"`
			PeakRSSMiB       float64 `json:"peak_rss_mib"`
		} `json:"workloads"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("more than one JSON value:\n%s", out)
	}
	if rep.BLAS == "" || rep.SgemmGFLOPS <= 0 || len(rep.Workloads) != 1 {
		t.Fatalf("report %+v", rep)
	}
	w := rep.Workloads[0]
	if w.Name != "mlp" || w.Batch != 1 || w.SamplesPerSecond <= 0 || w.GFLOPS <= 0 {
		t.Errorf("workload %+v", w)
	}
	if want := w.GFLOPS / rep.SgemmGFLOPS; math.Abs(w.SgemmFraction-want) > 1e-12*want {
		t.Errorf("sgemm_fraction %v, want gflops / sgemm_gflops = %v", w.SgemmFraction, want)
	}
}

func TestBenchBadWorkload(t *testing.T) {
	code, _, errOut := zoo(t, "bench", "--only", "cnn")
	if code != 1 || !strings.Contains(errOut, `unknown workload "cnn"`) || !strings.Contains(errOut, "known: conv, dae, mlp") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = zoo(t, "bench", "--only", "mlp/0")
	if code != 1 || !strings.Contains(errOut, "positive integer") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
