package experiments

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// pretrainSetup is the pretraining experiment's data and budget.
type pretrainSetup struct {
	train      int   // training digits loaded (0: all of MNIST's training split)
	unlabelled int   // training digits the autoencoders see, without labels (0: all loaded)
	sizes      []int // labelled training digits (0: all loaded)
	val, test  int
	hidden     []models.Layer
	corruption models.Corruption
	preEpochs  int // per layer
	batch      int
	preLR      float64   // Adam, pretraining
	rates      []float64 // Adam's fine-tuning rate, tuned per arm and size
	minEpoch   int       // a smaller labelled set is repeated to make epochs of at least this many digits
	maxUpdates int       // fine-tuning budget
	// patienceEpoch is early stopping's initial patience, in epochs of
	// minEpoch digits or more.
	patienceEpoch int
}

func pretrainingSetup(quick bool) pretrainSetup {
	s := pretrainSetup{
		train: 0, unlabelled: 0, sizes: []int{100, 1000, 10000, 0}, val: 2000, test: 0,
		hidden:     []models.Layer{{Units: 256, Activation: models.Sigmoid}, {Units: 256, Activation: models.Sigmoid}},
		corruption: models.Corruption{Type: models.Masking, Level: 0.25},
		preEpochs:  5, batch: 50, preLR: 1e-3, rates: []float64{3e-4, 1e-3, 3e-3},
		minEpoch: 2000, maxUpdates: 3000, patienceEpoch: 5,
	}
	if quick {
		s.train, s.unlabelled, s.sizes, s.val, s.test = 1000, 0, []int{100, 0}, 300, 500
		s.preEpochs, s.maxUpdates, s.patienceEpoch, s.minEpoch = 1, 120, 2, 500
		s.rates = []float64{1e-3, 3e-3}
		s.hidden = []models.Layer{{Units: 128, Activation: models.Sigmoid}, {Units: 128, Activation: models.Sigmoid}}
	}
	return s
}

// fineTune is one fine-tuning run.
type fineTune struct {
	size       int
	pretrained bool
	seed       uint64
	lr         float64
	c          *curve
	rule       *earlystop.Patience
	task       *train.Classifier // until measured
	val, test  infer.Metrics
}

func (f *fineTune) close() {
	if f.task != nil {
		f.task.Close()
		f.task = nil
	}
}

// pretrainArm is one arm at one labelled-set size: its tuning and a run
// per seed.
type pretrainArm struct {
	size       int
	pretrained bool
	tuning     *tuning
	runs       []*fineTune
	m          *methodStats
}

func (a *pretrainArm) name() string { return armName(a.pretrained) }

func armName(pretrained bool) string {
	if pretrained {
		return "SDAE (pretrained)"
	}
	return "MLP (no pretraining)"
}

// seedStart is what one seed fine-tunes from: the initial weights, and
// the same weights after greedy pretraining.
type seedStart struct {
	initial, pretrained []*models.Param
	pre                 []train.LayerRecord
	stack               *models.Stacked
}

