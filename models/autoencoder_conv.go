package models

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/fused"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ Network       = (*ConvAutoencoder)(nil)
	_ Reconstructor = (*ConvAutoencoder)(nil)
)

// ConvLayer is one stage of a convolutional encoder: a convolution (see
// Conv2D) and, optionally, max pooling.
type ConvLayer struct {
	// Filters is the number of output channels.
	Filters int `json:"filters"`
	// Kernel is the side of the square filters, odd (3 for 3×3).
	Kernel int `json:"kernel"`
	// Activation follows the convolution.
	Activation Activation `json:"activation"`
	// Pool is the side of the max pooling that follows, with the same
	// stride: 2 halves the picture. A side that does not divide is padded
	// so that no pixel is dropped (7 → 4 for 2). 0 or 1: no pooling.
	Pool int `json:"pool,omitempty"`
}

// ConvAutoencoderConfig describes a convolutional autoencoder: a stack of
// convolutions and poolings down to the code, and the mirrored decoder
// back up, the Keras tutorial's convolutional autoencoder.
//
// The decoder mirrors the encoder: for each encoder stage, code side
// first, a convolution with that stage's filters, kernel and activation,
// then nearest-neighbour upsampling back to the size the stage pooled
// from (fused.Upsample); then an output convolution to Channels with the
// first stage's kernel and the Output activation. For 28×28×1 and stages
// of 16, 8 and 8 filters, each pooled by 2: 28×28×16 → 14×14×8 → 7×7×8 →
// a code of 4×4×8 = 128 values, and back 4×4×8 → 7×7×8 → 14×14×16 → 28×28×1.
type ConvAutoencoderConfig struct {
	// Channels, Height and Width are the shape of one example, whose
	// values are a flat row in that order ([Channels, Height, Width]
	// row-major, as a picture of the data sets is [Height, Width] with one
	// channel).
	Channels, Height, Width int
	// Encoder lists the stages, input side first; the last one's output,
	// pooled, is the code.
	Encoder []ConvLayer
	// Output is the reconstruction's activation: Sigmoid for inputs in
	// [0, 1] (with the binary cross-entropy loss), Linear for real-valued
	// inputs (with MSE). "" means Linear.
	Output Activation
	// Init draws the weights; "" picks by activation (see Init).
	Init Init
	// DType is tensor.Float32 or tensor.Float64; the zero value means
	// Float32.
	DType tensor.Dtype
}

// Inputs is the number of values of an example: Channels·Height·Width.
func (c ConvAutoencoderConfig) Inputs() int { return c.Channels * c.Height * c.Width }

