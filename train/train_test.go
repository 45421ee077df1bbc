package train

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

func mnist(t *testing.T) *datasets.Splits {
	t.Helper()
	s, err := datasets.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newClassifier(t *testing.T, hidden []models.Layer, opt optimizers.Config, batch int) (*Classifier, *models.MLP) {
	t.Helper()
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Hidden: hidden, Classes: 10}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := optimizers.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(m, o, ClassifierConfig{BatchSize: batch, EvalBatch: 300})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, m
}

// TestTinyMNIST is the end-to-end check: a small MLP trained on 3,000 MNIST
// digits for 3 epochs must classify the first 1,000 validation digits with
// under 12 % error (docs/performance.md has the figure).
func TestTinyMNIST(t *testing.T) {
	s := mnist(t).Limit(3000, 1000, 0)
	c, _ := newClassifier(t, []models.Layer{{Units: 64, Activation: models.ReLU}}, optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.003}}, 50)
	before, err := c.Evaluate(s.Validation)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 3, Shuffle: rng.New(1, "shuffle")})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[2].Updates != 3*3000/50 {
		t.Fatalf("records %+v", recs)
	}
	last := recs[2].Val
	if last.Error > 0.12 {
		t.Errorf("validation error after 3 epochs: want < 0.12, got %.4f (before training %.4f)", last.Error, before.Error)
	}
	if testing.Verbose() {
		t.Logf("validation error %.4f before training, %.4f after", before.Error, last.Error)
	}
	if !(recs[2].TrainLoss < recs[0].TrainLoss) {
		t.Errorf("training loss did not fall: %v then %v", recs[0].TrainLoss, recs[2].TrainLoss)
	}
	// Evaluate pads the last chunk (1000 = 3×300 + 100): the padding must
	// not count. Evaluating example by example must agree.
	pred, err := c.Predict(s.Validation)
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i, p := range pred {
		if p != s.Validation.Labels[i] {
			wrong++
		}
	}
	if got := float64(wrong) / float64(len(pred)); got != last.Error {
		t.Errorf("Predict gives error %v, Evaluate %v", got, last.Error)
	}
}

// TestEvalSharesWeights checks the inference graph reads the weights the
// training graph updates (they share tensors, not copies).
func TestEvalSharesWeights(t *testing.T) {
	s := mnist(t).Limit(200, 300, 0)
	c, m := newClassifier(t, nil, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.5}}, 100)
	before, _ := c.Evaluate(s.Validation)
	if _, err := Run(context.Background(), c, s.Train, nil, Config{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	after, _ := c.Evaluate(s.Validation)
	if after.Loss >= before.Loss {
		t.Errorf("validation loss %v → %v: the inference graph does not see the updates", before.Loss, after.Loss)
	}
	// Zero the weights by hand: every logit is 0, so the loss is log 10.
	for _, p := range m.Params() {
		clear(p.Value.Data().([]float32))
	}
	z, _ := c.Evaluate(s.Validation)
	if math.Abs(z.Loss-math.Log(10)) > 1e-6 {
		t.Errorf("with zero weights the loss is %v, want log 10", z.Loss)
	}
}

func TestDivergenceStops(t *testing.T) {
	s := mnist(t).Limit(1000, 100, 0)
	c, _ := newClassifier(t, []models.Layer{{Units: 32, Activation: models.ReLU}}, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 1e8}}, 100)
	_, err := Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 5})
	var d *DivergedError
	if !errors.As(err, &d) {
		t.Fatalf("want a *DivergedError, got %v", err)
	}
	if d.LR != 1e8 || d.Update < 1 || d.Update > 10 {
		t.Errorf("diverged report %+v", d)
	}
}

func TestCancel(t *testing.T) {
	s := mnist(t).Limit(1000, 100, 0)
	c, _ := newClassifier(t, nil, optimizers.Config{Name: "sgd"}, 100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	recs, err := Run(ctx, c, s.Train, s.Validation, Config{Epochs: 2})
	if !errors.Is(err, context.Canceled) || len(recs) != 0 {
		t.Errorf("cancelled run: %d records, %v", len(recs), err)
	}
}

func TestConfigErrors(t *testing.T) {
	s := mnist(t).Limit(50, 10, 0)
	c, _ := newClassifier(t, nil, optimizers.Config{Name: "sgd"}, 100)
	if _, err := Run(context.Background(), c, s.Train, nil, Config{Epochs: 1}); err == nil {
		t.Error("a training set smaller than one batch was accepted")
	}
	if _, err := Run(context.Background(), c, s.Train, nil, Config{}); err == nil {
		t.Error("0 epochs was accepted")
	}
}

// TestMemoryFlat guards against the tape machine keeping memory across runs:
// after a warm-up epoch, more epochs must not grow the live heap.
func TestMemoryFlat(t *testing.T) {
	s := mnist(t).Limit(2000, 500, 0)
	c, _ := newClassifier(t, []models.Layer{{Units: 64, Activation: models.ReLU}}, optimizers.Config{Name: "momentum"}, 50)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	shuffle := rng.New(1, "shuffle")
	if _, err := Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 1, Shuffle: shuffle}); err != nil {
		t.Fatal(err)
	}
	before := heap()
	if _, err := Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 20, Shuffle: shuffle}); err != nil {
		t.Fatal(err)
	}
	after := heap()
	runtime.KeepAlive(s) // the data must count in both measurements
	runtime.KeepAlive(c)
	growth := int64(after) - int64(before)
	if growth > 1<<20 {
		t.Errorf("live heap grew by %d KiB over 20 epochs (%d → %d bytes)", growth>>10, before, after)
	}
	t.Logf("live heap %d → %d bytes over 20 epochs (%+d)", before, after, growth)
}
