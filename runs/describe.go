package runs

import (
	"fmt"
	"strings"

	"github.com/gorgonia-zoo/zoo/models"
)

// LayerInfo describes one layer of a loaded model: a dense layer, which
// computes y = act(x·W + b) for a row vector x (a tied layer uses Wᵀ), or a
// convolution (Kernel > 0), y = act(W ∗ x + b) over channels.
type LayerInfo struct {
	// Name is the layer's name, its parameters' names without the suffix:
	// layers.K (classifiers), encoder.K or decoder.K (autoencoders).
	Name string `json:"name"`
	// In and Out are its widths: a convolution's input and output
	// channels.
	In  int `json:"in"`
	Out int `json:"out"`
	// Kernel is a convolution's side (3 for 3×3 filters), Pool the side
	// of the max pooling after an encoder's convolution (0 for none): a
	// decoder's convolution is followed by the upsampling that undoes its
	// mirror's pooling.
	Kernel int `json:"kernel,omitempty"`
	Pool   int `json:"pool,omitempty"`
	// Activation is sigmoid, tanh, relu or linear; a classifier's last
	// layer is linear (its outputs are logits: softmax gives probabilities).
	Activation string `json:"activation"`
	// TiedTo names the encoder layer whose weight, transposed, a tied
	// decoder layer uses (it has only its own bias); empty otherwise.
	TiedTo string `json:"tied_to,omitempty"`
}

// Layers returns the model's layers, input side first: a classifier's
// hidden layers and output layer, or an autoencoder's encoder then decoder
// (a variational autoencoder's encoder, then latent.mean and
// latent.logvar, then its decoder).
func (m *Model) Layers() []LayerInfo {
	if m.vae != nil {
		var out []LayerInfo
		for _, d := range m.vae.Layers() {
			out = append(out, LayerInfo{Name: d.Name(), In: d.In(), Out: d.Out(), Activation: actName(d.Act)})
		}
		return out
	}
	if m.conv != nil {
		return convLayers(m.conv)
	}
	if m.autoencoder != nil {
		ae := m.ae
		var out []LayerInfo
		for _, d := range ae.Encoder {
			out = append(out, LayerInfo{Name: d.Name(), In: d.In(), Out: d.Out(), Activation: actName(d.Act)})
		}
		for _, b := range ae.Decoder {
			switch d := b.(type) {
			case *models.Dense:
				out = append(out, LayerInfo{Name: d.Name(), In: d.In(), Out: d.Out(), Activation: actName(d.Act)})
			case *models.TiedDense:
				out = append(out, LayerInfo{Name: d.Name(), In: d.In(), Out: d.Out(), Activation: actName(d.Act),
					TiedTo: strings.TrimSuffix(d.W.Name, ".weight")})
			}
		}
		return out
	}
	hidden := m.mlp.Config.Hidden
	var out []LayerInfo
	for k := 0; ; k++ {
		w := m.Param(fmt.Sprintf("layers.%d.weight", k))
		if w == nil {
			return out
		}
		l := LayerInfo{Name: fmt.Sprintf("layers.%d", k), In: w.Value.Shape()[0], Out: w.Value.Shape()[1], Activation: "linear"}
		if k < len(hidden) {
			l.Activation = actName(hidden[k].Activation)
		}
		out = append(out, l)
	}
}

// convLayers describes a convolutional autoencoder's layers.
func convLayers(a *models.ConvAutoencoder) []LayerInfo {
	c := a.Config
	var out []LayerInfo
	info := func(l *models.Conv2D) LayerInfo {
		return LayerInfo{Name: l.Name(), In: l.In(), Out: l.Out(), Activation: actName(l.Act), Kernel: l.Kernel()}
	}
	for k, l := range a.Encoder {
		li := info(l)
		if p := c.Encoder[k].Pool; p > 1 {
			li.Pool = p
		}
		out = append(out, li)
	}
	for _, l := range a.Decoder {
		out = append(out, info(l))
	}
	return out
}

func actName(a models.Activation) string {
	if a == "" {
		return string(models.Linear)
	}
	return string(a)
}

// Param returns the trained parameter called name (see SaveWeights), or
// nil if the model has none.
func (m *Model) Param(name string) *models.Param {
	for _, p := range m.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// TensorInfo describes one tensor of model.safetensors.
type TensorInfo struct {
	Name  string `json:"name"`
	DType string `json:"dtype"` // F32 or F64
	Shape []int  `json:"shape"` // a weight [in, out] ([out, in, k, k] for a convolution), a bias [out]
	Size  int    `json:"size"`  // number of values
}

// Tensors describes the tensors of the model's weights file, input side
// first.
func (m *Model) Tensors() []TensorInfo {
	out := make([]TensorInfo, len(m.Params))
	for i, p := range m.Params {
		dt := "F32"
		if _, ok := p.Value.Data().([]float64); ok {
			dt = "F64"
		}
		out[i] = TensorInfo{Name: p.Name, DType: dt, Shape: storedShape(p), Size: p.Value.Shape().TotalSize()}
	}
	return out
}
