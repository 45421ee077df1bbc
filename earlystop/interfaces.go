package earlystop

import (
	"fmt"
	"math"
)

// Stopper is an early-stopping rule, fed one validation score per
// evaluation.
type Stopper interface {
	// Interval is the number of updates between evaluations; 0 means once
	// per epoch, at its end. See Due.
	Interval() int

	// Observe takes the validation score (lower is better) measured after
	// update t; t grows from call to call. improved reports a new best
	// score, whose parameters the loop should keep; stop reports that
	// training should end now. Non-finite scores never improve. Once stop
	// has been returned, later calls change nothing and return stop again.
	Observe(t int, score float64) (improved, stop bool)

	// Best returns the update and score of the best evaluation so far, or
	// (0, +Inf) before any finite score.
	Best() (t int, score float64)

	// Reason says why training stopped, for summary.json, or "" while it
	// has not.
	Reason() string

	// State returns everything needed to continue exactly after a
	// checkpoint; SetState restores it into a Stopper of the same rule and
	// settings.
	State() State
	SetState(State) error
}

// Due reports whether a loop should evaluate after update t: every
// s.Interval() updates, or at the end of each epoch when the interval is 0.
func Due(s Stopper, t int, endOfEpoch bool) bool {
	if e := s.Interval(); e > 0 {
		return t%e == 0
	}
	return endOfEpoch
}

// State is a Stopper's progress as a plain, JSON-friendly struct (every
// number is finite), for checkpoints.
type State struct {
	// Rule is "patience" or "no-improvement": the Stopper it belongs to.
	Rule string `json:"rule"`
	// Evaluations counts the Observe calls so far; LastT is the last t.
	Evaluations int `json:"evaluations"`
	LastT       int `json:"last_t"`
	// BestT is the update of the best score, BestScore that score; BestT 0
	// means no finite score yet.
	BestT     int     `json:"best_t"`
	BestScore float64 `json:"best_score"`
	// Patience is Patience's current patience, in updates.
	Patience int `json:"patience,omitempty"`
	// Since is NoImprovement's count of evaluations since the best.
	Since int `json:"since,omitempty"`
	// Stopped is set once Observe has returned stop; Reason says why.
	Stopped bool   `json:"stopped"`
	Reason  string `json:"reason,omitempty"`
}

// check validates the parts of a state common to both rules.
func (st State) check(rule string) error {
	switch {
	case st.Rule != rule:
		return fmt.Errorf("earlystop: a %q state cannot restore a %s rule", st.Rule, rule)
	case st.Evaluations < 0 || st.LastT < 0 || st.BestT < 0 || st.BestT > st.LastT:
		return fmt.Errorf("earlystop: inconsistent %s state: %d evaluations, last update %d, best update %d", rule, st.Evaluations, st.LastT, st.BestT)
	case math.IsNaN(st.BestScore) || math.IsInf(st.BestScore, 0):
		return fmt.Errorf("earlystop: %s state has best score %v", rule, st.BestScore)
	}
	return nil
}

// best is the (t, score) pair of a state, +Inf before any finite score.
func (st State) best() (int, float64) {
	if st.BestT == 0 {
		return 0, math.Inf(1)
	}
	return st.BestT, st.BestScore
}

// improves reports whether score beats the state's best by the relative
// threshold: score < best − threshold·|best|. Any finite score improves on
// none.
func (st State) improves(score, threshold float64) bool {
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return false
	}
	if st.BestT == 0 {
		return true
	}
	return score < st.BestScore-threshold*math.Abs(st.BestScore)
}

// checkThreshold validates a relative improvement threshold.
func checkThreshold(rule string, th float64) error {
	if !(th >= 0 && th < 1) {
		return fmt.Errorf("earlystop: %s: relative improvement threshold must be in [0, 1), got %v", rule, th)
	}
	return nil
}

// describeBest is the best score for a Reason.
func describeBest(st State) string {
	if st.BestT == 0 {
		return "no finite validation score"
	}
	return fmt.Sprintf("best score %.6g at update %d", st.BestScore, st.BestT)
}
