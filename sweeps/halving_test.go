package sweeps

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// fakeRun makes point i's run directory look trained to len(valErrors)
// epochs and stopped there with a checkpoint.
func fakeRun(t *testing.T, dir string, i int, valErrors ...float64) {
	t.Helper()
	pd := PointDir(dir, i)
	if err := os.MkdirAll(pd, 0o755); err != nil {
		t.Fatal(err)
	}
	var rows []runs.MetricsRow
	for e, v := range valErrors {
		rows = append(rows, runs.MetricsRow{Phase: runs.PhaseTrain, Layer: -1, Epoch: e + 1, TrainLoss: 1, ValLoss: 1, ValError: v, LR: 0.1, Seconds: 1})
	}
	if err := runs.WriteMetrics(pd, rows, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pd, runs.CheckpointFile), []byte("stand-in"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPromote: a rung is decided once all its points have its budget: the
// best 1/eta by validation error at the budget continue (ties to the
// lower index), a diverged point never does, and the others are culled.
func TestPromote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	s, err := New(Plan{Recipe: "mlp-mnist", Set: []string{"epochs=4"}, Grid: []string{"optimizer.lr=1,2,3,4,5,6"}, Halving: true, Eta: 2}, when)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir, s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Halving.Budgets, []int{1, 2, 4}) {
		t.Fatalf("budgets %v", s.Halving.Budgets)
	}
	fakeRun(t, dir, 0, 0.5)
	fakeRun(t, dir, 1, 0.2)
	fakeRun(t, dir, 2, 0.3)
	fakeRun(t, dir, 3, 0.2)
	fakeRun(t, dir, 4, 0.9)
	// Point 5 has not trained yet: the rung cannot be decided.
	if _, _, err := Promote(dir, s); err == nil || !strings.Contains(err.Error(), "rung 0 (1 epochs) is not trained yet: points 005 (pending)") {
		t.Fatalf("deciding an unfinished rung: %v", err)
	}
	if err := os.MkdirAll(PointDir(dir, 5), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFailure(dir, 5, failure{Error: "train: diverged", Diverged: true}); err != nil {
		t.Fatal(err)
	}
	r, final, err := Promote(dir, s)
	if err != nil || final {
		t.Fatalf("promote: %v, final %v", err, final)
	}
	if got := r.Rungs[0].Promoted; !slices.Equal(got, []int{1, 3, 2}) {
		t.Errorf("promoted %v, want [1 3 2] (the best 6/2, ties to the lower index)", got)
	}
	last := r.Rungs[0].Scores[len(r.Rungs[0].Scores)-1]
	if last.Point != 5 || last.Value != nil {
		t.Errorf("the diverged point scored %+v, want last with no value", last)
	}
	if len(r.Rungs) != 2 || r.Rungs[1].Epochs != 2 || !slices.Equal(r.Rungs[1].Points, []int{1, 2, 3}) {
		t.Errorf("next rung %+v", r.Rungs[1:])
	}
	// Deciding is written down, and the states follow.
	again, err := ReadRungs(dir, s)
	if err != nil || len(again.Rungs) != 2 {
		t.Fatalf("rungs.json: %+v, %v", again, err)
	}
	if b := again.Budget(s, 1); b != 2 {
		t.Errorf("point 1's budget %d, want rung 1's 2", b)
	}
	sts, err := Statuses(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []State{Culled, Interrupted, Interrupted, Interrupted, Culled, Diverged}
	for i, st := range sts {
		if st.State != want[i] {
			t.Errorf("point %d is %s, want %s", i, st.State, want[i])
		}
	}
	// Rung 1 by the error at epoch 2, not the last epoch's.
	fakeRun(t, dir, 1, 0.2, 0.10)
	fakeRun(t, dir, 2, 0.3, 0.05)
	fakeRun(t, dir, 3, 0.2, 0.15)
	r, final, err = Promote(dir, s)
	if err != nil || final {
		t.Fatalf("promote rung 1: %v, final %v", err, final)
	}
	if got := r.Rungs[1].Promoted; !slices.Equal(got, []int{2}) {
		t.Errorf("rung 1 promoted %v, want [2]", got)
	}
	if b := r.Budget(s, 2); b != 0 {
		t.Errorf("on the last rung point 2's budget is %d, want 0 (the recipe's epochs)", b)
	}
	if _, final, err := Promote(dir, s); err != nil || !final {
		t.Errorf("promoting from the last rung: %v, final %v", err, final)
	}
	if v := *r.Rungs[1].Scores[0].Value; v != 0.05 || math.IsNaN(v) {
		t.Errorf("rung 1's best score %v, want 0.05", v)
	}
}
