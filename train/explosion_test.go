package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// TestExplosionStopsSmallMLP is issue 18's example: a small MLP with SGD at
// lr 1e6 keeps a finite loss (1e32, weights near 1e23) and used to end as a
// success. It must stop as diverged, with the explosion named.
func TestExplosionStopsSmallMLP(t *testing.T) {
	s := mnist(t).Limit(1000, 100, 0)
	for _, hidden := range [][]models.Layer{
		{{Units: 16, Activation: models.ReLU}},
		{{Units: 8, Activation: models.Tanh}},
		nil, // softmax regression: the loss grows with the rate, never NaN
	} {
		c, _ := newClassifier(t, hidden, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 1e6}}, 50)
		recs, err := Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 3})
		var d *DivergedError
		if !errors.As(fmt.Errorf("wrapped: %w", err), &d) || !IsDiverged(err) {
			t.Fatalf("%v: want a *DivergedError, got %v (%d records)", hidden, err, len(recs))
		}
		if !d.Exploded || d.Update != DefaultExplosionSteps || d.LR != 1e6 || d.FirstLoss <= 0 {
			t.Errorf("%v: diverged report %+v", hidden, d)
		}
		if !strings.Contains(err.Error(), "has exploded") {
			t.Errorf("%v: message %q does not name the explosion", hidden, err)
		}
		// Off: the same run goes on to the end, as it did before the rule.
		c, _ = newClassifier(t, hidden, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 1e6}}, 50)
		recs, err = Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 1, Explosion: Explosion{Off: true}})
		if err != nil && !IsDiverged(err) {
			t.Errorf("%v with the rule off: %v", hidden, err)
		}
		if d := new(DivergedError); errors.As(err, &d) && d.Exploded {
			t.Errorf("%v with the rule off: stopped as exploded", hidden)
		}
	}
}

// scripted is a Task whose losses are given: update t (from 1) returns
// losses[t-1]. It trains nothing.
type scripted struct {
	losses []float64
	t      int
}

func (s *scripted) BatchSize() int { return 1 }
func (s *scripted) Step(*Batch) (float64, error) {
	s.t++
	return s.losses[s.t-1], nil
}
func (s *scripted) Evaluate(*datasets.Set) (infer.Metrics, error) { return infer.Metrics{}, nil }
func (s *scripted) SetLearningRate(float64)                       {}
func (s *scripted) LearningRate() float64                         { return 0.1 }

