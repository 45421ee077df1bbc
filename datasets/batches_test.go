package datasets

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// drain runs b to the end of its epoch and returns the example indices it
// delivered, recovered from the features (seqSet's example i starts with
// 10*i), checking every row and label against the set.
func drain(t *testing.T, b *Batches) []int {
	t.Helper()
	s, d := b.Set, b.Set.Dim()
	x := make([]float32, b.Size*d+3) // longer than needed is fine
	labels := make([]int, b.Size)
	var seen []int
	for b.Next(x, labels) {
		for k := range b.Size {
			i := int(x[k*d]) / 10
			if !slices.Equal(x[k*d:(k+1)*d], s.Row(i)) {
				t.Fatalf("batch row %d = %v, not a row of the set", k, x[k*d:(k+1)*d])
			}
			if labels[k] != s.Labels[i] {
				t.Fatalf("label of example %d = %d, want %d", i, labels[k], s.Labels[i])
			}
			seen = append(seen, i)
		}
	}
	return seen
}

func TestBatchesEpoch(t *testing.T) {
	s := seqSet(103, 7)
	for _, tc := range []struct {
		name      string
		size      int
		rng       *rand.Rand
		wantCount int
	}{
		{"shuffled", 10, rand.New(rand.NewPCG(1, 2)), 10},
		{"sequential", 10, nil, 10},
		{"exact", 103, rand.New(rand.NewPCG(3, 4)), 1},
		{"size one", 1, rand.New(rand.NewPCG(5, 6)), 103},
		{"bigger than set", 200, rand.New(rand.NewPCG(7, 8)), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBatches(s, tc.size, tc.rng)
			if b.Count() != tc.wantCount {
				t.Errorf("Count() = %d, want %d", b.Count(), tc.wantCount)
			}
			perm := slices.Sorted(slices.Values(b.Order))
			for i, v := range perm {
				if v != i {
					t.Fatalf("Order is not a permutation of 0..%d: %v", s.Len()-1, b.Order)
				}
			}
			seen := drain(t, b)
			n := tc.wantCount * tc.size
			if !slices.Equal(seen, b.Order[:n]) {
				t.Errorf("delivered %v, want the first %d of Order %v", seen, n, b.Order)
			}
			if b.Pos != n {
				t.Errorf("Pos = %d after the epoch, want %d", b.Pos, n)
			}
			if tc.rng == nil && !slices.Equal(b.Order, perm) {
				t.Errorf("nil rng gave order %v, want 0..n-1", b.Order)
			}
			if b.Next(make([]float32, tc.size*4), nil) {
				t.Error("Next returned true after the epoch")
			}
		})
	}
}

func TestBatchesSeed(t *testing.T) {
	s := seqSet(50, 5)
	order := func(seed uint64) []int {
		return NewBatches(s, 8, rand.New(rand.NewPCG(seed, 0))).Order
	}
	if a, b := order(1), order(1); !slices.Equal(a, b) {
		t.Errorf("same seed, different orders:\n%v\n%v", a, b)
	}
	if a, b := order(1), order(2); slices.Equal(a, b) {
		t.Errorf("seeds 1 and 2 gave the same order %v", a)
	}
	// Successive epochs from one source differ, and the whole sequence is
	// fixed by the seed.
	epochs := func() [][]int {
		rng := rand.New(rand.NewPCG(9, 9))
		return [][]int{NewBatches(s, 8, rng).Order, NewBatches(s, 8, rng).Order}
	}
	e1, e2 := epochs(), epochs()
	if slices.Equal(e1[0], e1[1]) {
		t.Error("two epochs from one rng have the same order")
	}
	if !slices.Equal(e1[0], e2[0]) || !slices.Equal(e1[1], e2[1]) {
		t.Error("epoch sequence not reproducible from the seed")
	}
}

// TestBatchesResume checks the checkpoint contract: saving Order and Pos
// and restoring them into a fresh Batches continues the epoch exactly.
func TestBatchesResume(t *testing.T) {
	s := seqSet(40, 4)
	whole := drain(t, NewBatches(s, 6, rand.New(rand.NewPCG(11, 12))))

	b := NewBatches(s, 6, rand.New(rand.NewPCG(11, 12)))
	x, labels := make([]float32, 6*4), make([]int, 6)
	b.Next(x, labels)
	b.Next(x, nil)
	saved := &Batches{Set: s, Size: b.Size, Order: slices.Clone(b.Order), Pos: b.Pos}
	rest := drain(t, saved)
	if !slices.Equal(rest, whole[12:]) {
		t.Errorf("resumed epoch delivered %v, want %v", rest, whole[12:])
	}
}

func TestBatchesPanics(t *testing.T) {
	s := seqSet(10, 2)
	unl := &Set{Name: "u", X: make([]float32, 10)}
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"size zero", func() { NewBatches(s, 0, nil) }},
		{"short x", func() { NewBatches(s, 3, nil).Next(make([]float32, 11), nil) }},
		{"short labels", func() { NewBatches(s, 3, nil).Next(make([]float32, 12), make([]int, 2)) }},
		{"labels of unlabelled", func() { NewBatches(unl, 3, nil).Next(make([]float32, 3), make([]int, 3)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
	// An unlabelled set is fine when labels are not asked for.
	if b := NewBatches(unl, 3, nil); !b.Next(make([]float32, 3), nil) {
		t.Error("Next on an unlabelled set without labels returned false")
	}
}

func TestChunks(t *testing.T) {
	for _, tc := range []struct{ n, size, calls int }{
		{0, 5, 0}, {1, 1, 1}, {10, 3, 4}, {10, 5, 2}, {7, 10, 1}, {10000, 256, 40},
	} {
		covered := make([]int, tc.n)
		calls, next := 0, 0
		err := Chunks(tc.n, tc.size, func(from, to int) error {
			calls++
			if from != next || to <= from || to-from > tc.size || to > tc.n {
				t.Errorf("n=%d size=%d: chunk [%d,%d) after %d", tc.n, tc.size, from, to, next)
			}
			for i := from; i < to; i++ {
				covered[i]++
			}
			next = to
			return nil
		})
		if err != nil {
			t.Errorf("n=%d size=%d: %v", tc.n, tc.size, err)
		}
		if calls != tc.calls {
			t.Errorf("n=%d size=%d: %d calls, want %d", tc.n, tc.size, calls, tc.calls)
		}
		for i, c := range covered {
			if c != 1 {
				t.Fatalf("n=%d size=%d: index %d covered %d times", tc.n, tc.size, i, c)
			}
		}
	}

	stop := errors.New("stop")
	calls := 0
	err := Chunks(10, 2, func(from, to int) error {
		calls++
		if from == 4 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 3 {
		t.Errorf("Chunks returned %v after %d calls, want the fn's own error after 3", err, calls)
	}
	for _, bad := range [][2]int{{10, 0}, {10, -1}, {-1, 5}} {
		if err := Chunks(bad[0], bad[1], func(int, int) error { return nil }); err == nil {
			t.Errorf("Chunks(%d, %d) = nil, want an error", bad[0], bad[1])
		}
	}
}

// BenchmarkNext gathers shuffled batches of 128 MNIST digits: the copy a
// training step waits for unless the batch was gathered ahead (train's
// loop does that while the previous batch trains).
func BenchmarkNext(b *testing.B) {
	s, err := MNIST()
	if err != nil {
		b.Fatal(err)
	}
	x, labels := make([]float32, 128*784), make([]int, 128)
	it := NewBatches(s.Train, 128, rand.New(rand.NewPCG(1, 2)))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		if !it.Next(x, labels) {
			it.Pos = 0
		}
	}
}
