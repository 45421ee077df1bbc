package train

import (
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
)

// noiseAhead takes a denoising autoencoder's masking noise off the
// training step's critical path: while one batch trains, the par workers,
// in the time they would spend waiting between sections (par.Idle), draw
// the next batch's choices (which elements to destroy) from a copy of the
// generator's state, so the next step mostly only applies them.
//
// (A goroutine of its own drawing beside the step was measured slower than
// drawing at the start of the step on all cores: with every core busy in
// the step's matrix products it only took turns with them.)
//
// The generator itself moves on only when a batch is corrupted, so a
// checkpoint written between steps saves the state an uninterrupted run
// would have, and a run resumed from it draws the same noise. The choices
// are used only if the generator is still where they were drawn from
// (models.Corruption.ApplyPrepared checks); otherwise, after a resume or
// anything else drawing from it, the step draws its noise itself. Either
// way each batch gets the noise Apply would give it: results do not depend
// on whether the choices were ready.
type noiseAhead struct {
	c       models.Corruption
	p       *rand.PCG
	choices models.Choices
	later   *par.Later // the drawing under way; nil if none
}

// newNoiseAhead returns the drawer of c's noise from src, or nil when it
// cannot be drawn ahead (not masking or salt-and-pepper noise, or src not
// a *rand.PCG whose state can be copied).
func newNoiseAhead(c models.Corruption, src rand.Source) *noiseAhead {
	p, ok := src.(*rand.PCG)
	if !ok || p == nil || !c.Prepares() {
		return nil
	}
	return &noiseAhead{c: c, p: p}
}

// corrupt writes src's corruption into dst, as c.Apply(dst, src, p) would,
// and starts drawing the next one.
func (a *noiseAhead) corrupt(dst, src []float32) {
	a.wait()
	if !a.c.ApplyPrepared(dst, src, a.p, &a.choices) {
		a.c.Apply(dst, src, a.p)
	}
	n := len(src)
	ch := a.c.Prepare(&a.choices, rng.StreamOf(a.p), n)
	a.later = par.Idle((n+aheadChunk-1)/aheadChunk, func(k int) {
		ch.Draw(k*aheadChunk, min((k+1)*aheadChunk, n))
	})
}

// aheadChunk is how many choices one idle task draws: about 8 µs, so a
// worker busy with one answers the next section almost at once.
const aheadChunk = 2048

// wait returns when the drawing under way, if any, has ended, drawing
// what is left itself.
func (a *noiseAhead) wait() {
	if a != nil && a.later != nil {
		a.later.Wait()
		a.later = nil
	}
}
