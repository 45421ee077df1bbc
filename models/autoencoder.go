package models

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/fused"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Block is one layer of a network: it adds itself to a graph, records its
// output in g.Activations under its name, and owns some parameters.
type Block interface {
	Forward(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error)
	// Params returns the parameters the block owns; a block that borrows
	// another's weight (TiedDense) does not list it.
	Params() []*Param
	Name() string
}

var (
	_ Block = (*Dense)(nil)
	_ Block = (*TiedDense)(nil)
)

// TiedDense is a decoder layer whose weight is the transpose of an encoder
// layer's: y = act(x·Wᵀ + b), the lecture's weight sharing. W is the
// encoder's own Param, so a graph holds one node for it, used twice, and its
// gradient is the sum of the encoder's and the decoder's contributions.
type TiedDense struct {
	// W is the tied weight, [out, in] from this layer's point of view: the
	// encoder layer's [in, out] weight. TiedDense does not own it.
	W *Param
	// B is this layer's own bias, [1, in of the encoder layer].
	B   *Param
	Act Activation
}

// NewTiedDense returns the layer named name (its bias is name.bias, zero)
// that inverts enc's shape with enc's weight transposed.
func NewTiedDense(name string, enc *Dense, act Activation) (*TiedDense, error) {
	if err := act.Validate(); err != nil {
		return nil, fmt.Errorf("models: layer %s: %w", name, err)
	}
	return &TiedDense{W: enc.W, B: NewParam(name+".bias", enc.W.Value.Dtype(), 1, enc.In()), Act: act}, nil
}

// In and Out return the layer's widths.
func (d *TiedDense) In() int  { return d.W.Value.Shape()[1] }
func (d *TiedDense) Out() int { return d.W.Value.Shape()[0] }

// Params returns the bias only: the weight belongs to the encoder layer.
func (d *TiedDense) Params() []*Param { return []*Param{d.B} }

// Name is the layer's name: its bias's name without the suffix.
func (d *TiedDense) Name() string { return strings.TrimSuffix(d.B.Name, ".bias") }

// Forward adds act(x·Wᵀ + b) to g for a [batch, In] input x.
func (d *TiedDense) Forward(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	wt, err := fused.Transpose(g.Node(d.W))
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", d.Name(), err)
	}
	xw, err := gorgonia.Mul(x, wt)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", d.Name(), err)
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

// AutoencoderConfig describes an autoencoder: encoder h = f(x), decoder
// r = g(h), trained to make r close to x (docs/lecture.md §6).
//
// One encoder layer is a shallow autoencoder; several make the deep
// "funnel". With fewer code units than inputs it is undercomplete; with a
// linear code and output and the MSE loss it learns the PCA subspace.
type AutoencoderConfig struct {
	// Inputs is the number of features per example, e.g. 784.
	Inputs int
	// Encoder lists the encoder layers, input side first; the last one is
	// the code h.
	Encoder []Layer
	// Decoder lists the decoder's hidden layers, code side first (the
	// output layer, Inputs wide, is always added). Nil mirrors the encoder:
	// the encoder's hidden widths in reverse, each with the activation of
	// the encoder layer of that width.
	Decoder []Layer
	// Output is the reconstruction's activation: Sigmoid for inputs in
	// [0, 1] (with the binary cross-entropy loss), Linear for real-valued
	// inputs (with MSE). "" means Linear.
	Output Activation
	// Tied makes every decoder layer use the transpose of the mirrored
	// encoder layer's weight (see TiedDense); it needs the mirrored
	// decoder (Decoder nil). If false, the decoder has its own weights.
	Tied bool
	// Init draws the weights; "" picks by activation (see Init).
	Init Init
	// DType is tensor.Float32 or tensor.Float64; the zero value means
	// Float32.
	DType tensor.Dtype
}

// Autoencoder is an encoder (Dense layers named encoder.K, K from 0 at the
// input) and a decoder (Blocks named decoder.K, K from 0 at the code).
type Autoencoder struct {
	Config  AutoencoderConfig
	Encoder []*Dense
	Decoder []Block
}

