package models

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/losses"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// VAEConfig describes a variational autoencoder (Kingma & Welling,
// "Auto-Encoding Variational Bayes", ICLR 2014): a Gaussian encoder
// q(z|x) = N(μ(x), diag σ²(x)) and a Bernoulli decoder p(x|z) whose means
// are the sigmoid outputs, with the prior p(z) = N(0, I). See
// docs/lecture.md §6.
type VAEConfig struct {
	// Inputs is the number of features per example, e.g. 784; each is
	// the mean of a Bernoulli, so inputs lie in [0, 1].
	Inputs int
	// Encoder lists the encoder's hidden layers, input side first; the
	// mean and the log-variance are two linear layers on the last.
	Encoder []Layer
	// Latent is the dimension of z.
	Latent int
	// Decoder lists the decoder's hidden layers, latent side first (the
	// output layer, Inputs wide with sigmoid units, is always added). Nil
	// mirrors the encoder: its hidden layers in reverse.
	Decoder []Layer
	// Init draws the weights; "" picks by activation (see Init).
	Init Init
	// DType is tensor.Float32 or tensor.Float64; the zero value means
	// Float32.
	DType tensor.Dtype
}

// decoder returns the decoder's hidden layers: c.Decoder, or the mirrored
// encoder.
func (c VAEConfig) decoder() []Layer {
	if c.Decoder != nil {
		return c.Decoder
	}
	var hidden []Layer
	for k := len(c.Encoder) - 1; k >= 0; k-- {
		hidden = append(hidden, c.Encoder[k])
	}
	return hidden
}

// Size is the size of the variational autoencoder c describes.
func (c VAEConfig) Size() Size {
	s := Size{Elem: elemSize(c.DType), Widths: positive(c.Inputs)}
	in := c.Inputs
	for _, l := range c.Encoder {
		s.dense(in, l.Units)
		in = l.Units
	}
	s.dense(in, c.Latent) // the mean
	s.dense(in, c.Latent) // the log-variance
	s.Widths += positive(c.Latent)
	in = c.Latent
	for _, l := range c.decoder() {
		s.dense(in, l.Units)
		in = l.Units
	}
	s.dense(in, c.Inputs)
	return s
}

// VAE is a variational autoencoder: hidden encoder layers encoder.K (K
// from 0 at the input), the heads latent.mean and latent.logvar (linear),
// and decoder layers decoder.K (K from 0 at the latent side; the last is
// the sigmoid output).
type VAE struct {
	Config       VAEConfig
	Encoder      []*Dense
	Mean, LogVar *Dense
	Decoder      []*Dense
}

var _ Network = (*VAE)(nil)

// Family is "vae".
func (*VAE) Family() string { return "vae" }

