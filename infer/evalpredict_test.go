package infer

import (
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/tensor"
)

// TestEvaluatePredictIsBoth checks that EvaluatePredict returns Evaluate's
// metrics and Predict's classes.
func TestEvaluatePredictIsBoth(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, err := models.NewMLP(models.MLPConfig{Inputs: 6, Hidden: []models.Layer{{Units: 5, Activation: models.Tanh}}, Classes: 4, DType: dt}, rng.New(1, "init"))
		if err != nil {
			t.Fatal(err)
		}
		s := randomSet(23, 6, 4)
		c, err := NewClassifier(m, 7)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := c.Evaluate(s)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := c.Predict(s)
		if err != nil {
			t.Fatal(err)
		}
		ev2, pred2, err := c.EvaluatePredict(s)
		if err != nil {
			t.Fatal(err)
		}
		if ev2 != ev || !slices.Equal(pred2, pred) {
			t.Errorf("%v: EvaluatePredict %+v %v; Evaluate %+v, Predict %v", dt, ev2, pred2, ev, pred)
		}
		if _, _, err := c.EvaluatePredict(randomSet(3, 5, 4)); err == nil {
			t.Errorf("%v: 5 features for a 6-input classifier accepted", dt)
		}
		c.Close()
	}
}
