package models

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
)

// A Graph holds dropout masks and other per-run random inputs for the
// regularizers package.
var _ regularizers.ElementwiseRandomInputs = (*Graph)(nil)

// Dropout places inverted dropout (regularizers.Dropout; Srivastava et al.,
// JMLR 15, 2014) in an MLP: on its input features and after the activation
// of each hidden layer, never on the logits. It acts only in a graph built
// with Training set, where every run draws fresh masks from the run's
// generator (so a training program must be given one); an inference graph is
// the whole network, unscaled.
//
// The zero Dropout is none. Srivastava et al. use 0.2 on the input and 0.5 on
// hidden layers.
type Dropout struct {
	// Input is the probability of dropping each input feature, in [0, 1).
	// If it equals zero, the input is used as is.
	Input float64 `json:"input,omitempty"`
	// Hidden holds the drop probability after each hidden layer, input side
	// first, each in [0, 1): one value per hidden layer, or a single value
	// for all of them. Empty means no dropout on hidden layers.
	Hidden []float64 `json:"hidden,omitempty"`
}

// Validate checks d for an MLP with the given number of hidden layers.
func (d Dropout) Validate(hidden int) error {
	if !(d.Input >= 0 && d.Input < 1) {
		return fmt.Errorf("models: input dropout must be a probability in [0, 1), got %v", d.Input)
	}
	if n := len(d.Hidden); n > 1 && n != hidden {
		return fmt.Errorf("models: %s for %s (give one per layer, or one for all)", plural.Count(n, "hidden dropout probability"), plural.Count(hidden, "hidden layer"))
	}
	if len(d.Hidden) > 0 && hidden == 0 {
		return fmt.Errorf("models: hidden dropout for a network without hidden layers")
	}
	for k, p := range d.Hidden {
		if !(p >= 0 && p < 1) {
			return fmt.Errorf("models: dropout after hidden layer %d must be a probability in [0, 1), got %v", k, p)
		}
	}
	return nil
}

// After returns the drop probability after hidden layer k (counted from 0
// at the input); 0 for the output layer or past the end.
func (d Dropout) After(k, hidden int) float64 {
	switch {
	case k < 0 || k >= hidden || len(d.Hidden) == 0:
		return 0
	case len(d.Hidden) == 1:
		return d.Hidden[0]
	case k < len(d.Hidden):
		return d.Hidden[k]
	}
	return 0
}

// Active reports whether d drops anything.
func (d Dropout) Active() bool {
	if d.Input > 0 {
		return true
	}
	for _, p := range d.Hidden {
		if p > 0 {
			return true
		}
	}
	return false
}

// dropout applies the MLP's dropout after layer k to h: k = −1 is the input
// (mask input.dropout), 0 … L−1 the hidden layers (layers.K.dropout), and the
// output layer gets none. It returns h itself when g is not training or the
// probability is 0.
func (m *MLP) dropout(g *Graph, k int, h *gorgonia.Node) (*gorgonia.Node, error) {
	d := m.Config.Dropout
	p, name := d.Input, "input.dropout"
	if k >= 0 {
		p, name = d.After(k, len(m.Config.Hidden)), fmt.Sprintf("layers.%d.dropout", k)
	}
	return regularizers.Dropout(g, name, h, p, g.Training)
}
