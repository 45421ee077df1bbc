package models

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Network is a built model that can be stored and served as one unit: an
// *MLP, an *Autoencoder or a *VAE. Its family names the config that
// rebuilds it (MLPConfig, AutoencoderConfig or VAEConfig), so a saved network needs nothing but
// its file to be built again (see runs.SaveModel and runs.LoadModel).
type Network interface {
	// Family is "mlp", "autoencoder" or "vae", the model.type of a recipe.
	Family() string
	// Params returns the parameters in their stored order.
	Params() []*Param
}

var (
	_ Network       = (*MLP)(nil)
	_ Network       = (*Autoencoder)(nil)
	_ Reconstructor = (*Autoencoder)(nil)
)

// Reconstructor is a network trained to reconstruct its input, as
// train.Autoencoder and infer.Autoencoder use it: an *Autoencoder or a
// *ConvAutoencoder. Its inputs, codes and outputs are flat rows, whatever
// the layers do inside.
type Reconstructor interface {
	Network
	// Inputs is the values of an input and of its reconstruction.
	Inputs() int
	// CodeUnits is the values of a code.
	CodeUnits() int
	// CodeName is the key of the code's node in Graph.Activations.
	CodeName() string
	// Output is the reconstruction's activation.
	Output() Activation
	// DType is the dtype of the weights.
	DType() tensor.Dtype
	// Encode adds the encoder to g: [batch, Inputs] → [batch, CodeUnits].
	Encode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error)
	// Logits adds the whole network up to the output activation's input
	// z, [batch, Inputs]: the reconstruction is Output applied to z.
	Logits(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error)
}

// Family is "mlp".
func (*MLP) Family() string { return "mlp" }

// Family is "autoencoder".
func (*Autoencoder) Family() string { return "autoencoder" }
