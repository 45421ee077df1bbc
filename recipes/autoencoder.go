package recipes

import (
	"fmt"
	"math"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// The keys of the autoencoder family (see the package documentation for
// examples). An sdae's pretraining stage k reconstructs its input with a
// sigmoid output and the bce loss when that input lies in [0, 1] (the pixels
// for k = 0, the codes of a sigmoid layer above that), and with a linear
// output and mse otherwise.

// Corruption is the corruption of a denoising autoencoder's input.
type Corruption struct {
	// Type is mask, gaussian, salt-and-pepper or none.
	Type string `yaml:"type,omitempty"`
	// Level is ν, the fraction of inputs destroyed (mask, salt-and-pepper),
	// or σ, the noise's standard deviation (gaussian).
	Level float64 `yaml:"level,omitempty"`
}

// Model returns the corruption as models.Corruption.
func (c Corruption) Model() models.Corruption {
	t, _ := models.ParseCorruptionType(c.Type)
	return models.Corruption{Type: t, Level: c.Level}
}

// Sparsity is a sparsity penalty on an autoencoder's code h.
type Sparsity struct {
	// Type is l1 (λ Σ_j |h_j|, the lecture's L1 activation penalty) or kl
	// (β Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the mean activation of code unit j over the
	// batch; needs a sigmoid code).
	Type string `yaml:"type,omitempty"`
	// Weight is λ (l1) or β (kl).
	Weight float64 `yaml:"weight,omitempty"`
	// Target is ρ, the desired mean activation (kl only), in (0, 1).
	Target float64 `yaml:"target,omitempty"`
}

// Pretrain is the greedy layer-wise pretraining of an sdae model.
type Pretrain struct {
	// Epochs, Optimizer and Corruption apply to every layer that Layers does
	// not override.
	Epochs     int            `yaml:"epochs,omitempty"`
	Optimizer  map[string]any `yaml:"optimizer,omitempty"`
	Corruption Corruption     `yaml:"corruption,omitempty"`
	// BatchSize is the pretraining batch size; 0 means the recipe's
	// batch_size.
	BatchSize int `yaml:"batch_size,omitempty"`
	// Layers, if not empty, has one entry per encoder layer, input side
	// first, whose set keys override the ones above for that layer.
	Layers []PretrainLayer `yaml:"layers,omitempty"`
}

// PretrainLayer overrides the pretraining settings of one layer; unset keys
// keep pretrain's.
type PretrainLayer struct {
	Epochs     int            `yaml:"epochs,omitempty"`
	Optimizer  map[string]any `yaml:"optimizer,omitempty"`
	Corruption Corruption     `yaml:"corruption,omitempty"`
}

// StagePlan is the resolved pretraining of one layer.
type StagePlan struct {
	Epochs     int
	Optimizer  optimizers.Config
	Corruption models.Corruption
}

// The names of the autoencoder keys' values.
var (
	sparsityTypes        = []string{"kl", "l1"}
	outputActivations    = []string{"linear", "sigmoid"}
	reconstructionLosses = []string{"bce", "mse"}
)

// hiddenLayers returns the hidden layers of a classifier recipe: an mlp's
// layers, or the encoders of an sdae.
func hiddenLayers(r *Recipe) []Layer {
	if r.Model.Type == FamilySDAE {
		return r.Model.Encoder
	}
	return r.Model.Layers
}

func lossNamesFor(modelType string) []string {
	switch {
	case Reconstructs(modelType):
		return reconstructionLosses
	case modelType == FamilyVAE:
		return []string{lossELBO}
	}
	return lossNames
}

func (p Pretrain) isZero() bool {
	return p.Epochs == 0 && p.Optimizer == nil && p.Corruption == (Corruption{}) && p.BatchSize == 0 && len(p.Layers) == 0
}

// checkAutoencoder checks the autoencoder keys: their values, and that a
// recipe uses only those of its model type.
func (d *doc) checkAutoencoder(r *Recipe, sp *Spec) error {
	m := &r.Model
	if err := d.refuseFamilyKeys(m); err != nil {
		return err
	}
	if m.Type == FamilyConvAutoencoder {
		return d.checkConvAutoencoder(r)
	}
	if m.Conv != nil {
		layers := "model.encoder"
		if m.Type == FamilyMLP {
			layers = "model.layers"
		}
		return d.errorf("model.conv", "only conv-autoencoder models take convolutional stages; an %s's layers are %s", m.Type, layers)
	}
	if m.Type == FamilyVAE {
		return d.checkVAE(r)
	}
	ae, sdae := m.Type == FamilyAutoencoder, m.Type == FamilySDAE
	if !ae && !sdae {
		for _, k := range []struct {
			key string
			set bool
		}{
			{"model.encoder", m.Encoder != nil}, {"model.decoder", m.Decoder != nil}, {"model.tied", m.Tied},
			{"model.output", m.Output != ""}, {"model.corruption", m.Corruption != (Corruption{})},
			{"model.sparsity", m.Sparsity != (Sparsity{})}, {"pretrain", !r.Pretrain.isZero()},
		} {
			if k.set {
				return d.errorf(k.key, "only autoencoder and sdae models take this key; an %s's hidden layers are model.layers", m.Type)
			}
		}
		return nil
	}
	if len(m.Layers) > 0 {
		return d.errorf("model.layers", "an %s's layers are model.encoder, not model.layers", m.Type)
	}
	if len(m.Encoder) == 0 {
		return d.errorf("model.encoder", "missing; want a list of layers, input side first, e.g. [{units: 32, activation: sigmoid}]")
	}
	if err := d.checkLayers("model.encoder", m.Encoder); err != nil {
		return err
	}
	if sdae {
		for _, k := range []struct {
			key, msg string
			set      bool
		}{
			{"model.decoder", "an sdae's pretraining decoders mirror its encoder", m.Decoder != nil},
			{"model.output", "an sdae's pretraining outputs follow its layers (sigmoid and bce for inputs in [0, 1], linear and mse otherwise)", m.Output != ""},
			{"model.corruption", "an sdae corrupts the inputs of its pretraining: set pretrain.corruption", m.Corruption != (Corruption{})},
			{"model.sparsity", "an sdae takes no sparsity penalty", m.Sparsity != (Sparsity{})},
		} {
			if k.set {
				return d.errorf(k.key, "%s; remove this key", k.msg)
			}
		}
		var err error
		sp.Model.Pretrain, err = d.pretrainPlan(r)
		return err
	}
	if !r.Pretrain.isZero() {
		return d.errorf("pretrain", "only sdae models are pretrained; remove this key or use model.type: sdae")
	}
	if err := d.autoencoderRegularizers(r); err != nil {
		return err
	}
	if err := d.checkLayers("model.decoder", m.Decoder); err != nil {
		return err
	}
	if m.Tied && len(m.Decoder) > 0 {
		return d.errorf("model.tied", "tied weights need the mirrored decoder; remove model.decoder or set tied: false")
	}
	if err := oneOf(d, "model.output", m.Output, outputActivations); err != nil {
		return err
	}
	if r.Loss == "bce" && m.Output != "sigmoid" {
		return d.errorf("loss", "bce needs reconstructions in (0, 1), so model.output: sigmoid; with a %s output use mse", m.Output)
	}
	if err := d.checkCorruption("model.corruption", m.Corruption); err != nil {
		return err
	}
	if err := d.checkContractive(m); err != nil {
		return err
	}
	return d.checkSparsity(m)
}

// autoencoderRegularizers checks the regularizers and early stopping of an
// autoencoder (dense or convolutional).
func (d *doc) autoencoderRegularizers(r *Recipe) error {
	// An autoencoder takes the weight penalties (the lecture's denoising
	// loss has λ(‖W1‖² + ‖W2‖²)) and early stopping on the loss; the rest
	// of the regularizers are a classifier's.
	g := r.Regularizers
	for _, k := range []struct {
		key, msg string
		set      bool
	}{
		{"regularizers.dropout", "an autoencoder's input noise is model.corruption", g.Dropout != nil},
		{"regularizers.noise", "an autoencoder's input noise is model.corruption (type: gaussian)", g.Noise != nil},
		{"regularizers.activation_l1", "an autoencoder's code penalty is model.sparsity (type: l1)", g.ActivationL1 != nil},
		{"regularizers.kl_sparsity", "an autoencoder's code penalty is model.sparsity (type: kl)", g.KLSparsity != nil},
		{"regularizers.max_norm", "max_norm applies to classifiers only", g.MaxNorm != 0},
	} {
		if k.set {
			return d.errorf(k.key, "%s; remove this key", k.msg)
		}
	}
	if e := r.EarlyStopping; e != nil && e.Metric == "error" {
		return d.errorf("early_stopping.metric", "an autoencoder has no error rate; watch its reconstruction loss (metric: loss)")
	}
	return nil
}

// checkLayers checks a list of layers at key.
func (d *doc) checkLayers(key string, layers []Layer) error {
	acts := []string{"linear", "relu", "sigmoid", "tanh"}
	for i, l := range layers {
		k := fmt.Sprintf("%s.%d", key, i)
		if l.Units < 1 {
			return d.errorf(k+".units", "a layer needs ≥ 1 unit, got %d", l.Units)
		}
		if l.Activation == "" {
			return d.errorf(k+".activation", "missing; want one of %s", strings.Join(acts, ", "))
		}
		if _, err := models.ParseActivation(l.Activation); err != nil {
			return d.errorf(k+".activation", "unknown activation %q; want one of %s%s", l.Activation, strings.Join(acts, ", "), didYouMean(l.Activation, acts))
		}
	}
	return nil
}

// checkCorruption checks the corruption mapping at key.
func (d *doc) checkCorruption(key string, c Corruption) error {
	if c == (Corruption{}) {
		return nil
	}
	if c.Type == "" {
		return d.errorf(key+".type", "missing; want one of %s", strings.Join(models.CorruptionTypes(), ", "))
	}
	if _, err := models.ParseCorruptionType(c.Type); err != nil {
		return d.errorf(key+".type", "unknown corruption %q; want one of %s%s", c.Type, strings.Join(models.CorruptionTypes(), ", "), didYouMean(c.Type, models.CorruptionTypes()))
	}
	if err := c.Model().Validate(); err != nil {
		return d.errorf(key+".level", "%s", strings.TrimPrefix(err.Error(), "models: "))
	}
	if c.Type != string(models.None) && c.Level == 0 {
		return d.errorf(key+".level", "missing; %s corruption needs a level > 0 (a fraction for mask and salt-and-pepper, σ for gaussian)", c.Type)
	}
	return nil
}

func (d *doc) checkSparsity(m *Model) error {
	s := m.Sparsity
	if s == (Sparsity{}) {
		return nil
	}
	if err := oneOf(d, "model.sparsity.type", s.Type, sparsityTypes); err != nil {
		return err
	}
	if !(s.Weight > 0) || math.IsInf(s.Weight, 0) {
		return d.errorf("model.sparsity.weight", "want a finite number > 0 (λ for l1, β for kl), got %v", s.Weight)
	}
	switch s.Type {
	case "l1":
		if s.Target != 0 {
			return d.errorf("model.sparsity.target", "the l1 penalty has no target; remove it, or use type: kl")
		}
	case "kl":
		if !(s.Target > 0 && s.Target < 1) {
			return d.errorf("model.sparsity.target", "want the target mean activation ρ in (0, 1), e.g. 0.05, got %v", s.Target)
		}
		code := len(m.Encoder) - 1
		if a := m.Encoder[code].Activation; a != "sigmoid" {
			return d.errorf(fmt.Sprintf("model.encoder.%d.activation", code), "the kl sparsity penalty needs a sigmoid code (mean activations in (0, 1)), got %s", a)
		}
	}
	return nil
}

// pretrainPlan checks the pretrain mapping of an sdae recipe and resolves
// each layer's settings.
func (d *doc) pretrainPlan(r *Recipe) ([]StagePlan, error) {
	p := r.Pretrain
	if p.isZero() {
		return nil, d.errorf("pretrain", "missing; an sdae needs its pretraining, e.g. {epochs: 10, optimizer: {name: adam}, corruption: {type: mask, level: 0.25}}; for no pretraining train model.type: mlp")
	}
	if p.BatchSize < 0 {
		return nil, d.errorf("pretrain.batch_size", "must be ≥ 0 (0 means batch_size), got %d", p.BatchSize)
	}
	n := len(r.Model.Encoder)
	if len(p.Layers) > 0 && len(p.Layers) != n {
		return nil, d.errorf("pretrain.layers", "has %s for %s; give one per layer, or none", plural.Count(len(p.Layers), "entry"), plural.Count(n, "encoder layer"))
	}
	if err := d.checkCorruption("pretrain.corruption", p.Corruption); err != nil {
		return nil, err
	}
	var base *optimizers.Config
	if p.Optimizer != nil {
		c, err := d.optimizerAt("pretrain.optimizer", p.Optimizer)
		if err != nil {
			return nil, err
		}
		base = &c
	}
	plan := make([]StagePlan, n)
	for k := range plan {
		s := StagePlan{Epochs: p.Epochs, Corruption: p.Corruption.Model()}
		epochsKey, optKey := "pretrain.epochs", "pretrain.optimizer"
		var l PretrainLayer
		if len(p.Layers) > 0 {
			l = p.Layers[k]
		}
		lk := fmt.Sprintf("pretrain.layers.%d", k)
		if l.Epochs != 0 {
			s.Epochs, epochsKey = l.Epochs, lk+".epochs"
		}
		if s.Epochs < 1 {
			if l.Epochs == 0 && p.Epochs == 0 {
				return nil, d.errorf(epochsKey, "missing; want the number of pretraining epochs (≥ 1) of every layer")
			}
			return nil, d.errorf(epochsKey, "must be ≥ 1, got %d", s.Epochs)
		}
		if l.Corruption != (Corruption{}) {
			if err := d.checkCorruption(lk+".corruption", l.Corruption); err != nil {
				return nil, err
			}
			s.Corruption = l.Corruption.Model()
		}
		switch {
		case l.Optimizer != nil:
			c, err := d.optimizerAt(lk+".optimizer", l.Optimizer)
			if err != nil {
				return nil, err
			}
			s.Optimizer = c
		case base != nil:
			s.Optimizer = *base
		default:
			return nil, d.errorf(optKey, "missing; want the pretraining optimizer, e.g. {name: adam, lr: 0.001}, here or in %s.optimizer", lk)
		}
		plan[k] = s
	}
	return plan, nil
}
