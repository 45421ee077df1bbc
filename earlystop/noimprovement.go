package earlystop

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/internal/plural"
)

// NoImprovement stops training after a number of consecutive evaluations
// without a new best score, the rule of Keras's EarlyStopping(patience=N,
// min_delta) and most frameworks: count evaluations, not updates.
//
// A score is a new best when it is finite and below best − Threshold·|best|
// (relative, as in Patience; Keras's min_delta is absolute); the first
// finite score always is.
type NoImprovement struct {
	// Evaluations is N (≥ 1): stop at the N-th evaluation in a row without
	// a new best.
	Evaluations int
	// Threshold is the relative improvement a new best needs, in [0, 1);
	// 0 counts any decrease.
	Threshold float64
	// Every is the number of updates between evaluations (≥ 0); 0 means
	// once per epoch, at its end.
	Every int

	st State
}

var _ Stopper = (*NoImprovement)(nil)

// Validate checks the settings.
func (n *NoImprovement) Validate() error {
	switch {
	case n.Evaluations < 1:
		return fmt.Errorf("earlystop: no-improvement: evaluations must be ≥ 1, got %d", n.Evaluations)
	case n.Every < 0:
		return fmt.Errorf("earlystop: no-improvement: evaluation interval must be ≥ 0 updates, got %d", n.Every)
	}
	return checkThreshold("no-improvement", n.Threshold)
}

// Interval implements Stopper.
func (n *NoImprovement) Interval() int { return n.Every }

// Observe implements Stopper.
func (n *NoImprovement) Observe(t int, score float64) (improved, stop bool) {
	n.st.Rule = "no-improvement"
	if n.st.Stopped {
		return false, true
	}
	n.st.Evaluations++
	n.st.LastT = t
	if n.st.improves(score, n.Threshold) {
		improved = true
		n.st.BestT, n.st.BestScore, n.st.Since = t, score, 0
	} else {
		n.st.Since++
	}
	if n.st.Since >= n.Evaluations {
		n.st.Stopped = true
		n.st.Reason = fmt.Sprintf("no improvement in %s, at update %d (%s)", plural.Count(n.st.Since, "evaluation"), t, describeBest(n.st))
	}
	return improved, n.st.Stopped
}

// Best implements Stopper.
func (n *NoImprovement) Best() (int, float64) { return n.st.best() }

// Reason implements Stopper.
func (n *NoImprovement) Reason() string { return n.st.Reason }

// State implements Stopper.
func (n *NoImprovement) State() State {
	n.st.Rule = "no-improvement"
	return n.st
}

// SetState implements Stopper.
func (n *NoImprovement) SetState(st State) error {
	if err := st.check("no-improvement"); err != nil {
		return err
	}
	if st.Since < 0 || st.Since > st.Evaluations {
		return fmt.Errorf("earlystop: no-improvement state has %d evaluations since the best of %d", st.Since, st.Evaluations)
	}
	n.st = st
	return nil
}
