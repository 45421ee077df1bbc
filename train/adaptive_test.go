package train

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// smallMNIST is the adaptive tests' problem: 1,000 training digits.
func smallMNIST(t *testing.T) *datasets.Set {
	t.Helper()
	return mnist(t).Limit(1000, 200, 0).Train
}

// TestClone checks a clone starts where its original is (same predictions,
// same optimizer state) and then trains without touching the original.
func TestClone(t *testing.T) {
	s := mnist(t).Limit(500, 200, 0)
	for _, opt := range []optimizers.Config{
		{Name: "adam", Hyper: map[string]float64{"lr": 0.01}},
		{Name: "aggmo", Hyper: map[string]float64{"lr": 0.05}, Betas: []float64{0, 0.5}},
	} {
		t.Run(opt.Name, func(t *testing.T) {
			c, m := newClassifier(t, []models.Layer{{Units: 16, Activation: models.Tanh}}, opt, 50)
			if _, err := Run(context.Background(), c, s.Train, nil, Config{Epochs: 1, Shuffle: rng.New(1, "shuffle")}); err != nil {
				t.Fatal(err)
			}
			cp, err := c.Clone(ClassifierConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer cp.Close()
			if cp.BatchSize() != 50 || cp.evalN != 300 {
				t.Errorf("clone batch sizes %d/%d, want 50/300", cp.BatchSize(), cp.evalN)
			}
			if !reflect.DeepEqual(cp.Optimizer().State(), c.Optimizer().State()) || !reflect.DeepEqual(cp.Optimizer().Hyper(), c.Optimizer().Hyper()) {
				t.Error("the clone's optimizer differs from the original's")
			}
			if a, ok := cp.Optimizer().(*optimizers.AggMo); ok && len(a.Betas()) != 2 {
				t.Errorf("clone's betas %v, want [0 0.5]", a.Betas())
			}
			before, _ := c.Evaluate(s.Validation)
			got, _ := cp.Evaluate(s.Validation)
			if got != before {
				t.Errorf("clone evaluates to %+v, original to %+v", got, before)
			}
			weights := m.Params()[0].Float64s()
			if _, err := Run(context.Background(), cp, s.Train, nil, Config{Epochs: 1, Shuffle: rng.New(2, "shuffle")}); err != nil {
				t.Fatal(err)
			}
			if after, _ := c.Evaluate(s.Validation); after != before || !reflect.DeepEqual(m.Params()[0].Float64s(), weights) {
				t.Error("training the clone changed the original")
			}
			if moved, _ := cp.Evaluate(s.Validation); moved == before {
				t.Error("the clone did not train")
			}
			if cp.Optimizer().Steps() != 2*c.Optimizer().Steps() {
				t.Errorf("clone took %d steps in all, original %d", cp.Optimizer().Steps(), c.Optimizer().Steps())
			}
		})
	}
}

// TestCloneKeepsSettings checks the settings a Classifier keeps (loss,
// max-norm) carry over to a clone unless the clone's config sets them.
func TestCloneKeepsSettings(t *testing.T) {
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 2}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	o, _ := optimizers.New(optimizers.Config{Name: "sgd"})
	c, err := NewClassifier(m, o, ClassifierConfig{BatchSize: 10, EvalBatch: 20, Loss: "dice", MaxNorm: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cp, err := c.Clone(ClassifierConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if cp.loss != "dice" || cp.maxNorm != 2 || cp.evalN != 20 || cp.BatchSize() != 10 {
		t.Errorf("clone: loss %q max-norm %v eval %d batch %d, want dice 2 20 10", cp.loss, cp.maxNorm, cp.evalN, cp.BatchSize())
	}
	cp2, err := c.Clone(ClassifierConfig{BatchSize: 5, MaxNorm: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer cp2.Close()
	if cp2.maxNorm != 3 || cp2.BatchSize() != 5 || cp2.loss != "dice" {
		t.Errorf("clone with settings: max-norm %v batch %d loss %q", cp2.maxNorm, cp2.BatchSize(), cp2.loss)
	}
}

// TestAdaptivePicksGoodRate is the heuristic's promise: offered a clearly
// good rate and a clearly bad one (far too small, or far too large), it
// keeps the good one, whatever the candidates' order.
func TestAdaptivePicksGoodRate(t *testing.T) {
	train := smallMNIST(t)
	tests := []struct {
		name    string
		factors []float64
		want    int // index of the good candidate
	}{
		{"too small", []float64{1e-4, 1}, 1},
		{"too large", []float64{1, 300}, 0},
		{"three", []float64{300, 1e-4, 1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClassifier(t, nil, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.1}}, 50)
			a, err := NewAdaptive(c, train, AdaptiveConfig{Every: 100, Steps: 10, Subset: 300, Factors: tt.factors}, rng.New(1, "adaptive"))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			lr, err := a.RateErr(1)
			if err != nil {
				t.Fatal(err)
			}
			ch := a.Choices()
			if len(ch) != 1 {
				t.Fatalf("%d choices after one search", len(ch))
			}
			if lr != 0.1 || ch[0].Chosen != tt.want || ch[0].Rate != 0.1 || ch[0].Update != 1 {
				t.Errorf("chose %g (%+v), want 0.1", lr, ch[0])
			}
			good := ch[0].Losses[tt.want]
			for i, l := range ch[0].Losses {
				if i != tt.want && !(l > 1.2*good) {
					t.Errorf("bad rate %g reached loss %g, not clearly worse than %g", ch[0].Candidates[i], l, good)
				}
			}
			t.Logf("candidates %v, losses %v", ch[0].Candidates, ch[0].Losses)
			// The task itself has not moved: the search trains copies only.
			if c.Optimizer().Steps() != 0 {
				t.Errorf("the search stepped the task's optimizer %d times", c.Optimizer().Steps())
			}
		})
	}
}

// TestAdaptiveRun trains with the heuristic as Run's schedule twice with the
// same seed: searches happen every K updates, each rate is used until the
// next, and both runs make the same choices to the bit.
func TestAdaptiveRun(t *testing.T) {
	train := smallMNIST(t)
	run := func() ([]AdaptiveChoice, []Record, string) {
		c, _ := newClassifier(t, []models.Layer{{Units: 16, Activation: models.ReLU}}, optimizers.Config{Name: "momentum", Hyper: map[string]float64{"lr": 0.01}}, 50)
		a, err := NewAdaptive(c, train, AdaptiveConfig{Every: 8, Steps: 4, Subset: 200}, rng.New(3, "adaptive"))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		lrs := &rateLog{}
		recs, err := Run(context.Background(), c, train, nil, Config{Epochs: 1, Shuffle: rng.New(3, "shuffle"), Schedule: a, Hooks: []Hook{lrs}})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := a.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
		return a.Choices(), recs, b.String()
	}
	ch, recs, text := run()
	ch2, recs2, text2 := run()
	if !reflect.DeepEqual(ch, ch2) || text != text2 || recs[0].TrainLoss != recs2[0].TrainLoss {
		t.Errorf("same seed, different runs:\n%v\n%v", ch, ch2)
	}
	// 1000/50 = 20 updates: searches before updates 1, 9 and 17.
	if len(ch) != 3 || ch[0].Update != 1 || ch[1].Update != 9 || ch[2].Update != 17 {
		t.Fatalf("choices %+v, want searches at updates 1, 9, 17", ch)
	}
	prev := 0.01
	for _, c := range ch {
		want := []float64{prev / 4, prev / 2, prev, prev * 2, prev * 4}
		if !reflect.DeepEqual(c.Candidates, want) {
			t.Errorf("update %d: candidates %v, want %v", c.Update, c.Candidates, want)
		}
		if c.Rate != c.Candidates[c.Chosen] {
			t.Errorf("update %d: rate %g is not candidate %d", c.Update, c.Rate, c.Chosen)
		}
		for i, l := range c.Losses {
			if l < c.Losses[c.Chosen] {
				t.Errorf("update %d: candidate %d has loss %g below the chosen %g", c.Update, i, l, c.Losses[c.Chosen])
			}
		}
		prev = c.Rate
	}
	if recs[0].LR != ch[2].Rate {
		t.Errorf("epoch record lr %g, want the last choice %g", recs[0].LR, ch[2].Rate)
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) != 1+3*5 || strings.Join(rows[0], ",") != "update,candidate_lr,subset_loss,chosen" {
		t.Errorf("CSV: %v\n%s", err, text)
	}
}

// rateLog is a hook that only counts; Run needs none, but this checks the
// adaptive search does not disturb one.
type rateLog struct{ updates int }

func (r *rateLog) OnStep(StepInfo) error { r.updates++; return nil }

func TestAdaptiveErrors(t *testing.T) {
	train := smallMNIST(t)
	c, _ := newClassifier(t, nil, optimizers.Config{Name: "sgd"}, 50)
	tests := []struct {
		c    AdaptiveConfig
		key  string
		want string
	}{
		{AdaptiveConfig{Every: 0, Steps: 1, Subset: 100}, "every", "invalid every 0 (want a whole number of updates ≥ 1)"},
		{AdaptiveConfig{Every: 1, Steps: 0, Subset: 100}, "steps", "invalid steps 0"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 10}, "subset", "invalid subset 10 (want a number of examples ≥ the batch size 50)"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 100, Factors: []float64{1, -2}}, "factors", "invalid factors -2"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 100, Factors: []float64{}}, "factors", "non-empty"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 5000}, "", "only 1000"},
	}
	for _, tt := range tests {
		_, err := NewAdaptive(c, train, tt.c, rng.New(1, "a"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.c, err, tt.want)
			continue
		}
		var pe *schedules.ParamError
		if errors.As(err, &pe) != (tt.key != "") || tt.key != "" && pe.Key != tt.key {
			t.Errorf("%+v: error %#v, want a ParamError for %q", tt.c, err, tt.key)
		}
	}
}

// TestAdaptiveAllDiverge checks the careful fallback: when every copy's
// loss blows up, the smallest rate is kept.
func TestAdaptiveAllDiverge(t *testing.T) {
	train := smallMNIST(t)
	c, _ := newClassifier(t, []models.Layer{{Units: 32, Activation: models.ReLU}}, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 1e35}}, 50)
	a, err := NewAdaptive(c, train, AdaptiveConfig{Every: 5, Steps: 5, Subset: 100, Factors: []float64{2, 1, 4}}, rng.New(1, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if lr := a.Rate(1); lr != 1e35 {
		t.Errorf("rate %g, want the smallest candidate 1e35", lr)
	}
	for _, l := range a.Choices()[0].Losses {
		if !math.IsInf(l, 1) {
			t.Fatalf("losses %v, want all +Inf", a.Choices()[0].Losses)
		}
	}
}