// repeat is n copies of v.
func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func cat(parts ...[]float64) []float64 {
	var out []float64
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestExplosionRule runs the rule on scripted losses, 20 updates an epoch:
// healthy runs, noisy ones included, are never stopped; an explosion is,
// at the first update the rule allows.
func TestExplosionRule(t *testing.T) {
	set := &datasets.Set{Name: "scripted", X: make([]float32, 20), Shape: []int{1}}
	down := func(from float64, n int) []float64 { // a healthy descent
		out := make([]float64, n)
		for i := range out {
			out[i] = from / float64(1+i)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		losses []float64 // 3 epochs of 20
		rule   Explosion
		resume *State // losses then start with the 20 updates before it
		at     int    // the update stopped at; 0: not stopped
	}{
		{name: "healthy", losses: cat(down(2.3, 60))},
		{name: "one wild batch at the start", losses: cat([]float64{2.3, 5000}, down(2.3, 58))},
		{name: "a noisy first epoch, then down", losses: cat([]float64{2.3}, repeat(150, 19), down(2.3, 40))},
		{name: "tiny first loss, a rise within the margin", losses: cat([]float64{1e-4}, repeat(50, 59))},
		{name: "large-scale loss, a tenfold rise", losses: cat([]float64{1e6}, repeat(1e7, 59))},
		{name: "explodes at once", losses: cat([]float64{2.3}, repeat(1e30, 59)), at: 10},
		{name: "explodes in the second epoch", losses: cat(down(2.3, 20), repeat(1e9, 40)), at: 30},
		{name: "explodes late in an epoch", losses: cat(repeat(2.3, 15), repeat(1e9, 45)), at: 16},
		{name: "first loss 0 (an old checkpoint): the margin", losses: cat([]float64{0}, repeat(2000, 59)), at: 10},
		{name: "a long epoch is judged at its end", rule: Explosion{MinSteps: 40},
			losses: cat([]float64{2.3}, repeat(1e6, 19), repeat(1e5, 40)), at: 20},
		// Resumed after an epoch far above the bound (judged with the rule
		// off, say): coming down goes on, going up stops.
		{name: "high but falling goes on", resume: high(), losses: cat(repeat(0, 20), repeat(1e5, 40))},
		{name: "high and rising stops", resume: high(), losses: cat(repeat(0, 20), repeat(2e6, 40)), at: 30},
		{name: "a smaller factor", rule: Explosion{Factor: 2, Margin: 1}, losses: cat([]float64{2.3}, repeat(10, 59)), at: 10},
		{name: "off", rule: Explosion{Off: true}, losses: cat([]float64{2.3}, repeat(1e30, 59))},
	} {
		t.Run(c.name, func(t *testing.T) {
			task := &scripted{losses: c.losses}
			if c.resume != nil {
				task.t = c.resume.Updates
			}
			recs, err := Run(context.Background(), task, set, nil, Config{Epochs: 3, Explosion: c.rule, Resume: c.resume})
			var d *DivergedError
			switch {
			case c.at == 0 && err != nil:
				t.Fatalf("stopped a healthy run: %v", err)
			case c.at == 0 && len(recs) != 3:
				t.Fatalf("%d records, want 3", len(recs))
			case c.at != 0 && !errors.As(err, &d):
				t.Fatalf("want a *DivergedError at update %d, got %v", c.at, err)
			case c.at != 0 && (d.Update != c.at || !d.Exploded):
				t.Fatalf("stopped %+v, want at update %d", d, c.at)
			}
		})
	}
}

// high is a run after its first epoch, whose mean loss, 1e6, is far above
// the bound its first loss (2.3) sets.
func high() *State {
	return &State{Epoch: 2, Updates: 20, FirstLoss: 2.3, Records: []Record{{Epoch: 1, TrainLoss: 1e6, Updates: 20}}}
}

// TestExplosionSettings: settings the rule cannot use are refused before
// anything is trained.
func TestExplosionSettings(t *testing.T) {
	set := &datasets.Set{Name: "scripted", X: make([]float32, 20), Shape: []int{1}}
	for _, e := range []Explosion{{Factor: 1}, {Factor: 0.5}, {Factor: -3}, {Margin: -1}, {MinSteps: -1}} {
		task := &scripted{losses: repeat(1, 20)}
		if _, err := Run(context.Background(), task, set, nil, Config{Epochs: 1, Explosion: e}); err == nil || task.t != 0 {
			t.Errorf("%+v: err %v after %d updates", e, err, task.t)
		}
	}
}

// TestDivergedSuggestion: the smaller rate suggested is written short, not
// with float64's noise (2.5e29/10 is 2.5000000000000002e+28).
func TestDivergedSuggestion(t *testing.T) {
	for lr, want := range map[float64]string{2.5e29: "(for example 2.5e+28)", 1e6: "(for example 100000)", 15.625: "(for example 1.5625)"} {
		if got := (&DivergedError{Epoch: 1, Update: 2, Loss: math.NaN(), LR: lr}).Error(); !strings.Contains(got, want) {
			t.Errorf("lr %g: %s, want %s", lr, got, want)
		}
	}
}

// TestExplosionResumes: the rule's reference, the first update's loss, is
// part of the state a checkpoint saves (as JSON), so a run resumed from the
// end of its first epoch stops at the same update as an uninterrupted one.
func TestExplosionResumes(t *testing.T) {
	set := &datasets.Set{Name: "scripted", X: make([]float32, 20), Shape: []int{1}}
	// The bound is max(5000, 1050): the second epoch (3000) stays under it,
	// the third (1e5) does not. Without the first loss the bound would be
	// the margin, 1000, and the second epoch would stop.
	losses := cat([]float64{50}, repeat(1, 19), repeat(3000, 20), repeat(1e5, 20))
	var saved []byte
	save := CheckpointFunc(func(st *State) error {
		if saved == nil {
			var err error
			saved, err = json.Marshal(st)
			return err
		}
		return nil
	})
	_, err := Run(context.Background(), &scripted{losses: losses}, set, nil, Config{Epochs: 3, Hooks: []Hook{save}})
	var whole *DivergedError
	if !errors.As(err, &whole) || whole.Update != 50 {
		t.Fatalf("uninterrupted: %v", err)
	}
	var st State
	if err := json.Unmarshal(saved, &st); err != nil || st.FirstLoss != 50 {
		t.Fatalf("saved state %s: first loss %v, %v", saved, st.FirstLoss, err)
	}
	_, err = Run(context.Background(), &scripted{losses: losses, t: st.Updates}, set, nil, Config{Epochs: 3, Resume: &st})
	var resumed *DivergedError
	if !errors.As(err, &resumed) || *resumed != *whole {
		t.Fatalf("resumed: %v, want %v", err, whole)
	}
}
