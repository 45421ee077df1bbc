package train

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestLossFuncCrossEntropyIsTheDefault checks that a LossFunc is the
// objective: given losses.SoftmaxCrossEntropy it trains bit for bit as the
// default loss, and its clone keeps it.
func TestLossFuncCrossEntropyIsTheDefault(t *testing.T) {
	s := toySet("toy", 24, 3, 2)
	weights := func(c ClassifierConfig, clone bool) []float64 {
		m, err := models.NewMLP(models.MLPConfig{Inputs: 3, Hidden: []models.Layer{{Units: 4, Activation: models.Tanh}}, Classes: 2}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		task, err := NewClassifier(m, newOpt(t, "adam", 0.01), c)
		if err != nil {
			t.Fatal(err)
		}
		defer task.Close()
		if clone {
			cp, err := task.Clone(ClassifierConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer cp.Close()
			task, m = cp, cp.model
		}
		for i := range 6 {
			b := &Batch{X: s.X[i%6*12 : i%6*12+12], Labels: s.Labels[i%6*4 : i%6*4+4], N: 4}
			if _, err := task.Step(b); err != nil {
				t.Fatal(err)
			}
		}
		var out []float64
		for _, p := range m.Params() {
			out = append(out, p.Float64s()...)
		}
		return out
	}
	want := weights(ClassifierConfig{BatchSize: 4}, false)
	if got := weights(ClassifierConfig{BatchSize: 4, LossFunc: losses.SoftmaxCrossEntropy}, false); !slices.Equal(got, want) {
		t.Errorf("LossFunc = SoftmaxCrossEntropy trains to %v, the default loss to %v", got, want)
	}
	if got := weights(ClassifierConfig{BatchSize: 4, LossFunc: losses.SoftmaxCrossEntropy}, true); !slices.Equal(got, want) {
		t.Errorf("a clone with LossFunc trains to %v, want %v", got, want)
	}
}

// TestLossFuncErrors checks the loss settings that cannot work.
func TestLossFuncErrors(t *testing.T) {
	sum := func(logits, y *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Sum(logits) }
	failing := func(logits, y *gorgonia.Node) (*gorgonia.Node, error) { return nil, errTest }
	tests := []struct {
		name string
		c    ClassifierConfig
		want string
	}{
		{"both", ClassifierConfig{BatchSize: 4, Loss: losses.ClassificationDice, LossFunc: losses.SoftmaxCrossEntropy}, `both a loss name ("dice") and a loss function are given`},
		{"scalar", ClassifierConfig{BatchSize: 4, LossFunc: sum}, "the loss function must return one loss per example, shape [4]; got ()"},
		{"failing", ClassifierConfig{BatchSize: 4, LossFunc: failing}, "train: loss function: test error"},
	}
	for _, tt := range tests {
		m, err := models.NewMLP(models.MLPConfig{Inputs: 3, Classes: 2}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewClassifier(m, newOpt(t, "sgd", 0.1), tt.c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errTest = testError("test error")

// TestPenaltyNodes checks the nodes a Penalty is handed: their shapes, and
// that PerExample is the loss whose mean is the objective (a penalty equal
// to that mean doubles the objective).
func TestPenaltyNodes(t *testing.T) {
	s := toySet("toy", 4, 3, 2)
	b := &Batch{X: s.X, Labels: s.Labels, N: 4}
	loss := func(pen []Penalty) float64 {
		m, err := models.NewMLP(models.MLPConfig{Inputs: 3, Hidden: []models.Layer{{Units: 5, Activation: models.ReLU}}, Classes: 2, DType: tensor.Float64}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		task, err := NewClassifier(m, newOpt(t, "sgd", 0), ClassifierConfig{BatchSize: 4, Penalties: pen})
		if err != nil {
			t.Fatal(err)
		}
		defer task.Close()
		l, err := task.Step(b)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	var shapes [][]int
	same := func(g *Graph) (*gorgonia.Node, error) {
		for _, n := range []*gorgonia.Node{g.Input, g.Target, g.Logits, g.PerExample} {
			shapes = append(shapes, n.Shape().Clone())
		}
		return gorgonia.Mean(g.PerExample)
	}
	plain, doubled := loss(nil), loss([]Penalty{same})
	if doubled != 2*plain {
		t.Errorf("objective with a penalty equal to the mean loss is %v, want 2 × %v", doubled, plain)
	}
	want := [][]int{{4, 3}, {4, 2}, {4, 2}, {4}}
	if !slices.EqualFunc(shapes, want, slices.Equal) {
		t.Errorf("classifier: Input, Target, Logits, PerExample have shapes %v, want %v", shapes, want)
	}

	// An autoencoder's target is the clean input.
	shapes = nil
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 3, Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var inputIsTarget bool
	task, err := NewAutoencoder(ae, newOpt(t, "sgd", 0.1), AutoencoderConfig{BatchSize: 4, Penalties: []Penalty{func(g *Graph) (*gorgonia.Node, error) {
		inputIsTarget = g.Input == g.Target
		return same(g)
	}}})
	if err != nil {
		t.Fatal(err)
	}
	task.Close()
	want = [][]int{{4, 3}, {4, 3}, {4, 3}, {4}}
	if inputIsTarget || !slices.EqualFunc(shapes, want, slices.Equal) {
		t.Errorf("autoencoder: Input, Target, Logits, PerExample have shapes %v (input is target: %v), want %v and distinct nodes", shapes, inputIsTarget, want)
	}
}
