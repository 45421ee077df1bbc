package train

import (
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
)

// TestBatchAheadMatchesNext walks epochs with batches gathered ahead and
// with Next: every batch must be the same, also when the position jumps
// (a resumed run) and when a new epoch brings a new order.
func TestBatchAheadMatchesNext(t *testing.T) {
	s := mnist(t).Limit(1000, 0, 0).Train
	r1, r2 := rng.New(1, "shuffle"), rng.New(1, "shuffle")
	var ahead batchAhead
	defer ahead.wait()
	b := &Batch{X: make([]float32, 50*s.Dim()), Labels: make([]int, 50), N: 50}
	want := &Batch{X: make([]float32, 50*s.Dim()), Labels: make([]int, 50), N: 50}
	for epoch := range 3 {
		it, ref := datasets.NewBatches(s, 50, r1), datasets.NewBatches(s, 50, r2)
		for step := 0; ; step++ {
			if epoch == 1 && step == 5 {
				it.Pos, ref.Pos = 400, 400
			}
			got, ok := ahead.next(it, b), ref.Next(want.X, want.Labels)
			if got != ok {
				t.Fatalf("epoch %d, step %d: next = %v, Next = %v", epoch, step, got, ok)
			}
			if !ok {
				break
			}
			if !slices.Equal(b.X, want.X) || !slices.Equal(b.Labels, want.Labels) || it.Pos != ref.Pos {
				t.Fatalf("epoch %d, step %d: the batch gathered ahead differs from Next's", epoch, step)
			}
		}
	}
}
