package train

import (
	"fmt"
	"math"
)

// Explosion is the rule that stops a run whose training objective explodes
// while it stays finite. A learning rate far too large does not always end
// in a NaN: a small MLP with SGD at lr 1e6 trains on with a loss of 1e32 and
// weights near 1e23, and a run that reports such a model as a success is
// worse than one that stops. So the loop watches the mean training loss of
// the epoch in progress, L (the running mean LossSum/Steps, which a
// checkpoint holds, so a resumed run judges exactly as an uninterrupted
// one), against the loss of the run's first update, L0 (State.FirstLoss),
// and stops with a *DivergedError (Exploded set) when, after at least
// MinSteps updates of the epoch (all of them in a shorter epoch),
//
//	L > max(Factor·L0, L0 + Margin)   and   L > the previous epoch's mean (L0 in the first epoch)
//
// Why it cannot fire on a healthy run: training lowers the objective, and a
// mean over many updates is far from a single noisy batch. The factor (100
// by default) is relative, so the loss's scale (a cross-entropy near ln K,
// an autoencoder's squared error on raw features in the thousands) does not
// matter; the margin (1000 by default) is absolute, so a run whose first
// loss is already tiny (fine-tuning a trained model with --init, say) may
// rise far above 100·L0 before it counts; the mean over MinSteps (10)
// updates keeps one bad batch from stopping a run; and "above the previous
// epoch's mean" keeps a run that is coming down, however high, going. A
// cross-entropy 1000 above where it started means logits 1000 apart on the
// wrong side: no useful model is on that path. The experiments' own stop
// (experiments' BlowUp, 10 times the first update's loss on any update)
// always fires before this rule can, so they are unaffected.
//
// The zero value is the default rule; Off turns it off.
type Explosion struct {
	// Off disables the rule: only a non-finite loss or gradient stops a run.
	Off bool
	// Factor and Margin bound the mean loss, as above: 0 means the default
	// (DefaultExplosionFactor, DefaultExplosionMargin).
	Factor, Margin float64
	// MinSteps is the number of updates of an epoch before its mean is
	// judged (an epoch with fewer is judged at its end); 0 means
	// DefaultExplosionSteps.
	MinSteps int
}

// The defaults of Explosion.
const (
	DefaultExplosionFactor = 100
	DefaultExplosionMargin = 1000
	DefaultExplosionSteps  = 10
)

// validate reports settings the rule cannot use.
func (e Explosion) validate() error {
	if e.Off {
		return nil
	}
	if math.IsNaN(e.Factor) || math.IsInf(e.Factor, 0) || (e.Factor != 0 && e.Factor <= 1) {
		return fmt.Errorf("train: explosion factor must be > 1 (or 0 for the default %d), got %g", DefaultExplosionFactor, e.Factor)
	}
	if math.IsNaN(e.Margin) || math.IsInf(e.Margin, 0) || e.Margin < 0 {
		return fmt.Errorf("train: explosion margin must be finite and ≥ 0, got %g", e.Margin)
	}
	if e.MinSteps < 0 {
		return fmt.Errorf("train: explosion steps must be ≥ 0, got %d", e.MinSteps)
	}
	return nil
}

// bound is the mean loss beyond which a run has exploded, given the first
// update's loss.
func (e Explosion) bound(first float64) float64 {
	f, m := e.Factor, e.Margin
	if f == 0 {
		f = DefaultExplosionFactor
	}
	if m == 0 {
		m = DefaultExplosionMargin
	}
	return max(f*first, first+m)
}

// exploded reports whether the epoch in progress, with batches updates in
// all, has exploded by the rule, and returns the error that says so.
func (e Explosion) exploded(st *State, batches int, lr float64) error {
	if e.Off || st.Steps == 0 {
		return nil
	}
	n := e.MinSteps
	if n == 0 {
		n = DefaultExplosionSteps
	}
	if st.Steps < min(n, batches) {
		return nil
	}
	mean := st.LossSum / float64(st.Steps)
	prev := st.FirstLoss
	if len(st.Records) > 0 {
		prev = st.Records[len(st.Records)-1].TrainLoss
	}
	if mean <= e.bound(st.FirstLoss) || mean <= prev {
		return nil
	}
	return &DivergedError{Epoch: st.Epoch, Update: st.Updates, Loss: mean, LR: lr, Exploded: true, FirstLoss: st.FirstLoss}
}
