package infer

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
)

// Classifier is an MLP's inference graph: x → logits → softmax
// cross-entropy against one-hot labels, without dropout. A Classifier is
// not safe for concurrent use: its runs share buffers.
type Classifier struct {
	model *models.MLP
	batch int
	prog  *tape.Program
}

// NewClassifier compiles m's inference graph for batches of batch examples
// (0 means DefaultBatch).
func NewClassifier(m *models.MLP, batch int) (*Classifier, error) {
	if batch == 0 {
		batch = DefaultBatch
	}
	if batch < 1 {
		return nil, fmt.Errorf("infer: batch size must be ≥ 1, got %d", batch)
	}
	cfg := m.Config
	g := models.NewGraph(false)
	dt := m.Layers[0].W.Value.Dtype()
	x := g.Input("x", dt, batch, cfg.Inputs)
	y := g.Input("y", dt, batch, cfg.Classes)
	logits, err := m.Logits(g, x)
	if err != nil {
		return nil, fmt.Errorf("infer: classifier: %w", err)
	}
	per, err := losses.SoftmaxCrossEntropy(logits, y)
	if err != nil {
		return nil, fmt.Errorf("infer: classifier: %w", err)
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x, y}, Per: per, Out: logits}
	p.CompileInference(g)
	return &Classifier{model: m, batch: batch, prog: p}, nil
}

// Batch returns the number of examples the graph takes per run.
func (c *Classifier) Batch() int { return c.batch }

// Classes returns the number of classes, the logits per example.
func (c *Classifier) Classes() int { return c.model.Config.Classes }

// chunks runs the graph over the n examples of x (rows of the model's
// inputs) with labels (nil: all-zero targets), and calls fn with each
// chunk's first index and size while the graph's values are readable.
func (c *Classifier) chunks(x []float32, labels []int, n int, fn func(from, n int)) error {
	dim := c.model.Config.Inputs
	if len(x) != n*dim {
		return fmt.Errorf("%d values for %d examples of %d features", len(x), n, dim)
	}
	if labels != nil {
		if len(labels) < n {
			return fmt.Errorf("%d labels for %d examples", len(labels), n)
		}
		if err := checkLabels(labels[:n], c.Classes()); err != nil {
			return err
		}
	}
	return datasets.Chunks(n, c.batch, func(from, to int) error {
		tape.FillRows(c.prog.Feed[0], x[from*dim:to*dim])
		if labels == nil {
			tape.FillOneHot(c.prog.Feed[1], nil, 0)
		} else {
			tape.FillOneHot(c.prog.Feed[1], labels[from:to], to-from)
		}
		if _, err := c.prog.Run(); err != nil {
			return err
		}
		fn(from, to-from)
		return nil
	})
}

// PerExample returns the cross-entropy of each example of x (rows) with
// its label under the current weights; stochastic input noise scores its
// candidates with it.
func (c *Classifier) PerExample(x []float32, labels []int) ([]float64, error) {
	out := make([]float64, 0, len(labels))
	err := c.chunks(x, labels, len(labels), func(_, n int) {
		out = append(out, tape.Float64s(c.prog.Per.Value())[:n]...)
	})
	if err != nil {
		return nil, fmt.Errorf("infer: per-example loss: %w", err)
	}
	return out, nil
}

// Evaluate returns the mean cross-entropy and the error rate over s, which
// must have labels.
func (c *Classifier) Evaluate(s *datasets.Set) (Metrics, error) {
	return c.evaluate(s, nil)
}

// EvaluatePredict is Evaluate and Predict in one pass over s: the metrics,
// and the most likely class of each example, the very classes Predict
// returns (the logits do not depend on the labels fed beside them). A run's
// test figures need both, and each pass is a forward pass over the split.
func (c *Classifier) EvaluatePredict(s *datasets.Set) (Metrics, []int, error) {
	pred := make([]int, s.Len())
	m, err := c.evaluate(s, pred)
	if err != nil {
		return Metrics{}, nil, err
	}
	return m, pred, nil
}

// evaluate is Evaluate, also writing each example's class into pred when
// pred is not nil (len(pred) = s.Len()).
func (c *Classifier) evaluate(s *datasets.Set, pred []int) (Metrics, error) {
	if err := c.CheckLabelled(s); err != nil {
		return Metrics{}, fmt.Errorf("infer: evaluate: %w", err)
	}
	if s.Len() == 0 {
		return Metrics{}, fmt.Errorf("infer: evaluate: %w", dataError(s, "is empty"))
	}
	var lossSum float64
	wrong := 0
	k := c.Classes()
	err := c.chunks(s.X, s.Labels, s.Len(), func(from, n int) {
		per := tape.Float64s(c.prog.Per.Value())
		logits := tape.Float64s(c.prog.Out.Value())
		for i := range n {
			lossSum += per[i]
			class := argmax(logits[i*k : (i+1)*k])
			if pred != nil {
				pred[from+i] = class
			}
			if class != s.Labels[from+i] {
				wrong++
			}
		}
	})
	if err != nil {
		return Metrics{}, fmt.Errorf("infer: evaluate %s: %w", s.Name, err)
	}
	n := float64(s.Len())
	return Metrics{Loss: lossSum / n, Error: float64(wrong) / n, HasError: true, N: s.Len()}, nil
}

// Predict returns the most likely class of each example of s: the first
// maximum of its logits.
func (c *Classifier) Predict(s *datasets.Set) ([]int, error) {
	if err := c.Check(s); err != nil {
		return nil, fmt.Errorf("infer: predict: %w", err)
	}
	out := make([]int, s.Len())
	k := c.Classes()
	err := c.chunks(s.X, nil, s.Len(), func(from, n int) {
		logits := tape.Float64s(c.prog.Out.Value())
		for i := range n {
			out[from+i] = argmax(logits[i*k : (i+1)*k])
		}
	})
	if err != nil {
		return nil, fmt.Errorf("infer: predict %s: %w", s.Name, err)
	}
	return out, nil
}

// Logits returns the network's outputs for each example of s, Classes
// values per example, row-major; softmax turns a row into the class
// probabilities, and Predict's class is the row's first maximum.
func (c *Classifier) Logits(s *datasets.Set) ([]float64, error) {
	if err := c.Check(s); err != nil {
		return nil, fmt.Errorf("infer: logits: %w", err)
	}
	k := c.Classes()
	out := make([]float64, 0, s.Len()*k)
	err := c.chunks(s.X, nil, s.Len(), func(_, n int) {
		out = append(out, tape.Float64s(c.prog.Out.Value())[:n*k]...)
	})
	if err != nil {
		return nil, fmt.Errorf("infer: logits of %s: %w", s.Name, err)
	}
	return out, nil
}

// Close releases the compiled graph.
func (c *Classifier) Close() { c.prog.Close() }

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
