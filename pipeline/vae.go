package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// vaeFamily trains a variational autoencoder (model.type vae) on the
// negative ELBO; the summary reports it in nats per test digit, and the
// run directory gets runs.ReconstructionsFile, runs.FiltersFile,
// runs.SamplesFile and, for a 2-D latent code, runs.LatentGridFile and
// runs.LatentCodesFile.
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
	if err := writeVAEFigures(o.Out, task, j.data.Test, rng.New(sp.Seed, "figures")); err != nil {
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

// The sizes of a vae's figures: samplesSide² samples from the prior, and
// a latentSide² grid over a 2-D latent plane.
const (
	samplesSide = 10
	latentSide  = 20
)

// writeVAEFigures draws a vae run's figures, when the examples are
// pictures: the first test digits and their reconstructions
// (runs.ReconstructionsFile), the first encoder layer's weights
// (runs.FiltersFile), samples from the prior drawn with r
// (runs.SamplesFile), and for a 2-D latent code the digits decoded over the
// latent plane (runs.LatentGridFile) and the test digits' codes coloured by
// class (runs.LatentCodesFile).
func writeVAEFigures(dir string, task *train.VAE, test *datasets.Set, r rand.Source) error {
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
	if len(m.Encoder) > 0 {
		first := m.Encoder[0]
		if img, err = images.Filters(first.W.Float64s(), first.In(), first.Out(), w, h, 100, 10, 2); err != nil {
			return err
		}
		if err := images.WritePNG(filepath.Join(dir, runs.FiltersFile), img); err != nil {
			return err
		}
	}
	samples, err := task.Sample(samplesSide*samplesSide, r)
	if err != nil {
		return err
	}
	if err := writeDigitGrid(filepath.Join(dir, runs.SamplesFile), samples, samplesSide, w, h, 2); err != nil {
		return err
	}
	if m.Latent() != 2 {
		return nil
	}
	grid, err := task.Decode(infer.LatentGrid(latentSide))
	if err != nil {
		return err
	}
	if err := writeDigitGrid(filepath.Join(dir, runs.LatentGridFile), grid, latentSide, w, h, 1); err != nil {
		return err
	}
	codes, err := task.Encode(test)
	if err != nil {
		return err
	}
	return writeLatentCodes(filepath.Join(dir, runs.LatentCodesFile), codes)
}

// writeDigitGrid draws the examples of s (w×h pictures) as a grid of side
// columns, each pixel scale×scale.
func writeDigitGrid(path string, s *datasets.Set, side, w, h, scale int) error {
	pics := split(s)
	var rows [][][]float32
	for i := 0; i < len(pics); i += side {
		rows = append(rows, pics[i:min(i+side, len(pics))])
	}
	img, err := images.Grid(rows, w, h, scale)
	if err != nil {
		return err
	}
	return images.WritePNG(path, img)
}

// writeLatentCodes draws the 2-D codes of codes as points coloured by
// their labels (all of class 0 when unlabelled).
func writeLatentCodes(path string, codes *datasets.Set) error {
	n := codes.Len()
	x, y, classes := make([]float64, n), make([]float64, n), make([]int, n)
	for i := range n {
		x[i], y[i] = float64(codes.X[2*i]), float64(codes.X[2*i+1])
		if codes.Labels != nil {
			classes[i] = codes.Labels[i]
		}
	}
	img, err := images.Scatter(x, y, classes, fmt.Sprintf("Codes μ(x) of %s", plural.Count(n, "test example")), "z₁", "z₂", 600)
	if err != nil {
		return err
	}
	return images.WritePNG(path, img)
}
