package train

import (
	"context"
	"math"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// TestEarlyStoppingRestoresBest trains an over-fitting setup (500 examples,
// validation on loss) under both rules: training must stop before the
// epoch budget, and the model left behind must be the best one seen, not
// the last.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	s := mnist(t).Limit(500, 500, 0)
	tests := []struct {
		name string
		stop earlystop.Stopper
	}{
		{"no improvement, every epoch", &earlystop.NoImprovement{Evaluations: 3}},
		{"patience ×2, every 20 updates", &earlystop.Patience{Every: 20, Patience: 100, Increase: 2, Mode: earlystop.Mul}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClassifier(t, []models.Layer{{Units: 128, Activation: models.ReLU}},
				optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.003}}, 25)
			recs, err := Run(context.Background(), c, s.Train, s.Validation, Config{
				Epochs: 60, Shuffle: rng.New(1, "shuffle"), EarlyStop: tt.stop, StopMetric: "loss",
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 60 || tt.stop.Reason() == "" {
				t.Fatalf("did not stop early: %d epochs, reason %q", len(recs), tt.stop.Reason())
			}
			bestT, bestScore := tt.stop.Best()
			final, err := c.Evaluate(s.Validation)
			if err != nil {
				t.Fatal(err)
			}
			if final.Loss != bestScore {
				t.Errorf("after the run the validation loss is %v, the best evaluation (update %d) had %v", final.Loss, bestT, bestScore)
			}
			if last := recs[len(recs)-1].Val.Loss; last <= bestScore {
				t.Errorf("the last epoch's loss %v is not worse than the best %v: the setup did not over-fit", last, bestScore)
			}
			t.Logf("stopped after %d epochs: %s", len(recs), tt.stop.Reason())
		})
	}
}

// TestDiceLoss trains "is it a 0?" with the batch Dice loss: the objective
// must fall, and the dice loss must refuse a model with more than 2 classes.
func TestDiceLoss(t *testing.T) {
	s := mnist(t).Limit(2000, 500, 0)
	bin := &datasets.Splits{Train: s.Train.Binary(0), Validation: s.Validation.Binary(0)}
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Hidden: []models.Layer{{Units: 32, Activation: models.ReLU}}, Classes: 2}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := optimizers.New(optimizers.Config{Name: "momentum", Hyper: map[string]float64{"lr": 0.05}})
	c, err := NewClassifier(m, opt, ClassifierConfig{BatchSize: 50, Loss: "dice"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	recs, err := Run(context.Background(), c, bin.Train, bin.Validation, Config{Epochs: 3, Shuffle: rng.New(1, "shuffle")})
	if err != nil {
		t.Fatal(err)
	}
	if first, last := recs[0].TrainLoss, recs[2].TrainLoss; !(last < first && last < 0.3) {
		t.Errorf("dice objective %v → %v: want it falling below 0.3", first, last)
	}
	if e := recs[2].Val.Error; e > 0.05 {
		t.Errorf("validation error %v, want < 0.05", e)
	}
	m10, _ := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 10}, rng.New(1, "init"))
	if _, err := NewClassifier(m10, opt, ClassifierConfig{BatchSize: 50, Loss: "dice"}); err == nil {
		t.Error("dice accepted for 10 classes")
	}
}

// TestDiceLargeLogits gives the Dice objective a batch whose second example
// has a class-0 logit far above every logit of the first: the objective and
// the update must stay finite. (Gorgonia's SoftMax takes each row's maximum
// from the batch's first element and overflowed there, which ended Dice
// runs at moderate learning rates as "diverged".)
func TestDiceLargeLogits(t *testing.T) {
	m, err := models.NewMLP(models.MLPConfig{Inputs: 2, Classes: 2}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	w := m.Layers[0].W.Value.Data().([]float32) // [inputs, classes]
	for i := range w {
		w[i] = 0
	}
	w[0] = 200 // input 0 → the class-0 logit
	opt, _ := optimizers.New(optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.1}})
	c, err := NewClassifier(m, opt, ClassifierConfig{BatchSize: 2, Loss: "dice"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Logits [0, 0] for the first example, [200, 0] for the second.
	loss, err := c.Step(&Batch{X: []float32{0, 0, 1, 0}, Labels: []int{1, 0}, N: 2})
	if err != nil {
		t.Fatal(err)
	}
	// p = (½, σ(−200) ≈ 0), g = (1, 0): D = (2·½ + 1)/(¼ + 1 + 1) = 8/9.
	if want := 1 - 8.0/9; !(math.Abs(loss-want) <= 1e-6) {
		t.Errorf("dice objective %v, want %v", loss, want)
	}
	for _, v := range m.Layers[0].W.Float64s() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("weights after the update: %v", m.Layers[0].W.Float64s())
		}
	}
}
