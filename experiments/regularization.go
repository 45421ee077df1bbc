package experiments

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// The regularization experiment's settings.
const (
	regL1    = 3e-4 // λ of λ‖W‖₁
	regL2    = 5e-3 // λ of λ‖W‖₂²
	regSigma = 0.3  // σ of the Gaussian input noise
	nearZero = 1e-3 // |w| below this counts as zero
	// relZero is the scale-free threshold: |w| below relZero × the
	// network's own mean |w|. A penalty that multiplies every weight by
	// the same factor does not change the fraction below it.
	relZero    = 0.02
	histRange  = 0.2 // the value histograms cover [−histRange, histRange]
	histBins   = 100
	dropInput  = 0.2
	dropHidden = 0.5
)

// regMethod is one regularizer of the comparison.
type regMethod struct {
	name, detail string
	drop         models.Dropout
	penalties    []train.Penalty
	noise        regularizers.Noise
}

func regMethods() []regMethod {
	return []regMethod{
		{name: "none", detail: "no regularization"},
		{name: "L1", detail: fmt.Sprintf("λ‖W‖₁ on every weight matrix, λ = %g", regL1), penalties: []train.Penalty{weightPenalty(regL1, regularizers.L1)}},
		{name: "L2", detail: fmt.Sprintf("λ‖W‖₂² on every weight matrix, λ = %g", regL2), penalties: []train.Penalty{weightPenalty(regL2, regularizers.L2)}},
		{name: "dropout", detail: fmt.Sprintf("inverted dropout, p = %g on the inputs and %g after each hidden layer", dropInput, dropHidden), drop: models.Dropout{Input: dropInput, Hidden: []float64{dropHidden}}},
		{name: "input noise", detail: fmt.Sprintf("x + θ, θ ~ N(0, %g²), a new draw per example and update", regSigma), noise: regularizers.Noise{Method: regularizers.Random, Sigma: regSigma}},
	}
}

// regRun is one method's run.
type regRun struct {
	method          regMethod
	c               *curve
	train, val      infer.Metrics
	test            infer.Metrics
	weights         []float64 // every weight matrix entry after training
	first           []float64 // the first layer's weights
	zero, meanAbs   float64   // fraction |w| < nearZero, mean |w|
	relZero         float64   // fraction |w| < relZero × mean |w|
	firstZero       float64   // fraction |w| < nearZero in the first layer
	rowsDead, rowsN int       // first-layer input rows whose weights are all near zero
}

