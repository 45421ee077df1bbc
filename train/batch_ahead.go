package train

import (
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/par"
)

// batchAhead takes batching off the training step's critical path: while
// one batch trains, the par workers, in the time they would spend waiting
// between sections (par.Idle), copy the next batch's examples into a
// spare buffer, so the next step starts with its batch in place. The
// batches are the ones datasets.Batches.Next gives, in the same order:
// gathered ahead only while the epoch's order and position are those
// expected, and otherwise (a new epoch, a resumed run) by Next itself.
type batchAhead struct {
	spare *Batch // the buffers being filled; swapped with the step's
	set   *datasets.Set
	order []int // the order and position spare was gathered from
	pos   int
	later *par.Later // the gathering under way; nil if none
}

// rowsPerTask is how many examples one idle task copies: for MNIST about
// 50 KB, a few microseconds, so a worker busy with one answers the next
// section almost at once.
const rowsPerTask = 16

// next puts the next batch of it into b, as it.Next(b.X, b.Labels) would, and
// starts gathering the one after; false at the end of the epoch.
func (a *batchAhead) next(it *datasets.Batches, b *Batch) bool {
	ready := a.later != nil
	a.wait()
	if it.Pos < 0 || it.Pos+it.Size > len(it.Order) {
		return false
	}
	if ready && a.set == it.Set && a.pos == it.Pos && sameInts(a.order, it.Order) {
		b.X, a.spare.X = a.spare.X, b.X
		b.Labels, a.spare.Labels = a.spare.Labels, b.Labels
		it.Pos += it.Size
	} else if !it.Next(b.X, b.Labels) {
		return false
	}
	pos := it.Pos
	if pos+it.Size > len(it.Order) {
		return true
	}
	if a.spare == nil || len(a.spare.X) != len(b.X) || len(a.spare.Labels) != len(b.Labels) {
		a.spare = &Batch{X: make([]float32, len(b.X)), N: b.N}
		if b.Labels != nil {
			a.spare.Labels = make([]int, len(b.Labels))
		}
	}
	a.set, a.order, a.pos = it.Set, it.Order, pos
	x, labels, rows := a.spare.X, a.spare.Labels, *it
	a.later = par.Idle((it.Size+rowsPerTask-1)/rowsPerTask, func(k int) {
		rows.Rows(x, labels, pos, k*rowsPerTask, min((k+1)*rowsPerTask, rows.Size))
	})
	return true
}

// wait returns when the gathering under way, if any, has ended, copying
// what is left itself.
func (a *batchAhead) wait() {
	if a.later != nil {
		a.later.Wait()
		a.later = nil
	}
}

// sameInts reports whether a and b are the same slice (not merely equal).
func sameInts(a, b []int) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
