package pipeline

import (
	"math"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestNonFiniteFigure: every float figure of a summary that JSON cannot
// hold is found and named by its key in summary.json.
func TestNonFiniteFigure(t *testing.T) {
	for _, tt := range []struct {
		s     runs.Summary
		field string
	}{
		{runs.Summary{TrainLoss: 0.5, ValLoss: 0.4}, ""},
		{runs.Summary{ValLoss: math.NaN()}, "val_loss"},
		{runs.Summary{TestLoss: math.Inf(1)}, "test_loss"},
		{runs.Summary{TestError: 0.1, BestScore: math.Inf(-1)}, "best_score"},
		{runs.Summary{Pretrain: []runs.LayerSummary{{TrainLoss: 1}, {ValReconstructionLoss: math.NaN()}}}, "pretrain val_reconstruction_loss"},
	} {
		if f, _ := nonFiniteFigure(&tt.s); f != tt.field {
			t.Errorf("%+v: %q, want %q", tt.s, f, tt.field)
		}
	}
}