// Regularization is the experiment regularization (docs/lecture.md §5) on the
// over-fitting setup of early-stopping (see overfitSetup): the same network
// from the same weights on the same batches, trained for the whole budget
// without regularization, with an L1 penalty, with an L2 penalty, with
// dropout and with Gaussian input noise. It reports the test error of each
// and looks at the weights: their histogram, the fraction near zero and
// their mean magnitude (L1 should set many to zero, L2 shrink them without
// zeroing).
//
// It writes results.csv, epochs.csv, weights.png, curves.png and
// report.md.
func Regularization(ctx context.Context, o Options) error {
	l, err := newLab("regularization", o)
	if err != nil {
		return err
	}
	s := overfittingSetup(o.Quick)
	data, flipped, err := overfitData(l, s)
	if err != nil {
		return err
	}
	var init, initFirst []float64
	var runs []*regRun
	for _, m := range regMethods() {
		if err := ctx.Err(); err != nil {
			return err
		}
		task, model, err := overfitTask(l, s, m.drop, m.penalties, m.noise, l.source("random/"+m.name))
		if err != nil {
			return err
		}
		if init == nil {
			init, initFirst = weightsOf(model.Params()), model.Layers[0].W.Float64s()
		}
		run := &regRun{method: m}
		run.c, err = fit(ctx, m.name, task, data.Train, data.Validation, fitConfig{
			Config:    train.Config{Epochs: s.epochs, Shuffle: overfitShuffle(l)},
			EvalTrain: data.Train,
		})
		if err == nil && run.c.Diverged {
			err = fmt.Errorf("diverged at update %d", run.c.DivergedAt)
		}
		if err == nil {
			if run.train, err = task.Evaluate(data.Train); err == nil {
				if run.val, err = task.Evaluate(data.Validation); err == nil {
					run.test, err = task.Evaluate(data.Test)
				}
			}
		}
		task.Close()
		if err != nil {
			return l.errorf("%s: %w", m.name, err)
		}
		run.weights = weightsOf(model.Params())
		run.first = model.Layers[0].W.Float64s()
		run.zero, run.meanAbs = zeroFraction(run.weights), meanAbs(run.weights)
		run.relZero = relZeroFraction(run.weights)
		run.firstZero = zeroFraction(run.first)
		run.rowsDead, run.rowsN = deadRows(run.first, model.Layers[0].Out())
		runs = append(runs, run)
		l.logf("%-11s test error %s  near-zero weights %.1f %%  mean |w| %.4f", m.name, pct(run.test.Error), 100*run.zero, run.meanAbs)
	}
	if err := writeRegData(l, runs); err != nil {
		return err
	}
	if err := writeRegFigures(l, runs, init, initFirst); err != nil {
		return err
	}
	r := newReport("Regularization on an over-fitting network", o.Quick)
	r.p("%s", s.describe(data, flipped))
	regReport(r, runs, init)
	return l.finish(r)
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

func writeRegData(l *lab, runs []*regRun) error {
	var rows [][]string
	for _, r := range runs {
		rows = append(rows, []string{r.method.name, num(r.train.Error), num(r.val.Error), num(r.test.Error), num(r.test.Loss),
			num(r.zero), num(r.relZero), num(r.firstZero), num(r.meanAbs), strconv.Itoa(r.rowsDead)})
	}
	if err := l.writeCSV("results.csv", []string{"method", "train_error", "val_error", "test_error", "test_loss", "near_zero_fraction", "relative_zero_fraction", "near_zero_fraction_layer0", "mean_abs_weight", "dead_input_rows"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for i, e := range r.c.Epochs {
			rows = append(rows, []string{r.method.name, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(r.c.TrainEval[i].Loss), num(r.c.TrainEval[i].Error), num(e.Val.Loss), num(e.Val.Error)})
		}
	}
	return l.writeCSV("epochs.csv", []string{"method", "epoch", "updates", "train_loss", "train_error", "val_loss", "val_error"}, rows)
}

func writeRegFigures(l *lab, runs []*regRun, init, initFirst []float64) error {
	var values, mags []panel
	values = append(values, histChart(fmt.Sprintf("initial weights (%.1f %% near zero)", 100*zeroFraction(initFirst)), "first-layer weight", initFirst, -histRange, histRange, histBins, true, color.Gray{Y: 90}))
	mags = append(mags, histChart("initial weights", "log10 |w|", log10Abs(init), -8, 0, histBins, false, color.Gray{Y: 90}))
	for i, r := range runs {
		values = append(values, histChart(fmt.Sprintf("%s (%.1f %% near zero)", r.method.name, 100*r.firstZero), "first-layer weight", r.first, -histRange, histRange, histBins, true, paletteColor(i)))
		mags = append(mags, histChart(fmt.Sprintf("%s (%.1f %% below 1e-3, mean |w| %.3f)", r.method.name, 100*r.zero, r.meanAbs), "log10 |w|", log10Abs(r.weights), -8, 0, histBins, false, paletteColor(i)))
	}
	if err := writeCharts(l.file("weights.png"), 3, 5*vg.Inch, 3.6*vg.Inch, values...); err != nil {
		return err
	}
	if err := writeCharts(l.file("magnitudes.png"), 3, 5*vg.Inch, 3.6*vg.Inch, mags...); err != nil {
		return err
	}
	val := &chart{Title: "Validation error after each epoch", XLabel: "update", YLabel: "error"}
	tr := &chart{Title: "Error on the (noisy) training digits", XLabel: "update", YLabel: "error", NoLegend: true}
	for i, r := range runs {
		var x, v, t []float64
		for k, e := range r.c.Epochs {
			x = append(x, float64(e.Updates))
			v = append(v, e.Val.Error)
			t = append(t, r.c.TrainEval[k].Error)
		}
		val.Series = append(val.Series, series{Name: r.method.name, X: x, Y: v, Color: paletteColor(i)})
		tr.Series = append(tr.Series, series{X: x, Y: t, Color: paletteColor(i)})
	}
	return writeCharts(l.file("curves.png"), 2, 6*vg.Inch, 4.5*vg.Inch, val, tr)
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

func regReport(r *report, runs []*regRun, init []float64) {
	r.p("Five runs from the same initial weights on the same batches, each for the whole budget (no early stopping), differing only in the regularizer. "+
		"A weight counts as near zero when |w| < %g (the initial weights have a standard deviation of about %.3f); "+
		"the scale-free count takes |w| < %g × the network's own mean |w|, which a penalty that shrinks every weight by the same factor leaves unchanged. Data: `results.csv`, `epochs.csv`.",
		nearZero, stddev(init), relZero)
	var rows [][]string
	for _, run := range runs {
		rows = append(rows, []string{run.method.name, run.method.detail, pct(run.train.Error), pct(run.val.Error), pct(run.test.Error),
			fmt.Sprintf("%.1f %%", 100*run.zero), fmt.Sprintf("%.1f %%", 100*run.relZero), fmt.Sprintf("%.4f", run.meanAbs), fmt.Sprintf("%d of %d", run.rowsDead, run.rowsN)})
	}
	rows = append(rows, []string{"(initial weights)", "", "", "", "", fmt.Sprintf("%.1f %%", 100*zeroFraction(init)), fmt.Sprintf("%.1f %%", 100*relZeroFraction(init)), fmt.Sprintf("%.4f", meanAbs(init)), ""})
	r.table([]string{"method", "setting", "training error (noisy labels)", "validation error", "test error", "|w| < 1e-3", "|w| < 2 % of mean |w|", "mean |w|", "input pixels whose first-layer weights are all < 1e-3"}, rows)
	r.figure("weights.png", "histograms of the first layer's weights after training, one panel per method (log scale)")
	r.figure("magnitudes.png", "histograms of log10 |w| of every weight after training, one panel per method")
	r.figure("curves.png", "validation and training error per epoch for each method")

	r.h2("What the lecture claims, and whether it held")
	at := func(name string) *regRun {
		for _, run := range runs {
			if run.method.name == name {
				return run
			}
		}
		return nil
	}
	none, l1, l2 := at("none"), at("L1"), at("L2")
	var better, worse []string
	for _, run := range runs[1:] {
		e := fmt.Sprintf("%s (%s)", run.method.name, pct(run.test.Error))
		if run.test.Error < none.test.Error {
			better = append(better, e)
		} else {
			worse = append(worse, e)
		}
	}
	r.claim("Regularization reduces over-fitting: each method's test error is below the unregularized network's", len(worse) == 0,
		"Without regularization the test error is %s. Lower: %s. Not lower: %s. (At these settings; each method's strength was set once, not tuned on this run.)",
		pct(none.test.Error), listOr(better, "none"), listOr(worse, "none"))
	r.claim("L1 drives useless weights to zero", l1.zero > 2*none.zero && l1.zero > 2*l2.zero && l1.relZero > 2*l2.relZero,
		"With L1, %.1f %% of the weights ended below 1e-3 (%.1f %% below 2 %% of its own mean |w|), against %.1f %% (%.1f %%) without regularization and %.1f %% (%.1f %%) with L2; "+
			"%d of the %d input pixels lost every first-layer weight (%d without regularization). "+
			"The claim counts as held when L1's fractions are more than twice the others'.",
		100*l1.zero, 100*l1.relZero, 100*none.zero, 100*none.relZero, 100*l2.zero, 100*l2.relZero, l1.rowsDead, l1.rowsN, none.rowsDead)
	r.claim("L2 shrinks the weights without zeroing them", l2.meanAbs < none.meanAbs && l2.relZero < 2*none.relZero+0.01,
		"With L2 the mean |w| is %.4f against %.4f without regularization (%.0f %% smaller). Below 2 %% of its own mean |w| lie %.1f %% of its weights (none: %.1f %%, L1: %.1f %%); "+
			"below the absolute 1e-3, %.1f %%: the weights no gradient of the loss holds up (such as those of always-black border pixels) decay geometrically, by about a factor (1 − 2ηλ) per step, without reaching zero. "+
			"The claim counts as held when L2's weights are smaller on average and its scale-free fraction is at most twice that without regularization (+1 point).",
		l2.meanAbs, none.meanAbs, 100*(1-l2.meanAbs/none.meanAbs), 100*l2.relZero, 100*none.relZero, 100*l1.relZero, 100*l2.zero)
	best := slices.MinFunc(runs, func(a, b *regRun) int {
		switch {
		case a.test.Error < b.test.Error:
			return -1
		case a.test.Error > b.test.Error:
			return 1
		}
		return 0
	})
	r.p("The lowest test error on this run: %s, %s.", best.method.name, pct(best.test.Error))
}
