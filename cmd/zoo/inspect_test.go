package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

func testInspect(t *testing.T, mlp, dae string) {
	code, out, stderr := zoo(t, "inspect", mlp)
	if code != 0 {
		t.Fatalf("zoo inspect: exit %d: %s", code, stderr)
	}
	s, err := runs.ReadSummary(mlp)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"mlp-mnist: MLP 784-512-256-10",
		"mlp: a classifier of 28×28 inputs into 10 classes",
		"784 → 512 relu → 256 relu → 10 linear",
		"layers.0.weight  F32  [784, 512]  401408",
		"layers.2.bias    F32  [10]        10",
		"parameters  535818 (2.0 MiB)",
		"seed 1; 1 epoch, 39 updates of batch 128",
		"optimizer momentum {lr: 0.05, momentum: 0.9}",
		"5000 training, 1000 validation, 1000 test examples",
		"from zoo's built-in copy (train-images-idx3-ubyte.gz sha256 440fcabf73cc…)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("zoo inspect lacks %q:\n%s", want, out)
		}
	}
	if s.Parameters != 535818 {
		t.Errorf("the summary counts %d parameters", s.Parameters)
	}

	code, out, stderr = zoo(t, "inspect", dae, "--json")
	if code != 0 {
		t.Fatalf("zoo inspect --json: exit %d: %s", code, stderr)
	}
	var in inspection
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if in.Type != "autoencoder" || in.CodeUnits != 256 || in.Classes != 0 || len(in.Layers) != 2 || in.Layers[1].TiedTo != "encoder.0" ||
		len(in.Tensors) != 3 || in.Parameters != 784*256+256+784 || in.Summary == nil || in.Summary.TestReconstructionLoss == 0 {
		t.Errorf("zoo inspect --json: %+v", in)
	}
	code, out, _ = zoo(t, "inspect", dae)
	if code != 0 || !strings.Contains(out, "reconstruction loss (bce)") || !strings.Contains(out, "corruption {type: mask, level: 0.3}") || !strings.Contains(out, "(weight: encoder.0.weight transposed)") {
		t.Errorf("zoo inspect (autoencoder):\n%s", out)
	}
	wantError(t, []string{"inspect", t.TempDir()}, "not a finished run directory")
}