// NewVAE builds a variational autoencoder with weights drawn from r: the
// encoder's first, then the mean's, the log-variance's and the decoder's.
func NewVAE(c VAEConfig, r *rand.Rand) (*VAE, error) {
	if c.DType == (tensor.Dtype{}) {
		c.DType = tensor.Float32
	}
	if c.Inputs < 1 {
		return nil, fmt.Errorf("models: variational autoencoder needs ≥ 1 input, got %d", c.Inputs)
	}
	if c.Latent < 1 {
		return nil, fmt.Errorf("models: variational autoencoder needs a latent dimension ≥ 1, got %d", c.Latent)
	}
	v := &VAE{Config: c}
	in := c.Inputs
	for k, l := range c.Encoder {
		d, err := NewDense(fmt.Sprintf("encoder.%d", k), in, l.Units, l.Activation, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		v.Encoder = append(v.Encoder, d)
		in = l.Units
	}
	var err error
	if v.Mean, err = NewDense("latent.mean", in, c.Latent, Linear, c.Init, c.DType, r); err != nil {
		return nil, err
	}
	if v.LogVar, err = NewDense("latent.logvar", in, c.Latent, Linear, c.Init, c.DType, r); err != nil {
		return nil, err
	}
	in = c.Latent
	for j, l := range append(c.decoder(), Layer{Units: c.Inputs, Activation: Sigmoid}) {
		d, err := NewDense(fmt.Sprintf("decoder.%d", j), in, l.Units, l.Activation, c.Init, c.DType, r)
		if err != nil {
			return nil, err
		}
		v.Decoder = append(v.Decoder, d)
		in = l.Units
	}
	return v, nil
}

// Inputs returns the width of the input and of the decoder's output.
func (v *VAE) Inputs() int { return v.Config.Inputs }

// Latent returns the dimension of z.
func (v *VAE) Latent() int { return v.Config.Latent }

// Params returns every parameter once: the encoder's, the mean's, the
// log-variance's, then the decoder's.
func (v *VAE) Params() []*Param {
	var ps []*Param
	for _, l := range v.Encoder {
		ps = append(ps, l.Params()...)
	}
	ps = append(ps, v.Mean.Params()...)
	ps = append(ps, v.LogVar.Params()...)
	for _, l := range v.Decoder {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Layers returns the dense layers input side first: the encoder's, the
// mean, the log-variance, the decoder's.
func (v *VAE) Layers() []*Dense {
	ls := append([]*Dense(nil), v.Encoder...)
	ls = append(ls, v.Mean, v.LogVar)
	return append(ls, v.Decoder...)
}

// Encode adds the encoder to g for a [batch, Inputs] input and returns the
// [batch, Latent] means μ and log-variances log σ² of q(z|x).
func (v *VAE) Encode(g *Graph, x *gorgonia.Node) (mean, logVar *gorgonia.Node, err error) {
	h := x
	for _, l := range v.Encoder {
		if h, err = l.Forward(g, h); err != nil {
			return nil, nil, err
		}
	}
	if mean, err = v.Mean.Forward(g, h); err != nil {
		return nil, nil, err
	}
	if logVar, err = v.LogVar.Forward(g, h); err != nil {
		return nil, nil, err
	}
	return mean, logVar, nil
}

// NoiseName is the name of the random input ε of Sample's graph.
const NoiseName = "latent.noise"

// Sample adds the reparameterisation z = μ + exp(½ log σ²) ⊙ ε to g, ε a
// random input (NoiseName) of standard normal draws made from the run's
// generator before every run of the graph (StandardNormal): z is a draw
// from q(z|x) that is a differentiable function of μ and log σ², so the
// gradient reaches the encoder through it.
func (v *VAE) Sample(g *Graph, mean, logVar *gorgonia.Node) (*gorgonia.Node, error) {
	eps := g.NewRandomInput(NoiseName, mean.Dtype(), mean.Shape().Clone(), StandardNormal)
	half, err := gorgonia.Mul(logVar, constantOf(logVar.Dtype(), 0.5))
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", NoiseName, err)
	}
	sd, err := gorgonia.Exp(half)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", NoiseName, err)
	}
	scaled, err := gorgonia.HadamardProd(sd, eps)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", NoiseName, err)
	}
	z, err := gorgonia.Add(mean, scaled)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", NoiseName, err)
	}
	return z, nil
}

// StandardNormal is the fill of Sample's noise: every element of dst (float32
// or float64) is a draw of N(0, 1) (rand.Rand.NormFloat64 from r), in order,
// so each run's noise depends only on the generator's state.
func StandardNormal(dst *tensor.Dense, r rand.Source) {
	g, ok := r.(*rand.Rand)
	if !ok {
		g = rand.New(r)
	}
	switch d := dst.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(g.NormFloat64())
		}
	case []float64:
		for i := range d {
			d[i] = g.NormFloat64()
		}
	}
}

// DecodeLogits adds the decoder to g for a [batch, Latent] z and returns
// the output layer's pre-activations: the Bernoulli means are their
// sigmoid, and the reconstruction loss reads them directly (see
// losses.BinaryCrossEntropyWithLogits).
func (v *VAE) DecodeLogits(g *Graph, z *gorgonia.Node) (*gorgonia.Node, error) {
	last := len(v.Decoder) - 1
	h := z
	var err error
	for _, l := range v.Decoder[:last] {
		if h, err = l.Forward(g, h); err != nil {
			return nil, err
		}
	}
	lin := *v.Decoder[last] // the same parameters, without the sigmoid
	lin.Act = Linear
	return lin.Forward(g, h)
}

// Decode adds the decoder to g and returns the Bernoulli means of p(x|z),
// [batch, Inputs] in (0, 1): the decoded picture.
func (v *VAE) Decode(g *Graph, z *gorgonia.Node) (*gorgonia.Node, error) {
	logits, err := v.DecodeLogits(g, z)
	if err != nil {
		return nil, err
	}
	r, err := Sigmoid.Apply(logits)
	if err != nil {
		return nil, err
	}
	g.Activations[v.Decoder[len(v.Decoder)-1].Name()] = r
	return r, nil
}

// ELBOGraph holds the nodes of a variational autoencoder's objective on a
// batch, as NegELBO and ELBOTerms build them.
type ELBOGraph struct {
	// Mean and LogVar are q(z|x)'s parameters, Z the sampled code and
	// Logits the decoder's pre-sigmoid outputs; all [batch, …].
	Mean, LogVar, Z, Logits *gorgonia.Node
	// Reconstruction is −log p(x|z) per example, the binary
	// cross-entropy summed over the inputs, and KL the divergence
	// KL(q(z|x) ‖ p(z)) per example, both [batch] and in nats.
	Reconstruction, KL *gorgonia.Node
	// Per is their sum, the negative ELBO of each example: [batch]; nil
	// from ELBOTerms.
	Per *gorgonia.Node
}

