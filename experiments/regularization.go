package experiments

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// The regularization experiment's measures.
const (
	nearZero = 1e-3 // |w| below this counts as zero
	// relZero is the scale-free threshold: |w| below relZero × the
	// network's own mean |w|. A penalty that multiplies every weight by
	// the same factor does not change the fraction below it.
	relZero   = 0.02
	histRange = 0.2 // the value histograms cover [−histRange, histRange]
	histBins  = 100
	dropInput = 0.2 // dropout's rate on the inputs; the hidden rate is tuned
)

// regMethod is one regularizer of the comparison, with the grid its
// strength is tuned over (none for "none").
type regMethod struct {
	name string
	grid tuneGrid
	// at returns the method at strength v: its description and what it
	// adds to the training.
	at func(v float64) regSetting
}

// regSetting is a regularizer at one strength.
type regSetting struct {
	detail    string
	drop      models.Dropout
	penalties []train.Penalty
	noise     regularizers.Noise
}

func regMethods(quick bool) []regMethod {
	pick := func(full, q []float64) []float64 {
		if quick {
			return q
		}
		return full
	}
	return []regMethod{
		{name: "none", at: func(float64) regSetting { return regSetting{detail: "no regularization"} }},
		{name: "L1", grid: tuneGrid{Param: "lambda", Values: pick([]float64{1e-5, 3e-5, 1e-4, 3e-4}, []float64{1e-5, 3e-4}), Extend: gridExtend(quick)},
			at: func(v float64) regSetting {
				return regSetting{detail: fmt.Sprintf("λ‖W‖₁ on every weight matrix, λ = %g", v), penalties: []train.Penalty{weightPenalty(v, regularizers.L1)}}
			}},
		{name: "L2", grid: tuneGrid{Param: "lambda", Values: pick([]float64{1e-3, 3e-3, 1e-2, 3e-2}, []float64{1e-3, 1e-2}), Extend: gridExtend(quick)},
			at: func(v float64) regSetting {
				return regSetting{detail: fmt.Sprintf("λ‖W‖₂² on every weight matrix, λ = %g", v), penalties: []train.Penalty{weightPenalty(v, regularizers.L2)}}
			}},
		{name: "dropout", grid: tuneGrid{Param: "p", Values: pick([]float64{0.25, 0.5, 0.75}, []float64{0.25, 0.5})},
			at: func(v float64) regSetting {
				return regSetting{detail: fmt.Sprintf("inverted dropout, p = %g on the inputs and %g after each hidden layer", dropInput, v),
					drop: models.Dropout{Input: dropInput, Hidden: []float64{v}}}
			}},
		{name: "input noise", grid: tuneGrid{Param: "sigma", Values: pick([]float64{0.1, 0.3, 0.5, 1}, []float64{0.1, 0.5}), Extend: gridExtend(quick)},
			at: func(v float64) regSetting {
				return regSetting{detail: fmt.Sprintf("x + θ, θ ~ N(0, %g²), a new draw per example and update", v), noise: regularizers.Noise{Method: regularizers.Random, Sigma: v}}
			}},
	}
}

// regRun is one method's run with one seed.
type regRun struct {
	method          string
	seed            uint64
	c               *curve
	task            *train.Classifier // until measured
	model           *models.MLP
	train, val      infer.Metrics
	test            infer.Metrics
	weights         []float64 // every weight matrix entry after training
	first           []float64 // the first layer's weights
	zero, meanAbs   float64   // fraction |w| < nearZero, mean |w|
	relZero         float64   // fraction |w| < relZero × mean |w|
	firstZero       float64   // fraction |w| < nearZero in the first layer
	rowsDead, rowsN int       // first-layer input rows whose weights are all near zero
}

