package experiments

import (
	"context"
	"fmt"
	"strconv"

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
	unlabelled    int   // training digits the autoencoders see, without labels
	sizes         []int // labelled training digits
	val, test     int
	hidden        []models.Layer
	corruption    models.Corruption
	preEpochs     int // per layer
	batch         int
	lr            float64 // Adam, pretraining and fine-tuning
	minEpoch      int     // a smaller labelled set is repeated to make epochs of at least this many digits
	maxUpdates    int     // fine-tuning budget
	patienceEpoch int     // early stopping's initial patience, in epochs
}

func pretrainingSetup(quick bool) pretrainSetup {
	s := pretrainSetup{
		unlabelled: 20000, sizes: []int{100, 1000, 10000}, val: 2000, test: 0,
		hidden:     []models.Layer{{Units: 256, Activation: models.Sigmoid}, {Units: 256, Activation: models.Sigmoid}},
		corruption: models.Corruption{Type: models.Masking, Level: 0.25},
		preEpochs:  5, batch: 50, lr: 1e-3, minEpoch: 1000, maxUpdates: 3000, patienceEpoch: 10,
	}
	if quick {
		s.unlabelled, s.sizes, s.val, s.test = 1000, []int{100, 300}, 300, 500
		s.preEpochs, s.maxUpdates, s.patienceEpoch, s.minEpoch = 1, 120, 2, 500
	}
	return s
}

// fineTune is one fine-tuning run.
type fineTune struct {
	size       int
	pretrained bool
	c          *curve
	rule       *earlystop.Patience
	val, test  infer.Metrics
}

// Pretraining is the experiment pretraining (docs/lecture.md §6, stacked
// denoising autoencoders): an MLP (784-256-256-10, sigmoid) whose hidden
// layers are first trained greedily as denoising autoencoders on unlabelled
// digits (train.Pretrain; Vincent et al. 2010), then fine-tuned on a
// labelled set, against the same MLP from the same initial weights
// fine-tuned without pretraining, for several sizes of the labelled set.
// Both fine-tune with Adam under the patience rule on the validation error
// and keep their best model.
//
// It writes results.csv, pretraining.csv, curves.csv, pretraining.png,
// filters.png and report.md.
func Pretraining(ctx context.Context, o Options) error {
	l, err := newLab("pretraining", o)
	if err != nil {
		return err
	}
	s := pretrainingSetup(o.Quick)
	data, err := l.mnist(max(s.unlabelled, s.sizes[len(s.sizes)-1]), s.val, s.test)
	if err != nil {
		return err
	}
	cfg := models.MLPConfig{Inputs: data.Train.Dim(), Hidden: s.hidden, Classes: data.Train.Classes}
	stack, err := models.NewStacked(cfg, l.rand("init"))
	if err != nil {
		return l.errorf("%w", err)
	}
	initial := cloneParams(stack.MLP.Params())

	// Greedy layer-wise pretraining on the unlabelled digits.
	unlabelled := data.Train.Slice(0, s.unlabelled)
	pc := train.PretrainConfig{BatchSize: 100}
	for k := range s.hidden {
		opt, err := newOptimizer("adam", map[string]float64{"lr": s.lr})
		if err != nil {
			return err
		}
		pc.Stages = append(pc.Stages, train.NewStage(s.hidden, k, train.StageOptions{Epochs: s.preEpochs, Optimizer: opt, Corruption: s.corruption, Tied: true, Source: l.source}))
	}
	pre, err := train.Pretrain(ctx, stack, unlabelled, data.Validation, pc)
	if err != nil {
		return l.errorf("pretraining: %w", err)
	}
	for _, p := range pre {
		l.logf("pretraining layer %d epoch %d: reconstruction loss %.4f (validation %.4f)", p.Layer+1, p.Epoch, p.TrainLoss, p.Val.Loss)
	}
	pretrained := cloneParams(stack.MLP.Params())

	var runs []*fineTune
	for _, n := range s.sizes {
		labelled := repeatTo(data.Train.Slice(0, n), s.minEpoch)
		for _, withPre := range []bool{false, true} {
			if err := ctx.Err(); err != nil {
				return err
			}
			start := initial
			if withPre {
				start = pretrained
			}
			run, err := fineTuneOne(ctx, l, s, cfg, start, n, withPre, labelled, data.Validation, data.Test)
			if err != nil {
				return err
			}
			runs = append(runs, run)
			l.logf("%5d labels, %-15s best at update %d of %d: validation error %s, test error %s", n, run.name(), run.bestUpdate(), run.c.updates(), pct(run.val.Error), pct(run.test.Error))
		}
	}
	if err := writePretrainData(l, pre, runs); err != nil {
		return err
	}
	if err := writePretrainFigures(l, s, runs, stack, initial); err != nil {
		return err
	}
	return l.finish(pretrainReport(s, pre, runs, data, o.Quick))
}

