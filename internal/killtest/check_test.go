package killtest

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// tinyData writes an MNIST look-alike of random images (60 for training,
// 10 for test) and returns its directory.
func tinyData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	write := func(name string, dims []uint32, below int) {
		b := []byte{0, 0, 0x08, byte(len(dims))}
		n := 1
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, d)
			n *= int(d)
		}
		for range n {
			b = append(b, byte(r.IntN(below)))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("train-images-idx3-ubyte", []uint32{60, 28, 28}, 256)
	write("train-labels-idx1-ubyte", []uint32{60}, 10)
	write("t10k-images-idx3-ubyte", []uint32{10, 28, 28}, 256)
	write("t10k-labels-idx1-ubyte", []uint32{10}, 10)
	return dir
}

func TestCheck(t *testing.T) {
	data := tinyData(t)
	r, err := recipes.Parse("tiny.yaml", []byte(`name: tiny
data: {name: mnist}
model: {type: mlp, layers: [{units: 4, activation: relu}]}
loss: cross-entropy
optimizer: {name: momentum, lr: 0.1, momentum: 0.9}
batch_size: 10
epochs: 3
`), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	o := runs.Options{Out: dir, DataDir: data}

	// Interrupted after its first update: a checkpoint, no metrics yet.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := runs.Train(ctx, r, o); err == nil {
		t.Fatal("a cancelled run succeeded")
	}
	rep, err := Check(dir, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.String(); got != "recipe, checkpoint (epoch 1, update 1)" {
		t.Errorf("interrupted run: %s", got)
	}

	// A write killed before its rename leaves a temporary file: listed,
	// not an error, and gone after the resume.
	stray := filepath.Join(dir, ".checkpoint.safetensors.tmp-123")
	if err := os.WriteFile(stray, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep, err := Check(dir, data); err != nil || len(rep.Stray) != 1 {
		t.Errorf("with a stray file: %v, %v", rep, err)
	}
	ckpt, err := os.ReadFile(filepath.Join(dir, runs.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runs.Resume(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	rep, err = Check(dir, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.String(); got != "recipe, metrics (3 epochs), model, summary" {
		t.Errorf("finished run: %s", got)
	}

	// Damaged files are errors.
	for _, tt := range []struct {
		file string
		data []byte
		want string
	}{
		{runs.WeightsFile, []byte("not a model"), "load weights"},
		{runs.CheckpointFile, ckpt[:len(ckpt)/2], "truncated"},
		{runs.MetricsFile, []byte("epoch,train_loss\n1,2\n"), "unexpected header"},
		{runs.RecipeFile, []byte("name: [\n"), "recipe"},
	} {
		bad := filepath.Join(t.TempDir(), "bad")
		if err := os.CopyFS(bad, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bad, tt.file), tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Check(bad, data); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("damaged %s: error %v, want one with %q", tt.file, err, tt.want)
		}
	}
}