func (r *regRun) close() {
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// regCell is one method: its tuning, its setting, and a run per seed.
type regCell struct {
	method  regMethod
	setting regSetting
	tuning  *tuning // nil for none
	runs    []*regRun
	m       *methodStats
}

// Regularization is the experiment regularization (docs/lecture.md §5) on the
// over-fitting setup of early-stopping (see overfitSetup): the same network
// from the same weights on the same batches, trained for the whole budget
// without regularization, with an L1 penalty, with an L2 penalty, with
// dropout and with Gaussian input noise, each at the strength that gave
// the lowest validation error, with several seeds. It reports the test
// error of each and looks at the weights: their histogram, the fraction
// near zero and their mean magnitude (L1 should set many to zero, L2
// shrink them without zeroing).
//
// It writes results.csv, epochs.csv, tuning.csv, weights.png,
// magnitudes.png, curves.png, results.json and report.md.
func Regularization(ctx context.Context, o Options) error {
	l, err := newLab("regularization", o)
	if err != nil {
		return err
	}
	s := overfittingSetup(o.Quick)
	clean, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	seeds := l.seeds()
	data := map[uint64]*datasets.Splits{}
	flipped := map[uint64]int{}
	for _, seed := range seeds {
		data[seed], flipped[seed] = withLabelNoise(l.at(seed), s, clean)
	}
	r := l.report("Regularization on an over-fitting network")
	var init, initFirst []float64
	var cells []*regCell
	for _, m := range regMethods(o.Quick) {
		run := func(seed uint64, set regSetting) (*regRun, error) {
			return regRunOne(ctx, l.at(seed), s, m.name, set, data[seed])
		}
		cell := &regCell{method: m}
		var first *regRun
		settings := map[string]any{}
		if len(m.grid.Values) == 0 {
			cell.setting = m.at(0)
			if first, err = run(seeds[0], cell.setting); err != nil {
				return err
			}
		} else {
			tn, err := tune(ctx, l, m.name, "validation error after training", m.grid,
				func(v float64) (*regRun, float64, error) {
					rr, err := run(seeds[0], m.at(v))
					if err != nil {
						return nil, 0, err
					}
					return rr, rr.val.Error, nil
				}, (*regRun).close)
			if err != nil {
				return err
			}
			first, cell.tuning, cell.setting = tn.Run, tn.tuning, m.at(tn.Chosen)
			settings[m.grid.Param] = tn.Chosen
		}
		if m.name == "dropout" {
			settings["p_input"] = dropInput
		}
		cell.m = r.res.method(m.name, settings, cell.tuning)
		for i, seed := range seeds {
			rr := first
			if i > 0 {
				if rr, err = run(seed, cell.setting); err != nil {
					return err
				}
			}
			if i == 0 && init == nil {
				// The initial weights of the first seed, before training,
				// are those of a fresh model from the same stream.
				fresh, err := l.mlpFrom(l.at(seed).shared("overfit/init"), 784, s.hidden, 10, models.Dropout{})
				if err != nil {
					return err
				}
				init, initFirst = weightsOf(fresh.Params()), fresh.Layers[0].W.Float64s()
			}
			if err := rr.measure(data[seed].Test); err != nil {
				return l.errorf("%s: %w", m.name, err)
			}
			cell.runs = append(cell.runs, rr)
			cell.m.add(seed, rr.measures())
			l.logf("seed %d  %-11s test error %s  near-zero weights %.1f %%  mean |w| %.4f", seed, m.name, pct(rr.test.Error), 100*rr.zero, rr.meanAbs)
		}
		cells = append(cells, cell)
	}
	if err := writeRegData(l, cells); err != nil {
		return err
	}
	if err := writeRegFigures(l, cells, init, initFirst); err != nil {
		return err
	}
	r.p("%s", s.describe(data[seeds[0]], flipped[seeds[0]]))
	regReport(r, cells, init, seeds)
	return l.finish(r)
}

// regRunOne trains the setup's network with one regularizer for the whole
// budget and measures it on the training and validation sets; the run
// keeps its task for measure.
func regRunOne(ctx context.Context, l *lab, s overfitSetup, name string, set regSetting, data *datasets.Splits) (*regRun, error) {
	task, model, err := overfitTask(l, s, set.drop, set.penalties, set.noise, l.source("random/"+name))
	if err != nil {
		return nil, err
	}
	run := &regRun{method: name, seed: l.o.Seed, task: task, model: model}
	run.c, err = fit(ctx, name, task, data.Train, data.Validation, fitConfig{
		Config:    train.Config{Epochs: s.epochs, Shuffle: overfitShuffle(l)},
		EvalTrain: data.Train,
	})
	if err == nil && run.c.Diverged {
		err = fmt.Errorf("diverged at update %d", run.c.DivergedAt)
	}
	if err == nil {
		if run.train, err = task.Evaluate(data.Train); err == nil {
			run.val, err = task.Evaluate(data.Validation)
		}
	}
	if err != nil {
		run.close()
		return nil, l.errorf("%s (%s): %w", name, set.detail, err)
	}
	return run, nil
}

// measure scores the run on the test set, once, measures its weights and
// releases its task.
func (r *regRun) measure(test *datasets.Set) error {
	defer r.close()
	var err error
	if r.test, err = r.task.Evaluate(test); err != nil {
		return err
	}
	r.weights = weightsOf(r.model.Params())
	r.first = r.model.Layers[0].W.Float64s()
	r.zero, r.meanAbs = zeroFraction(r.weights), meanAbs(r.weights)
	r.relZero = relZeroFraction(r.weights)
	r.firstZero = zeroFraction(r.first)
	r.rowsDead, r.rowsN = deadRows(r.first, r.model.Layers[0].Out())
	return nil
}

// measures are the run's results.json measures.
func (r *regRun) measures() map[string]float64 {
	return map[string]float64{
		"train_error": r.train.Error, "val_error": r.val.Error, "test_error": r.test.Error, "test_loss": r.test.Loss,
		"near_zero_fraction": r.zero, "relative_zero_fraction": r.relZero, "near_zero_fraction_layer0": r.firstZero,
		"mean_abs_weight": r.meanAbs, "dead_input_rows": float64(r.rowsDead),
	}
}

func zeroFraction(w []float64) float64 {
	n := 0
	for _, v := range w {
		if math.Abs(v) < nearZero {
			n++
		}
	}
	return float64(n) / float64(max(len(w), 1))
}

// relZeroFraction is the fraction of w below relZero times w's mean |w|.
func relZeroFraction(w []float64) float64 {
	t := relZero * meanAbs(w)
	n := 0
	for _, v := range w {
		if math.Abs(v) < t {
			n++
		}
	}
	return float64(n) / float64(max(len(w), 1))
}

func meanAbs(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += math.Abs(v)
	}
	return s / float64(max(len(w), 1))
}

