package experiments

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
	train, val, test int
	batch            int
	epochs           int
	rates            []float64 // Adam's rate, tuned per autoencoder
	sparsity         float64   // λ of the sparse autoencoder's L1 penalty on its code
	corruption       models.Corruption
	probeEpochs      int
	inactive         float64 // a code activation below this counts as inactive
	denoiseShown     int     // test digits shown in denoising.png
}

func autoencodersSetup(quick bool) aeSetup {
	s := aeSetup{
		train: 10000, val: 2000, test: 5000, batch: 100, epochs: 10, rates: []float64{3e-4, 1e-3, 3e-3}, sparsity: 3e-4,
		corruption: models.Corruption{Type: models.Masking, Level: 0.3}, probeEpochs: 10, inactive: 0.01, denoiseShown: 12,
	}
	if quick {
		s.train, s.val, s.test, s.epochs, s.probeEpochs = 600, 200, 300, 2, 2
		s.rates = []float64{1e-3, 3e-3}
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

// aeRun is one autoencoder's run with one seed.
type aeRun struct {
	kind       aeKind
	seed       uint64
	lr         float64
	c          *curve
	task       *train.Autoencoder // until measured
	ae         *models.Autoencoder
	val        infer.Metrics // validation reconstruction loss
	cleanMSE   float64       // test reconstruction error, clean inputs
	noisyMSE   float64       // reconstruction of corrupted test digits against the clean ones
	inactive   float64       // fraction of test code activations below s.inactive
	meanCode   float64       // mean code activation
	probe      infer.Metrics
	filters    []float64 // the first encoder layer's weights
	filterOut  int
	denoised   *datasets.Set // reconstructions of the corrupted digits shown
	codeUnits  int
	parameters int
}

func (r *aeRun) close() {
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// aeCell is one autoencoder: its tuning and a run per seed.
type aeCell struct {
	kind   aeKind
	tuning *tuning
	runs   []*aeRun
	m      *methodStats
}

// aeSeedData is one seed's test digits, clean and masked, and the probe
// on the raw pixels.
type aeSeedData struct {
	noisyTest *datasets.Set
	pixels    infer.Metrics
}

// Autoencoders is the experiment autoencoders (docs/lecture.md §6): an
// undercomplete, a deep (funnel), a plain 256-unit, a sparse and a
// denoising autoencoder, each trained on the same digits with the binary
// cross-entropy (sigmoid output, Adam at the rate that gave it the lowest
// validation loss), with several seeds. It measures each one's test
// reconstruction error, the sparsity of its code, how well a logistic
// regression on its frozen codes classifies (the probe, against one on the
// raw pixels) and how well it restores corrupted test digits, and draws its
// filters.
//
// It writes results.csv, curves.csv, tuning.csv, metrics.png,
// denoising.png, filters-NAME.png per autoencoder, results.json and
// report.md.
func Autoencoders(ctx context.Context, o Options) error {
	l, err := newLab("autoencoders", o)
	if err != nil {
		return err
	}
	s := autoencodersSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	trainSet, val, test := data.Train, data.Validation, data.Test
	seeds := l.seeds()
	r := l.report("Autoencoders: undercomplete, deep, sparse, denoising")
	raw := r.res.method("raw pixels", map[string]any{"features": "raw pixels"}, nil)
	perSeed := map[uint64]*aeSeedData{}
	for _, seed := range seeds {
		ls := l.at(seed)
		sd := &aeSeedData{noisyTest: &datasets.Set{Name: test.Name + " (masked)", X: make([]float32, len(test.X)), Shape: test.Shape, Labels: test.Labels, Classes: test.Classes}}
		s.corruption.Apply(sd.noisyTest.X, test.X, ls.rand("test-corruption"))
		if sd.pixels, err = probe(ctx, ls, s, trainSet, test); err != nil {
			return err
		}
		raw.add(seed, map[string]float64{"probe_test_error": sd.pixels.Error, "probe_test_loss": sd.pixels.Loss, "masked_to_clean_mse": mseOf(sd.noisyTest, test)})
		perSeed[seed] = sd
		l.logf("seed %d: probe on raw pixels: test error %s", seed, pct(sd.pixels.Error))
	}
	var cells []*aeCell
	for _, k := range aeKinds() {
		tn, err := tune(ctx, l, k.name, "validation reconstruction loss (binary cross-entropy) after training", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(o.Quick)},
			func(lr float64) (*aeRun, float64, error) {
				run, err := trainAE(ctx, l.at(seeds[0]), s, k, lr, trainSet, val)
				if err != nil {
					return nil, 0, err
				}
				return run, run.val.Loss, nil
			}, (*aeRun).close)
		if err != nil {
			return err
		}
		settings := map[string]any{"shape": k.shape, "lr": tn.Chosen}
		if k.sparse {
			settings["code_l1"] = s.sparsity
		}
		if k.denoising {
			settings["masking"] = s.corruption.Level
		}
		cell := &aeCell{kind: k, tuning: tn.tuning, m: r.res.method(k.name, settings, tn.tuning)}
		for i, seed := range seeds {
			run := tn.Run
			if i > 0 {
				if run, err = trainAE(ctx, l.at(seed), s, k, tn.Chosen, trainSet, val); err != nil {
					return err
				}
			}
			if err := run.measure(ctx, l.at(seed), s, trainSet, test, perSeed[seed].noisyTest); err != nil {
				return err
			}
			cell.runs = append(cell.runs, run)
			cell.m.add(seed, run.measures())
			l.logf("seed %d  %-13s lr %g  test MSE %.5f  masked→clean MSE %.5f  inactive code %.1f %%  probe error %s",
				seed, k.name, run.lr, run.cleanMSE, run.noisyMSE, 100*run.inactive, pct(run.probe.Error))
		}
		cells = append(cells, cell)
	}
	if err := writeAEData(l, cells, raw); err != nil {
		return err
	}
	first := perSeed[seeds[0]]
	if err := writeAEFigures(l, s, cells, raw, test, first.noisyTest); err != nil {
		return err
	}
	aeReport(r, s, cells, raw, seeds, data)
	return l.finish(r)
}

// trainAE trains one autoencoder from the lab's weights at rate lr and
// measures its reconstruction loss on validation; the run keeps its task
// for measure.
func trainAE(ctx context.Context, l *lab, s aeSetup, k aeKind, lr float64, trainSet, val *datasets.Set) (*aeRun, error) {
	cfg := k.config
	cfg.Inputs = trainSet.Dim()
	cfg.Output = models.Sigmoid
	ae, err := models.NewAutoencoder(cfg, l.rand("init/"+k.name))
	if err != nil {
		return nil, l.errorf("%s: %w", k.name, err)
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": lr})
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
	run := &aeRun{kind: k, seed: l.o.Seed, lr: lr, task: task, ae: ae, codeUnits: ae.CodeUnits(), parameters: models.Count(ae.Params())}
	run.c, err = fit(ctx, k.name, task, trainSet, val, fitConfig{Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")}})
	if err == nil && run.c.Diverged {
		err = fmt.Errorf("diverged at update %d", run.c.DivergedAt)
	}
	if err == nil {
		run.val, err = task.Evaluate(val)
	}
	if err != nil {
		run.close()
		return nil, l.errorf("%s, lr %g: %w", k.name, lr, err)
	}
	return run, nil
}

// measure measures the autoencoder on the test digits, once (clean and
// masked reconstruction, code sparsity, the probe on its codes), and
// releases its task.
func (run *aeRun) measure(ctx context.Context, l *lab, s aeSetup, trainSet, test, noisyTest *datasets.Set) error {
	defer run.close()
	task := run.task
	recon, err := task.Reconstruct(test)
	if err != nil {
		return l.errorf("%w", err)
	}
	run.cleanMSE = mseOf(recon, test)
	denoised, err := task.Reconstruct(noisyTest)
	if err != nil {
		return l.errorf("%w", err)
	}
	run.noisyMSE = mseOf(denoised, test)
	run.denoised = denoised.Slice(0, min(s.denoiseShown, test.Len()))
	codes, err := task.Encode(test)
	if err != nil {
		return l.errorf("%w", err)
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
		return l.errorf("%w", err)
	}
	if run.probe, err = probe(ctx, l, s, trainCodes, codes); err != nil {
		return err
	}
	run.filters, run.filterOut = run.ae.Encoder[0].W.Float64s(), run.ae.Encoder[0].Out()
	return nil
}

// measures are the run's results.json measures.
func (run *aeRun) measures() map[string]float64 {
	return map[string]float64{"val_bce": run.val.Loss, "test_mse": run.cleanMSE, "masked_to_clean_mse": run.noisyMSE, "inactive_code_fraction": run.inactive,
		"mean_code": run.meanCode, "probe_test_error": run.probe.Error, "probe_test_loss": run.probe.Loss}
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

func writeAEData(l *lab, cells []*aeCell, raw *methodStats) error {
	var rows [][]string
	for i, seed := range raw.Seeds {
		p := raw.PerSeed[i]
		rows = append(rows, []string{"raw pixels", strconv.FormatUint(seed, 10), "", "784", "", "", num(p["masked_to_clean_mse"]), "", "", num(p["probe_test_error"]), num(p["probe_test_loss"])})
	}
	for _, c := range cells {
		for _, r := range c.runs {
			rows = append(rows, []string{r.kind.name, strconv.FormatUint(r.seed, 10), num(r.lr), strconv.Itoa(r.codeUnits), strconv.Itoa(r.parameters), num(r.cleanMSE), num(r.noisyMSE),
				num(r.inactive), num(r.meanCode), num(r.probe.Error), num(r.probe.Loss)})
		}
	}
	if err := l.writeCSV("results.csv", []string{"model", "seed", "lr", "code_units", "parameters", "test_mse", "masked_to_clean_mse", "inactive_code_fraction", "mean_code", "probe_test_error", "probe_test_loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, r := range c.runs {
			for _, e := range r.c.Epochs {
				rows = append(rows, []string{r.kind.name, strconv.FormatUint(r.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(e.Val.Loss)})
			}
		}
	}
	if err := l.writeCSV("curves.csv", []string{"model", "seed", "epoch", "updates", "train_objective", "val_bce"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, t := range c.tuning.Tried {
			rows = append(rows, []string{c.kind.name, num(t.Value), num(*t.Score), strconv.FormatBool(t.Value == c.tuning.Chosen)})
		}
	}
	return l.writeCSV("tuning.csv", []string{"model", "lr", "val_bce", "chosen"}, rows)
}

func writeAEFigures(l *lab, s aeSetup, cells []*aeCell, raw *methodStats, test, noisyTest *datasets.Set) error {
	for _, c := range cells {
		r := c.runs[0]
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
	for _, c := range cells {
		r := c.runs[0]
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
	var clean, noisy, inactive, probeErr [2][]float64 // mean, sd
	add := func(v *[2][]float64, st stat) { v[0], v[1] = append(v[0], st.Mean), append(v[1], st.SD) }
	for _, c := range cells {
		groups = append(groups, c.kind.name)
		add(&clean, c.m.stat("test_mse"))
		add(&noisy, c.m.stat("masked_to_clean_mse"))
		add(&inactive, c.m.stat("inactive_code_fraction"))
		add(&probeErr, c.m.stat("probe_test_error"))
	}
	return writeCharts(l.file("metrics.png"), 2, 6*vg.Inch, 4*vg.Inch,
		&barChart{Title: "Test reconstruction error (clean digits; mean ± sd)", YLabel: "MSE", Groups: groups, Bars: []bars{{Name: "clean input", Values: clean[0], Err: clean[1]}}},
		&barChart{Title: fmt.Sprintf("Restoring masked digits (input itself: %.4f)", raw.stat("masked_to_clean_mse").Mean), YLabel: "MSE to the clean digit", Groups: groups, Bars: []bars{{Name: "masked input", Values: noisy[0], Err: noisy[1], Color: paletteColor(1)}}},
		&barChart{Title: fmt.Sprintf("Code activations below %g", s.inactive), YLabel: "fraction", Groups: groups, Bars: []bars{{Name: "inactive", Values: inactive[0], Err: inactive[1], Color: paletteColor(2)}}, YMax: 1},
		&barChart{Title: fmt.Sprintf("Logistic regression on the codes (raw pixels: %s)", raw.stat("probe_test_error").pct()), YLabel: "test error", Groups: groups, Bars: []bars{{Name: "probe", Values: probeErr[0], Err: probeErr[1], Color: paletteColor(3)}}},
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

func aeReport(r *report, s aeSetup, cells []*aeCell, raw *methodStats, seeds []uint64, data *datasets.Splits) {
	r.p("Five autoencoders trained on the first %d MNIST training digits with the binary cross-entropy between the digit and a sigmoid reconstruction "+
		"(Adam, batch %d, %d epochs, each from its own seeded initial weights, on the same batches). "+
		"The sparse one adds λ (1/B) Σ_b Σ_i |h_bi| on its code (λ = %g); the denoising one is trained on L(x, g(f(x̃))) with x̃ = x with %s of the pixels set to 0 (%s corruption), a new mask for every digit at every update. "+
		"Everything is measured on %d test digits: the reconstruction error as (1/784) Σ (x − x̂)²; the codes' sparsity as the fraction of code activations below %g; "+
		"the codes as features by a logistic regression (a softmax layer, Adam lr 0.001, %d epochs) trained on the codes of the training digits with their labels, the autoencoder frozen; "+
		"and denoising by reconstructing test digits masked the same way and comparing with the clean digits. Data: `results.csv`, `curves.csv`, `tuning.csv`, `results.json`.",
		data.Train.Len(), s.batch, s.epochs, s.sparsity, pct(s.corruption.Level), s.corruption.Type, data.Test.Len(), s.inactive, s.probeEpochs)
	r.seedsNote(seeds, "the initial weights, the batch order, the masks (in training and on the test digits) and the probe's initial weights and batch order",
		fmt.Sprintf("Each autoencoder's Adam rate is chosen from %s by its reconstruction loss on %d validation digits after training with the first seed; the test set is measured once, with every seed, at that rate. "+
			"The sparsity penalty's λ and the masking level define the sparse and the denoising autoencoder and are not tuned (the reconstruction loss alone would tune them to 0), nor is the probe. "+
			"The filters and the denoised digits are the first seed's.", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(r.res.Quick)}, data.Validation.Len()))
	var rows [][]string
	rows = append(rows, []string{"(raw pixels)", "784 pixels", "", "", "—", raw.stat("masked_to_clean_mse").pm("%.4f") + " (the masked input itself)", "—", raw.stat("probe_test_error").pct()})
	for _, c := range cells {
		m := c.m
		rows = append(rows, []string{c.kind.name, c.kind.shape, strconv.Itoa(c.runs[0].parameters), num(c.tuning.Chosen), m.stat("test_mse").pm("%.4f"), m.stat("masked_to_clean_mse").pm("%.4f"),
			fracPct(m.stat("inactive_code_fraction")), m.stat("probe_test_error").pct()})
	}
	r.table([]string{"autoencoder", "shape", "parameters", "lr (tuned)", "test MSE", "masked → clean MSE", "inactive code activations", "probe test error"}, rows)
	rows = nil
	for _, c := range cells {
		rows = append(rows, []string{c.kind.name, c.tuning.triedText(func(v float64) string { return fmt.Sprintf("%.4f", v) })})
	}
	r.p("Tuning (first seed): the validation reconstruction loss after training at each rate.")
	r.table([]string{"autoencoder", "lr: validation binary cross-entropy"}, rows)
	r.figure("metrics.png", "reconstruction error, denoising error, code sparsity and probe error per autoencoder, with error bars")
	r.p("Denoising (first seed): row 1 the clean test digits, row 2 the masked ones given to the autoencoders, then one row per autoencoder in the order of the table, each row labelled.")
	r.figure("denoising.png", "clean and masked test digits and every autoencoder's reconstruction of the masked digits")
	r.p("Filters (first seed): the weights of the first encoder layer's first 64 units, one tile per unit, each scaled to its own range.")
	for _, c := range cells {
		r.p("%s (%s):", c.kind.name, c.kind.shape)
		r.figure(filtersFile(c.kind.name), c.kind.name+" filters")
	}

	r.h2("What the lecture claims, and whether it held")
	at := func(name string) *aeCell {
		for _, c := range cells {
			if c.kind.name == name {
				return c
			}
		}
		return nil
	}
	under, deep, plain, sparse, dae := at("undercomplete"), at("deep"), at("plain 256"), at("sparse"), at("denoising")
	dm, um := deep.m.stat("test_mse"), under.m.stat("test_mse")
	r.verdict("A deep autoencoder (the funnel) reconstructs better than a shallow one with the same code size", pairedLower(deep.m, "test_mse", under.m, "test_mse"),
		"the interval of the per-seed difference of test MSE (deep − undercomplete) lies below 0",
		"With a %d-unit code, the deep autoencoder's test MSE is %s, the shallow undercomplete one's %s; the difference, seed by seed: %s.",
		deep.runs[0].codeUnits, dm.pm("%.4f"), um.pm("%.4f"), diffText(pairedDiff(deep.m, "test_mse", under.m, "test_mse", 1), "%+.4f"))
	si, pi := sparse.m.stat("inactive_code_fraction"), plain.m.stat("inactive_code_fraction")
	r.verdict("The L1 penalty on the code makes each input use few hidden units", pairedHigher(sparse.m, "inactive_code_fraction", plain.m, "inactive_code_fraction"),
		"the interval of the per-seed difference of the fraction of inactive code activations (sparse − the same network without the penalty) lies above 0",
		"%s of the sparse autoencoder's code activations are below %g (mean activation %s), against %s (mean %s) for the same network without the penalty; "+
			"its reconstruction error rose from %s to %s. The difference in inactive fraction, seed by seed: %s points.",
		fracPct(si), s.inactive, sparse.m.stat("mean_code").pm("%.3f"), fracPct(pi), plain.m.stat("mean_code").pm("%.3f"), plain.m.stat("test_mse").pm("%.4f"), sparse.m.stat("test_mse").pm("%.4f"),
		diffText(pairedDiff(sparse.m, "inactive_code_fraction", plain.m, "inactive_code_fraction", 1).scaled(100), "%+.1f"))
	dn, pn, in := dae.m.stat("masked_to_clean_mse"), plain.m.stat("masked_to_clean_mse"), raw.stat("masked_to_clean_mse")
	best := cells[0]
	for _, c := range cells[1:] {
		if c.m.stat("masked_to_clean_mse").Mean < best.m.stat("masked_to_clean_mse").Mean {
			best = c
		}
	}
	r.verdict("A denoising autoencoder learns to restore corrupted inputs", allOf(pairedLower(dae.m, "masked_to_clean_mse", plain.m, "masked_to_clean_mse"), pairedLower(dae.m, "masked_to_clean_mse", raw, "masked_to_clean_mse")),
		"seed by seed, the intervals of the denoising autoencoder's masked → clean MSE minus that of the same network trained without corruption, and minus the masked input's own, lie below 0",
		"Given masked test digits, the denoising autoencoder's reconstructions are %s from the clean digits (MSE), the same network trained without corruption %s, and the masked input itself %s. "+
			"The best restorer of the five on average is %s.",
		dn.pm("%.4f"), pn.pm("%.4f"), in.pm("%.4f"), best.kind.name)
	pe := raw.stat("probe_test_error")
	var parts []outcome
	var each []string
	bestProbe := cells[0]
	for _, c := range cells {
		st := c.m.stat("probe_test_error")
		o := pairedLower(c.m, "probe_test_error", raw, "probe_test_error")
		parts = append(parts, o)
		each = append(each, fmt.Sprintf("%s %s (%s)", c.kind.name, st.pct(), o))
		if st.Mean < bestProbe.m.stat("probe_test_error").Mean {
			bestProbe = c
		}
	}
	r.verdict("Autoencoders learn useful features without labels: a linear classifier on the codes beats one on the raw pixels", anyOf(parts...),
		"for some autoencoder, the interval of the per-seed difference of probe test error (codes − raw pixels) lies below 0",
		"The logistic regression reaches %s test error on the raw pixels; on the codes: %s. The best codes on average: %s.",
		pe.pct(), strings.Join(each, "; "), bestProbe.kind.name)
}
