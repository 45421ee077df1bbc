package sweeps

import (
	"context"
	"fmt"

	"github.com/gorgonia-zoo/zoo/internal/plural"
)

// Run trains the sweep in dir on this machine (see RunLocal): every
// point, or, under successive halving, rung by rung: the points of the
// current rung to its budget, then Promote, until the last rung is
// trained. Re-running it resumes where it stopped.
func Run(ctx context.Context, dir string, s *Spec, o LocalOptions) error {
	if s.Halving == nil {
		all := make([]int, len(s.Points))
		for i := range all {
			all[i] = i
		}
		return RunLocal(ctx, dir, s, all, o)
	}
	for {
		r, err := ReadRungs(dir, s)
		if err != nil {
			return err
		}
		cur := r.Current()
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "sweep: rung %d/%d: %s to %s\n", len(r.Rungs), len(s.Halving.Budgets), plural.Count(len(cur.Points), "point"), plural.Count(cur.Epochs, "epoch"))
		}
		if err := RunLocal(ctx, dir, s, cur.Points, o); err != nil {
			return err
		}
		if _, final, err := Promote(dir, s); err != nil || final {
			return err
		}
	}
}
