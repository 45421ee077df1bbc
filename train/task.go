package train

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
)

// Task is a model, its loss and its optimizer, ready to train.
type Task interface {
	// BatchSize is the number of examples every Step takes.
	BatchSize() int
	// Step takes one optimizer update on the batch and returns the training
	// objective on it (before the update).
	Step(b *Batch) (float64, error)
	// Evaluate measures the current model on every example of s.
	Evaluate(s *datasets.Set) (infer.Metrics, error)
	// SetLearningRate and LearningRate expose the optimizer's rate, for
	// schedules and the record.
	SetLearningRate(lr float64)
	LearningRate() float64
}

// Batch is one mini-batch: N examples of Dim features, row-major, with their
// labels when the task is supervised.
type Batch struct {
	X      []float32
	Labels []int
	N      int
}

// Penalty adds a regularization term to a training graph: it returns a
// scalar node that is added to the mean loss (weight decay, activation
// sparsity, …). It is given the graph, whose Activations hold the layers'
// outputs and whose Node method reaches any parameter.
type Penalty func(g *models.Graph) (*gorgonia.Node, error)

// compileTraining compiles p as a training program: its objective is obj,
// or the mean of p.Per when obj is nil, plus the penalties, differentiated
// with respect to params.
func compileTraining(g *models.Graph, p *tape.Program, obj *gorgonia.Node, params gorgonia.Nodes, penalties []Penalty) error {
	cost := obj
	if cost == nil {
		var err error
		if cost, err = gorgonia.Mean(p.Per); err != nil {
			return fmt.Errorf("train: objective: %w", err)
		}
	}
	for i, pen := range penalties {
		term, err := pen(g)
		if err != nil {
			return fmt.Errorf("train: penalty %d: %w", i+1, err)
		}
		if cost, err = gorgonia.Add(cost, term); err != nil {
			return fmt.Errorf("train: penalty %d: %w", i+1, err)
		}
	}
	if err := p.CompileTraining(g, cost, params); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}