// deadRows counts the rows of a [in, out] weight matrix (the weights from
// one input pixel) whose entries are all near zero: pixels the layer no
// longer looks at.
func deadRows(w []float64, out int) (dead, rows int) {
	rows = len(w) / out
	for i := range rows {
		all := true
		for _, v := range w[i*out : (i+1)*out] {
			if math.Abs(v) >= nearZero {
				all = false
				break
			}
		}
		if all {
			dead++
		}
	}
	return dead, rows
}

func writeRegData(l *lab, cells []*regCell) error {
	var rows [][]string
	for _, c := range cells {
		for _, r := range c.runs {
			rows = append(rows, []string{r.method, strconv.FormatUint(r.seed, 10), num(r.train.Error), num(r.val.Error), num(r.test.Error), num(r.test.Loss),
				num(r.zero), num(r.relZero), num(r.firstZero), num(r.meanAbs), strconv.Itoa(r.rowsDead)})
		}
	}
	if err := l.writeCSV("results.csv", []string{"method", "seed", "train_error", "val_error", "test_error", "test_loss", "near_zero_fraction", "relative_zero_fraction", "near_zero_fraction_layer0", "mean_abs_weight", "dead_input_rows"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, r := range c.runs {
			for i, e := range r.c.Epochs {
				rows = append(rows, []string{r.method, strconv.FormatUint(r.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(r.c.TrainEval[i].Loss), num(r.c.TrainEval[i].Error), num(e.Val.Loss), num(e.Val.Error)})
			}
		}
	}
	if err := l.writeCSV("epochs.csv", []string{"method", "seed", "epoch", "updates", "train_loss", "train_error", "val_loss", "val_error"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		if c.tuning == nil {
			continue
		}
		for _, t := range c.tuning.Tried {
			score := ""
			if !t.Diverged {
				score = num(*t.Score)
			}
			rows = append(rows, []string{c.method.name, c.tuning.Param, num(t.Value), score, strconv.FormatBool(t.Value == c.tuning.Chosen)})
		}
	}
	return l.writeCSV("tuning.csv", []string{"method", "param", "value", "val_error", "chosen"}, rows)
}

func writeRegFigures(l *lab, cells []*regCell, init, initFirst []float64) error {
	var values, mags []panel
	values = append(values, histChart(fmt.Sprintf("initial weights (%.1f %% near zero)", 100*zeroFraction(initFirst)), "first-layer weight", initFirst, -histRange, histRange, histBins, true, color.Gray{Y: 90}))
	mags = append(mags, histChart("initial weights", "log10 |w|", log10Abs(init), -8, 0, histBins, false, color.Gray{Y: 90}))
	for i, c := range cells {
		r := c.runs[0]
		values = append(values, histChart(fmt.Sprintf("%s (%.1f %% near zero)", r.method, 100*r.firstZero), "first-layer weight", r.first, -histRange, histRange, histBins, true, paletteColor(i)))
		mags = append(mags, histChart(fmt.Sprintf("%s (%.1f %% below 1e-3, mean |w| %.3f)", r.method, 100*r.zero, r.meanAbs), "log10 |w|", log10Abs(r.weights), -8, 0, histBins, false, paletteColor(i)))
	}
	if err := writeCharts(l.file("weights.png"), 3, 5*vg.Inch, 3.6*vg.Inch, values...); err != nil {
		return err
	}
	if err := writeCharts(l.file("magnitudes.png"), 3, 5*vg.Inch, 3.6*vg.Inch, mags...); err != nil {
		return err
	}
	val := &chart{Title: "Validation error after each epoch (mean over the seeds)", XLabel: "update", YLabel: "error"}
	tr := &chart{Title: "Error on the (noisy) training digits (mean over the seeds)", XLabel: "update", YLabel: "error", NoLegend: true}
	test := &barChart{Title: "Test error (mean ± sd over the seeds)", YLabel: "test error"}
	var tv, te []float64
	for i, c := range cells {
		var x, v, t []float64
		for k, e := range c.runs[0].c.Epochs {
			x = append(x, float64(e.Updates))
			var vs, ts []float64
			for _, r := range c.runs {
				vs, ts = append(vs, r.c.Epochs[k].Val.Error), append(ts, r.c.TrainEval[k].Error)
			}
			v, t = append(v, meanOf(vs)), append(t, meanOf(ts))
		}
		val.Series = append(val.Series, series{Name: c.method.name, X: x, Y: v, Color: paletteColor(i)})
		tr.Series = append(tr.Series, series{X: x, Y: t, Color: paletteColor(i)})
		st := c.m.stat("test_error")
		test.Groups, tv, te = append(test.Groups, c.method.name), append(tv, st.Mean), append(te, st.SD)
	}
	test.Bars = []bars{{Name: "test error", Values: tv, Err: te}}
	return writeCharts(l.file("curves.png"), 3, 5*vg.Inch, 4.5*vg.Inch, val, tr, test)
}

// log10Abs returns log10 |w| of every weight, with 0 mapped to −∞ (which
// the histogram counts in its lowest bin).
func log10Abs(w []float64) []float64 {
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = math.Log10(math.Abs(v))
	}
	return out
}

func regReport(r *report, cells []*regCell, init []float64, seeds []uint64) {
	var grids []string
	for _, c := range cells {
		if c.tuning != nil {
			grids = append(grids, fmt.Sprintf("%s: %s", c.method.name, c.method.grid))
		}
	}
	r.p("Five methods from the same initial weights on the same batches, each for the whole budget (no early stopping), differing only in the regularizer. "+
		"A weight counts as near zero when |w| < %g (the initial weights have a standard deviation of about %.3f); "+
		"the scale-free count takes |w| < %g × the network's own mean |w|, which a penalty that shrinks every weight by the same factor leaves unchanged. "+
		"Data: `results.csv`, `epochs.csv`, `tuning.csv`, `results.json`.",
		nearZero, stddev(init), relZero)
	r.seedsNote(seeds, "the wrong labels, the initial weights, the batch order and the dropout masks and input noise",
		fmt.Sprintf("Each regularizer's strength is chosen by the validation error after training with the first seed, from %s (dropout's input rate is %g; none has nothing to tune); the test set is measured once, with every seed, at that strength. "+
			"The histograms are of the first seed's runs.", strings.Join(grids, "; "), dropInput))
	var rows [][]string
	for _, c := range cells {
		m := c.m
		rows = append(rows, []string{c.method.name, c.setting.detail, m.stat("train_error").pct(), m.stat("val_error").pct(), m.stat("test_error").pct(),
			m.stat("near_zero_fraction").scaled(100).pm("%.1f") + " %", m.stat("relative_zero_fraction").scaled(100).pm("%.1f") + " %", m.stat("mean_abs_weight").pm("%.4f"),
			fmt.Sprintf("%s of %d", m.stat("dead_input_rows").pm("%.0f"), c.runs[0].rowsN)})
	}
	rows = append(rows, []string{"(initial weights, first seed)", "", "", "", "", fmt.Sprintf("%.1f %%", 100*zeroFraction(init)), fmt.Sprintf("%.1f %%", 100*relZeroFraction(init)), fmt.Sprintf("%.4f", meanAbs(init)), ""})
	r.table([]string{"method", "setting", "training error (noisy labels)", "validation error", "test error", "|w| < 1e-3", "|w| < 2 % of mean |w|", "mean |w|", "input pixels whose first-layer weights are all < 1e-3"}, rows)
	rows = nil
	for _, c := range cells {
		if c.tuning != nil {
			rows = append(rows, []string{c.method.name, c.tuning.Param, c.tuning.triedText(pct)})
		}
	}
	r.p("Tuning (first seed): the validation error after training at each strength.")
	r.table([]string{"method", "tuned", "value: validation error"}, rows)
	r.figure("weights.png", "histograms of the first layer's weights after training, one panel per method (log scale)")
	r.figure("magnitudes.png", "histograms of log10 |w| of every weight after training, one panel per method")
	r.figure("curves.png", "validation and training error per epoch for each method, and each method's test error with error bars")

	r.h2("What the lecture claims, and whether it held")
	at := func(name string) *methodStats {
		for _, c := range cells {
			if c.method.name == name {
				return c.m
			}
		}
		return nil
	}
	none, l1, l2 := at("none"), at("L1"), at("L2")
	noneErr := none.stat("test_error")
	var parts []outcome
	var each []string
	for _, c := range cells[1:] {
		st := c.m.stat("test_error")
		o := pairedLower(c.m, "test_error", none, "test_error")
		parts = append(parts, o)
		each = append(each, fmt.Sprintf("%s %s, difference %s points: %s", c.method.name, st.pct(), diffText(pairedDiff(c.m, "test_error", none, "test_error", 1).scaled(100), "%+.2f"), o))
	}
	r.verdict("Regularization reduces over-fitting: each method's test error is below the unregularized network's", allOf(parts...),
		"for every regularized method, the interval of the per-seed difference of test error (method − none) lies below 0",
		"Without regularization the test error is %s. Each method at its tuned strength, and its difference from none seed by seed: %s.",
		noneErr.pct(), strings.Join(each, "; "))
	z1, zn, z2 := l1.stat("near_zero_fraction"), none.stat("near_zero_fraction"), l2.stat("near_zero_fraction")
	r1, rn, r2 := l1.stat("relative_zero_fraction"), none.stat("relative_zero_fraction"), l2.stat("relative_zero_fraction")
	dead1, deadN := l1.stat("dead_input_rows"), none.stat("dead_input_rows")
	twice := func(a *methodStats, an string, b *methodStats) outcome {
		return higher(pairedDiff(a, an, b, an, 2), exactly(0))
	}
	r.verdict("L1 drives useless weights to zero", allOf(twice(l1, "near_zero_fraction", none), twice(l1, "near_zero_fraction", l2), twice(l1, "relative_zero_fraction", l2)),
		"seed by seed, the intervals of L1's fraction of weights below 1e-3 minus twice that without regularization and minus twice L2's, and of its scale-free fraction minus twice L2's, lie above 0",
		"With L1 at its tuned λ = %s, %s of the weights ended below 1e-3 (%s below 2 %% of its own mean |w|), against %s (%s) without regularization and %s (%s) with L2; "+
			"%s of the %d input pixels lost every first-layer weight (%s without regularization).",
		num(cells[1].tuning.Chosen), fracPct(z1), fracPct(r1), fracPct(zn), fracPct(rn), fracPct(z2), fracPct(r2), dead1.pm("%.0f"), cells[0].runs[0].rowsN, deadN.pm("%.0f"))
	m2, mn := l2.stat("mean_abs_weight"), none.stat("mean_abs_weight")
	r.verdict("L2 shrinks the weights without zeroing them", allOf(pairedLower(l2, "mean_abs_weight", none, "mean_abs_weight"), lower(pairedDiff(l2, "relative_zero_fraction", none, "relative_zero_fraction", 2), exactly(0.01))),
		"seed by seed, the interval of L2's mean |w| minus that without regularization lies below 0, and that of its scale-free fraction minus twice that without regularization below 1 point",
		"With L2 at its tuned λ = %s the mean |w| is %s against %s without regularization. Below 2 %% of its own mean |w| lie %s of its weights (none: %s, L1: %s); "+
			"below the absolute 1e-3, %s: the weights no gradient of the loss holds up (such as those of always-black border pixels) decay geometrically, by about a factor (1 − 2ηλ) per step, without reaching zero.",
		num(cells[2].tuning.Chosen), m2.pm("%.4f"), mn.pm("%.4f"), fracPct(r2), fracPct(rn), fracPct(r1), fracPct(z2))
	best := cells[0]
	for _, c := range cells[1:] {
		if c.m.stat("test_error").Mean < best.m.stat("test_error").Mean {
			best = c
		}
	}
	r.p("The lowest mean test error: %s, %s.", best.method.name, best.m.stat("test_error").pct())
}

// fracPct formats a stat of fractions as "61.2 ± 0.4 %" (one decimal).
func fracPct(s stat) string { return s.scaled(100).pm("%.1f") + " %" }
