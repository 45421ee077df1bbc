package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// sdaeFamily trains a stacked denoising autoencoder classifier (model.type
// sdae): greedy layer-wise pretraining of the encoders (each a denoising
// autoencoder on the codes of the ones below; Vincent et al. 2010), then
// fine-tuning of encoders plus a softmax layer as one MLP, exactly as an
// mlp recipe with the same layers is trained (same initial draw, same
// shuffling), so that recipe is the same training without pretraining.
// Every epoch of every phase is checkpointed.
type sdaeFamily struct{}

func (sdaeFamily) build(j *job) (trainer, error) {
	m, err := j.newMLP()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*runs.Summary, error) { return j.trainStacked(ctx, m) }, nil
}

func (j *job) trainStacked(ctx context.Context, m *models.MLP) (*runs.Summary, error) {
	sp, o := j.sp, j.o
	stack := &models.Stacked{MLP: m}
	plan := sp.Model.Pretrain
	pc := train.PretrainConfig{BatchSize: sp.Model.PretrainBatchSize}
	if j.resume {
		c, err := readCheckpoint(o.Out)
		if err != nil {
			return nil, err
		}
		switch meta := c.meta; meta.Phase {
		case phaseFinetune:
			// Pretraining is done; the checkpoint holds the whole network.
			return j.trainClassifier(ctx, m, &finetuning{resume: true})
		case phasePretrain:
			if meta.Layer < 0 || meta.Layer >= len(plan) {
				return nil, fmt.Errorf("pipeline: resume %s: the checkpoint is of pretraining layer %d, the recipe pretrains %s", o.Out, meta.Layer+1, plural.Count(len(plan), "layer"))
			}
			pc.Start = meta.Layer
			// The trained layers below encode the stage's data.
			if err := c.setParams(m.Params()); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("pipeline: resume %s: the checkpoint is not of an sdae run (phase %q)", o.Out, meta.Phase)
		}
	} else {
		fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %s; writing to %s\n",
			sp.Name, models.Count(m.Params()), j.data.Train.Len(), j.data.Validation.Len(), plural.Count(j.data.Test.Len(), "test example"), o.Out)
	}

	var layers []runs.LayerSummary
	sessions := make([]*session, len(plan))
	for k, p := range plan {
		opt, err := optimizers.New(p.Optimizer)
		if err != nil {
			return nil, err
		}
		// The checkpoint saves the stage's shuffling and corruption
		// streams; its decoder's initial draw is the weights it saves.
		stream := fmt.Sprintf("pretrain.%d.", k)
		streams := newStreams(sp.Seed, stream+"shuffle", stream+"corruption")
		sessions[k] = &session{dir: o.Out, opt: opt, streams: streams, phase: phasePretrain, layer: k, blas: o.BLAS, log: o.Log, init: j.init, recipe: j.text, data: j.dataRec, flops: j.matmulFlops}
		stage := train.NewStage(sp.Model.MLP.Hidden, k, train.StageOptions{
			Epochs: p.Epochs, Optimizer: opt, Corruption: p.Corruption, Tied: sp.Model.Tied,
			Source: func(name string) *rand.PCG {
				if s, ok := streams[name]; ok {
					return s
				}
				return rng.Source(sp.Seed, name)
			},
		})
		enc := stack.Encoders()[k]
		header := fmt.Sprintf("pretraining layer %d of %d (%d→%d, %s, %s corruption, %s reconstruction): %s",
			k+1, len(plan), enc.In(), enc.Out(), enc.Act, p.Corruption, stage.Loss, plural.Count(p.Epochs, "epoch"))
		stage.Hooks = []train.Hook{headed(o.Log, header), train.NewProgressCounting(o.Log, o.Interactive, pc.BatchSize, j.work.Flops)}
		pc.Stages = append(pc.Stages, stage)
		layers = append(layers, runs.LayerSummary{Layer: k, Corruption: p.Corruption.String()})
	}
	var pre []train.LayerRecord // the records of the stages before pc.Start
	// A stage's checkpoint holds the whole network (the layers below are
	// trained, the layer itself in training) and the stage's decoder.
	stageSession := func(k int, stage *train.Autoencoder) *session {
		s := sessions[k]
		s.params, s.optParams = append([]*models.Param(nil), m.Params()...), stage.Params()
		for _, p := range stage.Params() {
			if !slices.Contains(s.params, p) {
				s.params = append(s.params, p)
			}
		}
		s.layers = layers
		return s
	}
	if j.resume {
		pc.Restore = func(k int, stage *train.Autoencoder) (*train.State, error) {
			s := stageSession(k, stage)
			st, err := s.load()
			if err != nil {
				return nil, err
			}
			pre, j.init = s.pretrain, s.init
			fmt.Fprintf(o.Log, "%s: resuming the pretraining of layer %d of %d at epoch %d, update %d, in %s\n", sp.Name, k+1, len(plan), st.Epoch, st.Updates, o.Out)
			return st, nil
		}
	}
	writePre := func(recs []train.LayerRecord) error { // no fine-tuning rows yet
		return runs.WriteMetrics(o.Out, metricsRows(recs, runs.PhaseFinetune, nil), true)
	}
	checkpoint := train.StageCheckpointFunc(func(k int, stage *train.Autoencoder, st *train.State, done []train.LayerRecord) error {
		s := stageSession(k, stage)
		s.pretrain = append(slices.Clone(pre), done...)
		if err := s.save(st); err != nil {
			return err
		}
		recs := slices.Clone(s.pretrain)
		for _, rec := range st.Records {
			recs = append(recs, train.LayerRecord{Layer: k, Record: rec})
		}
		return writePre(recs)
	})
	figures := train.StageEndFunc(func(k int, stage *train.Autoencoder, _, _ *datasets.Set) error {
		if k > 0 {
			return nil
		}
		// The first layer sees pixels: show its reconstructions and filters.
		return writeFigures(o.Out, stage, j.data.Test, rng.New(sp.Seed, "figures"))
	})
	pc.Hooks = append([]train.Hook{checkpoint, figures}, o.Hooks...)
	recs, runErr := train.Pretrain(ctx, stack, j.data.Train, j.data.Validation, pc)
	pre = append(pre, recs...)
	if runErr != nil {
		if err := writePre(pre); err != nil {
			return nil, errors.Join(runErr, err)
		}
		return nil, stopped(runErr, len(pre), o.Out)
	}
	for _, p := range pre {
		l := &layers[p.Layer]
		l.Epochs, l.TrainLoss, l.ValReconstructionLoss = p.Epoch, p.TrainLoss, p.Val.Loss
		l.Seconds += p.Seconds
	}
	return j.trainClassifier(ctx, m, &finetuning{pre: pre, layers: layers})
}

// headed is a hook that prints a header line before the first epoch.
func headed(w io.Writer, header string) train.Hook {
	return train.EpochStartFunc(func(epoch, _, _ int) {
		if epoch == 1 {
			fmt.Fprintln(w, header)
		}
	})
}
