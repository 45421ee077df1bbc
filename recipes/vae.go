package recipes

import "math"

// The keys of the variational autoencoder (model.type vae): model.encoder
// (its hidden layers), model.latent (the dimension of z) and model.decoder
// (its hidden layers; empty mirrors the encoder); its loss is the negative
// ELBO, loss: elbo. And of the contractive autoencoder: model.contractive,
// the λ of the penalty λ‖J_f(x)‖²_F on an autoencoder's one-layer sigmoid
// encoder.

// lossELBO is the one loss of a vae.
const lossELBO = "elbo"

// checkVAE checks a vae recipe's model and the keys it may not have, and
// puts the model into sp.
func (d *doc) checkVAE(r *Recipe) error {
	m := &r.Model
	for _, k := range []struct {
		key, msg string
		set      bool
	}{
		{"model.layers", "a vae's hidden layers are model.encoder (and model.decoder)", len(m.Layers) > 0},
		{"model.tied", "a vae's decoder has its own weights", m.Tied},
		{"model.output", "a vae's decoder is Bernoulli: its output is always sigmoid", m.Output != ""},
		{"model.corruption", "a vae is not denoising", m.Corruption != (Corruption{})},
		{"model.sparsity", "a vae's code is already regularised by its KL term", m.Sparsity != (Sparsity{})},
		{"model.contractive", "the contractive penalty is for model.type: autoencoder", m.Contractive != 0},
		{"pretrain", "only sdae models are pretrained", !r.Pretrain.isZero()},
		{"regularizers.dropout", "a vae takes the weight penalties l1 and l2 only", r.Regularizers.Dropout != nil},
		{"regularizers.noise", "a vae takes the weight penalties l1 and l2 only", r.Regularizers.Noise != nil},
		{"regularizers.activation_l1", "a vae takes the weight penalties l1 and l2 only", r.Regularizers.ActivationL1 != nil},
		{"regularizers.kl_sparsity", "a vae takes the weight penalties l1 and l2 only", r.Regularizers.KLSparsity != nil},
		{"regularizers.max_norm", "max_norm applies to classifiers only", r.Regularizers.MaxNorm != 0},
	} {
		if k.set {
			return d.errorf(k.key, "%s; remove this key", k.msg)
		}
	}
	if r.Loss != "" && r.Loss != lossELBO {
		return d.errorf("loss", "a vae is trained on its negative ELBO (the reconstruction's cross-entropy plus the KL term, in nats): write loss: %s", lossELBO)
	}
	if len(m.Encoder) == 0 {
		return d.errorf("model.encoder", "missing; want the encoder's hidden layers, input side first, e.g. [{units: 400, activation: relu}]")
	}
	if err := d.checkLayers("model.encoder", m.Encoder); err != nil {
		return err
	}
	if err := d.checkLayers("model.decoder", m.Decoder); err != nil {
		return err
	}
	if m.Latent < 1 {
		if m.Latent == 0 {
			return d.errorf("model.latent", "missing; want the dimension of the latent code z (≥ 1), e.g. 20, or 2 to draw it")
		}
		return d.errorf("model.latent", "want the dimension of the latent code z, ≥ 1, got %d", m.Latent)
	}
	if e := r.EarlyStopping; e != nil && e.Metric == "error" {
		return d.errorf("early_stopping.metric", "a vae has no error rate; watch its negative ELBO (metric: loss)")
	}
	return nil
}

// checkContractive checks model.contractive of an autoencoder: the closed
// form of the encoder's Jacobian it penalises needs one sigmoid layer.
func (d *doc) checkContractive(m *Model) error {
	if m.Contractive == 0 {
		return nil
	}
	if !(m.Contractive > 0) || math.IsInf(m.Contractive, 0) {
		return d.errorf("model.contractive", "want λ, a finite number > 0, got %v", m.Contractive)
	}
	if len(m.Encoder) != 1 {
		return d.errorf("model.encoder", "the contractive penalty (model.contractive) is computed in closed form for a one-layer sigmoid encoder; this one has %d layers", len(m.Encoder))
	}
	if a := m.Encoder[0].Activation; a != "sigmoid" {
		return d.errorf("model.encoder.0.activation", "the contractive penalty (model.contractive) is computed in closed form for a sigmoid encoder, got %s", a)
	}
	return nil
}

// refuseFamilyKeys refuses model.latent outside a vae and
// model.contractive outside an autoencoder.
func (d *doc) refuseFamilyKeys(m *Model) error {
	if m.Latent != 0 && m.Type != FamilyVAE {
		return d.errorf("model.latent", "only vae models have a latent code z; an %s's code is its last encoder layer", m.Type)
	}
	if m.Contractive != 0 && m.Type != FamilyAutoencoder && m.Type != FamilyVAE {
		return d.errorf("model.contractive", "only autoencoder models take the contractive penalty; remove this key or use model.type: autoencoder")
	}
	return nil
}
