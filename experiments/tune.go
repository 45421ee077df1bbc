package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"
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
	// Extend is how many values tune may add beyond an end of Values
	// when the best lies there (0 for a bounded parameter such as a
	// dropout rate). The grid must then be geometric at its ends.
	Extend int
}

// String is the grid as a report gives it: "lr ∈ {0.01, 0.1, 1}".
func (g tuneGrid) String() string {
	var v []string
	for _, x := range g.Values {
		v = append(v, num(x))
	}
	out := fmt.Sprintf("%s ∈ {%s}", g.Param, strings.Join(v, ", "))
	if g.Extend > 0 {
		out += fmt.Sprintf(" (extended past an end, by up to %d values, while the best lies there)", g.Extend)
	}
	return out
}

// gridExtend is how many values a grid of rates or strengths may be
// extended by (tuneGrid.Extend): 2, and none in a quick run, which stays
// short.
func gridExtend(quick bool) int {
	if quick {
		return 0
	}
	return 2
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
	// Extended counts the values tried beyond the stated grid because
	// its best lay at an end.
	Extended int `json:"extended,omitempty"`
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
// the run with the lowest score; a tie goes to the value tried first, and
// a diverged run is chosen only when every run diverged (then the first).
// When the best value lies at an end of the grid and scored strictly
// better than its neighbour, the optimum may lie beyond: the grid is
// extended past that end by its own ratio there, one value at a time, up
// to g.Extend values. release, if not nil, is called on every run not
// kept, as soon as it is beaten, so that only two runs are alive at once.
func tune[R any](ctx context.Context, l *lab, method, metric string, g tuneGrid, run func(v float64) (R, float64, error), release func(R)) (tuned[R], error) {
	out := tuned[R]{tuning: &tuning{On: "validation", Param: g.Param, Metric: metric, Seed: l.o.Seed}}
	if len(g.Values) == 0 {
		return out, l.errorf("%s: no values to tune %s over", method, g.Param)
	}
	scores := map[float64]float64{} // NaN: diverged
	bestScore, have := math.Inf(1), false
	try := func(v float64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, score, err := run(v)
		if err != nil {
			return err
		}
		t := trial{Value: v}
		if math.IsNaN(score) || math.IsInf(score, 0) {
			t.Diverged, score = true, math.NaN()
		} else {
			s := score
			t.Score = &s
		}
		scores[v] = score
		out.Tried = append(out.Tried, t)
		l.logf("tune %s: %s %s → %s", method, g.Param, num(v), scoreText(t))
		if !have || (!t.Diverged && score < bestScore) {
			if have && release != nil {
				release(out.Run)
			}
			out.Run, out.Chosen, have = r, v, true
			if !t.Diverged {
				bestScore = score
			}
			return nil
		}
		if release != nil {
			release(r)
		}
		return nil
	}
	fail := func(err error) (tuned[R], error) {
		if have && release != nil {
			release(out.Run)
		}
		return out, err
	}
	vals := append([]float64(nil), g.Values...)
	for _, v := range vals {
		if err := try(v); err != nil {
			return fail(err)
		}
	}
	// better reports whether a scored strictly better than b.
	better := func(a, b float64) bool {
		return !math.IsNaN(scores[a]) && (math.IsNaN(scores[b]) || scores[a] < scores[b])
	}
	for range g.Extend {
		n := len(vals)
		if n < 2 {
			break
		}
		var next float64
		switch {
		case out.Chosen == vals[0] && better(vals[0], vals[1]):
			next = round3(vals[0] * vals[0] / vals[1])
			vals = append([]float64{next}, vals...)
		case out.Chosen == vals[n-1] && better(vals[n-1], vals[n-2]):
			next = round3(vals[n-1] * vals[n-1] / vals[n-2])
			vals = append(vals, next)
		default:
			return out, nil
		}
		out.Extended++
		if err := try(next); err != nil {
			return fail(err)
		}
	}
	return out, nil
}

// round3 rounds v to 3 significant digits, so that a grid made by
// multiplying reads as typed (0.003, not 0.0030000000000000005).
func round3(v float64) float64 {
	x, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return x
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