// Sizes returns the picture's height and width at the input of each
// encoder stage, then the code's: len(c.Encoder)+1 pairs.
func (c ConvAutoencoderConfig) Sizes() [][2]int {
	s := [][2]int{{c.Height, c.Width}}
	for _, l := range c.Encoder {
		h, w := s[len(s)-1][0], s[len(s)-1][1]
		if l.Pool > 1 {
			h, w = ceilDiv(h, l.Pool), ceilDiv(w, l.Pool)
		}
		s = append(s, [2]int{h, w})
	}
	return s
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// poolPad is the padding of a pooling of side p over n pixels that keeps
// every pixel: ⌈n/p⌉ windows from −pad.
func poolPad(n, p int) int { return (ceilDiv(n, p)*p - n + 1) / 2 }

// validate checks c's values.
func (c ConvAutoencoderConfig) validate() error {
	if c.Channels < 1 || c.Height < 1 || c.Width < 1 {
		return fmt.Errorf("models: convolutional autoencoder needs examples of ≥ 1 channel, height and width, got %d×%d×%d", c.Channels, c.Height, c.Width)
	}
	if len(c.Encoder) == 0 {
		return fmt.Errorf("models: convolutional autoencoder needs ≥ 1 encoder stage")
	}
	sizes := c.Sizes()
	for k, l := range c.Encoder {
		if l.Pool < 0 {
			return fmt.Errorf("models: encoder stage %d: pool %d: want 0 or 1 (none) or the side of the pooling, ≥ 2", k, l.Pool)
		}
		if h, w := sizes[k][0], sizes[k][1]; l.Pool > 1 && (l.Pool > h || l.Pool > w) {
			return fmt.Errorf("models: encoder stage %d: pooling of side %d does not fit its %d×%d input", k, l.Pool, h, w)
		}
	}
	return c.Output.Validate()
}

// ConvAutoencoder is a convolutional encoder (Conv2D layers named
// encoder.K, K from 0 at the input, each followed by its pooling) and the
// mirrored decoder (decoder.K, K from 0 at the code; the last one is the
// output layer). Its inputs and reconstructions are flat rows of
// Config.Inputs() values, its codes flat rows of CodeUnits values (the
// code's [channels, height, width], row-major).
type ConvAutoencoder struct {
	Config  ConvAutoencoderConfig
	Encoder []*Conv2D
	Decoder []*Conv2D
}

// NewConvAutoencoder builds a convolutional autoencoder with weights drawn
// from r, the encoder's first.
func NewConvAutoencoder(c ConvAutoencoderConfig, r *rand.Rand) (*ConvAutoencoder, error) {
	if c.DType == (tensor.Dtype{}) {
		c.DType = tensor.Float32
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	a := &ConvAutoencoder{Config: c}
	in := c.Channels
	for k, l := range c.Encoder {
		layer, err := NewConv2D(fmt.Sprintf("encoder.%d", k), in, l.Filters, l.Kernel, l.Activation, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		a.Encoder = append(a.Encoder, layer)
		in = l.Filters
	}
	L := len(c.Encoder)
	for j := range L + 1 {
		out, k, act := c.Channels, c.Encoder[0].Kernel, c.Output
		if j < L {
			l := c.Encoder[L-1-j]
			out, k, act = l.Filters, l.Kernel, l.Activation
		}
		layer, err := NewConv2D(fmt.Sprintf("decoder.%d", j), in, out, k, act, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		a.Decoder = append(a.Decoder, layer)
		in = out
	}
	return a, nil
}

// Family is "conv-autoencoder".
func (*ConvAutoencoder) Family() string { return "conv-autoencoder" }

// Inputs returns the values of an input and of its reconstruction.
func (a *ConvAutoencoder) Inputs() int { return a.Config.Inputs() }

// CodeShape returns the code's [channels, height, width].
func (a *ConvAutoencoder) CodeShape() []int {
	s := a.Config.Sizes()[len(a.Config.Encoder)]
	return []int{a.Encoder[len(a.Encoder)-1].Out(), s[0], s[1]}
}

// CodeUnits returns the values of a code.
func (a *ConvAutoencoder) CodeUnits() int {
	s := a.CodeShape()
	return s[0] * s[1] * s[2]
}

// CodeName is the key of the code's node, flat, in Graph.Activations.
func (a *ConvAutoencoder) CodeName() string { return "code" }

// Output returns the reconstruction's activation.
func (a *ConvAutoencoder) Output() Activation { return a.Config.Output }

// DType returns the dtype of the weights and of the graphs' values.
func (a *ConvAutoencoder) DType() tensor.Dtype { return a.Config.DType }

// Params returns every parameter, encoder first.
func (a *ConvAutoencoder) Params() []*Param {
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
// [batch, CodeUnits] code.
func (a *ConvAutoencoder) Encode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	c := a.Config
	if s := x.Shape(); len(s) != 2 || s[1] != c.Inputs() {
		return nil, fmt.Errorf("models: convolutional autoencoder takes [batch, %d] inputs, got shape %v", c.Inputs(), s)
	}
	n := x.Shape()[0]
	h, err := gorgonia.Reshape(x, tensor.Shape{n, c.Channels, c.Height, c.Width})
	if err != nil {
		return nil, fmt.Errorf("models: convolutional autoencoder input: %w", err)
	}
	sizes := c.Sizes()
	for k, l := range a.Encoder {
		if h, err = l.Forward(g, h); err != nil {
			return nil, err
		}
		if p := c.Encoder[k].Pool; p > 1 {
			pad := []int{poolPad(sizes[k][0], p), poolPad(sizes[k][1], p)}
			if h, err = gorgonia.MaxPool2D(h, tensor.Shape{p, p}, pad, []int{p, p}); err != nil {
				return nil, fmt.Errorf("models: %s pooling: %w", l.Name(), err)
			}
		}
	}
	code, err := gorgonia.Reshape(h, tensor.Shape{n, a.CodeUnits()})
	if err != nil {
		return nil, fmt.Errorf("models: convolutional autoencoder code: %w", err)
	}
	g.Activations[a.CodeName()] = code
	return code, nil
}

// Decode adds the decoder to g for a [batch, CodeUnits] code and returns
// the [batch, Inputs] reconstruction.
func (a *ConvAutoencoder) Decode(g *Graph, h *gorgonia.Node) (*gorgonia.Node, error) {
	z, err := a.decode(g, h)
	if err != nil {
		return nil, err
	}
	return a.output(g, z)
}

// Reconstruct adds the whole autoencoder to g: r = g(f(x)).
func (a *ConvAutoencoder) Reconstruct(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	z, err := a.Logits(g, x)
	if err != nil {
		return nil, err
	}
	return a.output(g, z)
}

// output applies the output activation to the logits z and records the
// reconstruction under the output layer's name.
func (a *ConvAutoencoder) output(g *Graph, z *gorgonia.Node) (*gorgonia.Node, error) {
	r, err := a.Config.Output.Apply(z)
	if err != nil {
		return nil, err
	}
	g.Activations[a.Decoder[len(a.Decoder)-1].Name()] = r
	return r, nil
}

// Logits adds the autoencoder to g up to the output layer's
// pre-activation z, [batch, Inputs], so that r = Output(z) (see
// Autoencoder.Logits).
func (a *ConvAutoencoder) Logits(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := a.Encode(g, x)
	if err != nil {
		return nil, err
	}
	return a.decode(g, h)
}

// decode adds the decoder to g for a flat code h, up to the output
// layer's pre-activation, and returns it flat.
func (a *ConvAutoencoder) decode(g *Graph, h *gorgonia.Node) (*gorgonia.Node, error) {
	c := a.Config
	if s := h.Shape(); len(s) != 2 || s[1] != a.CodeUnits() {
		return nil, fmt.Errorf("models: convolutional decoder takes [batch, %d] codes, got shape %v", a.CodeUnits(), s)
	}
	n, cs := h.Shape()[0], a.CodeShape()
	y, err := gorgonia.Reshape(h, tensor.Shape{n, cs[0], cs[1], cs[2]})
	if err != nil {
		return nil, fmt.Errorf("models: convolutional decoder input: %w", err)
	}
	L, sizes := len(c.Encoder), c.Sizes()
	for j, l := range a.Decoder {
		if j == L {
			// The output layer without its activation: a copy with a
			// linear activation shares the original's Params.
			lin := *l
			lin.Act = Linear
			l = &lin
		}
		if y, err = l.Forward(g, y); err != nil {
			return nil, err
		}
		if j == L {
			break
		}
		// Undo encoder stage L−1−j's pooling.
		if k := L - 1 - j; c.Encoder[k].Pool > 1 {
			if y, err = fused.Upsample(y, sizes[k][0], sizes[k][1]); err != nil {
				return nil, fmt.Errorf("models: %s upsampling: %w", l.Name(), err)
			}
		}
	}
	out, err := gorgonia.Reshape(y, tensor.Shape{n, c.Inputs()})
	if err != nil {
		return nil, fmt.Errorf("models: convolutional autoencoder output: %w", err)
	}
	return out, nil
}

// Size is the size of the convolutional autoencoder c describes; its
// widths count, per convolution, the im2col patches (in·k² values per
// output pixel) as well as the output, since the compiled graph holds both.
func (c ConvAutoencoderConfig) Size() Size {
	s := Size{Elem: elemSize(c.DType), Widths: positive(c.Inputs())}
	conv := func(in, out, k int, hw [2]int) {
		pixels := positive(hw[0]) * positive(hw[1])
		s.Params += positive(in)*positive(out)*positive(k)*positive(k) + positive(out)
		s.Widths += pixels * (positive(in)*positive(k)*positive(k) + positive(out))
	}
	sizes := c.Sizes()
	in := c.Channels
	for k, l := range c.Encoder {
		conv(in, l.Filters, l.Kernel, sizes[k])
		if l.Pool > 1 {
			s.Widths += positive(l.Filters) * positive(sizes[k+1][0]) * positive(sizes[k+1][1])
		}
		in = l.Filters
	}
	L := len(c.Encoder)
	for j := range L {
		l := c.Encoder[L-1-j]
		conv(in, l.Filters, l.Kernel, sizes[L-j])
		if l.Pool > 1 {
			s.Widths += positive(l.Filters) * positive(sizes[L-1-j][0]) * positive(sizes[L-1-j][1])
		}
		in = l.Filters
	}
	if L > 0 {
		conv(in, c.Channels, c.Encoder[0].Kernel, sizes[0])
	}
	return s
}

// convAutoencoderConfigJSON is ConvAutoencoderConfig's JSON form (see
// MLPConfig.MarshalJSON).
type convAutoencoderConfigJSON struct {
	Channels int         `json:"channels"`
	Height   int         `json:"height"`
	Width    int         `json:"width"`
	Encoder  []ConvLayer `json:"encoder"`
	Output   Activation  `json:"output,omitempty"`
	Init     Init        `json:"init,omitempty"`
	DType    string      `json:"dtype,omitempty"`
}

// MarshalJSON writes c as {"channels": 1, "height": 28, "width": 28,
// "encoder": [{"filters": 16, "kernel": 3, "activation": "relu", "pool":
// 2}], "output": "sigmoid", "init": "he", "dtype": "float32"}; output,
// init, dtype and a stage's pool are left out when zero.
func (c ConvAutoencoderConfig) MarshalJSON() ([]byte, error) {
	dt, err := DTypeName(c.DType)
	if err != nil {
		return nil, err
	}
	return json.Marshal(convAutoencoderConfigJSON{Channels: c.Channels, Height: c.Height, Width: c.Width,
		Encoder: c.Encoder, Output: c.Output, Init: c.Init, DType: dt})
}

// UnmarshalJSON reads MarshalJSON's form, refusing unknown fields and
// dtypes. It does not check the values: NewConvAutoencoder does.
func (c *ConvAutoencoderConfig) UnmarshalJSON(data []byte) error {
	var j convAutoencoderConfigJSON
	if err := strictJSON(data, &j); err != nil {
		return fmt.Errorf("models: conv-autoencoder config: %w", err)
	}
	dt, err := ParseDType(j.DType)
	if err != nil {
		return err
	}
	*c = ConvAutoencoderConfig{Channels: j.Channels, Height: j.Height, Width: j.Width, Encoder: j.Encoder, Output: j.Output, Init: j.Init, DType: dt}
	return nil
}
