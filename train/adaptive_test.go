package train

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// The adaptive heuristic lives in schedules, which tests its search (the
// choice rule included) with a fake task; this test runs it end to end on a
// real Classifier.

var _ FallibleSchedule = (*schedules.Adaptive)(nil)

// smallMNIST is the adaptive tests' problem: 1,000 training digits.
func smallMNIST(t *testing.T) *datasets.Set {
	t.Helper()
	return mnist(t).Limit(1000, 200, 0).Train
}

// TestAdaptiveRun trains with the heuristic as Run's schedule twice with the
// same seed: searches happen every K updates, the run ends with the last
// choice, and both runs make the same choices to the bit.
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
	for _, c := range ch {
		for i, l := range c.Losses {
			if l < c.Losses[c.Chosen] || math.IsNaN(l) {
				t.Errorf("update %d: candidate %d has loss %g below the chosen %g", c.Update, i, l, c.Losses[c.Chosen])
			}
		}
	}
	if recs[0].LR != ch[2].Rate {
		t.Errorf("epoch record lr %g, want the last choice %g", recs[0].LR, ch[2].Rate)
	}
}

// rateLog is a hook that only counts; Run needs none, but this checks the
// adaptive search does not disturb one.
type rateLog struct{ updates int }

func (r *rateLog) OnStep(StepInfo) error { r.updates++; return nil }
