package pipeline

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// mlpFlops is the matrix-product work of an mlp run, worked out from its
// shapes: a training step on a batch of b is 2·b·in·out per layer forward,
// the same again for the weight gradients, and again for the input
// gradients of every layer but the first (the program computes no gradient
// for the data); an evaluation runs the inference graph forward on chunks
// of evalBatch examples, the last one padded.
func mlpFlops(sizes []int, b, steps, evalBatch int, evaluated ...int) int64 {
	var layers, inner int64
	for i := 1; i < len(sizes); i++ {
		io := int64(sizes[i-1]) * int64(sizes[i])
		layers += io
		if i > 1 {
			inner += io
		}
	}
	step := 2*int64(b)*layers*2 + 2*int64(b)*inner
	total := int64(steps) * step
	for _, n := range evaluated {
		chunks := (n + evalBatch - 1) / evalBatch
		total += int64(chunks) * 2 * int64(evalBatch) * layers
	}
	return total
}

// TestMatmulFlops: an mlp run's matmul_flops is exactly the work its
// shapes give (so every product of the run is counted, and only those),
// its rate is flops over seconds, the epoch lines show the rate, and a
// run interrupted and resumed counts the same work as one that was not.
func TestMatmulFlops(t *testing.T) {
	set := []string{"epochs=2", "data.train=1000", "data.validation=300", "data.test=1200"}
	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s, err := Train(context.Background(), r, Options{Out: filepath.Join(t.TempDir(), "run"), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	// 1000 examples in batches of 128: 7 updates an epoch. Validation
	// after each epoch (1 chunk of 1000); the test set evaluated and
	// predicted in one pass (2 chunks).
	want := mlpFlops([]int{784, 512, 256, 10}, 128, 2*7, 1000, 300, 300, 1200)
	if s.MatmulFlops != want {
		t.Errorf("matmul_flops %d, want %d", s.MatmulFlops, want)
	}
	if rate := float64(s.MatmulFlops) / s.Seconds / 1e9; s.MatmulGFLOPS != rate {
		t.Errorf("matmul_gflops_per_s %v, want %v (flops / seconds / 1e9)", s.MatmulGFLOPS, rate)
	}
	if n := strings.Count(log.String(), " GFLOP/s\n"); n != 2 {
		t.Errorf("%d epoch lines end with the GFLOP/s, want 2; log:\n%s", n, log.String())
	}

	dir := filepath.Join(t.TempDir(), "cut")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Train(ctx, r, Options{Out: dir, Log: &cutAfter{at: "epoch 1/2", cancel: cancel}})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	resumed, err := Resume(context.Background(), Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if resumed.MatmulFlops != want {
		t.Errorf("interrupted and resumed: matmul_flops %d, want %d", resumed.MatmulFlops, want)
	}
}