// Pretraining is the experiment pretraining (docs/lecture.md §6, stacked
// denoising autoencoders): an MLP (784-256-256-10, sigmoid) whose hidden
// layers are first trained greedily as denoising autoencoders on unlabelled
// digits (train.Pretrain; Vincent et al. 2010), then fine-tuned on a
// labelled set, against the same MLP from the same initial weights
// fine-tuned without pretraining, for several sizes of the labelled set up
// to all training digits. Both fine-tune with Adam under the patience rule
// on the validation error and keep their best model; each arm's
// fine-tuning rate is tuned per size on the validation error, and every
// arm is trained with several seeds.
//
// It writes results.csv, pretraining.csv, curves.csv, tuning.csv,
// pretraining.png, filters.png, results.json and report.md.
func Pretraining(ctx context.Context, o Options) error {
	l, err := newLab("pretraining", o)
	if err != nil {
		return err
	}
	s := pretrainingSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	all := data.Train.Len()
	for i, n := range s.sizes {
		if n == 0 || n > all {
			s.sizes[i] = all
		}
	}
	if s.unlabelled == 0 || s.unlabelled > all {
		s.unlabelled = all
	}
	cfg := models.MLPConfig{Inputs: data.Train.Dim(), Hidden: s.hidden, Classes: data.Train.Classes}
	seeds := l.seeds()
	starts := map[uint64]*seedStart{}
	for _, seed := range seeds {
		if starts[seed], err = pretrainSeed(ctx, l.at(seed), s, cfg, data); err != nil {
			return err
		}
	}
	r := l.report("Stacked denoising autoencoders: pretraining against fewer labels")
	var arms []*pretrainArm
	for _, n := range s.sizes {
		labelled := repeatTo(data.Train.Slice(0, n), s.minEpoch)
		for _, withPre := range []bool{false, true} {
			run := func(seed uint64, lr float64) (*fineTune, error) {
				start := starts[seed].initial
				if withPre {
					start = starts[seed].pretrained
				}
				return fineTuneOne(ctx, l.at(seed), s, cfg, start, n, withPre, lr, labelled, data.Validation)
			}
			arm := &pretrainArm{size: n, pretrained: withPre}
			tn, err := tune(ctx, l, fmt.Sprintf("%d labels, %s", n, arm.name()), "best validation error (early stopping)", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(o.Quick)},
				func(lr float64) (*fineTune, float64, error) {
					ft, err := run(seeds[0], lr)
					if err != nil {
						return nil, 0, err
					}
					return ft, ft.val.Error, nil
				}, (*fineTune).close)
			if err != nil {
				return err
			}
			arm.tuning = tn.tuning
			arm.m = r.res.method(fmt.Sprintf("%s, %d labels", arm.name(), n), map[string]any{"labels": n, "pretrained": withPre, "lr": tn.Chosen}, tn.tuning)
			for i, seed := range seeds {
				ft := tn.Run
				if i > 0 {
					if ft, err = run(seed, tn.Chosen); err != nil {
						return err
					}
				}
				if err := ft.measure(data.Test); err != nil {
					return l.errorf("%d labels: %w", n, err)
				}
				arm.runs = append(arm.runs, ft)
				l.logf("seed %d  %5d labels, %-20s lr %g: best at update %d of %d, validation error %s, test error %s", seed, n, arm.name(), ft.lr, ft.bestUpdate(), ft.c.updates(), pct(ft.val.Error), pct(ft.test.Error))
			}
			arms = append(arms, arm)
		}
		// Each seed's measures, with the SDAE's advantage over the MLP of
		// the same seed (same initial weights, same labelled digits).
		mlp, sdae := arms[len(arms)-2], arms[len(arms)-1]
		for i, seed := range seeds {
			mlp.m.add(seed, mlp.runs[i].measures())
			m := sdae.runs[i].measures()
			m["test_error_advantage"] = mlp.runs[i].test.Error - sdae.runs[i].test.Error
			sdae.m.add(seed, m)
		}
	}
	if err := writePretrainData(l, starts, seeds, arms); err != nil {
		return err
	}
	first := starts[seeds[0]]
	if err := writePretrainFigures(l, s, arms, first.stack, first.initial); err != nil {
		return err
	}
	pretrainReport(r, s, first.pre, arms, data, seeds)
	return l.finish(r)
}

// pretrainSeed draws the seed's initial weights and pretrains a copy of
// them greedily on the unlabelled digits.
func pretrainSeed(ctx context.Context, l *lab, s pretrainSetup, cfg models.MLPConfig, data *datasets.Splits) (*seedStart, error) {
	stack, err := models.NewStacked(cfg, l.rand("init"))
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	st := &seedStart{initial: cloneParams(stack.MLP.Params()), stack: stack}
	unlabelled := data.Train.Slice(0, s.unlabelled)
	pc := train.PretrainConfig{BatchSize: 100}
	for k := range s.hidden {
		opt, err := newOptimizer("adam", map[string]float64{"lr": s.preLR})
		if err != nil {
			return nil, err
		}
		pc.Stages = append(pc.Stages, train.NewStage(s.hidden, k, train.StageOptions{Epochs: s.preEpochs, Optimizer: opt, Corruption: s.corruption, Tied: true, Source: l.source}))
	}
	if st.pre, err = train.Pretrain(ctx, stack, unlabelled, data.Validation, pc); err != nil {
		return nil, l.errorf("pretraining: %w", err)
	}
	for _, p := range st.pre {
		l.logf("seed %d: pretraining layer %d epoch %d: reconstruction loss %.4f (validation %.4f)", l.o.Seed, p.Layer+1, p.Epoch, p.TrainLoss, p.Val.Loss)
	}
	st.pretrained = cloneParams(stack.MLP.Params())
	return st, nil
}

func (f *fineTune) name() string { return armName(f.pretrained) }

func (f *fineTune) bestUpdate() int {
	t, _ := f.rule.Best()
	return t
}

