package experiments

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Tuning before comparing: a comparison of methods at one shared setting
// tests the setting as much as the methods (one learning rate suits one
// loss better than another). So each method of a comparative experiment
// has its main hyper-parameter chosen by tune, from a small grid stated in
// the report, on the validation split only, with the run's first seed;
// the chosen value is then used with every seed, and the test split is
// measured once, on those runs.

// tuneGrid is the values a method's main hyper-parameter is tuned over.
type tuneGrid struct {
	// Param names the hyper-parameter, as results.json records it ("lr",
	// "lambda", "sigma", "p", …).
	Param  string
	Values []float64
}

// String is the grid as a report gives it: "lr ∈ {0.01, 0.1, 1}".
func (g tuneGrid) String() string {
	var v []string
	for _, x := range g.Values {
		v = append(v, num(x))
	}
	return fmt.Sprintf("%s ∈ {%s}", g.Param, strings.Join(v, ", "))
}

// tuning records how a method's hyper-parameter was chosen, for
// results.json.
type tuning struct {
	// On is the split the scores come from: always "validation".
	On    string `json:"on"`
	Param string `json:"param"`
	// Metric is the validation measure minimised.
	Metric string `json:"metric"`
	// Seed is the seed of the tuning runs.
	Seed   uint64  `json:"seed"`
	Tried  []trial `json:"tried"`
	Chosen float64 `json:"chosen"`
}

// trial is one value tried and its validation score; a run that diverged
// has no score.
type trial struct {
	Value    float64  `json:"value"`
	Score    *float64 `json:"score,omitempty"`
	Diverged bool     `json:"diverged,omitempty"`
}

// tuned is a tuning's outcome: the record, and the run at the chosen
// value, which is that method's run with the tuning seed.
type tuned[R any] struct {
	*tuning
	Run R
}

// tune runs a method at every value of g, in order, with the lab's seed
// (run builds, trains and scores one: the score is the validation metric,
// lower is better, and NaN or +Inf marks a run that diverged) and keeps
// the run with the lowest score; ties go to the earlier value, and a
// diverged run is chosen only when every run diverged (then the first).
// release, if not nil, is called on every run not kept, as soon as it is
// beaten, so that only two runs are alive at once.
func tune[R any](ctx context.Context, l *lab, method, metric string, g tuneGrid, run func(v float64) (R, float64, error), release func(R)) (tuned[R], error) {
	out := tuned[R]{tuning: &tuning{On: "validation", Param: g.Param, Metric: metric, Seed: l.o.Seed}}
	if len(g.Values) == 0 {
		return out, l.errorf("%s: no values to tune %s over", method, g.Param)
	}
	best, bestScore, have := -1, math.Inf(1), false
	for i, v := range g.Values {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, score, err := run(v)
		if err != nil {
			if have && release != nil {
				release(out.Run)
			}
			return out, err
		}
		t := trial{Value: v}
		if math.IsNaN(score) || math.IsInf(score, 0) {
			t.Diverged = true
		} else {
			s := score
			t.Score = &s
		}
		out.Tried = append(out.Tried, t)
		l.logf("tune %s: %s %s → %s", method, g.Param, num(v), scoreText(t))
		if !have || (!t.Diverged && score < bestScore) {
			if have && release != nil {
				release(out.Run)
			}
			out.Run, have, best = r, true, i
			if !t.Diverged {
				bestScore = score
			}
			continue
		}
		if release != nil {
			release(r)
		}
	}
	out.Chosen = g.Values[best]
	return out, nil
}

func scoreText(t trial) string {
	if t.Diverged {
		return "diverged"
	}
	return fmt.Sprintf("%.4g", *t.Score)
}

// triedText lists a tuning's trials for a report: "0.01: 0.123, 0.1:
// 0.101 (chosen), 1: diverged".
func (t *tuning) triedText(format func(float64) string) string {
	var parts []string
	for _, tr := range t.Tried {
		s := "diverged"
		if !tr.Diverged {
			s = format(*tr.Score)
		}
		if tr.Value == t.Chosen {
			s += " (chosen)"
		}
		parts = append(parts, num(tr.Value)+": "+s)
	}
	return strings.Join(parts, ", ")
}
