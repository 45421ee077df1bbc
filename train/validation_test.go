package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
)

// toySet is n examples of dim features (values i/100) with labels i mod
// classes, shaped [dim].
func toySet(name string, n, dim, classes int) *datasets.Set {
	s := &datasets.Set{Name: name, X: make([]float32, n*dim), Shape: []int{dim}, Classes: classes}
	for i := range s.X {
		s.X[i] = float32(i%100) / 100
	}
	if classes > 0 {
		s.Labels = make([]int, n)
		for i := range s.Labels {
			s.Labels[i] = i % classes
		}
	}
	return s
}

func toyClassifier(t *testing.T, inputs, classes int) *Classifier {
	t.Helper()
	m, err := models.NewMLP(models.MLPConfig{Inputs: inputs, Hidden: []models.Layer{{Units: 4, Activation: models.ReLU}}, Classes: classes}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewClassifier(m, newOpt(t, "sgd", 0.1), ClassifierConfig{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(task.Close)
	return task
}

// TestRunRejectsBadData checks that data that does not fit the model, and
// settings that could never take effect, fail before the first update
// with a message that says what is wrong, never with a panic or a silent
// run (issue 17).
func TestRunRejectsBadData(t *testing.T) {
	good := func() *datasets.Set { return toySet("toy/train", 12, 3, 2) }
	val := func() *datasets.Set { return toySet("toy/val", 8, 3, 2) }
	tests := []struct {
		name       string
		train, val *datasets.Set
		c          Config
		want       string
	}{
		{"width", toySet("mnist/train", 12, 2, 2), nil, Config{Epochs: 1},
			`train: set "mnist/train" has 2 features per example, the model takes 3`},
		{"validation width", good(), toySet("toy/val", 8, 4, 2), Config{Epochs: 1},
			`train: validation: set "toy/val" has 4 features per example, the model takes 3`},
		{"more classes than the model", toySet("toy/train", 12, 3, 3), nil, Config{Epochs: 1},
			`train: set "toy/train" has 3 classes, the model 2`},
		{"label outside the set's classes", func() *datasets.Set { s := good(); s.Labels[5] = 7; return s }(), nil, Config{Epochs: 1},
			`label 7 of example 5 not in [0,2)`},
		{"negative label", func() *datasets.Set { s := good(); s.Labels[0] = -1; return s }(), nil, Config{Epochs: 1},
			`label -1 of example 0 not in [0,2)`},
		{"no shape", func() *datasets.Set { s := good(); s.Shape = nil; return s }(), nil, Config{Epochs: 1},
			`has 1 feature per example, the model takes 3 (its Shape is empty`},
		{"bad shape", func() *datasets.Set { s := good(); s.Shape = []int{3, 0}; return s }(), nil, Config{Epochs: 1},
			`shape [3 0] has non-positive dimension 1`},
		{"ragged", func() *datasets.Set { s := good(); s.X = s.X[:len(s.X)-1]; return s }(), nil, Config{Epochs: 1},
			`35 values is not a whole number of 3-value examples`},
		{"labels and examples differ", func() *datasets.Set { s := good(); s.Labels = s.Labels[:10]; return s }(), nil, Config{Epochs: 1},
			`12 examples but 10 labels`},
		// Issue 18: it used to stop as "diverged ... try a smaller
		// learning rate", blaming the rate for the data.
		{"NaN value", func() *datasets.Set { s := good(); s.X[4] = float32(math.NaN()); return s }(), nil, Config{Epochs: 1},
			`train: set "toy/train" has the value NaN at feature 1 of example 1; every value must be finite`},
		{"no labels", toySet("toy/train", 12, 3, 0), nil, Config{Epochs: 1},
			`train: set "toy/train" has no labels; a classifier needs them`},
		{"labels without classes", func() *datasets.Set { s := good(); s.Classes = 0; return s }(), nil, Config{Epochs: 1},
			`has labels but Classes is 0`},
		{"empty training set", toySet("toy/train", 0, 3, 2), nil, Config{Epochs: 1},
			`has 0 examples, fewer than one batch of 4`},
		{"no training set", nil, nil, Config{Epochs: 1}, `train: no training set`},
		{"empty validation set", good(), toySet("toy/val", 0, 3, 2), Config{Epochs: 1},
			`train: validation set "toy/val" is empty`},
		{"early stopping without validation", good(), nil, Config{Epochs: 1, EarlyStop: &earlystop.Patience{Patience: 10, Increase: 2}},
			`train: early stopping needs a validation set`},
		{"negative patience", good(), val(), Config{Epochs: 1, EarlyStop: &earlystop.Patience{Patience: -5, Increase: 2}},
			`train: early stopping: earlystop: patience`},
		{"no-improvement of 0 evaluations", good(), val(), Config{Epochs: 1, EarlyStop: &earlystop.NoImprovement{}},
			`train: early stopping: earlystop`},
		{"unknown stop metric", good(), val(), Config{Epochs: 1, StopMetric: "accuracy"},
			`train: unknown stop metric "accuracy"`},
		{"no epochs", good(), nil, Config{}, `train: epochs must be ≥ 1, got 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := toyClassifier(t, 3, 2)
			recs, err := Run(context.Background(), task, tt.train, tt.val, tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run: %v, want an error containing %q", err, tt.want)
			}
			if len(recs) != 0 {
				t.Errorf("Run returned %d records with its error, want none: nothing may train", len(recs))
			}
		})
	}
}

// TestDataErrorIsTyped checks that a set that does not fit is reported as
// an *infer.DataError naming the set, which callers can test for.
func TestDataErrorIsTyped(t *testing.T) {
	task := toyClassifier(t, 3, 2)
	_, err := Run(context.Background(), task, toySet("mine", 12, 2, 2), nil, Config{Epochs: 1})
	var de *infer.DataError
	if !errors.As(err, &de) || de.Set != "mine" {
		t.Fatalf("Run: %v, want an *infer.DataError for set mine", err)
	}
}

// TestStepRejectsBadBatch checks a batch given to Step directly: labels
// outside the classes (which used to index past a one-hot row), too few
// labels, the wrong number of values.
func TestStepRejectsBadBatch(t *testing.T) {
	tests := []struct {
		name string
		b    Batch
		want string
	}{
		{"label ≥ classes", Batch{X: make([]float32, 12), Labels: []int{0, 1, 2, 0}, N: 4}, "label 2 of example 2 is not one of the model's classes 0…1"},
		{"negative label", Batch{X: make([]float32, 12), Labels: []int{0, -1, 1, 0}, N: 4}, "label -1 of example 1"},
		{"too few labels", Batch{X: make([]float32, 12), Labels: []int{0, 1}, N: 4}, "batch of 4 examples with 2 labels"},
		{"wrong width", Batch{X: make([]float32, 8), Labels: []int{0, 1, 0, 1}, N: 4}, "batch of 8 values, the graph takes 12"},
		{"wrong size", Batch{X: make([]float32, 6), Labels: []int{0, 1}, N: 2}, "batch of 2 examples, the graph takes 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := toyClassifier(t, 3, 2)
			if _, err := task.Step(&tt.b); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Step: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestAutoencoderRunRejectsBadData checks the autoencoder task's sets:
// width, shape, and that labels are not needed.
func TestAutoencoderRunRejectsBadData(t *testing.T) {
	tests := []struct {
		name string
		s    *datasets.Set
		want string // "" means the run must succeed
	}{
		{"unlabelled", toySet("toy", 8, 3, 0), ""},
		{"width", toySet("toy", 8, 5, 0), `train: set "toy" has 5 features per example, the model takes 3`},
		{"no shape", &datasets.Set{Name: "flat", X: make([]float32, 24)}, `train: set "flat" has 1 feature per example, the model takes 3 (its Shape is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 3, Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}}, Output: models.Linear}, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			task, err := NewAutoencoder(m, newOpt(t, "sgd", 0.1), AutoencoderConfig{BatchSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			defer task.Close()
			_, err = Run(context.Background(), task, tt.s, nil, Config{Epochs: 1})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestPretrainRejectsBadData checks greedy pretraining's sets against the
// stack's inputs before any stage trains.
func TestPretrainRejectsBadData(t *testing.T) {
	tests := []struct {
		name       string
		train, val *datasets.Set
		want       string
	}{
		{"width", toySet("mine", 8, 2, 0), nil, `train: pretraining: set "mine" has 2 features per example, the model takes 3`},
		{"validation width", toySet("mine", 8, 3, 0), toySet("mine/val", 4, 4, 0), `train: pretraining: validation: set "mine/val" has 4 features per example, the model takes 3`},
		{"no training set", nil, nil, "train: pretraining: no training set"},
		{"inconsistent labels", func() *datasets.Set { s := toySet("mine", 8, 3, 2); s.Labels[3] = 9; return s }(), nil, "label 9 of example 3 not in [0,2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hidden := []models.Layer{{Units: 2, Activation: models.Sigmoid}}
			s, err := models.NewStacked(models.MLPConfig{Inputs: 3, Hidden: hidden, Classes: 2}, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			stage := Stage{Epochs: 1, Optimizer: newOpt(t, "sgd", 0.1), Output: models.Sigmoid}
			_, err = Pretrain(context.Background(), s, tt.train, tt.val, PretrainConfig{Stages: []Stage{stage}, BatchSize: 4})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Pretrain: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
