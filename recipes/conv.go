package recipes

import (
	"fmt"
	"strings"

	"github.com/gorgonia-zoo/zoo/models"
)

// The keys of a conv-autoencoder: model.conv lists its stages, each a
// convolution (filters, kernel, activation) and an optional max pooling
// (pool); the decoder mirrors them (see models.ConvAutoencoderConfig). It
// takes model.output, model.corruption (a denoising convolutional
// autoencoder), model.init, the weight penalties and early stopping on the
// loss, as a dense autoencoder does.

// checkConvAutoencoder checks a conv-autoencoder recipe's model and the
// keys it refuses.
func (d *doc) checkConvAutoencoder(r *Recipe) error {
	m := &r.Model
	for _, k := range []struct {
		key, msg string
		set      bool
	}{
		{"model.layers", "a conv-autoencoder's stages are model.conv", m.Layers != nil},
		{"model.encoder", "a conv-autoencoder's stages are model.conv, e.g. [{filters: 16, kernel: 3, activation: relu, pool: 2}]", m.Encoder != nil},
		{"model.decoder", "a conv-autoencoder's decoder mirrors its encoder", m.Decoder != nil},
		{"model.tied", "a conv-autoencoder's decoder has weights of its own", m.Tied},
		{"model.sparsity", "a conv-autoencoder takes no sparsity penalty", m.Sparsity != (Sparsity{})},
		{"regularizers.activation_l1", "a conv-autoencoder takes no activation penalty", r.Regularizers.ActivationL1 != nil},
		{"regularizers.kl_sparsity", "a conv-autoencoder takes no activation penalty", r.Regularizers.KLSparsity != nil},
		{"pretrain", "only sdae models are pretrained", !r.Pretrain.isZero()},
	} {
		if k.set {
			return d.errorf(k.key, "%s; remove this key", k.msg)
		}
	}
	if len(m.Conv) == 0 {
		return d.errorf("model.conv", "missing; want a list of stages, input side first, e.g. [{filters: 16, kernel: 3, activation: relu, pool: 2}]")
	}
	acts := []string{"linear", "relu", "sigmoid", "tanh"}
	for i, l := range m.Conv {
		k := fmt.Sprintf("model.conv.%d", i)
		if l.Filters < 1 {
			return d.errorf(k+".filters", "a convolution needs ≥ 1 filter, got %d", l.Filters)
		}
		if l.Kernel < 1 || l.Kernel%2 == 0 {
			if l.Kernel == 0 {
				return d.errorf(k+".kernel", "missing; want the side of the square filters, odd, e.g. 3")
			}
			return d.errorf(k+".kernel", "want an odd side ≥ 1 (the padding keeps the picture's size), got %d", l.Kernel)
		}
		if l.Pool < 0 {
			return d.errorf(k+".pool", "want the side of the max pooling, ≥ 2 (0 or 1: none), got %d", l.Pool)
		}
		if l.Activation == "" {
			return d.errorf(k+".activation", "missing; want one of %s", strings.Join(acts, ", "))
		}
		if _, err := models.ParseActivation(l.Activation); err != nil {
			return d.errorf(k+".activation", "unknown activation %q; want one of %s%s", l.Activation, strings.Join(acts, ", "), didYouMean(l.Activation, acts))
		}
	}
	if err := d.autoencoderRegularizers(r); err != nil {
		return err
	}
	if err := oneOf(d, "model.output", m.Output, outputActivations); err != nil {
		return err
	}
	if r.Loss == "bce" && m.Output != "sigmoid" {
		return d.errorf("loss", "bce needs reconstructions in (0, 1), so model.output: sigmoid; with a %s output use mse", m.Output)
	}
	return d.checkCorruption("model.corruption", m.Corruption)
}
