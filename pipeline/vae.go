package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// vaeFamily trains a variational autoencoder (model.type vae) on the
// negative ELBO; the summary reports it in nats per test digit, and the
// run directory gets runs.ReconstructionsFile and runs.FiltersFile.
type vaeFamily struct{}

func (vaeFamily) build(j *job) (trainer, error) {
	c := j.sp.Model.VAEFor(j.data.Train.Dim())
	if err := j.checkMemory(c.Size()); err != nil {
		return nil, err
	}
	v, err := models.NewVAE(c, rng.New(j.sp.Seed, "init"))
	if err != nil {
		return nil, err
	}
	if err := j.applyInit(v.Params()); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*runs.Summary, error) { return j.trainVAE(ctx, v) }, nil
}

// vaeStreams are the streams of a vae's training: the example order and
// the noise ε of the reparameterisation. Its evaluations draw from their
// own stream (infer.ELBOStream), started afresh each time.
var vaeStreams = []string{"shuffle", "latent"}

func (j *job) trainVAE(ctx context.Context, v *models.VAE) (*runs.Summary, error) {
	sp, o := j.sp, j.o
	l, err := j.newLoop(vaeStreams, func(opt optimizers.Optimizer, s streams) (task, error) {
		return train.NewVAE(v, opt, train.VAEConfig{BatchSize: sp.BatchSize, Penalties: penalties(sp.Regularizers), Random: s["latent"], EvalSeed: sp.Seed})
	})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	task := l.task.(*train.VAE)
	announce := func(from *train.State) {
		verb := "writing to"
		if from != nil {
			verb = fmt.Sprintf("resuming at epoch %d, update %d, in", from.Epoch, from.Updates)
		}
		fmt.Fprintf(o.Log, "%s: variational autoencoder %s, %d parameters; %d training, %d validation, %s; %s %s\n",
			sp.Name, vaeShape(v), models.Count(v.Params()), j.data.Train.Len(), j.data.Validation.Len(), plural.Count(j.data.Test.Len(), "test example"), verb, o.Out)
	}
	write := func(records []train.Record) error {
		return runs.WriteMetrics(o.Out, metricsRows(nil, runs.PhaseTrain, records), true)
	}
	records, trained, err := j.fit(ctx, l, fitConfig{resume: j.resume, stopMetric: "loss", announce: announce, write: write})
	if err != nil {
		return nil, err
	}
	test, err := task.ELBO(j.data.Test)
	if err != nil {
		return nil, err
	}
	if err := writeVAEFigures(o.Out, task, j.data.Test); err != nil {
		return nil, err
	}
	s := j.summary(records, v.Params())
	s.TestLoss, s.TestELBONats, s.TestKLNats = test.NegELBO, test.NegELBO, test.KL
	j.noteStop(s, l.stopper, records)
	s.Seconds = trainingSeconds(records, nil) + time.Since(trained).Seconds()
	return s, j.finish(s, v.Params())
}

// vaeShape describes a variational autoencoder's widths, e.g.
// 784→400→(μ, log σ²: 20)→400→784.
func vaeShape(v *models.VAE) string {
	s := strconv.Itoa(v.Inputs())
	for _, l := range v.Encoder {
		s += "→" + strconv.Itoa(l.Out())
	}
	s += fmt.Sprintf("→(μ, log σ²: %d)", v.Latent())
	for _, l := range v.Decoder {
		s += "→" + strconv.Itoa(l.Out())
	}
	return s
}

// writeVAEFigures draws a vae run's figures, when the examples are
// pictures: the first test digits and their reconstructions
// (runs.ReconstructionsFile) and the first encoder layer's weights
// (runs.FiltersFile).
func writeVAEFigures(dir string, task *train.VAE, test *datasets.Set) error {
	if len(test.Shape) != 2 || test.Len() == 0 {
		return nil
	}
	w, h := test.Shape[1], test.Shape[0]
	show := test.Slice(0, min(figureDigits, test.Len()))
	rec, err := task.Reconstruct(show)
	if err != nil {
		return err
	}
	img, err := images.LabelledGrid([][][]float32{split(show), split(rec)}, []string{"original", "reconstruction"}, w, h, 2)
	if err != nil {
		return err
	}
	if err := images.WritePNG(filepath.Join(dir, runs.ReconstructionsFile), img); err != nil {
		return err
	}
	m := task.Model()
	if len(m.Encoder) == 0 {
		return nil
	}
	first := m.Encoder[0]
	if img, err = images.Filters(first.W.Float64s(), first.In(), first.Out(), w, h, 100, 10, 2); err != nil {
		return err
	}
	return images.WritePNG(filepath.Join(dir, runs.FiltersFile), img)
}
