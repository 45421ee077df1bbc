package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// patienceRule is the early-stopping rule of the experiment: evaluate after
// every epoch; a new best validation error at update t raises the patience
// to max(patience, 2t); stop when the update count reaches it.
func patienceRule(s overfitSetup, updatesPerEpoch int) *earlystop.Patience {
	return &earlystop.Patience{Every: 0, Patience: s.patience * updatesPerEpoch, Increase: 2, Mode: earlystop.Mul}
}

// EarlyStopping is the experiment early-stopping (docs/lecture.md §4) on the
// over-fitting setup (see overfitSetup): the lecture's patience rule
// (earlystop.Patience, validation error after every epoch, patience
// initially 10 epochs, extended to 2t on a new best at update t) stops a
// run of train.Run, which returns the best model. A second run from the
// same weights on the same batches trains for the whole budget while the
// same rule watches, so the curves go on past the stop and the last model
// can be compared with the best one. Both run with several seeds.
//
// It writes epochs.csv (per seed and epoch: training and validation loss
// and error, on the noisy training labels and on the clean validation
// digits), results.csv, early_stopping.png, results.json and report.md.
func EarlyStopping(ctx context.Context, o Options) error {
	l, err := newLab("early-stopping", o)
	if err != nil {
		return err
	}
	s := overfittingSetup(o.Quick)
	clean, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	seeds := l.seeds()
	var res []*esResult
	var first *datasets.Splits
	var flipped int
	for _, seed := range seeds {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, n := withLabelNoise(l.at(seed), s, clean)
		if first == nil {
			first, flipped = data, n
		}
		r, err := earlyStoppingSeed(ctx, l.at(seed), s, data)
		if err != nil {
			return err
		}
		res = append(res, r)
	}
	if err := writeESData(l, res); err != nil {
		return err
	}
	if err := writeESFigure(l, res); err != nil {
		return err
	}
	r := l.report("Early stopping with patience")
	r.p("%s", s.describe(first, flipped))
	esReport(r, res, seeds)
	return l.finish(r)
}

// earlyStoppingSeed runs the experiment's two runs with the lab's seed.
func earlyStoppingSeed(ctx context.Context, l *lab, s overfitSetup, data *datasets.Splits) (*esResult, error) {
	perEpoch := data.Train.Len() / s.batch

	// 1. train.Run under the patience rule.
	task, _, err := overfitTask(l, s, models.Dropout{}, nil, regularizers.Noise{}, nil)
	if err != nil {
		return nil, err
	}
	rule := patienceRule(s, perEpoch)
	stopped, err := fit(ctx, "early stopping", task, data.Train, data.Validation, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: overfitShuffle(l), EarlyStop: rule, StopMetric: "error"},
	})
	if err != nil {
		task.Close()
		return nil, l.errorf("%w", err)
	}
	returned, err := task.Evaluate(data.Test)
	var returnedVal infer.Metrics
	if err == nil {
		returnedVal, err = task.Evaluate(data.Validation)
	}
	task.Close()
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	bestT, bestScore := rule.Best()
	l.logf("seed %d: patience: %s; returned model: test error %s", l.o.Seed, rule.Reason(), pct(returned.Error))

	// 2. The whole budget, with the same rule watching and the best and
	// at-stop models kept.
	task, m, err := overfitTask(l, s, models.Dropout{}, nil, regularizers.Noise{}, nil)
	if err != nil {
		return nil, err
	}
	defer task.Close()
	watch := patienceRule(s, perEpoch)
	var best, atStop []*models.Param
	watchStop := 0
	watching := train.EpochEndFunc(func(r train.Record) error {
		if watchStop > 0 {
			return nil
		}
		improved, stop := watch.Observe(r.Updates, r.Val.Error)
		if improved {
			best = cloneParams(m.Params())
		}
		if stop {
			watchStop, atStop = r.Updates, cloneParams(m.Params())
		}
		return nil
	})
	full, err := fit(ctx, "whole budget", task, data.Train, data.Validation, fitConfig{
		Config:    train.Config{Epochs: s.epochs, Shuffle: overfitShuffle(l), Hooks: []train.Hook{watching}},
		EvalTrain: data.Train,
	})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	last, err := task.Evaluate(data.Test)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	evalWith := func(ps []*models.Param) (infer.Metrics, error) {
		if ps == nil {
			return infer.Metrics{}, nil
		}
		keep := cloneParams(m.Params())
		if err := models.CopyParams(m.Params(), ps); err != nil {
			return infer.Metrics{}, err
		}
		got, err := task.Evaluate(data.Test)
		if err2 := models.CopyParams(m.Params(), keep); err == nil {
			err = err2
		}
		return got, err
	}
	bestTest, err := evalWith(best)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	stopTest, err := evalWith(atStop)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	l.logf("seed %d: whole budget: last model test error %s; best %s; at the stop %s", l.o.Seed, pct(last.Error), pct(bestTest.Error), pct(stopTest.Error))
	return &esResult{
		s: s, seed: l.o.Seed, perEpoch: perEpoch, stopped: stopped, full: full, rule: rule,
		bestT: bestT, bestScore: bestScore, returned: returned, returnedVal: returnedVal,
		watchStop: watchStop, last: last, bestTest: bestTest, stopTest: stopTest,
	}, nil
}

