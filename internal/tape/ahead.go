package tape

import (
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/tensor"
)

// masksAhead takes the drawing of a training graph's dropout masks off the
// step's critical path: once a run's masks are drawn, the par workers, in
// the time they would spend waiting between the run's sections (par.Idle),
// draw the next run's masks into spare tensors from a copy of the
// generator's state, so the next run mostly only swaps them in.
//
// The generator itself moves on only when a run takes its masks, so a
// checkpoint written between steps saves the state an uninterrupted run
// would have. The spares are taken only if the generator is still where
// they were drawn from; otherwise (a resume, anything else drawing from it)
// the run draws its masks itself. Either way every run gets the masks a
// sequential draw would give it: results do not depend on whether the spares
// were ready. Only a graph whose random inputs are all elementwise
// (models.RandomInput.Elementwise) with a *rand.PCG generator is drawn
// ahead.
type masksAhead struct {
	spares []*tensor.Dense
	// parts are the idle tasks filling the spares, for each of the two
	// sets of tensors that take turns as spares; flip says which set the
	// spares are now.
	parts [2][]aheadPart
	flip  int
	start rng.Stream // the generator state the spares were drawn from
	draws uint64     // how many draws the spares take
	later *par.Later // the drawing under way, or done; nil if none
	taken int        // how many runs took spares (for tests)
}

// aheadPart is one idle task: the elements [from, to) of spare input, a
// view of them, drawn from the generator moved on by skip.
type aheadPart struct {
	view *tensor.Dense
	fill func(dst *tensor.Dense, r rand.Source)
	skip uint64
}

// aheadChunk is how many elements one idle task draws: a few microseconds,
// so a worker busy with one answers the next section almost at once.
const aheadChunk = 4096

// take swaps the spares drawn ahead into random's values and moves r on by
// the draws they took, when they were drawn from r's present state; it
// reports whether it did.
func (a *masksAhead) take(random []*models.RandomInput, r rand.Source) bool {
	if a.later == nil {
		return false
	}
	a.later.Wait()
	a.later = nil
	p, ok := r.(*rand.PCG)
	if !ok || rng.StreamOf(p) != a.start {
		return false
	}
	for i, ri := range random {
		ri.Value, a.spares[i] = a.spares[i], ri.Value
	}
	a.flip ^= 1
	a.taken++
	a.start.Advance(a.draws).Store(p)
	return true
}

// offer starts drawing the next run's values of random from r's present
// state, if they can be drawn ahead.
func (a *masksAhead) offer(random []*models.RandomInput, r rand.Source) {
	p, ok := r.(*rand.PCG)
	if !ok {
		return
	}
	for _, ri := range random {
		if dt := ri.Value.Dtype(); !ri.Elementwise || dt != tensor.Float32 && dt != tensor.Float64 {
			return
		}
	}
	if len(a.spares) != len(random) {
		a.spares = make([]*tensor.Dense, len(random))
		for i, ri := range random {
			a.spares[i] = ri.Value.Clone().(*tensor.Dense)
		}
		a.parts, a.flip = [2][]aheadPart{}, 0
	}
	if len(a.parts[a.flip]) == 0 {
		a.draws = 0
		for i, ri := range random {
			n := a.spares[i].Shape().TotalSize()
			for from := 0; from < n; from += aheadChunk {
				to := min(from+aheadChunk, n)
				a.parts[a.flip] = append(a.parts[a.flip], aheadPart{view: view(a.spares[i], from, to), fill: ri.Fill, skip: a.draws + uint64(from)})
			}
			a.draws += uint64(n)
		}
	}
	a.start = rng.StreamOf(p)
	start, parts := a.start, a.parts[a.flip]
	a.later = par.Idle(len(parts), func(k int) {
		s := start.Advance(parts[k].skip)
		parts[k].fill(parts[k].view, &s)
	})
}

// view is a vector sharing the elements [from, to) of t's data.
func view(t *tensor.Dense, from, to int) *tensor.Dense {
	if d, ok := t.Data().([]float32); ok {
		return tensor.New(tensor.WithBacking(d[from:to]))
	}
	return tensor.New(tensor.WithBacking(t.Data().([]float64)[from:to]))
}

// wait returns when the drawing under way, if any, has ended, and forgets
// it.
func (a *masksAhead) wait() {
	if a.later != nil {
		a.later.Wait()
		a.later = nil
	}
}
