package train

import (
	"context"
	"reflect"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
)

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
// max-norm, penalties) carry over to a clone unless the clone's config sets
// them.
func TestCloneKeepsSettings(t *testing.T) {
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 2}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	o, _ := optimizers.New(optimizers.Config{Name: "sgd"})
	pen := []Penalty{func(g *Graph) (*gorgonia.Node, error) {
		ws, err := regularizers.Select(g.G, regularizers.WeightPattern)
		if err != nil {
			return nil, err
		}
		return regularizers.L2(0.5, ws...)
	}}
	c, err := NewClassifier(m, o, ClassifierConfig{BatchSize: 10, EvalBatch: 20, Loss: "dice", MaxNorm: 2, Penalties: pen})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cp, err := c.Clone(ClassifierConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if cp.loss != "dice" || cp.maxNorm != 2 || cp.evalN != 20 || cp.BatchSize() != 10 || len(cp.penalties) != 1 {
		t.Errorf("clone: loss %q max-norm %v eval %d batch %d penalties %d, want dice 2 20 10 1", cp.loss, cp.maxNorm, cp.evalN, cp.BatchSize(), len(cp.penalties))
	}
	// The penalty is in the clone's objective: the same batch costs the
	// same as in the original, more than without the penalty.
	x := make([]float32, 10*784)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	labels := []int{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}
	bare, err := c.Clone(ClassifierConfig{Penalties: []Penalty{}})
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	b := &Batch{X: x, Labels: labels, N: 10}
	got, _ := cp.Step(b)
	without, _ := bare.Step(b)
	want, _ := c.Step(b)
	if got != want || !(without < got) {
		t.Errorf("objectives: clone %v, original %v, clone without penalties %v", got, want, without)
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