func cloneParams(ps []*models.Param) []*models.Param {
	out := make([]*models.Param, len(ps))
	for i, p := range ps {
		out[i] = p.Clone()
	}
	return out
}

// esResult is what the early-stopping experiment measured.
type esResult struct {
	s           overfitSetup
	seed        uint64
	perEpoch    int
	stopped     *curve // train.Run under the rule
	full        *curve // the whole budget
	rule        *earlystop.Patience
	bestT       int
	bestScore   float64
	returned    infer.Metrics // test, the model train.Run returned
	returnedVal infer.Metrics
	watchStop   int           // where the rule stopped in the whole-budget run (0: never)
	last        infer.Metrics // test, the last model of the whole budget
	bestTest    infer.Metrics // test, the best model of the whole budget
	stopTest    infer.Metrics // test, the model at the stop in the whole budget
}

// overfit returns the whole-budget run's lowest validation error, where
// it was, and the training error there and at the end.
func (r *esResult) overfit() (minVal float64, minAt int, trainAtMin, trainLast float64) {
	minVal = math.Inf(1)
	for _, e := range r.full.Epochs {
		if e.Val.Error < minVal {
			minVal, minAt = e.Val.Error, e.Updates
		}
	}
	return minVal, minAt, trainErrorAt(r.full, minAt), r.full.TrainEval[len(r.full.TrainEval)-1].Error
}

// consistent reports whether the run under the rule returned the very
// model the whole-budget run's best was, and the watching rule stopped
// where train.Run did.
func (r *esResult) consistent() bool {
	stopAt, total := r.stopped.updates(), r.full.updates()
	same := r.watchStop == stopAt || (r.watchStop == 0 && stopAt == total)
	return same && r.returnedVal.Error == r.bestScore && r.returned.Error == r.bestTest.Error && r.returned.Loss == r.bestTest.Loss
}

