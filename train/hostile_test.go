package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
)

// mutation spoils a set of 3 features per example and 2 classes. all says
// the set then fits no entry point (not train.Run, not any infer call);
// otherwise it only unfits what needs labels within the model's classes.
type mutation struct {
	name string
	all  bool
	do   func(r *rand.Rand, s *datasets.Set)
}

// group is the part of the set a mutation changes: two mutations of one
// group may undo each other (a label too many, then one too few), so a
// case takes at most one of each.
func (m mutation) group() string {
	switch {
	case strings.Contains(m.name, "label") || strings.Contains(m.name, "classes"):
		return "labels"
	case m.name == "ragged", strings.HasSuffix(m.name, "value"):
		return "values"
	}
	return "shape"
}

var mutations = []mutation{
	{"other width", true, func(r *rand.Rand, s *datasets.Set) {
		d := 1 + r.IntN(6)
		if d >= 3 {
			d++
		}
		s.Shape = []int{d}
		s.X = make([]float32, len(s.Labels)*d)
		if s.Labels == nil {
			s.X = make([]float32, 5*d)
		}
	}},
	{"same values, no shape", true, func(r *rand.Rand, s *datasets.Set) { s.Shape = nil }},
	{"zero dimension", true, func(r *rand.Rand, s *datasets.Set) { s.Shape = []int{3, 0} }},
	{"negative dimension", true, func(r *rand.Rand, s *datasets.Set) { s.Shape = []int{-3} }},
	{"ragged", true, func(r *rand.Rand, s *datasets.Set) { s.X = s.X[:len(s.X)-1-r.IntN(2)] }},
	{"a label too many", true, func(r *rand.Rand, s *datasets.Set) { s.Labels = append(s.Labels, 0) }},
	{"a label too few", true, func(r *rand.Rand, s *datasets.Set) {
		if len(s.Labels) > 0 {
			s.Labels = s.Labels[:len(s.Labels)-1]
		} else {
			s.Labels = []int{0}
		}
	}},
	{"label ≥ classes", true, func(r *rand.Rand, s *datasets.Set) { s.Labels[r.IntN(len(s.Labels))] = s.Classes + r.IntN(1<<20) }},
	{"negative label", true, func(r *rand.Rand, s *datasets.Set) { s.Labels[r.IntN(len(s.Labels))] = -1 - r.IntN(1<<20) }},
	{"huge label", true, func(r *rand.Rand, s *datasets.Set) { s.Labels[r.IntN(len(s.Labels))] = math.MaxInt }},
	{"labels without classes", true, func(r *rand.Rand, s *datasets.Set) { s.Classes = 0 }},
	{"negative classes", true, func(r *rand.Rand, s *datasets.Set) { s.Classes = -2 }},
	{"NaN value", true, func(r *rand.Rand, s *datasets.Set) { s.X[r.IntN(len(s.X))] = float32(math.NaN()) }},
	{"infinite value", true, func(r *rand.Rand, s *datasets.Set) { s.X[r.IntN(len(s.X))] = float32(math.Inf(1 - 2*r.IntN(2))) }},
	{"more classes than the model", false, func(r *rand.Rand, s *datasets.Set) { s.Classes = 3 + r.IntN(100) }},
	{"no labels", false, func(r *rand.Rand, s *datasets.Set) { s.Labels, s.Classes = nil, 0 }},
}

