package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
)

// autoencoderFamily trains an autoencoder (model.type autoencoder) to
// reconstruct its input, corrupted first when it is denoising; the summary
// reports reconstruction losses and the run directory gets
// runs.ReconstructionsFile and runs.FiltersFile.
type autoencoderFamily struct{}

func (autoencoderFamily) build(j *job) (trainer, error) {
	c := j.sp.Model.AutoencoderFor(j.data.Train.Dim())
	if err := j.checkMemory(c.Size()); err != nil {
		return nil, err
	}
	ae, err := models.NewAutoencoder(c, rng.New(j.sp.Seed, "init"))
	if err != nil {
		return nil, err
	}
	if err := j.applyInit(ae.Params()); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*runs.Summary, error) { return j.trainAutoencoder(ctx, ae) }, nil
}

// trainAutoencoder trains ae, a dense or a convolutional autoencoder.
func (j *job) trainAutoencoder(ctx context.Context, ae models.Reconstructor) (*runs.Summary, error) {
	sp, o := j.sp, j.o
	l, err := j.newLoop([]string{"shuffle", "corruption"}, func(opt optimizers.Optimizer, s streams) (task, error) {
		return train.NewAutoencoder(ae, opt, autoencoderConfig(sp, ae, s["corruption"]))
	})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	task := l.task.(*train.Autoencoder)
	announce := func(from *train.State) {
		verb := "writing to"
		if from != nil {
			verb = fmt.Sprintf("resuming at epoch %d, update %d, in", from.Epoch, from.Updates)
		}
		fmt.Fprintf(o.Log, "%s: %s %s, %d parameters; %d training, %d validation, %s; %s %s\n",
			sp.Name, ae.Family(), describe(ae), models.Count(ae.Params()), j.data.Train.Len(), j.data.Validation.Len(), plural.Count(j.data.Test.Len(), "test example"), verb, o.Out)
	}
	write := func(records []train.Record) error {
		return runs.WriteMetrics(o.Out, metricsRows(nil, runs.PhaseTrain, records), true)
	}
	records, trained, err := j.fit(ctx, l, fitConfig{resume: j.resume, stopMetric: "loss", announce: announce, write: write})
	if err != nil {
		return nil, err
	}
	test, err := task.Evaluate(j.data.Test)
	if err != nil {
		return nil, err
	}
	if err := writeFigures(o.Out, task, j.data.Test, rng.New(sp.Seed, "figures")); err != nil {
		return nil, err
	}
	s := j.summary(records, ae.Params())
	s.TestLoss = test.Loss
	s.ValReconstructionLoss, s.TestReconstructionLoss = records[len(records)-1].Val.Loss, test.Loss
	j.noteStop(s, l.stopper, records)
	s.Seconds = trainingSeconds(records, nil) + time.Since(trained).Seconds()
	return s, j.finish(s, ae.Params())
}

// autoencoderConfig returns the training settings of an autoencoder recipe:
// loss, corruption (drawn from noise, the run's "corruption" stream),
// weight penalties, sparsity and the contractive penalty.
func autoencoderConfig(sp *recipes.Spec, ae models.Reconstructor, noise rand.Source) train.AutoencoderConfig {
	c := train.AutoencoderConfig{
		BatchSize:  sp.BatchSize,
		Loss:       sp.Reconstruction,
		Corruption: sp.Model.Corruption,
		Random:     noise,
		// The weight penalties of regularizers (the only ones an
		// autoencoder recipe may set).
		Penalties: penalties(sp.Regularizers),
	}
	if _, ok := ae.(*models.ConvAutoencoder); ok {
		// A convolution's patches are its input times k² per example: at
		// infer.DefaultBatch, a 28×28 layer of 16 channels alone takes
		// 450 MB.
		c.EvalBatch = convEvalBatch
	}
	switch s := sp.Model.Sparsity; s.Type {
	case "l1":
		c.Penalties = append(c.Penalties, train.OnCode(ae, func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return regularizers.ActivationL1(s.Weight, h)
		}))
	case "kl":
		c.Penalties = append(c.Penalties, train.OnCode(ae, func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return regularizers.KLSparsity(s.Weight, s.Target, h)
		}))
	}
	// The recipe allows the contractive penalty on dense autoencoders only.
	if dense, ok := ae.(*models.Autoencoder); ok && sp.Model.Contractive > 0 {
		c.Penalties = append(c.Penalties, train.Contractive(dense, sp.Model.Contractive))
	}
	return c
}

// describe describes an autoencoder's layers: a dense one's widths, a
// convolutional one's tensors.
func describe(ae models.Reconstructor) string {
	switch a := ae.(type) {
	case *models.Autoencoder:
		return shape(a)
	case *models.ConvAutoencoder:
		return convShape(a)
	}
	return ""
}

// shape describes an autoencoder's widths, e.g. 784→128→32→128→784 (tied).
func shape(ae *models.Autoencoder) string {
	s := strconv.Itoa(ae.Inputs())
	for _, l := range ae.Encoder {
		s += "→" + strconv.Itoa(l.Out())
	}
	for _, l := range ae.Decoder {
		switch d := l.(type) {
		case *models.Dense:
			s += "→" + strconv.Itoa(d.Out())
		case *models.TiedDense:
			s += "→" + strconv.Itoa(d.Out())
		}
	}
	if ae.Config.Tied {
		s += " (tied)"
	}
	return s
}
