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

// Graph is the training graph a Penalty is built on (a classifier's
// LossFunc is handed two of its nodes, Logits and Target): the model's graph, whose Activations hold the layers' outputs
// by name (layers.0, …; an autoencoder's code is model.CodeName()) and whose
// Node method reaches any parameter, with the nodes of the batch named
// here so that a term never has to look for them. Shapes are [batch, …];
// batch is the task's BatchSize.
type Graph struct {
	*models.Graph
	// Input is the batch fed to the model, [batch, inputs]: for a
	// denoising autoencoder, the corrupted input; for a classifier with
	// input noise, the noisy one.
	Input *gorgonia.Node
	// Target is what the output is compared with: a classifier's one-hot
	// labels, [batch, classes]; an autoencoder's clean input, [batch,
	// inputs].
	Target *gorgonia.Node
	// Logits is the model's last layer before its output activation: a
	// classifier's logits (the softmax is part of the loss); an
	// autoencoder's z, whose reconstruction is Config.Output applied to it.
	Logits *gorgonia.Node
	// PerExample is the loss of each example, [batch], before any penalty:
	// the objective is its mean (except the classifier's dice loss, a
	// batch quantity, for which PerExample is the cross-entropy).
	PerExample *gorgonia.Node
}

// Penalty adds a regularization term to a training graph: it returns a
// scalar node that is added to the mean loss (weight decay, activation
// sparsity, a term on the outputs against the targets, …). It is called
// once per graph the task compiles (a clone's, an adaptive schedule's
// probes' included), so it must find what it penalizes in g rather than
// hold on to nodes of another graph.
type Penalty func(g *Graph) (*gorgonia.Node, error)

// compileTraining compiles p as a training program: its objective is obj,
// or the mean of g.PerExample when obj is nil, plus the penalties,
// differentiated with respect to params. p.Per is g.PerExample.
func compileTraining(g *Graph, p *tape.Program, obj *gorgonia.Node, params gorgonia.Nodes, penalties []Penalty) error {
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
	if err := p.CompileTraining(g.Graph, cost, params); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}
