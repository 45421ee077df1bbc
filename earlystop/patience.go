package earlystop

import (
	"fmt"
	"math"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
)

// Mode is how Patience extends its patience on a new best.
type Mode string

// The two extension rules of docs/lecture.md §4. The zero Mode is Mul.
const (
	// Add sets patience = max(patience, t + c).
	Add Mode = "add"
	// Mul sets patience = max(patience, t × c), the deeplearning.net
	// tutorials' form (with c = 2): train at least as long again as it took
	// to find the best model.
	Mul Mode = "mul"
)

// ParseMode checks s names a Mode ("" is Mul).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(s)); m {
	case "":
		return Mul, nil
	case Add, Mul:
		return m, nil
	}
	return "", fmt.Errorf("earlystop: unknown patience mode %q (known: add, mul)", s)
}

// Patience is the lecture's early-stopping rule (docs/lecture.md §4, in the form of
// Bengio's deeplearning.net tutorials): evaluate on validation every E
// updates; when the score at update t is a new best, by a relative margin,
// keep the model and extend the patience,
//
//	patience ← max(patience, t + c)   (Add)
//	patience ← max(patience, t × c)   (Mul),
//
// rounded up to a whole update; stop at the first evaluation where
// t ≥ patience. With Every dividing every patience the loop stops exactly
// when the update count reaches the patience.
//
// A score is a new best when it is finite and below best − Threshold·|best|;
// the first finite score always is. (The tutorials also keep a model that
// improves by less than the threshold, without extending the patience; here
// one margin decides both, so Best is the model the patience was extended
// for.)
type Patience struct {
	// Every is E, the number of updates between evaluations (≥ 0); 0 means
	// once per epoch, at its end.
	Every int
	// Patience is the initial patience, in updates (≥ 0): training stops at
	// the first evaluation at or after this update unless a new best has
	// extended it. 0 stops at the first evaluation that does not extend it.
	Patience int
	// Increase is c (finite, ≥ 0). If it equals zero the patience is never
	// extended.
	Increase float64
	// Mode chooses t + c (Add) or t × c (Mul); "" means Mul.
	Mode Mode
	// Threshold is the relative improvement a new best needs, in [0, 1),
	// e.g. 0.005 for 0.5 %; 0 counts any decrease.
	Threshold float64

	st      State
	started bool
}

var _ Stopper = (*Patience)(nil)

// Validate checks the settings.
func (p *Patience) Validate() error {
	if _, err := ParseMode(string(p.Mode)); err != nil {
		return err
	}
	switch {
	case p.Every < 0:
		return fmt.Errorf("earlystop: patience: evaluation interval must be ≥ 0 updates, got %d", p.Every)
	case p.Patience < 0:
		return fmt.Errorf("earlystop: patience must be ≥ 0 updates, got %d", p.Patience)
	case p.Increase < 0 || math.IsNaN(p.Increase) || math.IsInf(p.Increase, 0):
		return fmt.Errorf("earlystop: patience increase c must be finite and ≥ 0, got %v", p.Increase)
	}
	return checkThreshold("patience", p.Threshold)
}

// Interval implements Stopper.
func (p *Patience) Interval() int { return p.Every }

func (p *Patience) start() {
	if !p.started {
		p.st = State{Rule: "patience", Patience: p.Patience}
		p.started = true
	}
}

// extend returns the patience after a new best at update t.
func (p *Patience) extend(t int) int {
	var e float64
	if m, _ := ParseMode(string(p.Mode)); m == Add {
		e = float64(t) + p.Increase
	} else {
		e = float64(t) * p.Increase
	}
	e = math.Ceil(e)
	if e >= math.MaxInt32 {
		return math.MaxInt32
	}
	return max(p.st.Patience, int(e))
}

// Observe implements Stopper.
func (p *Patience) Observe(t int, score float64) (improved, stop bool) {
	p.start()
	if p.st.Stopped {
		return false, true
	}
	p.st.Evaluations++
	p.st.LastT = t
	if p.st.improves(score, p.Threshold) {
		improved = true
		p.st.BestT, p.st.BestScore = t, score
		p.st.Patience = p.extend(t)
	}
	if t >= p.st.Patience {
		p.st.Stopped = true
		p.st.Reason = fmt.Sprintf("patience ran out at update %d (patience %s, %s)", t, plural.Count(p.st.Patience, "update"), describeBest(p.st))
	}
	return improved, p.st.Stopped
}

// Best implements Stopper.
func (p *Patience) Best() (int, float64) { return p.st.best() }

// Reason implements Stopper.
func (p *Patience) Reason() string { return p.st.Reason }

// Current returns the patience now in effect, in updates.
func (p *Patience) Current() int {
	p.start()
	return p.st.Patience
}

// State implements Stopper.
func (p *Patience) State() State {
	p.start()
	return p.st
}

// SetState implements Stopper.
func (p *Patience) SetState(st State) error {
	if err := st.check("patience"); err != nil {
		return err
	}
	if st.Patience < 0 {
		return fmt.Errorf("earlystop: patience state has patience %d", st.Patience)
	}
	p.st, p.started = st, true
	return nil
}
