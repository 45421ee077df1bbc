package pipeline

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// narrowConv makes conv-dae-mnist's run take moments: two stages of 4 and
// 2 filters, each pooled, a 2×7×7 code.
var narrowConv = []string{"model.conv=[{filters: 4, kernel: 3, activation: relu, pool: 2}, {filters: 2, kernel: 3, activation: relu, pool: 2}]"}

// TestConvRunIsDeterministic trains conv-dae-mnist (Gaussian noise drawn
// from the run's generator for every batch) twice with one seed: the
// weights and metrics must be bit-identical, the run directory complete,
// and the saved run must open as a model that encodes and reconstructs as
// the run measured.
func TestConvRunIsDeterministic(t *testing.T) {
	set := append(slices.Clone(small), narrowConv...)
	dir1, s1 := run(t, "conv-dae-mnist", set...)
	dir2, s2 := run(t, "conv-dae-mnist", set...)
	if !bytes.Equal(read(t, dir1, runs.WeightsFile), read(t, dir2, runs.WeightsFile)) {
		t.Error("two runs with the same seed saved different weights")
	}
	if m1, m2 := metricRows(t, dir1), metricRows(t, dir2); strings.Join(m1, "\n") != strings.Join(m2, "\n") {
		t.Errorf("metrics differ:\n%v\n%v", m1, m2)
	}
	if s1.TestReconstructionLoss != s2.TestReconstructionLoss || !(s1.TestReconstructionLoss > 0) || s1.TestLoss != s1.TestReconstructionLoss {
		t.Errorf("test reconstruction losses %v and %v (test loss %v)", s1.TestReconstructionLoss, s2.TestReconstructionLoss, s1.TestLoss)
	}
	if !slices.Equal(s1.InputShape, []int{28, 28}) || s1.Parameters != 4*9+4+2*4*9+2+2*2*9+2+4*2*9+4+1*4*9+1 {
		t.Errorf("summary: input shape %v, %d parameters", s1.InputShape, s1.Parameters)
	}
	// Originals, corrupted, reconstructions; and the first convolution's
	// four 3×3 kernels, 8 screen pixels a weight, in a one-pixel frame.
	for name, want := range map[string][2]int{runs.ReconstructionsFile: {7*len("reconstruction") + 8 + 10*57 + 1, 3*57 + 1}, runs.FiltersFile: {4*25 + 1, 25 + 1}} {
		img, err := png.Decode(bytes.NewReader(read(t, dir1, name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != want[0] || b.Dy() != want[1] {
			t.Errorf("%s is %d×%d, want %d×%d", name, b.Dx(), b.Dy(), want[0], want[1])
		}
	}
	ev, err := Evaluate(context.Background(), dir1, DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Test.Loss != s1.TestReconstructionLoss {
		t.Errorf("Evaluate: %+v; the run said %v", ev.Test, s1.TestReconstructionLoss)
	}

	m, err := runs.Load(dir1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.CodeUnits() != 2*7*7 {
		t.Errorf("code units %d, want 2×7×7", m.CodeUnits())
	}
	x := make([]float32, 3*784)
	for i := range x {
		x[i] = float32(i%29) / 29
	}
	codes, err := m.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := m.Reconstruct(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 3*98 || len(rec) != len(x) {
		t.Errorf("%d code values and %d reconstructed, want %d and %d", len(codes), len(rec), 3*98, len(x))
	}
	want := []runs.LayerInfo{
		{Name: "encoder.0", In: 1, Out: 4, Activation: "relu", Kernel: 3, Pool: 2},
		{Name: "encoder.1", In: 4, Out: 2, Activation: "relu", Kernel: 3, Pool: 2},
		{Name: "decoder.0", In: 2, Out: 2, Activation: "relu", Kernel: 3},
		{Name: "decoder.1", In: 2, Out: 4, Activation: "relu", Kernel: 3},
		{Name: "decoder.2", In: 4, Out: 1, Activation: "sigmoid", Kernel: 3},
	}
	if got := m.Layers(); !slices.Equal(got, want) {
		t.Errorf("layers\n%+v\nwant\n%+v", got, want)
	}
}

// TestConvInit: a conv-autoencoder run started from a saved model with a
// learning rate of 0 ends with exactly its weights; a model of other
// filters is refused, naming the tensor.
func TestConvInit(t *testing.T) {
	c := models.ConvAutoencoderConfig{Channels: 1, Height: 28, Width: 28, Output: models.Sigmoid, Encoder: []models.ConvLayer{
		{Filters: 4, Kernel: 3, Activation: models.ReLU, Pool: 2},
		{Filters: 2, Kernel: 3, Activation: models.ReLU, Pool: 2},
	}}
	m, err := models.NewConvAutoencoder(c, rng.New(99, "init"))
	if err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(t.TempDir(), "given.safetensors")
	if err := runs.SaveModel(init, m); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	dir, s, err := trainWith(t, "conv-dae-mnist", &recipes.Init{From: init}, &log, append(slices.Clone(narrowConv), "optimizer.lr=0")...)
	if err != nil {
		t.Fatal(err)
	}
	got, want := tensorBytes(t, filepath.Join(dir, runs.WeightsFile)), tensorBytes(t, init)
	if len(got) != 10 || len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("tensor %s changed with lr 0", name)
		}
	}
	if s.Init == nil || s.Init.Copied() != 10 || !strings.Contains(log.String(), "initial weights: all 10 tensors from "+init) {
		t.Errorf("summary init %+v; log:\n%s", s.Init, log.String())
	}
	_, _, err = trainWith(t, "conv-dae-mnist", &recipes.Init{From: init}, &bytes.Buffer{}, append(slices.Clone(narrowConv), "model.conv.0.filters=8")...)
	if err == nil || !strings.Contains(err.Error(), "encoder.0.weight") {
		t.Errorf("init from a model of other filters: %v", err)
	}
}

// TestConvPoolingMustFit: a conv-autoencoder whose poolings do not fit
// the pictures is refused, before any directory is made.
func TestConvPoolingMustFit(t *testing.T) {
	r, err := recipes.Builtin("conv-ae-mnist", recipes.Options{Set: append(slices.Clone(tinyRun),
		"model.conv=[{filters: 2, kernel: 3, activation: relu, pool: 7}, {filters: 2, kernel: 3, activation: relu, pool: 7}]")})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), r, Options{Out: dir}); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("pooling 28 → 4 → 1 by 7: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a run that could not start left its directory")
	}
}
