package experiments

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/gorgonia"
)

// aeSetup is the autoencoders experiment's data and budget.
type aeSetup struct {
	train, test  int
	batch        int
	epochs       int
	lr           float64 // Adam
	sparsity     float64 // λ of the sparse autoencoder's L1 penalty on its code
	corruption   models.Corruption
	probeEpochs  int
	inactive     float64 // a code activation below this counts as inactive
	denoiseShown int     // test digits shown in denoising.png
}

func autoencodersSetup(quick bool) aeSetup {
	s := aeSetup{
		train: 10000, test: 5000, batch: 100, epochs: 10, lr: 1e-3, sparsity: 3e-4,
		corruption: models.Corruption{Type: models.Masking, Level: 0.3}, probeEpochs: 10, inactive: 0.01, denoiseShown: 12,
	}
	if quick {
		s.train, s.test, s.epochs, s.probeEpochs = 1000, 500, 2, 2
	}
	return s
}

// aeKind is one autoencoder of the comparison.
type aeKind struct {
	name, shape string
	config      models.AutoencoderConfig
	sparse      bool
	denoising   bool
}

func aeKinds() []aeKind {
	layer := func(units int, act models.Activation) models.Layer {
		return models.Layer{Units: units, Activation: act}
	}
	return []aeKind{
		{name: "undercomplete", shape: "784→64→784, ReLU code",
			config: models.AutoencoderConfig{Encoder: []models.Layer{layer(64, models.ReLU)}}},
		{name: "deep", shape: "784→256→64→256→784, ReLU",
			config: models.AutoencoderConfig{Encoder: []models.Layer{layer(256, models.ReLU), layer(64, models.ReLU)}}},
		{name: "plain 256", shape: "784→256→784, ReLU code",
			config: models.AutoencoderConfig{Encoder: []models.Layer{layer(256, models.ReLU)}}},
		{name: "sparse", shape: "784→256→784, ReLU code, L1 penalty on the code", sparse: true,
			config: models.AutoencoderConfig{Encoder: []models.Layer{layer(256, models.ReLU)}}},
		{name: "denoising", shape: "784→256→784, ReLU code, masked inputs", denoising: true,
			config: models.AutoencoderConfig{Encoder: []models.Layer{layer(256, models.ReLU)}}},
	}
}

// aeRun is one autoencoder's results.
type aeRun struct {
	kind       aeKind
	c          *curve
	cleanMSE   float64 // test reconstruction error, clean inputs
	noisyMSE   float64 // reconstruction of corrupted test digits against the clean ones
	inactive   float64 // fraction of test code activations below s.inactive
	meanCode   float64 // mean code activation
	probe      infer.Metrics
	filters    []float64 // the first encoder layer's weights
	filterOut  int
	denoised   *datasets.Set // reconstructions of the corrupted digits shown
	codeUnits  int
	parameters int
}

// Autoencoders is the experiment autoencoders (docs/lecture.md §6): an
// undercomplete, a deep (funnel), a plain 256-unit, a sparse and a
// denoising autoencoder, each trained on the same digits with the binary
// cross-entropy (sigmoid output, Adam). It measures each one's test
// reconstruction error, the sparsity of its code, how well a logistic
// regression on its frozen codes classifies (the probe, against one on the
// raw pixels) and how well it restores corrupted test digits, and draws its
// filters.
//
// It writes results.csv, curves.csv, metrics.png, denoising.png,
// filters-NAME.png per autoencoder and report.md.
func Autoencoders(ctx context.Context, o Options) error {
	l, err := newLab("autoencoders", o)
	if err != nil {
		return err
	}
	s := autoencodersSetup(o.Quick)
	data, err := l.mnist(s.train, 0, s.test)
	if err != nil {
		return err
	}
	trainSet, test := data.Train, data.Test
	noisyTest := &datasets.Set{Name: test.Name + " (masked)", X: make([]float32, len(test.X)), Shape: test.Shape, Labels: test.Labels, Classes: test.Classes}
	s.corruption.Apply(noisyTest.X, test.X, l.rand("test-corruption"))

	pixels, err := probe(ctx, l, s, trainSet, test)
	if err != nil {
		return err
	}
	l.logf("probe on raw pixels: test error %s", pct(pixels.Error))
	var runs []*aeRun
	for _, k := range aeKinds() {
		if err := ctx.Err(); err != nil {
			return err
		}
		run, err := trainAE(ctx, l, s, k, trainSet, test, noisyTest)
		if err != nil {
			return err
		}
		runs = append(runs, run)
		l.logf("%-13s test MSE %.5f  masked→clean MSE %.5f  inactive code %.1f %%  probe error %s",
			k.name, run.cleanMSE, run.noisyMSE, 100*run.inactive, pct(run.probe.Error))
	}
	noisyInput := mseOf(noisyTest, test)
	if err := writeAEData(l, runs, pixels); err != nil {
		return err
	}
	if err := writeAEFigures(l, s, runs, pixels, test, noisyTest, noisyInput); err != nil {
		return err
	}
	return l.finish(aeReport(s, runs, pixels, noisyInput, trainSet.Len(), test.Len(), o.Quick))
}

