package infer

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
)

// nonFinite is s with value i set to v.
func nonFinite(s *datasets.Set, i int, v float32) *datasets.Set {
	s.X[i] = v
	return s
}

// TestEntryPointsRejectBadData checks every entry point that takes a set:
// a set that does not fit the model is an error naming it, never a panic
// or an answer computed on shifted rows.
func TestEntryPointsRejectBadData(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	m, err := models.NewMLP(models.MLPConfig{Inputs: 3, Hidden: []models.Layer{{Units: 4, Activation: models.ReLU}}, Classes: 2}, r)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(m, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 3, Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}}}, r)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAutoencoder(ae, "", 4)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	set := func(n, dim, classes int) *datasets.Set {
		s := &datasets.Set{Name: "mine", X: make([]float32, n*dim), Shape: []int{dim}, Classes: classes}
		if classes > 0 {
			s.Labels = make([]int, n)
			for i := range s.Labels {
				s.Labels[i] = i % classes
			}
		}
		return s
	}
	wide := set(5, 4, 2)
	many := set(5, 3, 3)
	flat := &datasets.Set{Name: "mine", X: make([]float32, 6), Labels: []int{0, 1}, Classes: 2}
	run := map[string]func(s *datasets.Set) error{
		"Evaluate":    func(s *datasets.Set) error { _, err := c.Evaluate(s); return err },
		"Predict":     func(s *datasets.Set) error { _, err := c.Predict(s); return err },
		"Logits":      func(s *datasets.Set) error { _, err := c.Logits(s); return err },
		"Classify":    func(s *datasets.Set) error { _, err := c.Classify(s); return err },
		"AE.Evaluate": func(s *datasets.Set) error { _, err := a.Evaluate(s); return err },
		"Encode":      func(s *datasets.Set) error { _, err := a.Encode(s); return err },
		"Reconstruct": func(s *datasets.Set) error { _, err := a.Reconstruct(s); return err },
	}
	tests := []struct {
		call string
		s    *datasets.Set
		want string
	}{
		{"Evaluate", wide, `infer: evaluate: set "mine" has 4 features per example, the model takes 3`},
		{"Predict", wide, `infer: predict: set "mine" has 4 features per example, the model takes 3`},
		{"Logits", wide, `infer: logits: set "mine" has 4 features per example`},
		{"Classify", wide, `infer: logits: set "mine" has 4 features per example`},
		{"Evaluate", many, `infer: evaluate: set "mine" has 3 classes, the model 2`},
		{"Predict", many, `infer: predict: set "mine" has 3 classes, the model 2`},
		{"Evaluate", set(5, 3, 0), `infer: evaluate: set "mine" has no labels; a classifier needs them`},
		{"Evaluate", set(0, 3, 2), `infer: evaluate: set "mine" is empty`},
		{"Evaluate", flat, `has 1 feature per example, the model takes 3 (its Shape is empty`},
		{"Predict", flat, `has 1 feature per example, the model takes 3 (its Shape is empty`},
		{"AE.Evaluate", set(5, 2, 0), `infer: evaluate: set "mine" has 2 features per example, the model takes 3`},
		{"AE.Evaluate", set(0, 3, 0), `infer: evaluate: set "mine" is empty`},
		{"Encode", set(5, 2, 0), `infer: encode: set "mine" has 2 features per example, the model takes 3`},
		{"Reconstruct", set(5, 2, 0), `infer: reconstruct: set "mine" has 2 features per example`},
		{"Encode", nil, `infer: encode: no set (nil)`},
		{"Predict", &datasets.Set{X: make([]float32, 4), Shape: []int{2}}, `infer: predict: unnamed set has 2 features per example, the model takes 3`},
		// Issue 18: a NaN or Inf value used to give a NaN loss and
		// arbitrary classes, silently.
		{"Evaluate", nonFinite(set(5, 3, 2), 7, float32(math.NaN())), `infer: evaluate: set "mine" has the value NaN at feature 1 of example 2; every value must be finite`},
		{"Predict", nonFinite(set(5, 3, 2), 0, float32(math.Inf(1))), `infer: predict: set "mine" has the value +Inf at feature 0 of example 0; every value must be finite`},
		{"Encode", nonFinite(set(5, 3, 0), 14, float32(math.Inf(-1))), `infer: encode: set "mine" has the value -Inf at feature 2 of example 4; every value must be finite`},
	}
	for _, tt := range tests {
		err := run[tt.call](tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.call, err, tt.want)
		}
	}
	// Predictions need no labels, and an empty set has none to give.
	if got, err := c.Predict(set(0, 3, 0)); err != nil || len(got) != 0 {
		t.Errorf("Predict of an empty set: %v, %v; want no predictions and no error", got, err)
	}
	if _, err := c.PerExample(make([]float32, 6), []int{0, 2}); err == nil || !strings.Contains(err.Error(), "label 2 of example 1 is not one of the model's classes 0…1") {
		t.Errorf("PerExample with label 2: %v", err)
	}
}
