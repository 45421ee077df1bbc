package train

import "github.com/gorgonia-zoo/zoo/datasets"

// Task is a model, its loss and its optimizer, ready to train.
type Task interface {
	// BatchSize is the number of examples every Step takes.
	BatchSize() int
	// Step takes one optimizer update on the batch and returns the training
	// objective on it (before the update).
	Step(b *Batch) (float64, error)
	// Evaluate measures the current model on every example of s.
	Evaluate(s *datasets.Set) (Metrics, error)
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

// Metrics is an evaluation of a model on a data set.
type Metrics struct {
	// Loss is the mean per-example loss (without regularization terms).
	Loss float64 `json:"loss"`
	// Error is the fraction misclassified (0.0123 is 1.23 %); only for
	// classifiers, see HasError.
	Error    float64 `json:"error,omitempty"`
	HasError bool    `json:"has_error,omitempty"`
	// N is the number of examples evaluated.
	N int `json:"n"`
}
