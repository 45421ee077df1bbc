package models

import (
	"fmt"
	"math/rand/v2"
)

// Stacked is a stacked (denoising) autoencoder classifier (Vincent et al.
// 2010, "Stacked Denoising Autoencoders", JMLR 11; docs/lecture.md §6): an MLP
// whose hidden layers are trained first, greedily and without labels, each
// as the encoder of a shallow autoencoder on the codes of the layers below
// (Stage), and then fine-tuned with the output layer on labels as one
// network (MLP).
//
// The encoders are the MLP's own Dense layers, so pretraining writes
// straight into the weights that fine-tuning starts from, and a Stacked
// built with the same MLPConfig and generator as an MLP starts from the same
// random weights: pretraining is then the only difference between the two.
type Stacked struct {
	// MLP is the classifier: the encoders (layers.0 … layers.L−1) and the
	// linear output layer (layers.L).
	MLP *MLP
}

// NewStacked builds the stack with weights drawn from r, as NewMLP does.
// It needs at least one hidden layer.
func NewStacked(c MLPConfig, r *rand.Rand) (*Stacked, error) {
	if len(c.Hidden) == 0 {
		return nil, fmt.Errorf("models: a stacked autoencoder needs ≥ 1 hidden layer")
	}
	m, err := NewMLP(c, r)
	if err != nil {
		return nil, err
	}
	return &Stacked{MLP: m}, nil
}

// Encoders returns the stacked encoder layers, input side first.
func (s *Stacked) Encoders() []*Dense { return s.MLP.Layers[:len(s.MLP.Layers)-1] }

// Stage returns the shallow autoencoder that pretrains encoder layer k: its
// encoder is that layer itself, and its decoder, drawn from r, reconstructs
// the layer's input (the data for k = 0, the code of layer k−1 above that)
// with the output activation out, tied to the encoder's weight or not.
func (s *Stacked) Stage(k int, out Activation, tied bool, r *rand.Rand) (*Autoencoder, error) {
	enc := s.Encoders()
	if k < 0 || k >= len(enc) {
		return nil, fmt.Errorf("models: stacked autoencoder has layers 0…%d, not %d", len(enc)-1, k)
	}
	return NewAutoencoderOn(enc[k:k+1], AutoencoderConfig{Output: out, Tied: tied, Init: s.MLP.Config.Init}, r)
}
