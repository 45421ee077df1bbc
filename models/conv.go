package models

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/fused"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var _ Block = (*Conv2D)(nil)

// Conv2D is a convolutional layer over [batch, In, H, W] tensors (NCHW):
// Out k×k filters, stride 1, zero padding of ⌊k/2⌋ so that an odd k keeps
// the picture's size ("same" padding), then the bias and the activation.
//
// W has shape [Out, In, k, k] (PyTorch's layout: W[o][i] is the kernel from
// input channel i to output channel o) and B shape [1, Out].
//
// The convolution is computed as gorgonia.Conv2d computes it: im2col turns
// every k×k patch into a row, and one matrix product with the flattened
// filters (gorgonia.Mul, through zoo's BLAS) gives every output pixel's
// channels. The patches are fused.Im2Col's, gorgonia.Im2Col's values bit
// for bit in a fraction of its time. The bias and the activation then run
// on that [batch·H·W, Out] product, with the fused ops of a dense layer,
// before fused.ChannelsFirst moves the channels in front; gorgonia.Conv2d
// would move them with gorgonia.Transpose, element by element, and has no
// bias.
type Conv2D struct {
	W, B *Param
	Act  Activation
}

// NewConv2D returns a layer named name (its parameters are name.weight and
// name.bias) of out k×k filters over in channels, with weights drawn by
// init from r (fan-in in·k², fan-out out·k², as Keras and PyTorch count a
// convolution's) and zero biases.
func NewConv2D(name string, in, out, k int, act Activation, init Init, dt tensor.Dtype, r *rand.Rand) (*Conv2D, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("models: layer %s: channels must be ≥ 1, got %d→%d", name, in, out)
	}
	if k < 1 || k%2 == 0 {
		return nil, fmt.Errorf("models: layer %s: the kernel size must be odd (its padding keeps the picture's size), got %d", name, k)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("models: layer %s: dtype %v is not float32 or float64", name, dt)
	}
	if err := act.Validate(); err != nil {
		return nil, fmt.Errorf("models: layer %s: %w", name, err)
	}
	c := &Conv2D{
		W:   NewParam(name+".weight", dt, out, in, k, k),
		B:   NewParam(name+".bias", dt, 1, out),
		Act: act,
	}
	init.resolve(act).fill(c.W.Value.Data(), in*k*k, out*k*k, r)
	return c, nil
}

// In, Out and Kernel return the layer's input and output channels and its
// kernel size.
func (c *Conv2D) In() int     { return c.W.Value.Shape()[1] }
func (c *Conv2D) Out() int    { return c.W.Value.Shape()[0] }
func (c *Conv2D) Kernel() int { return c.W.Value.Shape()[2] }

// Params returns W then b.
func (c *Conv2D) Params() []*Param { return []*Param{c.W, c.B} }

// Name is the layer's name: its parameters' names without the suffix.
func (c *Conv2D) Name() string { return strings.TrimSuffix(c.W.Name, ".weight") }

// Forward adds act(W ∗ x + b) to g for a [batch, In, H, W] input x, giving
// [batch, Out, H, W], and records it in g.Activations under the layer's
// name.
func (c *Conv2D) Forward(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 4 || s[1] != c.In() {
		return nil, fmt.Errorf("models: %s takes [batch, %d, height, width] inputs, got shape %v", c.Name(), c.In(), s)
	}
	fail := func(err error) (*gorgonia.Node, error) { return nil, fmt.Errorf("models: %s: %w", c.Name(), err) }
	n, h, w, k, p := s[0], s[2], s[3], c.Kernel(), c.Kernel()/2
	cols, err := fused.Im2Col(x, k, p)
	if err != nil {
		return fail(err)
	}
	patches, err := gorgonia.Reshape(cols, tensor.Shape{n * h * w, c.In() * k * k})
	if err != nil {
		return fail(err)
	}
	z, err := c.product(g, patches)
	if err != nil {
		return fail(err)
	}
	if z, err = fused.AddBias(z, g.Node(c.B)); err != nil {
		return fail(err)
	}
	a, err := c.Act.Apply(z)
	if err != nil {
		return nil, err
	}
	y, err := gorgonia.Reshape(a, tensor.Shape{n, h, w, c.Out()})
	if err != nil {
		return fail(err)
	}
	if c.Out() == 1 {
		// [n, h, w, 1] is already [n, 1, h, w] in memory.
		y, err = gorgonia.Reshape(y, tensor.Shape{n, 1, h, w})
	} else {
		y, err = fused.ChannelsFirst(y)
	}
	if err != nil {
		return fail(err)
	}
	g.Activations[c.Name()] = y
	return y, nil
}

// product adds the [rows, Out] product of the patches [rows, In·k·k] and
// the flattened filters to g. With one filter it is a matrix-vector
// product (gorgonia.Mul of a vector, a gemv forward and a gemv and a ger
// back): as a matrix product of one column, the BLAS would compute a
// whole micro-kernel's width of columns for it.
func (c *Conv2D) product(g *Graph, patches *gorgonia.Node) (*gorgonia.Node, error) {
	size := c.In() * c.Kernel() * c.Kernel()
	if c.Out() == 1 {
		w, err := gorgonia.Reshape(g.Node(c.W), tensor.Shape{size})
		if err != nil {
			return nil, err
		}
		z, err := gorgonia.Mul(patches, w)
		if err != nil {
			return nil, err
		}
		return gorgonia.Reshape(z, tensor.Shape{patches.Shape()[0], 1})
	}
	filters, err := gorgonia.Reshape(g.Node(c.W), tensor.Shape{c.Out(), size})
	if err != nil {
		return nil, err
	}
	ft, err := fused.Transpose(filters)
	if err != nil {
		return nil, err
	}
	return gorgonia.Mul(patches, ft)
}