// NegELBO adds to g the negative evidence lower bound of each example of
// x against target (x itself, as a training graph feeds it):
//
//	−ELBO(x) = −E_q(z|x)[log p(x|z)] + KL(q(z|x) ‖ p(z)),
//
// estimated with one z drawn by Sample; the first term is the binary
// cross-entropy summed over the Inputs pixels, the second is closed form
// (losses.GaussianKL). Both are in nats per example.
//
// Per is the sum of the two terms' nodes, an element-wise op that Gorgonia
// computes in place: in a compiled graph the Reconstruction node's value
// may then hold the sum. A graph whose terms are read after a run is built
// by ELBOTerms, and adds them itself.
func (v *VAE) NegELBO(g *Graph, x, target *gorgonia.Node) (*ELBOGraph, error) {
	e, err := v.ELBOTerms(g, x, target)
	if err != nil {
		return nil, err
	}
	if e.Per, err = gorgonia.Add(e.Reconstruction, e.KL); err != nil {
		return nil, fmt.Errorf("models: variational autoencoder: %w", err)
	}
	return e, nil
}

// ELBOTerms is NegELBO without Per: the graph computes the two terms, and
// nothing reads them, so their values stay readable after a run.
func (v *VAE) ELBOTerms(g *Graph, x, target *gorgonia.Node) (*ELBOGraph, error) {
	e := &ELBOGraph{}
	var err error
	if e.Mean, e.LogVar, err = v.Encode(g, x); err != nil {
		return nil, err
	}
	if e.Z, err = v.Sample(g, e.Mean, e.LogVar); err != nil {
		return nil, err
	}
	if e.Logits, err = v.DecodeLogits(g, e.Z); err != nil {
		return nil, err
	}
	// BinaryCrossEntropyWithLogits averages over the pixels; −log p(x|z)
	// is their sum.
	bce, err := losses.BinaryCrossEntropyWithLogits(e.Logits, target)
	if err != nil {
		return nil, fmt.Errorf("models: variational autoencoder: %w", err)
	}
	if e.Reconstruction, err = gorgonia.Mul(bce, constantOf(bce.Dtype(), float64(v.Inputs()))); err != nil {
		return nil, fmt.Errorf("models: variational autoencoder: %w", err)
	}
	if e.KL, err = losses.GaussianKL(e.Mean, e.LogVar); err != nil {
		return nil, fmt.Errorf("models: variational autoencoder: %w", err)
	}
	return e, nil
}

// constantOf is x as a scalar constant of dtype dt.
func constantOf(dt tensor.Dtype, x float64) *gorgonia.Node {
	if dt == tensor.Float64 {
		return gorgonia.NewConstant(x)
	}
	return gorgonia.NewConstant(float32(x))
}

// vaeConfigJSON is VAEConfig's JSON form. Decoder has no omitempty: null
// (mirror the encoder) and [] (no hidden decoder layer) are different
// decoders.
type vaeConfigJSON struct {
	Inputs  int     `json:"inputs"`
	Encoder []Layer `json:"encoder"`
	Latent  int     `json:"latent"`
	Decoder []Layer `json:"decoder"`
	Init    Init    `json:"init,omitempty"`
	DType   string  `json:"dtype,omitempty"`
}

// MarshalJSON writes c as {"inputs": 784, "encoder": [...], "latent": 20,
// "decoder": null, "init": "he", "dtype": "float32"}; a null decoder
// mirrors the encoder.
func (c VAEConfig) MarshalJSON() ([]byte, error) {
	dt, err := DTypeName(c.DType)
	if err != nil {
		return nil, err
	}
	return json.Marshal(vaeConfigJSON{Inputs: c.Inputs, Encoder: c.Encoder, Latent: c.Latent, Decoder: c.Decoder, Init: c.Init, DType: dt})
}

// UnmarshalJSON reads MarshalJSON's form, refusing unknown fields and
// dtypes. It does not check the values: NewVAE does.
func (c *VAEConfig) UnmarshalJSON(data []byte) error {
	var j vaeConfigJSON
	if err := strictJSON(data, &j); err != nil {
		return fmt.Errorf("models: vae config: %w", err)
	}
	dt, err := ParseDType(j.DType)
	if err != nil {
		return err
	}
	*c = VAEConfig{Inputs: j.Inputs, Encoder: j.Encoder, Latent: j.Latent, Decoder: j.Decoder, Init: j.Init, DType: dt}
	return nil
}