// trainAE trains one autoencoder and measures it.
func trainAE(ctx context.Context, l *lab, s aeSetup, k aeKind, trainSet, test, noisyTest *datasets.Set) (*aeRun, error) {
	cfg := k.config
	cfg.Inputs = trainSet.Dim()
	cfg.Output = models.Sigmoid
	ae, err := models.NewAutoencoder(cfg, l.rand("init/"+k.name))
	if err != nil {
		return nil, l.errorf("%s: %w", k.name, err)
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": s.lr})
	if err != nil {
		return nil, err
	}
	tc := train.AutoencoderConfig{BatchSize: s.batch, Loss: losses.ReconstructionBCE, Random: l.source("corruption/" + k.name)}
	if k.denoising {
		tc.Corruption = s.corruption
	}
	if k.sparse {
		tc.Penalties = []train.Penalty{train.OnCode(ae, func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return regularizers.ActivationL1(s.sparsity, h)
		})}
	}
	task, err := train.NewAutoencoder(ae, opt, tc)
	if err != nil {
		return nil, l.errorf("%s: %w", k.name, err)
	}
	defer task.Close()
	run := &aeRun{kind: k, codeUnits: ae.CodeUnits(), parameters: models.Count(ae.Params())}
	run.c, err = fit(ctx, k.name, task, trainSet, test, fitConfig{Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")}})
	if err != nil {
		return nil, l.errorf("%s: %w", k.name, err)
	}
	if run.c.Diverged {
		return nil, l.errorf("%s diverged at update %d", k.name, run.c.DivergedAt)
	}
	recon, err := task.Reconstruct(test)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run.cleanMSE = mseOf(recon, test)
	denoised, err := task.Reconstruct(noisyTest)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run.noisyMSE = mseOf(denoised, test)
	run.denoised = denoised.Slice(0, min(s.denoiseShown, test.Len()))
	codes, err := task.Encode(test)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	n := 0
	sum := 0.0
	for _, v := range codes.X {
		if v < float32(s.inactive) {
			n++
		}
		sum += float64(v)
	}
	run.inactive, run.meanCode = float64(n)/float64(len(codes.X)), sum/float64(len(codes.X))
	trainCodes, err := task.Encode(trainSet)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	if run.probe, err = probe(ctx, l, s, trainCodes, codes); err != nil {
		return nil, err
	}
	run.filters, run.filterOut = ae.Encoder[0].W.Float64s(), ae.Encoder[0].Out()
	return run, nil
}

// probe trains a logistic regression (a softmax layer, no hidden layer) on
// trainSet's features and labels and measures it on test.
func probe(ctx context.Context, l *lab, s aeSetup, trainSet, test *datasets.Set) (infer.Metrics, error) {
	m, err := l.mlp("probe-init", trainSet.Dim(), nil, 10, models.Dropout{})
	if err != nil {
		return infer.Metrics{}, err
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": 1e-3})
	if err != nil {
		return infer.Metrics{}, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
	if err != nil {
		return infer.Metrics{}, l.errorf("probe: %w", err)
	}
	defer task.Close()
	if _, err := fit(ctx, "probe", task, trainSet, nil, fitConfig{Config: train.Config{Epochs: s.probeEpochs, Shuffle: l.rand("probe-shuffle")}}); err != nil {
		return infer.Metrics{}, l.errorf("probe: %w", err)
	}
	got, err := task.Evaluate(test)
	if err != nil {
		return infer.Metrics{}, l.errorf("probe: %w", err)
	}
	return got, nil
}

// mseOf is the mean over examples of (1/d) Σ (a − b)².
func mseOf(a, b *datasets.Set) float64 {
	sum := 0.0
	for i, v := range a.X {
		e := float64(v) - float64(b.X[i])
		sum += e * e
	}
	return sum / float64(len(a.X))
}

func writeAEData(l *lab, runs []*aeRun, pixels infer.Metrics) error {
	var rows [][]string
	rows = append(rows, []string{"raw pixels", "784", "", "", "", "", "", num(pixels.Error), num(pixels.Loss)})
	for _, r := range runs {
		rows = append(rows, []string{r.kind.name, strconv.Itoa(r.codeUnits), strconv.Itoa(r.parameters), num(r.cleanMSE), num(r.noisyMSE), num(r.inactive), num(r.meanCode), num(r.probe.Error), num(r.probe.Loss)})
	}
	if err := l.writeCSV("results.csv", []string{"model", "code_units", "parameters", "test_mse", "masked_to_clean_mse", "inactive_code_fraction", "mean_code", "probe_test_error", "probe_test_loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for _, e := range r.c.Epochs {
			rows = append(rows, []string{r.kind.name, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(e.Val.Loss)})
		}
	}
	return l.writeCSV("curves.csv", []string{"model", "epoch", "updates", "train_objective", "test_bce"}, rows)
}

func writeAEFigures(l *lab, s aeSetup, runs []*aeRun, pixels infer.Metrics, test, noisyTest *datasets.Set, noisyInput float64) error {
	for _, r := range runs {
		img, err := images.Filters(r.filters, 784, r.filterOut, 28, 28, 64, 16, 2)
		if err != nil {
			return l.errorf("%w", err)
		}
		if err := images.WritePNG(l.file(filtersFile(r.kind.name)), img); err != nil {
			return err
		}
	}
	n := min(s.denoiseShown, test.Len())
	rows, labels := [][][]float32{nil, nil}, []string{"original", "corrupted"}
	for i := range n {
		rows[0] = append(rows[0], test.Row(i))
		rows[1] = append(rows[1], noisyTest.Row(i))
	}
	for _, r := range runs {
		var row [][]float32
		for i := range n {
			row = append(row, r.denoised.Row(i))
		}
		rows, labels = append(rows, row), append(labels, r.kind.name)
	}
	img, err := images.LabelledGrid(rows, labels, 28, 28, 2)
	if err != nil {
		return l.errorf("%w", err)
	}
	if err := images.WritePNG(l.file("denoising.png"), img); err != nil {
		return err
	}
	var groups []string
	var clean, noisy, inactive, probeErr []float64
	for _, r := range runs {
		groups = append(groups, r.kind.name)
		clean = append(clean, r.cleanMSE)
		noisy = append(noisy, r.noisyMSE)
		inactive = append(inactive, r.inactive)
		probeErr = append(probeErr, r.probe.Error)
	}
	return writeCharts(l.file("metrics.png"), 2, 6*vg.Inch, 4*vg.Inch,
		&barChart{Title: "Test reconstruction error (clean digits)", YLabel: "MSE", Groups: groups, Bars: []bars{{Name: "clean input", Values: clean}}},
		&barChart{Title: fmt.Sprintf("Restoring masked digits (input itself: %.4f)", noisyInput), YLabel: "MSE to the clean digit", Groups: groups, Bars: []bars{{Name: "masked input", Values: noisy, Color: paletteColor(1)}}},
		&barChart{Title: fmt.Sprintf("Code activations below %g", s.inactive), YLabel: "fraction", Groups: groups, Bars: []bars{{Name: "inactive", Values: inactive, Color: paletteColor(2)}}, YMax: 1},
		&barChart{Title: fmt.Sprintf("Logistic regression on the codes (raw pixels: %s)", pct(pixels.Error)), YLabel: "test error", Groups: groups, Bars: []bars{{Name: "probe", Values: probeErr, Color: paletteColor(3)}}},
	)
}

func filtersFile(name string) string {
	out := []rune{}
	for _, r := range name {
		if r == ' ' {
			r = '-'
		}
		out = append(out, r)
	}
	return "filters-" + string(out) + ".png"
}

func aeReport(s aeSetup, runs []*aeRun, pixels infer.Metrics, noisyInput float64, nTrain, nTest int, quick bool) *report {
	r := newReport("Autoencoders: undercomplete, deep, sparse, denoising", quick)
	r.p("Five autoencoders trained on the first %d MNIST training digits with the binary cross-entropy between the digit and a sigmoid reconstruction "+
		"(Adam, lr %g, batch %d, %d epochs, each from its own seeded initial weights, on the same batches). "+
		"The sparse one adds λ (1/B) Σ_b Σ_i |h_bi| on its code (λ = %g); the denoising one is trained on L(x, g(f(x̃))) with x̃ = x with %s of the pixels set to 0 (%s corruption), a new mask for every digit at every update. "+
		"Everything is measured on %d test digits: the reconstruction error as (1/784) Σ (x − x̂)²; the codes' sparsity as the fraction of code activations below %g; "+
		"the codes as features by a logistic regression (a softmax layer, Adam, %d epochs) trained on the codes of the training digits with their labels, the autoencoder frozen; "+
		"and denoising by reconstructing test digits masked the same way and comparing with the clean digits. Data: `results.csv`, `curves.csv`.",
		nTrain, s.lr, s.batch, s.epochs, s.sparsity, pct(s.corruption.Level), s.corruption.Type, nTest, s.inactive, s.probeEpochs)
	var rows [][]string
	rows = append(rows, []string{"(raw pixels)", "784 pixels", "", "—", fmt.Sprintf("%.4f (the masked input itself)", noisyInput), "—", pct(pixels.Error)})
	for _, run := range runs {
		rows = append(rows, []string{run.kind.name, run.kind.shape, strconv.Itoa(run.parameters), fmt.Sprintf("%.4f", run.cleanMSE), fmt.Sprintf("%.4f", run.noisyMSE),
			fmt.Sprintf("%.1f %%", 100*run.inactive), pct(run.probe.Error)})
	}
	r.table([]string{"autoencoder", "shape", "parameters", "test MSE", "masked → clean MSE", "inactive code activations", "probe test error"}, rows)
	r.figure("metrics.png", "reconstruction error, denoising error, code sparsity and probe error per autoencoder")
	r.p("Denoising: row 1 the clean test digits, row 2 the masked ones given to the autoencoders, then one row per autoencoder in the order of the table, each row labelled.")
	r.figure("denoising.png", "clean and masked test digits and every autoencoder's reconstruction of the masked digits")
	r.p("Filters: the weights of the first encoder layer's first 64 units, one tile per unit, each scaled to its own range.")
	for _, run := range runs {
		r.p("%s (%s):", run.kind.name, run.kind.shape)
		r.figure(filtersFile(run.kind.name), run.kind.name+" filters")
	}

	r.h2("What the lecture claims, and whether it held")
	at := func(name string) *aeRun {
		for _, run := range runs {
			if run.kind.name == name {
				return run
			}
		}
		return nil
	}
	under, deep, plain, sparse, dae := at("undercomplete"), at("deep"), at("plain 256"), at("sparse"), at("denoising")
	r.claim("A deep autoencoder (the funnel) reconstructs better than a shallow one with the same code size", deep.cleanMSE < under.cleanMSE,
		"With a %d-unit code, the deep autoencoder's test MSE is %.4f, the shallow undercomplete one's %.4f.", deep.codeUnits, deep.cleanMSE, under.cleanMSE)
	r.claim("The L1 penalty on the code makes each input use few hidden units", sparse.inactive > plain.inactive,
		"%.1f %% of the sparse autoencoder's code activations are below %g (mean activation %.3f), against %.1f %% (mean %.3f) for the same network without the penalty; "+
			"its reconstruction error rose from %.4f to %.4f.",
		100*sparse.inactive, s.inactive, sparse.meanCode, 100*plain.inactive, plain.meanCode, plain.cleanMSE, sparse.cleanMSE)
	best := slices.MinFunc(runs, func(a, b *aeRun) int { return cmpFloat(a.noisyMSE, b.noisyMSE) })
	r.claim("A denoising autoencoder learns to restore corrupted inputs", dae.noisyMSE < plain.noisyMSE && dae.noisyMSE < noisyInput,
		"Given masked test digits, the denoising autoencoder's reconstructions are %.4f from the clean digits (MSE), the same network trained without corruption %.4f, and the masked input itself %.4f. "+
			"The best restorer of the five is %s.",
		dae.noisyMSE, plain.noisyMSE, noisyInput, best.kind.name)
	bestProbe := slices.MinFunc(runs, func(a, b *aeRun) int { return cmpFloat(a.probe.Error, b.probe.Error) })
	var beat []string
	for _, run := range runs {
		if run.probe.Error < pixels.Error {
			beat = append(beat, fmt.Sprintf("%s (%s)", run.kind.name, pct(run.probe.Error)))
		}
	}
	r.claim("Autoencoders learn useful features without labels: a linear classifier on the codes beats one on the raw pixels", len(beat) > 0,
		"The logistic regression reaches %s test error on the raw pixels; on the codes of %s. The best codes: %s (%s).",
		pct(pixels.Error), listOr(beat, "no autoencoder: none beat the pixels"), bestProbe.kind.name, pct(bestProbe.probe.Error))
	return r
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case math.IsNaN(a) && !math.IsNaN(b):
		return 1
	}
	return 0
}