func (f *fineTune) name() string {
	if f.pretrained {
		return "SDAE (pretrained)"
	}
	return "MLP (no pretraining)"
}

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
// under early stopping and measures its best model.
func fineTuneOne(ctx context.Context, l *lab, s pretrainSetup, cfg models.MLPConfig, start []*models.Param, n int, withPre bool, labelled, val, test *datasets.Set) (*fineTune, error) {
	m, err := models.NewMLP(cfg, l.rand("unused")) // weights replaced below
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	if err := models.CopyParams(m.Params(), start); err != nil {
		return nil, l.errorf("%w", err)
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": s.lr})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	defer task.Close()
	perEpoch := labelled.Len() / s.batch
	run := &fineTune{size: n, pretrained: withPre,
		rule: &earlystop.Patience{Every: 0, Patience: s.patienceEpoch * perEpoch, Increase: 2, Mode: earlystop.Mul}}
	run.c, err = fit(ctx, run.name(), task, labelled, val, fitConfig{
		Config: train.Config{Epochs: max(1, s.maxUpdates/perEpoch), Shuffle: l.rand(fmt.Sprintf("shuffle/%d", n)), EarlyStop: run.rule, StopMetric: "error"},
	})
	if err != nil {
		return nil, l.errorf("%d labels: %w", n, err)
	}
	if run.c.Diverged {
		return nil, l.errorf("%d labels, %s: diverged at update %d", n, run.name(), run.c.DivergedAt)
	}
	if run.val, err = task.Evaluate(val); err == nil {
		run.test, err = task.Evaluate(test)
	}
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	return run, nil
}

func writePretrainData(l *lab, pre []train.LayerRecord, runs []*fineTune) error {
	var rows [][]string
	for _, r := range runs {
		rows = append(rows, []string{strconv.Itoa(r.size), strconv.FormatBool(r.pretrained), strconv.Itoa(r.bestUpdate()), strconv.Itoa(r.c.updates()),
			num(r.val.Error), num(r.test.Error), num(r.test.Loss)})
	}
	if err := l.writeCSV("results.csv", []string{"labelled", "pretrained", "best_update", "updates", "val_error", "test_error", "test_loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, p := range pre {
		rows = append(rows, []string{strconv.Itoa(p.Layer), strconv.Itoa(p.Epoch), num(p.TrainLoss), num(p.Val.Loss)})
	}
	if err := l.writeCSV("pretraining.csv", []string{"layer", "epoch", "train_loss", "val_reconstruction_loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for _, e := range r.c.Epochs {
			rows = append(rows, []string{strconv.Itoa(r.size), strconv.FormatBool(r.pretrained), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(e.Val.Error)})
		}
	}
	return l.writeCSV("curves.csv", []string{"labelled", "pretrained", "epoch", "updates", "train_loss", "val_error"}, rows)
}

func writePretrainFigures(l *lab, s pretrainSetup, runs []*fineTune, stack *models.Stacked, initial []*models.Param) error {
	byN := &chart{Title: "Test error against the number of labelled digits", XLabel: "labelled training digits (log scale)", YLabel: "test error (log scale)", LogX: true, LogY: true}
	curves := &chart{Title: "Validation error during fine-tuning", XLabel: "update", YLabel: "validation error (log scale)", LogY: true}
	for i, pre := range []bool{false, true} {
		var x, y []float64
		for _, r := range runs {
			if r.pretrained == pre {
				x = append(x, float64(r.size))
				y = append(y, r.test.Error)
			}
		}
		name := "MLP (no pretraining)"
		if pre {
			name = "SDAE (pretrained)"
		}
		byN.Series = append(byN.Series, series{Name: name, X: x, Y: y, Points: true, Color: paletteColor(i)})
	}
	for _, r := range runs {
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

func pretrainReport(s pretrainSetup, pre []train.LayerRecord, runs []*fineTune, data *datasets.Splits, quick bool) *report {
	r := newReport("Stacked denoising autoencoders: pretraining against fewer labels", quick)
	r.p("An MLP 784-%d-%d-10 with sigmoid hidden units, two ways from the same initial weights. "+
		"**SDAE**: each hidden layer is first trained greedily as a denoising autoencoder (`train.Pretrain`: tied decoder, sigmoid reconstruction, binary cross-entropy, "+
		"%s of its inputs masked, Adam lr %g, %d epochs per layer) on the first %d training digits without their labels, layer 1 on the codes of layer 0; "+
		"then the whole network is fine-tuned on a labelled set. **MLP**: the same network fine-tuned on the same labelled set without pretraining. "+
		"Labelled sets: the first %s training digits (a set smaller than %d is repeated so that an epoch holds at least %d digits). "+
		"Fine-tuning: Adam lr %g, batch %d, at most %d updates, under the lecture's patience rule on the validation error (%d digits; initial patience %d epochs, doubled to 2t on a new best at update t), keeping the best model; "+
		"test error on %d test digits. Data: `results.csv`, `pretraining.csv`, `curves.csv`.",
		s.hidden[0].Units, s.hidden[1].Units, pct(s.corruption.Level), s.lr, s.preEpochs, s.unlabelled, joinInts(s.sizes), s.minEpoch, s.minEpoch,
		s.lr, s.batch, s.maxUpdates, data.Validation.Len(), s.patienceEpoch, data.Test.Len())
	var rows [][]string
	gaps := map[int]float64{}
	for i := 0; i+1 < len(runs); i += 2 {
		mlp, sdae := runs[i], runs[i+1]
		gaps[mlp.size] = mlp.test.Error - sdae.test.Error
		rows = append(rows, []string{strconv.Itoa(mlp.size), pct(mlp.test.Error), pct(sdae.test.Error), fmt.Sprintf("%+.2f points", 100*gaps[mlp.size]),
			fmt.Sprintf("%d / %d", mlp.bestUpdate(), sdae.bestUpdate())})
	}
	r.table([]string{"labelled digits", "MLP test error", "SDAE test error", "MLP − SDAE", "best update (MLP / SDAE)"}, rows)
	r.figure("pretraining.png", "test error against labelled-set size, and validation error during fine-tuning")
	var prows [][]string
	// Layers counted from 1, as the log; pretraining.csv keeps
	// metrics.csv's 0-based layer.
	for _, p := range pre {
		prows = append(prows, []string{strconv.Itoa(p.Layer + 1), strconv.Itoa(p.Epoch), fmt.Sprintf("%.4f", p.TrainLoss), fmt.Sprintf("%.4f", p.Val.Loss)})
	}
	r.p("Pretraining, per layer and epoch (reconstruction loss: binary cross-entropy per input, of the corrupted input's reconstruction during training, of the clean validation digits after each epoch):")
	r.table([]string{"layer", "epoch", "training loss", "validation loss"}, prows)
	r.p("The first layer's first 32 units before (top two rows) and after (bottom two rows) pretraining, one tile per unit, each scaled to its own range.")
	r.figure("filters.png", "first-layer filters before and after pretraining")

	r.h2("What the lecture claims, and whether it held")
	small, large := s.sizes[0], s.sizes[len(s.sizes)-1]
	r.claim("Pretraining on unlabelled data helps when labels are scarce", gaps[small] > 0,
		"With %d labelled digits, the SDAE's test error is %s against the MLP's %s.", small, pct(runs[1].test.Error), pct(runs[0].test.Error))
	helped := 0
	for _, n := range s.sizes {
		if gaps[n] > 0 {
			helped++
		}
	}
	r.claim("…and its advantage shrinks as labels become plentiful", gaps[small] > 0 && gaps[large] < gaps[small],
		"The MLP's test error minus the SDAE's went from %+.2f points with %d labels to %+.2f points with %d; pretraining lowered the test error at %d of the %d sizes. "+
			"The claim counts as held when there was an advantage with the fewest labels and it is smaller with the most.",
		100*gaps[small], small, 100*gaps[large], large, helped, len(s.sizes))
	return r
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
