package main

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestTrainVAE drives the commands on a variational autoencoder with a
// 2-D code: train reports the negative ELBO and writes its figures, eval
// measures the same figure again, encode writes 2-D codes, reconstruct and
// filters draw, inspect names the Gaussian code.
func TestTrainVAE(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "vae")
	code, stdout, stderr := zoo(t, "train", "vae-mnist-2d", "--quick", "--set", "data.train=1000", "--set", "epochs=1", "--out", out)
	if code != 0 || !strings.Contains(stdout, "test negative ELBO") || strings.Contains(stdout, "test error") {
		t.Fatalf("zoo train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, f := range []string{runs.ReconstructionsFile, runs.FiltersFile, runs.SamplesFile, runs.LatentGridFile, runs.LatentCodesFile, runs.WeightsFile} {
		readFile(t, out, f)
	}
	sum, err := runs.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = zoo(t, "eval", out)
	if want := strconv.FormatFloat(sum.TestELBONats, 'f', 2, 64); code != 0 || !strings.Contains(stdout, "test negative ELBO "+want+" nats") {
		t.Errorf("zoo eval: exit %d, want the summary's %s nats\n%s\n%s", code, want, stdout, stderr)
	}
	codes := filepath.Join(dir, "codes.csv")
	if code, _, stderr := zoo(t, "encode", out, "--out", codes); code != 0 {
		t.Fatalf("zoo encode: exit %d: %s", code, stderr)
	}
	f, err := os.Open(codes)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 1001 || strings.Join(rows[0], ",") != "label,c0,c1" {
		t.Fatalf("codes.csv: %d rows, header %v, %v", len(rows), rows[0], err)
	}
	for _, row := range rows[1:] {
		for _, c := range row[1:] {
			if v, err := strconv.ParseFloat(c, 64); err != nil || math.IsNaN(v) || math.Abs(v) > 100 {
				t.Fatalf("a code %q", c)
			}
		}
	}
	for _, args := range [][]string{
		{"reconstruct", out, "--out", filepath.Join(dir, "rec.png")},
		{"filters", out, "--out", filepath.Join(dir, "filters.png")},
	} {
		if code, _, stderr := zoo(t, args...); code != 0 {
			t.Errorf("zoo %s: exit %d: %s", args[0], code, stderr)
		}
	}
	code, stdout, stderr = zoo(t, "inspect", out)
	for _, want := range []string{"2-D Gaussian code z", "latent.mean", "latent.logvar", "negative ELBO (nats per example)"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("zoo inspect: exit %d, no %q\n%s\n%s", code, want, stdout, stderr)
		}
	}
	if code, _, stderr := zoo(t, "predict", out, filepath.Join(dir, "rec.png")); code != 1 || !strings.Contains(stderr, "does not classify") {
		t.Errorf("zoo predict on a vae: exit %d: %s", code, stderr)
	}
	// --init: a run starting from the first one's weights takes all ten
	// tensors.
	again := filepath.Join(dir, "again")
	if code, _, stderr := zoo(t, "train", "vae-mnist-2d", "--quick", "--set", "data.train=1000", "--set", "epochs=1", "--init", out, "--out", again); code != 0 {
		t.Fatalf("zoo train --init: exit %d: %s", code, stderr)
	}
	s2, err := runs.ReadSummary(again)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Init == nil || s2.Init.Copied() != 10 || s2.Init.Partial {
		t.Errorf("summary.json's init: %+v", s2.Init)
	}
}
