package killtest

import (
	"fmt"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// phase is one training loop of a run, with its own checkpoints: an mlp's
// or an autoencoder's training, the pretraining of one layer of an sdae, or
// the sdae's fine-tuning.
type phase struct {
	// Name is the phase of metrics.csv: runs.PhaseTrain, PhasePretrain or
	// PhaseFinetune.
	Name string
	// Layer is the layer pretrained; -1 outside pretraining.
	Layer  int
	Epochs int
}

// slot is one row of metrics.csv: an epoch of a phase.
type slot struct {
	Phase        string
	Layer, Epoch int
}

func (s slot) String() string {
	if s.Phase == runs.PhasePretrain {
		return fmt.Sprintf("%s layer %d epoch %d", s.Phase, s.Layer, s.Epoch)
	}
	return fmt.Sprintf("%s epoch %d", s.Phase, s.Epoch)
}

// plan is what a run of a recipe goes through, as pipeline.Train does it: its
// phases in order, and the models and settings each one checkpoints.
type plan struct {
	r    *recipes.Recipe
	sp   *recipes.Spec
	data *datasets.Splits
	// m is the classifier of an mlp or sdae recipe, ae the autoencoder of
	// an autoencoder or conv-autoencoder recipe, vae the variational
	// autoencoder of a vae recipe, built as runs builds them (weights drawn
	// from the recipe's "init" stream; only their names and sizes matter
	// here).
	m      *models.MLP
	ae     models.Reconstructor
	vae    *models.VAE
	stages []recipes.StagePlan // an sdae's pretraining
	phases []phase
	// earlyStop: the last phase may end before its epochs, and its
	// checkpoints hold the stopper's state. adaptive: the last phase
	// has the adaptive schedule.
	earlyStop, adaptive bool
}

func newPlan(r *recipes.Recipe, data *datasets.Splits) (*plan, error) {
	sp, err := r.Spec()
	if err != nil {
		return nil, err
	}
	p := &plan{r: r, sp: sp, data: data, earlyStop: sp.EarlyStopping != nil, adaptive: sp.Adaptive != nil}
	init := rng.New(r.Seed, "init")
	mlp := func() (*models.MLP, error) {
		return models.NewMLP(sp.Model.MLPFor(data.Train.Dim(), data.Train.Classes), init)
	}
	switch sp.Model.Family {
	case recipes.FamilyMLP:
		p.m, err = mlp()
		p.phases = []phase{{runs.PhaseTrain, -1, r.Epochs}}
	case recipes.FamilyAutoencoder:
		p.ae, err = models.NewAutoencoder(sp.Model.AutoencoderFor(data.Train.Dim()), init)
		p.phases = []phase{{runs.PhaseTrain, -1, r.Epochs}}
	case recipes.FamilyConvAutoencoder:
		var c models.ConvAutoencoderConfig
		if c, err = sp.Model.ConvAutoencoderFor(data.Train.Shape); err == nil {
			p.ae, err = models.NewConvAutoencoder(c, init)
		}
		p.phases = []phase{{runs.PhaseTrain, -1, r.Epochs}}
	case recipes.FamilyVAE:
		p.vae, err = models.NewVAE(sp.Model.VAEFor(data.Train.Dim()), init)
		p.phases = []phase{{runs.PhaseTrain, -1, r.Epochs}}
	case recipes.FamilySDAE:
		if p.m, err = mlp(); err != nil {
			return nil, err
		}
		p.stages = sp.Model.Pretrain
		for k, s := range p.stages {
			p.phases = append(p.phases, phase{runs.PhasePretrain, k, s.Epochs})
		}
		p.phases = append(p.phases, phase{runs.PhaseFinetune, -1, r.Epochs})
	default:
		return nil, fmt.Errorf("killtest: unknown model type %q", r.Model.Type)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// params are the parameters of the trained model, as model.safetensors
// holds them.
func (p *plan) params() []*models.Param {
	switch {
	case p.ae != nil:
		return p.ae.Params()
	case p.vae != nil:
		return p.vae.Params()
	}
	return p.m.Params()
}

// staged reports whether metrics.csv has the phase and layer columns.
func (p *plan) staged() bool { return p.r.Model.Type != recipes.FamilyMLP }

// slots are the rows of the metrics.csv of the whole run, without early
// stopping.
func (p *plan) slots() []slot {
	var out []slot
	for _, ph := range p.phases {
		for e := 1; e <= ph.Epochs; e++ {
			out = append(out, slot{ph.Name, ph.Layer, e})
		}
	}
	return out
}

// start is the number of rows before phase i.
func (p *plan) start(i int) int {
	n := 0
	for _, ph := range p.phases[:i] {
		n += ph.Epochs
	}
	return n
}

func (p *plan) total() int { return p.start(len(p.phases)) }

// phaseOf is the phase of the n-th row (from 1).
func (p *plan) phaseOf(n int) int {
	for i := range p.phases {
		if n <= p.start(i+1) {
			return i
		}
	}
	return len(p.phases) - 1
}

// checkpointed reports whether the run saves a checkpoint, then rewrites
// metrics.csv, once its first n epochs are done: after every epoch but the
// last of each phase (train.Run does not checkpoint a loop that is over).
func (p *plan) checkpointed(n int) bool {
	if n < 1 || n >= p.total() {
		return false
	}
	i := p.phaseOf(n)
	return n-p.start(i) < p.phases[i].Epochs
}

// ends reports whether the run can end, writing metrics.csv without a
// checkpoint, with n epochs done: at the last epoch of the last phase, or
// at any epoch of it under early stopping.
func (p *plan) ends(n int) bool {
	last := len(p.phases) - 1
	if p.earlyStop {
		return n > p.start(last) && n <= p.total()
	}
	return n == p.total()
}

// metricsRange is how many rows metrics.csv may hold while the checkpoint
// holds n epochs. The file is rewritten just after every checkpoint, so a
// kill between the two leaves it at the previous checkpoint's epochs (which
// lags by more than one at the start of an sdae stage: the last epoch of a
// stage is not checkpointed). It leads when the run wrote its final
// metrics (or stopped early) and was killed before removing the
// checkpoint: a resume repeats those epochs identically.
func (p *plan) metricsRange(n int) (lo, hi int) {
	for k := n - 1; k > 0; k-- {
		if p.checkpointed(k) {
			lo = k
			break
		}
	}
	hi = n
	for k := n + 1; k <= p.total(); k++ {
		if p.ends(k) {
			hi = k
		}
		if p.checkpointed(k) {
			break
		}
	}
	return lo, hi
}

// loop is what the checkpoint of one phase holds.
type loop struct {
	// meta is the phase in the checkpoint's metadata ("" for an mlp or
	// autoencoder run) and layer its layer.
	meta  string
	layer int
	// params are the parameter tensors and optParams those with optimizer
	// buffers (params when nil).
	params, optParams []*models.Param
	opt               optimizers.Optimizer
	streams           []string
	// earlyStop and adaptive: the checkpoint holds the stopper's and the
	// adaptive schedule's state.
	earlyStop, adaptive bool
}

// loop returns what the checkpoint of phase i holds, built the way
// pipeline/sdae.go builds an sdae's stages.
func (p *plan) loop(i int) (*loop, error) {
	ph := p.phases[i]
	if ph.Name == runs.PhasePretrain {
		k := ph.Layer
		out := models.Linear
		if k == 0 || p.r.Model.Encoder[k-1].Activation == "sigmoid" {
			out = models.Sigmoid // as train.StageOutput
		}
		prefix := fmt.Sprintf("pretrain.%d.", k)
		stage, err := (&models.Stacked{MLP: p.m}).Stage(k, out, p.r.Model.Tied, rng.New(p.r.Seed, prefix+"init"))
		if err != nil {
			return nil, err
		}
		opt, err := optimizers.New(p.stages[k].Optimizer)
		if err != nil {
			return nil, err
		}
		l := &loop{meta: runs.PhasePretrain, layer: k, params: slices.Clone(p.m.Params()), optParams: stage.Params(), opt: opt,
			streams: []string{prefix + "corruption", prefix + "shuffle"}}
		for _, q := range stage.Params() {
			if !slices.Contains(l.params, q) {
				l.params = append(l.params, q)
			}
		}
		return l, nil
	}
	opt, err := optimizers.New(p.sp.Optimizer)
	if err != nil {
		return nil, err
	}
	l := &loop{params: p.params(), opt: opt, earlyStop: p.earlyStop, adaptive: p.adaptive}
	if ph.Name == runs.PhaseFinetune {
		l.meta = runs.PhaseFinetune
	}
	switch {
	case p.ae != nil:
		l.streams = []string{"corruption", "shuffle"}
	case p.vae != nil:
		l.streams = []string{"latent", "shuffle"} // as pipeline/vae.go
	default:
		l.streams = []string{"dropout", "noise", "shuffle"}
	}
	if p.adaptive {
		l.streams = append(l.streams, "adaptive")
	}
	slices.Sort(l.streams)
	return l, nil
}
