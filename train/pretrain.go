package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// Stage is the pretraining of one layer of a stack: a denoising
// autoencoder whose encoder is that layer.
type Stage struct {
	// Epochs is the number of passes over the codes of the layers below.
	Epochs int
	// Optimizer trains this stage's encoder and decoder; each stage needs
	// its own (its state is per parameter).
	Optimizer optimizers.Optimizer
	// Corruption is applied to the stage's input (the data for layer 0, the
	// clean codes of the layer below for the others).
	Corruption models.Corruption
	// Output is the activation of the stage's reconstruction and Loss its
	// loss: Sigmoid with BCE for inputs in [0, 1] (pixels, sigmoid codes),
	// Linear with MSE otherwise.
	Output models.Activation
	Loss   losses.Reconstruction
	// Tied ties the stage's decoder to the transposed encoder weight.
	Tied bool
	// Init draws the decoder's weights, Shuffle each epoch's order (nil
	// keeps the data order), Noise the corruption (see
	// AutoencoderConfig.Random).
	Init, Shuffle *rand.Rand
	Noise         rand.Source
	// Hooks hear about the stage's run (see Config.Hooks), before
	// PretrainConfig.Hooks.
	Hooks []Hook
}

// StageOutput is the reconstruction of pretraining stage k of a stack
// whose hidden layers are hidden: inputs in [0, 1] (the pixels for k = 0,
// the codes of a sigmoid layer above that) get a sigmoid output and the
// binary cross-entropy, others a linear output and squared error.
func StageOutput(hidden []models.Layer, k int) (models.Activation, losses.Reconstruction) {
	if k == 0 || hidden[k-1].Activation == models.Sigmoid {
		return models.Sigmoid, losses.ReconstructionBCE
	}
	return models.Linear, losses.ReconstructionMSE
}

// StageOptions are the settings of one pretraining stage (see NewStage).
type StageOptions struct {
	// Epochs is the number of passes over the stage's input.
	Epochs int
	// Optimizer trains the stage's encoder and decoder; each stage needs
	// its own.
	Optimizer optimizers.Optimizer
	// Corruption is applied to the stage's input (see Stage.Corruption).
	Corruption models.Corruption
	// Tied ties the stage's decoder to the transposed encoder weight.
	Tied bool
	// Seed gives the stage's random choices, each generator drawn from
	// its name (see NewStage), when Source is nil.
	Seed uint64
	// Source, if set, is asked for the stage's generators by name instead:
	// a caller that checkpoints the stage hands out generators whose state
	// it saves.
	Source func(name string) *rand.PCG
}

// NewStage returns the pretraining of layer k of a stack whose hidden
// layers are hidden, its reconstruction chosen by StageOutput (set the
// returned Stage's Output and Loss to choose otherwise, e.g. Linear and MSE
// for first-layer inputs outside [0, 1]). Its random choices come from the
// generators called pretrain.K.init (the decoder's weights),
// pretrain.K.shuffle and pretrain.K.corruption, K being k, drawn from
// o.Seed or asked of o.Source.
func NewStage(hidden []models.Layer, k int, o StageOptions) Stage {
	out, loss := StageOutput(hidden, k)
	source := o.Source
	if source == nil {
		source = func(name string) *rand.PCG { return rng.Source(o.Seed, name) }
	}
	prefix := fmt.Sprintf("pretrain.%d.", k)
	return Stage{
		Epochs: o.Epochs, Optimizer: o.Optimizer, Corruption: o.Corruption, Output: out, Loss: loss, Tied: o.Tied,
		Init: rand.New(source(prefix + "init")), Shuffle: rand.New(source(prefix + "shuffle")), Noise: source(prefix + "corruption"),
	}
}

// PretrainConfig controls greedy layer-wise pretraining.
type PretrainConfig struct {
	// Stages has one entry per encoder layer, input side first.
	Stages []Stage
	// BatchSize is the number of examples per update, EvalBatch that of
	// evaluation and encoding (0 means infer.DefaultBatch).
	BatchSize, EvalBatch int
	// Start is the first stage to train, for resuming: the layers below it
	// are taken as trained, and only their codes are computed. Their
	// Stages entries are still needed (for the stages' shapes).
	Start int
	// Restore, if set, is called once, for stage Start, after its task is
	// built and before it trains: it puts back the stage's parameters,
	// optimizer state and generators, and returns the loop state to resume
	// from (nil starts the stage anew). It is not a hook: it gives the
	// stage its starting point rather than hearing about an event.
	Restore func(k int, stage *Autoencoder) (*State, error)
	// Hooks hear about every stage's run, after the stage's own Hooks (see
	// Config.Hooks), and about the pretraining's own events when they
	// implement StageCheckpointHook or StageEndHook.
	Hooks []Hook
}

// StageCheckpointHook is a CheckpointHook of every stage that is told which
// stage it is (k), given the stage's task and the records of the stages
// finished before it (from PretrainConfig.Start on).
type StageCheckpointHook interface {
	OnStageCheckpoint(k int, stage *Autoencoder, st *State, done []LayerRecord) error
}

// StageEndHook hears that layer k is trained, with the stage's task (still
// open: its Encode, Reconstruct and Corrupt work) and the stage's input
// sets; an error stops the pretraining.
type StageEndHook interface {
	OnStageEnd(k int, stage *Autoencoder, train, val *datasets.Set) error
}