// repeatTo returns s repeated until it holds at least n examples (s itself
// if it already does), so that an epoch of a small labelled set is long
// enough between two validations.
func repeatTo(s *datasets.Set, n int) *datasets.Set {
	if s.Len() >= n {
		return s
	}
	times := (n + s.Len() - 1) / s.Len()
	out := &datasets.Set{Name: fmt.Sprintf("%s ×%d", s.Name, times), Shape: s.Shape, Classes: s.Classes}
	for range times {
		out.X = append(out.X, s.X...)
		out.Labels = append(out.Labels, s.Labels...)
	}
	return out
}

// fineTuneOne trains an MLP from the given weights on the labelled set
// under early stopping and measures its best model on validation; the run
// keeps its task for measure.
func fineTuneOne(ctx context.Context, l *lab, s pretrainSetup, cfg models.MLPConfig, start []*models.Param, n int, withPre bool, lr float64, labelled, val *datasets.Set) (*fineTune, error) {
	m, err := models.NewMLP(cfg, l.rand("unused")) // weights replaced below
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	if err := models.CopyParams(m.Params(), start); err != nil {
		return nil, l.errorf("%w", err)
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": lr})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	perEpoch := labelled.Len() / s.batch
	run := &fineTune{size: n, pretrained: withPre, seed: l.o.Seed, lr: lr, task: task,
		rule: &earlystop.Patience{Every: 0, Patience: s.patienceEpoch * perEpoch, Increase: 2, Mode: earlystop.Mul}}
	run.c, err = fit(ctx, run.name(), task, labelled, val, fitConfig{
		Config: train.Config{Epochs: max(1, s.maxUpdates/perEpoch), Shuffle: l.rand(fmt.Sprintf("shuffle/%d", n)), EarlyStop: run.rule, StopMetric: "error"},
	})
	if err == nil && run.c.Diverged {
		err = fmt.Errorf("diverged at update %d", run.c.DivergedAt)
	}
	if err == nil {
		run.val, err = task.Evaluate(val)
	}
	if err != nil {
		run.close()
		return nil, l.errorf("%d labels, %s, lr %g: %w", n, run.name(), lr, err)
	}
	return run, nil
}

// measure scores the run's best model on the test set, once, and releases
// its task.
func (f *fineTune) measure(test *datasets.Set) error {
	defer f.close()
	var err error
	f.test, err = f.task.Evaluate(test)
	return err
}

// measures are the run's results.json measures.
func (f *fineTune) measures() map[string]float64 {
	return map[string]float64{"val_error": f.val.Error, "test_error": f.test.Error, "test_loss": f.test.Loss,
		"best_update": float64(f.bestUpdate()), "updates": float64(f.c.updates())}
}

func writePretrainData(l *lab, starts map[uint64]*seedStart, seeds []uint64, arms []*pretrainArm) error {
	var rows [][]string
	for _, a := range arms {
		for _, r := range a.runs {
			rows = append(rows, []string{strconv.Itoa(r.size), strconv.FormatBool(r.pretrained), strconv.FormatUint(r.seed, 10), num(r.lr), strconv.Itoa(r.bestUpdate()), strconv.Itoa(r.c.updates()),
				num(r.val.Error), num(r.test.Error), num(r.test.Loss)})
		}
	}
	if err := l.writeCSV("results.csv", []string{"labelled", "pretrained", "seed", "lr", "best_update", "updates", "val_error", "test_error", "test_loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, seed := range seeds {
		for _, p := range starts[seed].pre {
			rows = append(rows, []string{strconv.FormatUint(seed, 10), strconv.Itoa(p.Layer), strconv.Itoa(p.Epoch), num(p.TrainLoss), num(p.Val.Loss)})
		}
	}
	if err := l.writeCSV("pretraining.csv", []string{"seed", "layer", "epoch", "train_loss", "val_reconstruction_loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, a := range arms {
		for _, r := range a.runs {
			for _, e := range r.c.Epochs {
				rows = append(rows, []string{strconv.Itoa(r.size), strconv.FormatBool(r.pretrained), strconv.FormatUint(r.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(e.Val.Error)})
			}
		}
	}
	if err := l.writeCSV("curves.csv", []string{"labelled", "pretrained", "seed", "epoch", "updates", "train_loss", "val_error"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, a := range arms {
		for _, t := range a.tuning.Tried {
			rows = append(rows, []string{strconv.Itoa(a.size), strconv.FormatBool(a.pretrained), num(t.Value), num(*t.Score), strconv.FormatBool(t.Value == a.tuning.Chosen)})
		}
	}
	return l.writeCSV("tuning.csv", []string{"labelled", "pretrained", "lr", "val_error", "chosen"}, rows)
}

func writePretrainFigures(l *lab, s pretrainSetup, arms []*pretrainArm, stack *models.Stacked, initial []*models.Param) error {
	byN := &chart{Title: "Test error against the number of labelled digits (mean ± sd over the seeds)", XLabel: "labelled training digits (log scale)", YLabel: "test error (log scale)", LogX: true, LogY: true}
	curves := &chart{Title: "Validation error during fine-tuning (first seed)", XLabel: "update", YLabel: "validation error (log scale)", LogY: true}
	for i, pre := range []bool{false, true} {
		// The arms are drawn a little apart on the log axis, so that their
		// error bars do not cover each other.
		shift := []float64{1 / 1.04, 1.04}[i]
		var x, y, e []float64
		for _, a := range arms {
			if a.pretrained == pre {
				st := a.m.stat("test_error")
				x, y, e = append(x, shift*float64(a.size)), append(y, st.Mean), append(e, st.SD)
				for _, r := range a.runs {
					byN.Markers = append(byN.Markers, marker{X: shift * float64(a.size), Y: r.test.Error, Color: paletteColor(i), Shape: circle(), Small: true})
				}
			}
		}
		byN.Series = append(byN.Series, series{Name: armName(pre), X: x, Y: y, Err: e, Points: true, Color: paletteColor(i)})
	}
	for _, a := range arms {
		r := a.runs[0]
		var x, y []float64
		for _, e := range r.c.Epochs {
			x = append(x, float64(e.Updates))
			y = append(y, e.Val.Error)
		}
		col := paletteColor(0)
		if r.pretrained {
			col = paletteColor(1)
		}
		curves.Series = append(curves.Series, series{Name: fmt.Sprintf("%d labels, %s", r.size, r.name()), X: x, Y: y, Color: col,
			Dashed: r.size != s.sizes[len(s.sizes)-1], Thin: r.size == s.sizes[0]})
	}
	if err := writeCharts(l.file("pretraining.png"), 2, 6*vg.Inch, 4.5*vg.Inch, byN, curves); err != nil {
		return err
	}
	// The first layer's filters before and after pretraining.
	w := stack.Encoders()[0]
	tiles := append(filterRows(initial[0].Float64s(), w.In(), w.Out(), 32, 16), filterRows(w.W.Float64s(), w.In(), w.Out(), 32, 16)...)
	img, err := images.Grid(tiles, 28, 28, 2)
	if err != nil {
		return l.errorf("%w", err)
	}
	return images.WritePNG(l.file("filters.png"), img)
}

// filterRows returns the first n columns of a [in, out] weight matrix as
// image tiles, each scaled to its own range, cols to a row.
func filterRows(w []float64, in, out, n, cols int) [][][]float32 {
	var rows [][][]float32
	for j := range min(n, out) {
		col := make([]float64, in)
		for i := range in {
			col[i] = w[i*out+j]
		}
		if j%cols == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], scaleTile(col))
	}
	return rows
}

func pretrainReport(r *report, s pretrainSetup, pre []train.LayerRecord, arms []*pretrainArm, data *datasets.Splits, seeds []uint64) {
	r.p("An MLP 784-%d-%d-10 with sigmoid hidden units, two ways from the same initial weights. "+
		"**SDAE**: each hidden layer is first trained greedily as a denoising autoencoder (`train.Pretrain`: tied decoder, sigmoid reconstruction, binary cross-entropy, "+
		"%s of its inputs masked, Adam lr %g, %d epochs per layer) on the first %d training digits without their labels, layer 1 on the codes of layer 0; "+
		"then the whole network is fine-tuned on a labelled set. **MLP**: the same network fine-tuned on the same labelled set without pretraining. "+
		"Labelled sets: the first %s training digits (%d is all of them; a set smaller than %d is repeated so that an epoch holds at least %d digits). "+
		"Fine-tuning: Adam, batch %d, at most %d updates, under the lecture's patience rule on the validation error (%d digits; initial patience %d epochs, doubled to 2t on a new best at update t), keeping the best model; "+
		"test error on %d test digits. Data: `results.csv`, `pretraining.csv`, `curves.csv`, `tuning.csv`, `results.json`.",
		s.hidden[0].Units, s.hidden[1].Units, pct(s.corruption.Level), s.preLR, s.preEpochs, s.unlabelled, joinInts(s.sizes), s.sizes[len(s.sizes)-1], s.minEpoch, s.minEpoch,
		s.batch, s.maxUpdates, data.Validation.Len(), s.patienceEpoch, data.Test.Len())
	r.seedsNote(seeds, "the initial weights (both arms start from the seed's weights), the pretraining's corruption masks and batch order, and the fine-tuning's batch order",
		fmt.Sprintf("Each arm's fine-tuning rate is chosen per labelled-set size from %s by the best validation error with the first seed; the test set is measured once, with every seed, at that rate. "+
			"Pretraining itself (its rate, epochs and corruption) is not tuned.", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(r.res.Quick)}))
	var rows [][]string
	for i := 0; i+1 < len(arms); i += 2 {
		mlp, sdae := arms[i], arms[i+1]
		rows = append(rows, []string{strconv.Itoa(mlp.size), num(mlp.tuning.Chosen) + " / " + num(sdae.tuning.Chosen), mlp.m.stat("test_error").pct(), sdae.m.stat("test_error").pct(),
			sdae.m.stat("test_error_advantage").scaled(100).pm("%+.2f") + " points", mlp.m.stat("best_update").pm("%.0f") + " / " + sdae.m.stat("best_update").pm("%.0f")})
	}
	r.table([]string{"labelled digits", "lr (MLP / SDAE)", "MLP test error", "SDAE test error", "MLP − SDAE (per seed)", "best update (MLP / SDAE)"}, rows)
	rows = nil
	for _, a := range arms {
		rows = append(rows, []string{strconv.Itoa(a.size), a.name(), a.tuning.triedText(pct)})
	}
	r.p("Tuning (first seed): the best validation error of each fine-tuning rate.")
	r.table([]string{"labelled digits", "arm", "lr: validation error"}, rows)
	r.figure("pretraining.png", "test error against labelled-set size with error bars, and validation error during fine-tuning")
	var prows [][]string
	// Layers counted from 1, as the log; pretraining.csv keeps
	// metrics.csv's 0-based layer.
	for _, p := range pre {
		prows = append(prows, []string{strconv.Itoa(p.Layer + 1), strconv.Itoa(p.Epoch), fmt.Sprintf("%.4f", p.TrainLoss), fmt.Sprintf("%.4f", p.Val.Loss)})
	}
	r.p("Pretraining with the first seed, per layer and epoch (reconstruction loss: binary cross-entropy per input, of the corrupted input's reconstruction during training, of the clean validation digits after each epoch; `pretraining.csv` has every seed):")
	r.table([]string{"layer", "epoch", "training loss", "validation loss"}, prows)
	r.p("The first layer's first 32 units before (top two rows) and after (bottom two rows) pretraining with the first seed, one tile per unit, each scaled to its own range.")
	r.figure("filters.png", "first-layer filters before and after pretraining")

	r.h2("What the lecture claims, and whether it held")
	small, large := arms[0:2], arms[len(arms)-2:]
	sm, ss := small[0].m.stat("test_error"), small[1].m.stat("test_error")
	helps := pairedLower(small[1].m, "test_error", small[0].m, "test_error")
	r.verdict("Pretraining on unlabelled data helps when labels are scarce", helps,
		fmt.Sprintf("with %d labelled digits, the interval of the per-seed difference of test error (SDAE − MLP, the same initial weights and labelled digits) lies below 0", small[0].size),
		"With %d labelled digits, the SDAE's test error is %s against the MLP's %s; the difference, seed by seed: %s points.",
		small[0].size, ss.pct(), sm.pct(), diffText(pairedDiff(small[1].m, "test_error", small[0].m, "test_error", 1).scaled(100), "%+.2f"))
	var gaps []string
	for i := 1; i < len(arms); i += 2 {
		g := arms[i].m.stat("test_error_advantage")
		gaps = append(gaps, fmt.Sprintf("%d labels %s points", arms[i].size, g.scaled(100).pm("%+.2f")))
	}
	r.verdict("…and its advantage shrinks as labels become plentiful", allOf(helps, pairedHigher(small[1].m, "test_error_advantage", large[1].m, "test_error_advantage")),
		fmt.Sprintf("the claim above held, and the interval of the per-seed difference of the advantage (MLP's test error − SDAE's) with %d labels minus that with %d lies above 0", small[0].size, large[0].size),
		"The MLP's test error minus the SDAE's, seed by seed: %s. The advantage with %d labels minus that with %d: %s points.",
		strings.Join(gaps, ", "), small[0].size, large[0].size, diffText(pairedDiff(small[1].m, "test_error_advantage", large[1].m, "test_error_advantage", 1).scaled(100), "%+.2f"))
}

func joinInts(v []int) string {
	var out string
	for i, x := range v {
		switch {
		case i == 0:
		case i == len(v)-1:
			out += " and "
		default:
			out += ", "
		}
		out += strconv.Itoa(x)
	}
	return out
}
