package recipes

import (
	"bytes"
	"fmt"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// Spec is a recipe checked and turned into typed values: what the pipeline
// builds a run from. Parse makes it once, with the recipe's line-and-key
// errors, and Recipe.Spec returns it; nothing downstream reads the recipe's
// strings and mappings again.
type Spec struct {
	// Name is the recipe's name.
	Name string
	// Seed drives every random choice of the run (see rng.Source).
	Seed uint64
	// Data names the data set and how much of each split to keep.
	Data Data
	// Model is the network, one config per family.
	Model ModelSpec
	// Loss is the training loss of a classifier (mlp, sdae), and
	// Reconstruction the reconstruction loss of an autoencoder; the other
	// is "".
	Loss           losses.Classification
	Reconstruction losses.Reconstruction
	// Optimizer is checked: optimizers.New accepts it.
	Optimizer optimizers.Config
	// Schedule is the fixed learning-rate schedule, whose LR and Total the
	// run fills in (the optimizer's rate, the number of updates); Adaptive
	// the brute-force heuristic's settings. At most one is set.
	Schedule *schedules.Config
	Adaptive *schedules.AdaptiveConfig
	// Regularizers are the penalties and tricks of the recipe.
	Regularizers RegularizerSpec
	// EarlyStopping is the stopping rule; nil for none.
	EarlyStopping *StoppingSpec
	// BatchSize is the number of examples per update, Epochs the passes
	// over the training set (of the fine-tuning, for an sdae).
	BatchSize int
	Epochs    int
	// Init is where the initial weights come from; nil draws them all
	// from the seed.
	Init *Init
}

// The model families a recipe's model.type names.
const (
	FamilyMLP         = "mlp"
	FamilyAutoencoder = "autoencoder"
	FamilySDAE        = "sdae"
	FamilyVAE         = "vae"
	// FamilyConvAutoencoder is a convolutional autoencoder
	// (models.ConvAutoencoder); model.conv lists its stages.
	FamilyConvAutoencoder = "conv-autoencoder"
)

// Reconstructs reports whether the model family family is trained to
// reconstruct its input (autoencoder, conv-autoencoder): its loss is a
// reconstruction loss and its run reports reconstruction losses.
func Reconstructs(family string) bool {
	return family == FamilyAutoencoder || family == FamilyConvAutoencoder
}

// ModelSpec is the network of a recipe. Its widths that depend on the data
// (inputs, classes) are zero: they come from the data set when the model is
// built.
type ModelSpec struct {
	// Family is the model.type: FamilyMLP, FamilyAutoencoder,
	// FamilyConvAutoencoder, FamilySDAE or FamilyVAE.
	Family string
	// MLP is the classifier of an mlp, or the network an sdae fine-tunes
	// (its encoders plus a softmax layer). Inputs and Classes are zero.
	MLP models.MLPConfig
	// Autoencoder is an autoencoder's network; Inputs is zero.
	Autoencoder models.AutoencoderConfig
	// ConvAutoencoder is a conv-autoencoder's network; its example shape
	// (Channels, Height, Width) is zero.
	ConvAutoencoder models.ConvAutoencoderConfig
	// Corruption makes an autoencoder (dense or convolutional) denoising.
	Corruption models.Corruption
	// Sparsity is a penalty on an autoencoder's code; its Type is "" for
	// none.
	Sparsity Sparsity
	// Pretrain is an sdae's greedy pretraining, one stage per encoder
	// layer, overrides resolved; PretrainBatchSize its batch size.
	Pretrain          []StagePlan
	PretrainBatchSize int
	// Tied ties each pretraining stage's decoder to its encoder (sdae).
	Tied bool
	// VAE is a variational autoencoder's network; Inputs is zero.
	VAE models.VAEConfig
	// Contractive is λ of an autoencoder's contractive penalty; 0 for
	// none.
	Contractive float64
}

// VAEFor returns the variational autoencoder's config for examples of
// inputs features.
func (m ModelSpec) VAEFor(inputs int) models.VAEConfig {
	c := m.VAE
	c.Inputs = inputs
	return c
}

// MLPFor returns the classifier's config for examples of inputs features
// and labels of classes classes.
func (m ModelSpec) MLPFor(inputs, classes int) models.MLPConfig {
	c := m.MLP
	c.Inputs, c.Classes = inputs, classes
	c.Hidden = append([]models.Layer(nil), c.Hidden...)
	return c
}

// AutoencoderFor returns the autoencoder's config for examples of inputs
// features.
func (m ModelSpec) AutoencoderFor(inputs int) models.AutoencoderConfig {
	c := m.Autoencoder
	c.Inputs = inputs
	return c
}

// ConvAutoencoderFor returns the conv-autoencoder's config for examples of
// the given shape: [height, width] (one channel, as the pictures of the
// data sets) or [channels, height, width].
func (m ModelSpec) ConvAutoencoderFor(shape []int) (models.ConvAutoencoderConfig, error) {
	c := m.ConvAutoencoder
	c.Encoder = append([]models.ConvLayer(nil), c.Encoder...)
	switch len(shape) {
	case 2:
		c.Channels, c.Height, c.Width = 1, shape[0], shape[1]
	case 3:
		c.Channels, c.Height, c.Width = shape[0], shape[1], shape[2]
	default:
		return c, fmt.Errorf("a conv-autoencoder takes pictures, examples of shape [height, width] or [channels, height, width]; these have shape %v", shape)
	}
	return c, nil
}

// RegularizerSpec are a recipe's regularizers, checked (dropout is the
// model's: ModelSpec.MLP.Dropout).
type RegularizerSpec struct {
	// L1 and L2 are λ of the weight penalties on the parameters matching
	// Params (regularizers.Select patterns; never empty).
	L1, L2 float64
	Params []string
	// ActivationL1 and KLSparsity penalise a hidden layer's activations;
	// nil for none.
	ActivationL1 *ActivationPenalty
	KLSparsity   *KLPenalty
	// Noise is input-noise augmentation (inactive when none).
	Noise regularizers.Noise
	// MaxNorm, if > 0, bounds every weight column's L2 norm.
	MaxNorm float64
}

// StoppingSpec is a checked early-stopping rule: exactly one of Patience
// and NoImprovement is set.
type StoppingSpec struct {
	// Metric is the validation score watched: "error" or "loss" ("" is the
	// task's default: error for classifiers).
	Metric        string
	Patience      *earlystop.Patience
	NoImprovement *earlystop.NoImprovement
}

// New returns a fresh stopper of the rule: a stopper keeps state, so each
// run needs its own.
func (s *StoppingSpec) New() earlystop.Stopper {
	if s.Patience != nil {
		c := *s.Patience
		return &c
	}
	c := *s.NoImprovement
	return &c
}

// Spec returns the recipe's checked, typed values. A recipe read by Parse
// or Load has them already, checked as it was read, with errors that name
// the line. A recipe built or changed in Go since is checked now, and its
// errors name the recipe and the key but no line.
func (r *Recipe) Spec() (*Spec, error) {
	text, err := r.Marshal()
	if err != nil {
		return nil, err
	}
	if r.spec != nil && bytes.Equal(text, r.checked) {
		return r.spec, nil
	}
	sp, err := (&doc{source: r.Name, set: map[string]string{}}).check(r)
	if err != nil {
		return nil, err
	}
	r.spec, r.checked = sp, text
	return sp, nil
}

// fillSpec completes sp from the checked recipe r: the typed model and
// regularizers.
func (d *doc) fillSpec(r *Recipe, sp *Spec) error {
	m := r.Model
	init, err := models.ParseInit(m.Init)
	if err != nil {
		return d.errorf("model.init", "%v", err)
	}
	sp.Model.Family = m.Type
	switch {
	case Reconstructs(m.Type):
		sp.Reconstruction = losses.Reconstruction(r.Loss)
	case m.Type == FamilyVAE: // the negative ELBO, the one loss of a vae
	default:
		sp.Loss = losses.Classification(r.Loss)
	}
	g := r.Regularizers
	rs := RegularizerSpec{L1: g.L1, L2: g.L2, Params: g.Params, ActivationL1: g.ActivationL1, KLSparsity: g.KLSparsity, MaxNorm: g.MaxNorm}
	if len(rs.Params) == 0 {
		rs.Params = []string{regularizers.WeightPattern}
	}
	if rs.Noise, err = g.Noise.noise(); err != nil {
		return d.errorf("regularizers.noise", "%v", err)
	}
	sp.Regularizers = rs
	if e := r.EarlyStopping; e != nil {
		rule, err := e.stopper()
		if err != nil {
			return d.errorf("early_stopping", "%v", err)
		}
		sp.EarlyStopping = &StoppingSpec{Metric: e.Metric}
		switch r := rule.(type) {
		case *earlystop.Patience:
			sp.EarlyStopping.Patience = r
		case *earlystop.NoImprovement:
			sp.EarlyStopping.NoImprovement = r
		}
	}
	switch m.Type {
	case FamilyMLP, FamilySDAE:
		layers := m.Layers
		if m.Type == FamilySDAE {
			layers = m.Encoder // the fine-tuned network: encoders + softmax
			sp.Model.Tied = m.Tied
			sp.Model.PretrainBatchSize = r.BatchSize
			if r.Pretrain.BatchSize > 0 {
				sp.Model.PretrainBatchSize = r.Pretrain.BatchSize
			}
		}
		hidden, err := modelLayers(layers)
		if err != nil {
			return err
		}
		sp.Model.MLP = models.MLPConfig{Hidden: hidden, Init: init}
		if d := g.Dropout; d != nil { // the model's: its masks are in the graph
			sp.Model.MLP.Dropout = models.Dropout{Input: d.Input, Hidden: d.Hidden}
		}
	case FamilyAutoencoder:
		out, err := models.ParseActivation(m.Output)
		if err != nil {
			return d.errorf("model.output", "%v", err)
		}
		c := models.AutoencoderConfig{Output: out, Tied: m.Tied, Init: init}
		if c.Encoder, err = modelLayers(m.Encoder); err != nil {
			return err
		}
		if len(m.Decoder) > 0 {
			if c.Decoder, err = modelLayers(m.Decoder); err != nil {
				return err
			}
		}
		sp.Model.Autoencoder = c
		sp.Model.Corruption = m.Corruption.Model()
		sp.Model.Sparsity = m.Sparsity
		sp.Model.Contractive = m.Contractive
	case FamilyConvAutoencoder:
		out, err := models.ParseActivation(m.Output)
		if err != nil {
			return d.errorf("model.output", "%v", err)
		}
		c := models.ConvAutoencoderConfig{Output: out, Init: init}
		for _, l := range m.Conv {
			a, err := models.ParseActivation(l.Activation)
			if err != nil {
				return err
			}
			c.Encoder = append(c.Encoder, models.ConvLayer{Filters: l.Filters, Kernel: l.Kernel, Activation: a, Pool: l.Pool})
		}
		sp.Model.ConvAutoencoder = c
		sp.Model.Corruption = m.Corruption.Model()
	case FamilyVAE:
		c := models.VAEConfig{Latent: m.Latent, Init: init}
		if c.Encoder, err = modelLayers(m.Encoder); err != nil {
			return err
		}
		if len(m.Decoder) > 0 {
			if c.Decoder, err = modelLayers(m.Decoder); err != nil {
				return err
			}
		}
		sp.Model.VAE = c
	}
	return nil
}

// modelLayers turns checked layers into the models' layers.
func modelLayers(ls []Layer) ([]models.Layer, error) {
	out := make([]models.Layer, len(ls))
	for i, l := range ls {
		a, err := models.ParseActivation(l.Activation)
		if err != nil {
			return nil, err
		}
		out[i] = models.Layer{Units: l.Units, Activation: a}
	}
	return out, nil
}
