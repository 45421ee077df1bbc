package train

import (
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// The adaptive heuristic lives in schedules, which tests its search with a
// fake task; these tests run it end to end on a real Classifier.

var _ FallibleSchedule = (*schedules.Adaptive)(nil)

// smallMNIST is the adaptive tests' problem: 1,000 training digits.
func smallMNIST(t *testing.T) *datasets.Set {
	t.Helper()
	return mnist(t).Limit(1000, 200, 0).Train
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
			a, err := schedules.NewAdaptive(c, train, schedules.AdaptiveConfig{Every: 100, Steps: 10, Subset: 300, Factors: tt.factors}, rng.New(1, "adaptive"))
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
	run := func() ([]schedules.AdaptiveChoice, []Record, string) {
		c, _ := newClassifier(t, []models.Layer{{Units: 16, Activation: models.ReLU}}, optimizers.Config{Name: "momentum", Hyper: map[string]float64{"lr": 0.01}}, 50)
		a, err := schedules.NewAdaptive(c, train, schedules.AdaptiveConfig{Every: 8, Steps: 4, Subset: 200}, rng.New(3, "adaptive"))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		lrs := &rateLog{}
		recs, err := Run(context.Background(), c, train, nil, Config{Epochs: 1, Shuffle: rng.New(3, "shuffle"), Schedule: a, Progress: lrs})
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

// rateLog is a Progress that does nothing; Run needs none, but this checks
// the adaptive search does not disturb one.
type rateLog struct{ updates int }

func (r *rateLog) EpochStart(int, int, int) {}
func (r *rateLog) Update(int, float64)      { r.updates++ }
func (r *rateLog) EpochEnd(Record)          {}
