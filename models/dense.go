package models

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/fused"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense is a fully connected layer y = act(x·W + b).
//
// W has shape [in, out] (row-major: W[i][j] connects input i to output j) and
// b shape [1, out].
type Dense struct {
	W, B *Param
	Act  Activation
}

// NewDense returns a layer named name (its parameters are name.weight and
// name.bias) with weights drawn by init from r and zero biases.
func NewDense(name string, in, out int, act Activation, init Init, dt tensor.Dtype, r *rand.Rand) (*Dense, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("models: layer %s: widths must be ≥ 1, got %d→%d", name, in, out)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("models: layer %s: dtype %v is not float32 or float64", name, dt)
	}
	if err := act.Validate(); err != nil {
		return nil, fmt.Errorf("models: layer %s: %w", name, err)
	}
	d := &Dense{
		W:   NewParam(name+".weight", dt, in, out),
		B:   NewParam(name+".bias", dt, 1, out),
		Act: act,
	}
	init.resolve(act).fill(d.W.Value.Data(), in, out, r)
	return d, nil
}

// In and Out return the layer's widths.
func (d *Dense) In() int  { return d.W.Value.Shape()[0] }
func (d *Dense) Out() int { return d.W.Value.Shape()[1] }

// Params returns W then b.
func (d *Dense) Params() []*Param { return []*Param{d.W, d.B} }

// Name is the layer's name: its parameters' names without the suffix.
func (d *Dense) Name() string { return strings.TrimSuffix(d.W.Name, ".weight") }

// Forward adds act(x·W + b) to g for a [batch, in] input x and records the
// output in g.Activations under the layer's name.
func (d *Dense) Forward(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	xw, err := gorgonia.Mul(x, g.Node(d.W))
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", d.W.Name, err)
	}
	z, err := fused.AddBias(xw, g.Node(d.B))
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", d.B.Name, err)
	}
	y, err := d.Act.Apply(z)
	if err != nil {
		return nil, err
	}
	g.Activations[d.Name()] = y
	return y, nil
}
