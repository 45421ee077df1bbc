package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

func testCompare(t *testing.T, mlp, dae string) {
	dir := t.TempDir()
	path := filepath.Join(dir, "curves.png")
	code, out, stderr := zoo(t, "compare", mlp, dae, "--out", path)
	if code != 0 {
		t.Fatalf("zoo compare: exit %d\n%s%s", code, out, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !slices.Equal(strings.Fields(lines[0]), strings.Fields("RUN RECIPE SEED EPOCHS TEST ERROR TEST LOSS RECON LOSS SECONDS")) ||
		!strings.HasPrefix(lines[1], mlp+" ") || !strings.Contains(lines[1], "mlp-mnist") || !strings.Contains(lines[1], "%") ||
		!strings.HasPrefix(lines[2], dae+" ") || !strings.Contains(lines[2], "dae-mnist") || !strings.Contains(lines[3], "validation loss curves written to "+path) {
		t.Errorf("zoo compare:\n%s", out)
	}
	if _, err := png.Decode(bytes.NewReader(readFile(t, dir, "curves.png"))); err != nil {
		t.Errorf("curves.png: %v", err)
	}
	// Classifiers alone: their error, here as SVG.
	code, out, stderr = zoo(t, "compare", mlp, "--out", filepath.Join(dir, "curves.svg"))
	if code != 0 || !strings.Contains(out, "validation error curves") || !bytes.Contains(readFile(t, dir, "curves.svg"), []byte("<svg")) {
		t.Errorf("zoo compare --out .svg: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = zoo(t, "compare", mlp, dae, "--metric", "error", "--out", path)
	if code != exitError || out != "" || !strings.Contains(stderr, dae+" has no validation error") || !strings.Contains(stderr, "--metric loss") {
		t.Errorf("an autoencoder's error curve: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestCompareLayouts compares hand-made run directories: an sdae's (both
// phases in metrics.csv), an interrupted run's (no summary yet) and a
// classifier's that stopped early.
func TestCompareLayouts(t *testing.T) {
	root := t.TempDir()
	write := func(dir, name, text string) {
		t.Helper()
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	summary := func(s runs.Summary) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	sdae := filepath.Join(root, "a", "run")
	write(sdae, runs.SummaryFile, summary(runs.Summary{Recipe: "sdae-mnist", Seed: 3, Epochs: 2, TestError: 0.0125, TestLoss: 0.05, Seconds: 61.25, BLAS: "openblas 0.3.21"}))
	write(sdae, runs.MetricsFile, `phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds
pretrain,0,1,0.3,0.2,,0.001,1
pretrain,1,1,0.3,0.2,,0.001,1
finetune,,1,0.2,0.1,0.03,0.001,2
finetune,,2,0.1,0.08,0.02,0.0005,2
`)
	cut := filepath.Join(root, "b", "run") // the same base name: shown whole in the legend
	mlpRecipe, err := recipes.Source("mlp-mnist")
	if err != nil {
		t.Fatal(err)
	}
	write(cut, runs.RecipeFile, string(mlpRecipe))
	write(cut, runs.MetricsFile, "epoch,train_loss,val_loss,val_error,lr,seconds\n1,0.5,0.4,0.1,0.05,3\n2,0.3,0.3,0.08,0.05,3\n")
	early := filepath.Join(root, "early")
	write(early, runs.SummaryFile, summary(runs.Summary{Recipe: "mlp-mnist-early-stopping", Seed: 1, Epochs: 8, BestEpoch: 5, BestUpdate: 75, StopReason: "patience", TestError: 0.1, TestLoss: 0.3, Seconds: 4, BLAS: "pure Go"}))
	write(early, runs.MetricsFile, "epoch,train_loss,val_loss,val_error,lr,seconds\n1,0.5,0.4,0.1,0.2,1\n")

	out := filepath.Join(root, "curves.pdf")
	code, stdout, stderr := zoo(t, "compare", sdae, cut, early, "--out", out)
	if code != 0 {
		t.Fatalf("zoo compare: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		sdae + "  sdae-mnist                3     2",
		"1.25%", "61.2",
		cut + "  mlp-mnist                 1     2 (unfinished)  -",
		"8 (best 5)",
		"validation error curves written to " + out,
		"note: these runs' matrix products were computed by different BLAS",
		"  " + sdae + ": openblas 0.3.21\n  " + early + ": pure Go\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("zoo compare lacks %q:\n%s", want, stdout)
		}
	}
	if _, stdout, _ := zoo(t, "compare", sdae, cut); strings.Contains(stdout, "note:") {
		t.Errorf("a BLAS note with one BLAS among the finished runs:\n%s", stdout)
	}
	if strings.Contains(stdout, "RECON LOSS") {
		t.Errorf("a recon loss column without autoencoders:\n%s", stdout)
	}
	if !bytes.HasPrefix(readFile(t, root, "curves.pdf"), []byte("%PDF")) {
		t.Error("curves.pdf is not a PDF")
	}
	got := curveLabels([]*comparedRun{{dir: sdae}, {dir: cut}, {dir: early}})
	if !slices.Equal(got, []string{sdae, cut, "early"}) {
		t.Errorf("legend labels %v", got)
	}

	empty := t.TempDir()
	wantError(t, []string{"compare", sdae, empty}, empty+" is not a run directory")
	write(empty, runs.MetricsFile, "a,b\n")
	wantError(t, []string{"compare", empty}, "unknown columns")
	write(empty, runs.SummaryFile, "{")
	wantError(t, []string{"compare", empty}, runs.SummaryFile, "unexpected end of JSON")
}

func TestCompareArgs(t *testing.T) {
	wantError(t, []string{"compare"}, "want one or more run directories")
	wantError(t, []string{"compare", "run", "--out", "curves.gif"}, "name the plot .png, .svg or .pdf")
	wantError(t, []string{"compare", "run", "--metric", "accuracy"}, `--metric "accuracy": want auto, error or loss`)
}
