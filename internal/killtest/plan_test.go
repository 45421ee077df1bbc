package killtest

import (
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestMetricsRange checks how many rows metrics.csv may have while the
// checkpoint holds n epochs, for runs of one phase and of an sdae's
// several.
func TestMetricsRange(t *testing.T) {
	train := func(epochs int) phase { return phase{runs.PhaseTrain, -1, epochs} }
	pre := func(k, epochs int) phase { return phase{runs.PhasePretrain, k, epochs} }
	fine := func(epochs int) phase { return phase{runs.PhaseFinetune, -1, epochs} }
	for _, tt := range []struct {
		name      string
		phases    []phase
		earlyStop bool
		n, lo, hi int
	}{
		{"interrupted in the first epoch", []phase{train(3)}, false, 0, 0, 0},
		{"after the first epoch", []phase{train(3)}, false, 1, 0, 1},
		{"before the last epoch", []phase{train(3)}, false, 2, 1, 3},
		{"early stopping may end any epoch", []phase{train(3)}, true, 1, 0, 2},
		{"one-epoch run", []phase{train(1)}, false, 0, 0, 1},
		// Rows 1…6: pretrain 0 (1, 2), pretrain 1 (3, 4), finetune (5, 6);
		// checkpoints after 1, 3 and 5.
		{"sdae, in the first stage", []phase{pre(0, 2), pre(1, 2), fine(2)}, false, 1, 0, 1},
		{"sdae, interrupted at a stage's start", []phase{pre(0, 2), pre(1, 2), fine(2)}, false, 2, 1, 2},
		{"sdae, after a stage's first epoch", []phase{pre(0, 2), pre(1, 2), fine(2)}, false, 3, 1, 3},
		{"sdae, fine-tuning", []phase{pre(0, 2), pre(1, 2), fine(2)}, false, 5, 3, 6},
		// One epoch a phase: no checkpoint but when interrupted.
		{"sdae of one-epoch phases", []phase{pre(0, 1), pre(1, 1), fine(1)}, false, 1, 0, 3},
		{"sdae, one-epoch fine-tuning", []phase{pre(0, 3), fine(1)}, false, 2, 1, 4},
	} {
		p := &plan{r: &recipes.Recipe{}, phases: tt.phases, earlyStop: tt.earlyStop}
		if lo, hi := p.metricsRange(tt.n); lo != tt.lo || hi != tt.hi {
			t.Errorf("%s: %d epochs checkpointed: %d to %d rows, want %d to %d", tt.name, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
}
