package sweeps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/jsonerr"
	"github.com/gorgonia-zoo/zoo/runs"
)

// Rungs is rungs.json: the rungs of a successive-halving sweep decided so
// far. A rung lists the points that train to its budget; once they all
// have, Promote scores them and adds the next rung, with the best 1/eta.
// The last rung listed is the one being trained.
type Rungs struct {
	Rungs []Rung `json:"rungs"`
}

// Rung is one rung of successive halving.
type Rung struct {
	// Epochs is the rung's budget: its points train to this many epochs
	// (the last rung's is the recipe's epochs).
	Epochs int `json:"epochs"`
	// Points are the indexes of the points trained at this rung.
	Points []int `json:"points"`
	// Scores are the points' validation metrics at the budget, and
	// Promoted the points that continue to the next rung, best first;
	// both are set when the rung is decided.
	Scores   []Score `json:"scores,omitempty"`
	Promoted []int   `json:"promoted,omitempty"`
}

// Score is a point's validation metric at a rung's budget. Value is nil
// for a point that diverged (or has no validation figure): it is ranked
// last and never promoted.
type Score struct {
	Point  int      `json:"point"`
	Metric string   `json:"metric"`
	Value  *float64 `json:"value"`
	Epochs int      `json:"epochs"`
}

// ReadRungs reads the rungs of the sweep in dir: nil without halving, the
// first rung (every point, the first budget) before rungs.json exists.
func ReadRungs(dir string, s *Spec) (*Rungs, error) {
	if s.Halving == nil {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, RungsFile))
	if errors.Is(err, fs.ErrNotExist) {
		all := make([]int, len(s.Points))
		for i := range all {
			all[i] = i
		}
		return &Rungs{Rungs: []Rung{{Epochs: s.Halving.Budgets[0], Points: all}}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweeps: %w", err)
	}
	var r Rungs
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var why string
	if err := dec.Decode(&r); err != nil {
		why = jsonerr.Describe(err)
	} else if len(r.Rungs) == 0 || len(r.Rungs) > len(s.Halving.Budgets) {
		why = fmt.Sprintf("it lists %d rungs, the sweep has 1 to %d", len(r.Rungs), len(s.Halving.Budgets))
	}
	if why != "" {
		return nil, fmt.Errorf("sweeps: %s is damaged (%s): remove it to decide the rungs again from the run directories", filepath.Join(dir, RungsFile), why)
	}
	for k, rung := range r.Rungs {
		if rung.Epochs != s.Halving.Budgets[k] {
			return nil, fmt.Errorf("sweeps: %s: rung %d has %d epochs, the sweep's budget is %d: the file is damaged", filepath.Join(dir, RungsFile), k, rung.Epochs, s.Halving.Budgets[k])
		}
		for _, i := range rung.Points {
			if i < 0 || i >= len(s.Points) {
				return nil, fmt.Errorf("sweeps: %s: rung %d lists point %d, the sweep has %d: the file is damaged", filepath.Join(dir, RungsFile), k, i, len(s.Points))
			}
		}
	}
	return &r, nil
}

// Current is the rung being trained (the last decided).
func (r *Rungs) Current() *Rung { return &r.Rungs[len(r.Rungs)-1] }

// Budget is the epochs point i trains to now: its last rung's budget, or 0
// (the recipe's epochs, the run finishes) on the last rung, without
// halving, or for a point of no rung.
func (r *Rungs) Budget(s *Spec, i int) int {
	if r == nil {
		return 0
	}
	for k := len(r.Rungs) - 1; k >= 0; k-- {
		if slices.Contains(r.Rungs[k].Points, i) {
			if k == len(s.Halving.Budgets)-1 {
				return 0
			}
			return r.Rungs[k].Epochs
		}
	}
	return 0
}

// culled reports whether point i's last rung is decided and did not
// promote it.
func (r *Rungs) culled(i int) bool {
	for k := len(r.Rungs) - 1; k >= 0; k-- {
		if slices.Contains(r.Rungs[k].Points, i) {
			return r.Rungs[k].Scores != nil && !slices.Contains(r.Rungs[k].Promoted, i)
		}
	}
	return false
}

// Promote decides the current rung of the sweep in dir, whose points must
// all have reached its budget (or diverged): it scores them and adds the
// next rung with the best 1/eta of them (at least one), written to
// rungs.json. final reports that the current rung is the last: there is
// nothing to promote to.
func Promote(dir string, s *Spec) (r *Rungs, final bool, err error) {
	if r, err = ReadRungs(dir, s); err != nil || r == nil {
		return r, true, err
	}
	k := len(r.Rungs) - 1
	if k == len(s.Halving.Budgets)-1 {
		return r, true, nil
	}
	cur := r.Current()
	var scores []Score
	var waiting []string
	for _, i := range cur.Points {
		st, err := PointStatus(dir, s.Points[i], cur.Epochs)
		if err != nil {
			return nil, false, err
		}
		sc := Score{Point: i, Metric: st.MetricName(), Epochs: st.Epochs}
		switch st.State {
		case Diverged:
		case Paused, Done:
			v, err := metricAt(PointDir(dir, i), st, cur.Epochs)
			if err != nil {
				return nil, false, err
			}
			if !math.IsNaN(v) {
				sc.Value = &v
			}
			sc.Epochs = min(st.Epochs, cur.Epochs)
		default:
			waiting = append(waiting, fmt.Sprintf("%s (%s)", PointName(i), st.State))
			continue
		}
		scores = append(scores, sc)
	}
	if len(waiting) > 0 {
		return nil, false, fmt.Errorf("sweeps: rung %d (%d epochs) is not trained yet: points %s", k, cur.Epochs, strings.Join(waiting, ", "))
	}
	slices.SortStableFunc(scores, func(a, b Score) int {
		switch {
		case a.Value == nil && b.Value == nil:
			return a.Point - b.Point
		case a.Value == nil:
			return 1
		case b.Value == nil:
			return -1
		case *a.Value != *b.Value:
			if *a.Value < *b.Value {
				return -1
			}
			return 1
		}
		return a.Point - b.Point
	})
	keep := max(1, len(scores)/s.Halving.Eta)
	var promoted []int
	for _, sc := range scores[:min(keep, len(scores))] {
		if sc.Value != nil {
			promoted = append(promoted, sc.Point)
		}
	}
	cur.Scores, cur.Promoted = scores, promoted
	if len(promoted) > 0 {
		next := slices.Clone(promoted)
		slices.Sort(next)
		r.Rungs = append(r.Rungs, Rung{Epochs: s.Halving.Budgets[k+1], Points: next})
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := atomicfile.Write(filepath.Join(dir, RungsFile), append(b, '\n')); err != nil {
		return nil, false, fmt.Errorf("sweeps: %w", err)
	}
	return r, len(promoted) == 0, nil
}

// metricAt is the validation metric of the run in pd after epochs epochs
// (or at its end, if it finished earlier: early stopping).
func metricAt(pd string, st Status, epochs int) (float64, error) {
	if st.State == Done && st.Epochs <= epochs {
		return st.Metric, nil
	}
	rows, err := runs.ReadMetrics(pd)
	if err != nil {
		return math.NaN(), err
	}
	for _, row := range runs.Curve(rows) {
		if row.Epoch == epochs {
			if row.HasError() {
				return row.ValError, nil
			}
			return row.ValLoss, nil
		}
	}
	return math.NaN(), nil
}