// NewAutoencoder builds an autoencoder with weights drawn from r, the
// encoder's first.
func NewAutoencoder(c AutoencoderConfig, r *rand.Rand) (*Autoencoder, error) {
	if c.DType == (tensor.Dtype{}) {
		c.DType = tensor.Float32
	}
	if c.Inputs < 1 {
		return nil, fmt.Errorf("models: autoencoder needs ≥ 1 input, got %d", c.Inputs)
	}
	if len(c.Encoder) == 0 {
		return nil, fmt.Errorf("models: autoencoder needs ≥ 1 encoder layer")
	}
	var enc []*Dense
	in := c.Inputs
	for k, l := range c.Encoder {
		d, err := NewDense(fmt.Sprintf("encoder.%d", k), in, l.Units, l.Activation, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		enc = append(enc, d)
		in = l.Units
	}
	return NewAutoencoderOn(enc, c, r)
}

// NewAutoencoderOn builds an autoencoder around existing encoder layers
// (which it uses, not copies: training the autoencoder trains them) and a
// new decoder drawn from r. c.Inputs and c.Encoder are set from enc; the
// other fields of c apply. Greedy layer-wise pretraining uses it to train
// one layer of a stack (see Stacked.Stage).
func NewAutoencoderOn(enc []*Dense, c AutoencoderConfig, r *rand.Rand) (*Autoencoder, error) {
	if len(enc) == 0 {
		return nil, fmt.Errorf("models: autoencoder needs ≥ 1 encoder layer")
	}
	c.Inputs = enc[0].In()
	c.Encoder = make([]Layer, len(enc))
	for k, d := range enc {
		if k > 0 && d.In() != enc[k-1].Out() {
			return nil, fmt.Errorf("models: encoder layer %s takes %d inputs but %s gives %d", d.Name(), d.In(), enc[k-1].Name(), enc[k-1].Out())
		}
		c.Encoder[k] = Layer{Units: d.Out(), Activation: d.Act}
	}
	c.DType = enc[0].W.Value.Dtype()
	if err := c.Output.Validate(); err != nil {
		return nil, fmt.Errorf("models: autoencoder output: %w", err)
	}
	if c.Tied && c.Decoder != nil {
		return nil, fmt.Errorf("models: tied weights need the mirrored decoder; leave Decoder empty")
	}
	a := &Autoencoder{Config: c, Encoder: enc}
	L := len(enc)
	if c.Tied {
		for j := range L {
			e := enc[L-1-j]
			act := c.Output
			if j < L-1 {
				act = enc[L-2-j].Act
			}
			d, err := NewTiedDense(fmt.Sprintf("decoder.%d", j), e, act)
			if err != nil {
				return nil, err
			}
			a.Decoder = append(a.Decoder, d)
		}
		return a, nil
	}
	hidden := c.Decoder
	if hidden == nil {
		for k := L - 2; k >= 0; k-- {
			hidden = append(hidden, c.Encoder[k])
		}
	}
	in := enc[L-1].Out()
	for j, l := range append(hidden, Layer{Units: c.Inputs, Activation: c.Output}) {
		d, err := NewDense(fmt.Sprintf("decoder.%d", j), in, l.Units, l.Activation, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		a.Decoder = append(a.Decoder, d)
		in = l.Units
	}
	return a, nil
}

// Inputs returns the width of the input and of the reconstruction.
func (a *Autoencoder) Inputs() int { return a.Encoder[0].In() }

// CodeUnits returns the width of the code h.
func (a *Autoencoder) CodeUnits() int { return a.Encoder[len(a.Encoder)-1].Out() }

// CodeName is the name of the code layer: the key of the code's node in
// Graph.Activations, for activation penalties on h.
func (a *Autoencoder) CodeName() string { return a.Encoder[len(a.Encoder)-1].Name() }

// Output returns the reconstruction's activation, Config.Output.
func (a *Autoencoder) Output() Activation { return a.Config.Output }

// DType returns the dtype of the weights.
func (a *Autoencoder) DType() tensor.Dtype { return a.Encoder[0].W.Value.Dtype() }

// Params returns every parameter once, encoder first: a tied decoder adds
// only its biases.
func (a *Autoencoder) Params() []*Param {
	var ps []*Param
	for _, l := range a.Encoder {
		ps = append(ps, l.Params()...)
	}
	for _, l := range a.Decoder {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Encode adds the encoder to g for a [batch, Inputs] input and returns the
// [batch, CodeUnits] code h = f(x).
func (a *Autoencoder) Encode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	h := x
	for _, l := range a.Encoder {
		var err error
		if h, err = l.Forward(g, h); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Decode adds the decoder to g for a [batch, CodeUnits] code and returns
// the [batch, Inputs] reconstruction g(h).
func (a *Autoencoder) Decode(g *Graph, h *gorgonia.Node) (*gorgonia.Node, error) {
	r := h
	for _, l := range a.Decoder {
		var err error
		if r, err = l.Forward(g, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Reconstruct adds the whole autoencoder to g: r = g(f(x)).
func (a *Autoencoder) Reconstruct(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	z, err := a.Logits(g, x)
	if err != nil {
		return nil, err
	}
	r, err := a.Config.Output.Apply(z)
	if err != nil {
		return nil, err
	}
	g.Activations[a.Decoder[len(a.Decoder)-1].Name()] = r
	return r, nil
}

// Logits adds the autoencoder to g up to the output layer's pre-activation
// z, so that r = Output(z): a numerically stable loss such as
// losses.BinaryCrossEntropyWithLogits takes z instead of r, and a training
// graph then need not compute r at all. With a linear output z is r.
func (a *Autoencoder) Logits(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := a.Encode(g, x)
	if err != nil {
		return nil, err
	}
	last := len(a.Decoder) - 1
	for _, l := range a.Decoder[:last] {
		if h, err = l.Forward(g, h); err != nil {
			return nil, err
		}
	}
	// The output layer without its activation: a copy with a linear
	// activation shares the original's Params, so it is the same layer.
	var out Block
	switch l := a.Decoder[last].(type) {
	case *Dense:
		lin := *l
		lin.Act = Linear
		out = &lin
	case *TiedDense:
		lin := *l
		lin.Act = Linear
		out = &lin
	default:
		return nil, fmt.Errorf("models: autoencoder output layer %s is a %T, not a dense layer", l.Name(), l)
	}
	return out.Forward(g, h)
}
