package datasets

import (
	"fmt"
	"math/rand/v2"
)

// Batches walks one epoch of a Set in mini-batches of a fixed size, in an
// order drawn from the caller's random source so that a run's seed fixes
// the order of every epoch. Start each epoch with a new Batches from the
// same *rand.Rand: the source's state carries the sequence on.
//
// Only full batches are produced; the last Len() mod Size examples of each
// epoch's order are dropped, so every update sees the same batch size (and
// so the same gradient scale and compiled graph shapes). With an rng the
// order is reshuffled each epoch, so a different tail is dropped each time.
//
// The fields are exported so a checkpoint can save Order and Pos and
// resume mid-epoch exactly where it stopped.
type Batches struct {
	// Set is the data being walked.
	Set *Set
	// Size is the number of examples per batch.
	Size int
	// Order is this epoch's permutation of example indices.
	Order []int
	// Pos is the index into Order of the next example to deliver; 0 at the
	// start of an epoch.
	Pos int
}

// NewBatches starts an epoch over s in batches of size examples, in an order
// given by a permutation drawn from rng, or in the set's own order 0, 1, …,
// Len()-1 when rng is nil. It panics if size < 1, a programming error.
func NewBatches(s *Set, size int, rng *rand.Rand) *Batches {
	if size < 1 {
		panic(fmt.Sprintf("datasets: batch size %d < 1", size))
	}
	n := s.Len()
	var order []int
	if rng != nil {
		order = rng.Perm(n)
	} else {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	return &Batches{Set: s, Size: size, Order: order}
}

// Next copies the next Size examples' features into x (which needs at least
// Size*Dim() values) and their labels into labels (which may be nil when
// labels are not wanted, and otherwise needs at least Size entries), advances
// Pos, and returns true. It returns false, copying nothing, once fewer than
// Size examples remain in the epoch.
//
// It panics if x or labels is too short, or if labels are asked of an
// unlabelled set: silently short or missing data would corrupt training.
func (b *Batches) Next(x []float32, labels []int) bool {
	if b.Pos < 0 || b.Pos+b.Size > len(b.Order) {
		return false
	}
	s, d := b.Set, b.Set.Dim()
	if len(x) < b.Size*d {
		panic(fmt.Sprintf("datasets: %s: batch buffer holds %d values, want %d (%d examples of %d)", s.Name, len(x), b.Size*d, b.Size, d))
	}
	if labels != nil {
		if s.Labels == nil {
			panic(fmt.Sprintf("datasets: %s: labels requested from an unlabelled set", s.Name))
		}
		if len(labels) < b.Size {
			panic(fmt.Sprintf("datasets: %s: label buffer holds %d, want %d", s.Name, len(labels), b.Size))
		}
	}
	b.Rows(x, labels, b.Pos, 0, b.Size)
	b.Pos += b.Size
	return true
}

// Rows copies examples from, …, to−1 of the batch that starts at position
// pos of Order into rows from, …, to−1 of x and labels (nil for none), as
// Next does for a whole batch, without moving Pos: parts of a batch can be
// gathered concurrently, and ahead of time.
func (b *Batches) Rows(x []float32, labels []int, pos, from, to int) {
	s, d := b.Set, b.Set.Dim()
	for k := from; k < to; k++ {
		i := b.Order[pos+k]
		copy(x[k*d:(k+1)*d], s.X[i*d:(i+1)*d])
		if labels != nil {
			labels[k] = s.Labels[i]
		}
	}
}

// Count returns the number of full batches in an epoch, the number of times
// Next returns true from Pos 0.
func (b *Batches) Count() int {
	return len(b.Order) / b.Size
}

// Chunks calls fn for consecutive ranges [from, to) of at most size
// examples that cover 0..n-1 exactly once, in order, keeping the final
// partial chunk; it is for evaluation, where every example must count. It
// stops at and returns the first error from fn, unwrapped so callers can
// compare it. n = 0 calls fn never; size < 1 or n < 0 is an error.
func Chunks(n, size int, fn func(from, to int) error) error {
	if size < 1 {
		return fmt.Errorf("datasets: chunk size %d < 1", size)
	}
	if n < 0 {
		return fmt.Errorf("datasets: chunking %d examples", n)
	}
	for from := 0; from < n; from += size {
		if err := fn(from, min(from+size, n)); err != nil {
			return err
		}
	}
	return nil
}