func writeESData(l *lab, res []*esResult) error {
	var rows [][]string
	for _, r := range res {
		for i, e := range r.full.Epochs {
			tr := r.full.TrainEval[i]
			rows = append(rows, []string{strconv.FormatUint(r.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(tr.Loss), num(tr.Error), num(e.Val.Loss), num(e.Val.Error)})
		}
	}
	if err := l.writeCSV("epochs.csv", []string{"seed", "epoch", "updates", "train_loss", "train_error", "val_loss", "val_error"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range res {
		rows = append(rows, []string{strconv.FormatUint(r.seed, 10), strconv.Itoa(r.stopped.updates()), strconv.Itoa(r.full.updates()), strconv.Itoa(r.bestT),
			num(r.returned.Error), num(r.bestTest.Error), num(r.last.Error), strconv.FormatBool(r.consistent())})
	}
	return l.writeCSV("results.csv", []string{"seed", "stopped_at", "budget", "best_update", "returned_test_error", "best_test_error", "last_test_error", "returned_is_best"}, rows)
}

func writeESFigure(l *lab, res []*esResult) error {
	r := res[0]
	var x, trE, vaE, trL, vaL []float64
	for i, e := range r.full.Epochs {
		x = append(x, float64(e.Updates))
		trE = append(trE, r.full.TrainEval[i].Error)
		vaE = append(vaE, e.Val.Error)
		trL = append(trL, r.full.TrainEval[i].Loss)
		vaL = append(vaL, e.Val.Loss)
	}
	rules := []rule{{Name: fmt.Sprintf("best validation error (update %d)", r.bestT), Vertical: true, At: float64(r.bestT), Color: paletteColor(2)}}
	if r.stopped.updates() < r.full.updates() {
		rules = append(rules, rule{Name: fmt.Sprintf("patience ran out (update %d)", r.stopped.updates()), Vertical: true, At: float64(r.stopped.updates()), Color: paletteColor(3)})
	}
	errs := &chart{Title: "Error: training digits (noisy labels) and validation digits (first seed)", XLabel: "update", YLabel: "error", Rules: rules,
		Series: []series{{Name: "training", X: x, Y: trE, Points: true}, {Name: "validation", X: x, Y: vaE, Points: true}}}
	losses := &chart{Title: "Loss (first seed)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, Rules: rules, LegendLeft: true, LegendBottom: true,
		Series: []series{{Name: "training", X: x, Y: trL, Points: true}, {Name: "validation", X: x, Y: vaL, Points: true}}}
	var bv, lv []float64
	for _, r := range res {
		bv, lv = append(bv, r.bestTest.Error), append(lv, r.last.Error)
	}
	b, la := statOf(bv), statOf(lv)
	test := &barChart{Title: "Test error of the best and the last model (mean ± sd over the seeds)", YLabel: "test error", Groups: []string{"best (early stopping)", "last (whole budget)"},
		Bars: []bars{{Name: "test error", Values: []float64{b.Mean, la.Mean}, Err: []float64{b.SD, la.SD}}}}
	return writeCharts(l.file("early_stopping.png"), 1, chartWidth, 4.5*vg.Inch, errs, losses, test)
}

func esReport(r *report, res []*esResult, seeds []uint64) {
	first := res[0]
	r.p("The rule (`earlystop.Patience`): the validation error is measured after every epoch (%d updates); when it is a new best at update t, the model is kept and the patience becomes max(patience, 2t); "+
		"training stops at the first evaluation at or past the patience, which starts at %d updates. "+
		"One run trains under the rule with `train.Run`, which returns the best model; a second run from the same weights on the same batches trains for the whole budget "+
		"while the same rule watches, so the curves continue past the stop. Data: `epochs.csv` (the second run), `results.csv`, `results.json`.",
		first.perEpoch, first.rule.Patience)
	r.seedsNote(seeds, "the wrong labels, the initial weights and the batch order",
		"Nothing is tuned: the comparison is between two models of the same runs (the best and the last), which share every setting, and the rule's patience is the lecture's.")
	best := r.res.method("best (early stopping)", map[string]any{"model": "returned by train.Run under the patience rule"}, nil)
	last := r.res.method("last (whole budget)", map[string]any{"model": "the last of the whole budget"}, nil)
	for _, e := range res {
		minVal, _, trainAtMin, trainLast := e.overfit()
		total := e.full.updates()
		consistent := 0.0
		if e.consistent() {
			consistent = 1
		}
		best.add(e.seed, map[string]float64{"test_error": e.returned.Error, "test_loss": e.returned.Loss, "val_error": e.returnedVal.Error,
			"best_update": float64(e.bestT), "stopped_at": float64(e.stopped.updates()), "stop_fraction": float64(e.stopped.updates()) / float64(total), "returned_is_best": consistent})
		last.add(e.seed, map[string]float64{"test_error": e.last.Error, "test_loss": e.last.Loss, "val_error": valErrorAt(e.full, total), "updates": float64(total),
			"val_error_lowest": minVal, "train_error_at_lowest_val": trainAtMin, "train_error_last": trainLast})
	}
	rows := [][]string{
		{"returned by train.Run under the rule (its best)", best.stat("best_update").pm("%.0f"), best.stat("val_error").pct(), best.stat("test_error").pct(), best.stat("test_loss").pm("%.4f")},
		{"whole budget: last", last.stat("updates").pm("%.0f"), last.stat("val_error").pct(), last.stat("test_error").pct(), last.stat("test_loss").pm("%.4f")},
	}
	r.table([]string{"model", "update", "validation error", "test error", "test loss"}, rows)
	r.figure("early_stopping.png", "training and validation error and loss per epoch, with the best update and where patience ran out, and the test errors with error bars")

	r.h2("What the lecture claims, and whether it held")
	lowest, lastVal := last.stat("val_error_lowest"), last.stat("val_error")
	atMin, trLast := last.stat("train_error_at_lowest_val"), last.stat("train_error_last")
	r.verdict("A big network on few examples over-fits: past a point the validation error rises while the training error keeps falling", allOf(pairedHigher(last, "val_error", last, "val_error_lowest"), pairedLower(last, "train_error_last", last, "train_error_at_lowest_val")),
		"seed by seed, the interval of the last validation error minus the lowest lies above 0, and that of the last training error minus the training error at the lowest validation error below 0",
		"The validation error was lowest at %s and %s at the end (update %s); meanwhile the error on the training digits, whose labels are %.0f %% wrong, went from %s there to %s: it memorised the wrong labels.",
		lowest.pct(), lastVal.pct(), last.stat("updates").pm("%.0f"), 100*first.s.noise, atMin.pct(), trLast.pct())
	frac := best.stat("stop_fraction")
	reason := first.rule.Reason()
	if reason != "" {
		reason = "With the first seed: " + reason
	} else {
		reason = fmt.Sprintf("With the first seed the patience never ran out within the budget (it stood at %d updates)", first.rule.Current())
	}
	r.verdict("Patience stops training once no new best has come for long enough", lower(frac, exactly(1)),
		"the interval of the fraction of the budget trained lies below 1",
		"%s. The runs stopped after %s of the budget's %d updates (%s).", reason, best.stat("stopped_at").pm("%.0f"), first.full.updates(), frac.pct())
	n := 0
	for _, e := range res {
		if e.consistent() {
			n++
		}
	}
	returns := didNotHold
	if n == len(res) {
		returns = held
	}
	r.verdict("Early stopping returns the best model, not the last", returns,
		"an exact check, seed by seed: the model train.Run returned has the best validation error the rule saw, and is the whole-budget run's best model (the same test error and loss), the watching rule stopping at the same update",
		"With %d of the %d seeds. With the first: the best validation error, %s at update %d, measured again after the run: %s; test error %s and %s, test loss %.6g and %.6g.",
		n, len(res), pct(first.bestScore), first.bestT, pct(first.returnedVal.Error), pct(first.returned.Error), pct(first.bestTest.Error), first.returned.Loss, first.bestTest.Loss)
	bt, lt := best.stat("test_error"), last.stat("test_error")
	r.verdict("…and the best model generalises better than the last", pairedLower(best, "test_error", last, "test_error"),
		"the interval of the per-seed difference of test error (best − last) lies below 0",
		"Test error of the best model %s, of the last model of the whole budget %s; the difference, seed by seed: %s points; test loss %s and %s.",
		bt.pct(), lt.pct(), diffText(pairedDiff(best, "test_error", last, "test_error", 1).scaled(100), "%+.2f"), best.stat("test_loss").pm("%.4f"), last.stat("test_loss").pm("%.4f"))
}

// valErrorAt returns the validation error of the epoch ending at update t.
func valErrorAt(c *curve, t int) float64 {
	for _, e := range c.Epochs {
		if e.Updates == t {
			return e.Val.Error
		}
	}
	return math.NaN()
}

// trainErrorAt returns the training error of the epoch ending at update t.
func trainErrorAt(c *curve, t int) float64 {
	for i, e := range c.Epochs {
		if e.Updates == t {
			return c.TrainEval[i].Error
		}
	}
	return math.NaN()
}
