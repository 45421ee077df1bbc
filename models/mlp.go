package models

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Layer describes one hidden layer: its width and activation.
type Layer struct {
	Units      int        `json:"units"`
	Activation Activation `json:"activation"`
}

// MLPConfig describes a multilayer perceptron classifier.
type MLPConfig struct {
	Inputs  int          // features per example, e.g. 784 for MNIST
	Hidden  []Layer      // hidden layers, input side first; none is logistic regression
	Classes int          // output units; the output layer is linear (logits)
	Init    Init         // "" picks by activation (see Init)
	DType   tensor.Dtype // tensor.Float32 or tensor.Float64; the zero value means Float32
	Dropout Dropout      // on the input and after hidden layers, at training time; the zero value is none
}

// MLP is a stack of Dense layers ending in a linear layer that gives one
// logit per class; softmax cross-entropy (losses.SoftmaxCrossEntropy) turns
// the logits into a loss.
//
// Parameters are named layers.K.weight / layers.K.bias, K counted from 0 at
// the input; the last layer is the classifier.
type MLP struct {
	Config MLPConfig
	Layers []*Dense
}

// NewMLP builds an MLP with weights drawn from r.
func NewMLP(c MLPConfig, r *rand.Rand) (*MLP, error) {
	if c.DType == (tensor.Dtype{}) {
		c.DType = tensor.Float32
	}
	if c.Inputs < 1 || c.Classes < 2 {
		return nil, fmt.Errorf("models: mlp needs ≥ 1 input and ≥ 2 classes, got %d and %d", c.Inputs, c.Classes)
	}
	if err := c.Dropout.Validate(len(c.Hidden)); err != nil {
		return nil, err
	}
	m := &MLP{Config: c}
	in := c.Inputs
	for k, l := range c.Hidden {
		d, err := NewDense(fmt.Sprintf("layers.%d", k), in, l.Units, l.Activation, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		m.Layers = append(m.Layers, d)
		in = l.Units
	}
	out, err := NewDense(fmt.Sprintf("layers.%d", len(c.Hidden)), in, c.Classes, Linear, c.Init, c.DType, r)
	if err != nil {
		return nil, err
	}
	m.Layers = append(m.Layers, out)
	return m, nil
}

// Params returns every layer's weight and bias, input side first.
func (m *MLP) Params() []*Param {
	var ps []*Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Logits adds the network to g for a [batch, Inputs] input and returns the
// [batch, Classes] logits. In a training graph it adds the configured
// dropout (see Dropout).
func (m *MLP) Logits(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := m.dropout(g, -1, x)
	if err != nil {
		return nil, err
	}
	for k, l := range m.Layers {
		if h, err = l.Forward(g, h); err != nil {
			return nil, err
		}
		if h, err = m.dropout(g, k, h); err != nil {
			return nil, err
		}
	}
	return h, nil
}
