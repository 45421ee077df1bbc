package models

import (
	"fmt"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/fused"
	"gorgonia.org/gorgonia"
)

// Activation names an element-wise non-linearity.
type Activation string

// The activations of the lecture's networks.
const (
	Sigmoid Activation = "sigmoid" // σ(x) = 1 / (1 + e^−x)
	Tanh    Activation = "tanh"
	ReLU    Activation = "relu" // max(0, x)
	Linear  Activation = "linear"
)

// ParseActivation checks s names an activation.
func ParseActivation(s string) (Activation, error) {
	a := Activation(strings.ToLower(s))
	if s == "" {
		return "", fmt.Errorf("models: empty activation (known: linear, relu, sigmoid, tanh)")
	}
	return a, a.Validate()
}

// Validate reports whether a is one of the known activations ("" counts as
// Linear).
func (a Activation) Validate() error {
	switch a {
	case Sigmoid, Tanh, ReLU, Linear, "":
		return nil
	}
	return fmt.Errorf("models: unknown activation %q (known: linear, relu, sigmoid, tanh)", string(a))
}

// Apply adds the activation to the graph after x. Sigmoid and ReLU are the
// fused ops of internal/fused (one pass forward and one backward, split
// across cores) rather than Gorgonia's: its sigmoid computes element by
// element in float64 on one core and builds its gradient from four generic
// ops; its rectifier is a comparison and a product, with their gradients.
// The fused ReLU computes exactly what gorgonia.Rectify does.
func (a Activation) Apply(x *gorgonia.Node) (*gorgonia.Node, error) {
	switch a {
	case Sigmoid:
		return fused.Sigmoid(x)
	case Tanh:
		return gorgonia.Tanh(x)
	case ReLU:
		return fused.ReLU(x)
	case Linear, "":
		return x, nil
	}
	return nil, a.Validate()
}