// StageCheckpointFunc is a StageCheckpointHook.
type StageCheckpointFunc func(k int, stage *Autoencoder, st *State, done []LayerRecord) error

// OnStageCheckpoint calls f.
func (f StageCheckpointFunc) OnStageCheckpoint(k int, stage *Autoencoder, st *State, done []LayerRecord) error {
	return f(k, stage, st, done)
}

// StageEndFunc is a StageEndHook.
type StageEndFunc func(k int, stage *Autoencoder, train, val *datasets.Set) error

// OnStageEnd calls f.
func (f StageEndFunc) OnStageEnd(k int, stage *Autoencoder, train, val *datasets.Set) error {
	return f(k, stage, train, val)
}

// isPretrainHook reports whether h implements one of Pretrain's hook
// interfaces, Run's included.
func isPretrainHook(h Hook) bool {
	switch h.(type) {
	case StageCheckpointHook, StageEndHook:
		return true
	}
	return isRunHook(h)
}

// stageHooks are the hooks of stage k's run: the stage's own, then c's in
// their order, each a stage checkpoint hook bound to the stage.
func stageHooks(c PretrainConfig, k int, stage *Autoencoder, done []LayerRecord) []Hook {
	hs := slices.Clone(c.Stages[k].Hooks)
	for _, h := range c.Hooks {
		if isRunHook(h) {
			hs = append(hs, h)
		}
		if sc, ok := h.(StageCheckpointHook); ok {
			hs = append(hs, CheckpointFunc(func(st *State) error { return sc.OnStageCheckpoint(k, stage, st, done) }))
		}
	}
	return hs
}

// LayerRecord is one epoch of the pretraining of one layer.
type LayerRecord struct {
	Layer int `json:"layer"`
	Record
}

// Pretrain trains the encoders of s greedily, input side first (Bengio et
// al. 2007; Vincent et al. 2010): layer k is the encoder of a denoising
// autoencoder (s.Stage) trained with train.Run on the codes that the
// trained, frozen layers 0…k−1 give for train, validated on those of val
// (val may be nil). The codes are computed once per layer, so the layers
// below are not even in the stage's graph: they cannot change.
//
// It returns every epoch's record, tagged with its layer (from stage
// c.Start on). On an error the records so far are returned with it.
func Pretrain(ctx context.Context, s *models.Stacked, train, val *datasets.Set, c PretrainConfig) ([]LayerRecord, error) {
	enc := s.Encoders()
	if len(c.Stages) != len(enc) {
		return nil, fmt.Errorf("train: pretraining has %s for %s", plural.Count(len(c.Stages), "stage"), plural.Count(len(enc), "encoder layer"))
	}
	if c.Start < 0 || c.Start > len(enc) {
		return nil, fmt.Errorf("train: pretraining cannot start at layer %d of %d", c.Start+1, len(enc))
	}
	if err := checkHooks(c.Hooks, "pretraining hook", isPretrainHook); err != nil {
		return nil, err
	}
	// The stages check their own inputs, the codes; the data must fit the
	// first layer before any is computed.
	if train == nil {
		return nil, fmt.Errorf("train: pretraining: no training set")
	}
	if err := infer.CheckSet(train, s.MLP.Config.Inputs, 0); err != nil {
		return nil, fmt.Errorf("train: pretraining: %w", err)
	}
	if val != nil {
		if err := infer.CheckSet(val, s.MLP.Config.Inputs, 0); err != nil {
			return nil, fmt.Errorf("train: pretraining: validation: %w", err)
		}
	}
	if c.Start == len(enc) {
		return nil, nil // all trained
	}
	var out []LayerRecord
	in, inVal := train, val
	for k, st := range c.Stages {
		if st.Optimizer == nil {
			return out, fmt.Errorf("train: pretraining layer %d of %d: no optimizer", k+1, len(enc))
		}
		ae, err := s.Stage(k, st.Output, st.Tied, st.Init)
		if err != nil {
			return out, err
		}
		task, err := NewAutoencoder(ae, st.Optimizer, AutoencoderConfig{
			BatchSize: c.BatchSize, EvalBatch: c.EvalBatch, Loss: st.Loss, Corruption: st.Corruption, Random: st.Noise,
		})
		if err != nil {
			return out, fmt.Errorf("train: pretraining layer %d of %d: %w", k+1, len(enc), err)
		}
		if k >= c.Start {
			rc := Config{Epochs: st.Epochs, Shuffle: st.Shuffle, Hooks: stageHooks(c, k, task, slices.Clone(out))}
			if k == c.Start && c.Restore != nil {
				rc.Resume, err = c.Restore(k, task)
			}
			var recs []Record
			if err == nil {
				recs, err = Run(ctx, task, in, inVal, rc)
			}
			for _, r := range recs {
				out = append(out, LayerRecord{Layer: k, Record: r})
			}
			if err == nil {
				err = each(c.Hooks, func(h StageEndHook) error { return h.OnStageEnd(k, task, in, inVal) })
			}
		}
		if err == nil && k+1 < len(c.Stages) {
			if in, err = task.Encode(in); err == nil && inVal != nil {
				inVal, err = task.Encode(inVal)
			}
		}
		task.Close()
		if err != nil {
			return out, fmt.Errorf("train: pretraining layer %d of %d: %w", k+1, len(enc), err)
		}
	}
	return out, nil
}