// TestHostileSets is a fuzz-style table: random sets spoilt by one to three
// mutations, seeded, against train.Run (classifier and autoencoder tasks)
// and every infer entry point. A set that fits nothing must be an error
// everywhere, and nothing may panic (issue 18, item 12).
func TestHostileSets(t *testing.T) {
	classifier := toyClassifier(t, 3, 2)
	r := rand.New(rand.NewPCG(18, 12))
	mlp, err := models.NewMLP(models.MLPConfig{Inputs: 3, Hidden: []models.Layer{{Units: 4, Activation: models.ReLU}}, Classes: 2}, r)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := infer.NewClassifier(mlp, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	aem, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 3, Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}}, Output: models.Linear}, r)
	if err != nil {
		t.Fatal(err)
	}
	ia, err := infer.NewAutoencoder(aem, "", 4)
	if err != nil {
		t.Fatal(err)
	}
	defer ia.Close()
	aeTask, err := NewAutoencoder(aem, newOpt(t, "sgd", 0.1), AutoencoderConfig{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer aeTask.Close()

	// needsLabels marks the calls a set without labels, or with more
	// classes than the model, does not fit.
	calls := []struct {
		name        string
		needsLabels bool
		do          func(s *datasets.Set) error
	}{
		{"train.Run classifier", true, func(s *datasets.Set) error {
			_, err := Run(context.Background(), classifier, s, nil, Config{Epochs: 1})
			return err
		}},
		{"train.Run classifier, as validation", true, func(s *datasets.Set) error {
			_, err := Run(context.Background(), classifier, toySet("good", 8, 3, 2), s, Config{Epochs: 1})
			return err
		}},
		{"train.Run autoencoder", false, func(s *datasets.Set) error {
			_, err := Run(context.Background(), aeTask, s, nil, Config{Epochs: 1})
			return err
		}},
		{"Evaluate", true, func(s *datasets.Set) error { _, err := ic.Evaluate(s); return err }},
		{"Predict", false, func(s *datasets.Set) error { _, err := ic.Predict(s); return err }},
		{"Logits", false, func(s *datasets.Set) error { _, err := ic.Logits(s); return err }},
		{"Classify", false, func(s *datasets.Set) error { _, err := ic.Classify(s); return err }},
		{"AE Evaluate", false, func(s *datasets.Set) error { _, err := ia.Evaluate(s); return err }},
		{"Encode", false, func(s *datasets.Set) error { _, err := ia.Encode(s); return err }},
		{"Reconstruct", false, func(s *datasets.Set) error { _, err := ia.Reconstruct(s); return err }},
	}
	for i := range 150 {
		s := toySet("hostile", 8+r.IntN(9), 3, 2)
		var names []string
		all, classesOnly := false, false
		used := map[string]bool{}
		for range 1 + r.IntN(3) {
			m := mutations[r.IntN(len(mutations))]
			if used[m.group()] {
				continue
			}
			used[m.group()] = true
			m.do(r, s)
			names = append(names, m.name)
			all = all || m.all
			classesOnly = classesOnly || !m.all
		}
		if len(names) == 0 {
			continue
		}
		for _, c := range calls {
			what := fmt.Sprintf("case %d (%s), %s", i, strings.Join(names, ", "), c.name)
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s: panic: %v", what, p)
					}
				}()
				err := c.do(s)
				mustFail := all || (classesOnly && c.needsLabels)
				if mustFail && err == nil {
					t.Errorf("%s: no error", what)
				}
			}()
		}
	}
}

// TestHostileBatches gives the tasks' Step (a Go program's own loop may
// call it) random batches: wrong counts, sizes and labels are errors, never
// a panic, and a batch that fits is an update.
func TestHostileBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 13))
	classifier := toyClassifier(t, 3, 2)
	aem, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 3, Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}}, Output: models.Linear}, r)
	if err != nil {
		t.Fatal(err)
	}
	ae, err := NewAutoencoder(aem, newOpt(t, "sgd", 0.1), AutoencoderConfig{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer ae.Close()
	pick := func(vals ...int) int { return vals[r.IntN(len(vals))] }
	for i := range 300 {
		n := pick(4, 4, 4, 0, 3, 5, -1)
		b := &Batch{N: n, X: make([]float32, max(0, pick(12, 12, 12, 11, 13, 0, 16)))}
		if r.IntN(4) > 0 {
			b.Labels = make([]int, max(0, pick(4, 4, 3, 5, 0)))
			for k := range b.Labels {
				b.Labels[k] = pick(0, 1, 1, 0, 2, -1, math.MaxInt, math.MinInt)
			}
		}
		fits := n == 4 && len(b.X) == 12
		labelsFit := fits && len(b.Labels) >= 4 && !slices.ContainsFunc(b.Labels[:4], func(l int) bool { return l < 0 || l > 1 })
		for _, c := range []struct {
			name string
			task Task
			ok   bool
		}{{"classifier", classifier, labelsFit}, {"autoencoder", ae, fits}} {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("batch %d (N %d, %d values, labels %v), %s: panic: %v", i, b.N, len(b.X), b.Labels, c.name, p)
					}
				}()
				_, err := c.task.Step(b)
				if (err == nil) != c.ok {
					t.Errorf("batch %d (N %d, %d values, labels %v), %s: error %v, want an error: %v", i, b.N, len(b.X), b.Labels, c.name, err, !c.ok)
				}
			}()
		}
	}
}
