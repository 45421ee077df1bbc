package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

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
// can be compared with the best one.
//
// It writes epochs.csv (per epoch: training and validation loss and error,
// on the noisy training labels and on the clean validation digits),
// early_stopping.png and report.md.
func EarlyStopping(ctx context.Context, o Options) error {
	l, err := newLab("early-stopping", o)
	if err != nil {
		return err
	}
	s := overfittingSetup(o.Quick)
	data, flipped, err := overfitData(l, s)
	if err != nil {
		return err
	}
	perEpoch := data.Train.Len() / s.batch

	// 1. train.Run under the patience rule.
	task, _, err := overfitTask(l, s, models.Dropout{}, nil, regularizers.Noise{}, nil)
	if err != nil {
		return err
	}
	rule := patienceRule(s, perEpoch)
	stopped, err := fit(ctx, "early stopping", task, data.Train, data.Validation, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: overfitShuffle(l), EarlyStop: rule, StopMetric: "error"},
	})
	if err != nil {
		task.Close()
		return l.errorf("%w", err)
	}
	returned, err := task.Evaluate(data.Test)
	var returnedVal infer.Metrics
	if err == nil {
		returnedVal, err = task.Evaluate(data.Validation)
	}
	task.Close()
	if err != nil {
		return l.errorf("%w", err)
	}
	bestT, bestScore := rule.Best()
	l.logf("patience: %s; returned model: test error %s", rule.Reason(), pct(returned.Error))

	// 2. The whole budget, with the same rule watching and the best and
	// at-stop models kept.
	task, m, err := overfitTask(l, s, models.Dropout{}, nil, regularizers.Noise{}, nil)
	if err != nil {
		return err
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
		return l.errorf("%w", err)
	}
	last, err := task.Evaluate(data.Test)
	if err != nil {
		return l.errorf("%w", err)
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
		return l.errorf("%w", err)
	}
	stopTest, err := evalWith(atStop)
	if err != nil {
		return l.errorf("%w", err)
	}
	l.logf("whole budget: last model test error %s; best %s; at the stop %s", pct(last.Error), pct(bestTest.Error), pct(stopTest.Error))

	res := &esResult{
		s: s, perEpoch: perEpoch, stopped: stopped, full: full, rule: rule,
		bestT: bestT, bestScore: bestScore, returned: returned, returnedVal: returnedVal,
		watchStop: watchStop, last: last, bestTest: bestTest, stopTest: stopTest,
	}
	if err := writeESData(l, res); err != nil {
		return err
	}
	if err := writeESFigure(l, res); err != nil {
		return err
	}
	r := newReport("Early stopping with patience", o.Quick)
	r.p("%s", s.describe(data, flipped))
	esReport(r, res)
	return l.finish(r)
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

func writeESData(l *lab, r *esResult) error {
	var rows [][]string
	for i, e := range r.full.Epochs {
		tr := r.full.TrainEval[i]
		rows = append(rows, []string{strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(tr.Loss), num(tr.Error), num(e.Val.Loss), num(e.Val.Error)})
	}
	return l.writeCSV("epochs.csv", []string{"epoch", "updates", "train_loss", "train_error", "val_loss", "val_error"}, rows)
}

func writeESFigure(l *lab, r *esResult) error {
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
	errs := &chart{Title: "Error: training digits (noisy labels) and validation digits", XLabel: "update", YLabel: "error", Rules: rules,
		Series: []series{{Name: "training", X: x, Y: trE, Points: true}, {Name: "validation", X: x, Y: vaE, Points: true}}}
	losses := &chart{Title: "Loss", XLabel: "update", YLabel: "loss (log scale)", LogY: true, Rules: rules, LegendLeft: true, LegendBottom: true,
		Series: []series{{Name: "training", X: x, Y: trL, Points: true}, {Name: "validation", X: x, Y: vaL, Points: true}}}
	return writeCharts(l.file("early_stopping.png"), 1, chartWidth, 4.5*vg.Inch, errs, losses)
}

func esReport(r *report, res *esResult) {
	total := res.full.updates()
	stopAt := res.stopped.updates()
	r.p("The rule (`earlystop.Patience`): the validation error is measured after every epoch (%d updates); when it is a new best at update t, the model is kept and the patience becomes max(patience, 2t); "+
		"training stops at the first evaluation at or past the patience, which starts at %d updates. "+
		"One run trains under the rule with `train.Run`, which returns the best model; a second run from the same weights on the same batches trains for the whole budget "+
		"while the same rule watches, so the curves continue past the stop. Data: `epochs.csv` (the second run).",
		res.perEpoch, res.rule.Patience)
	rows := [][]string{
		{"returned by train.Run under the rule (its best)", strconv.Itoa(res.bestT), pct(res.returnedVal.Error), pct(res.returned.Error), fmt.Sprintf("%.4f", res.returned.Loss)},
		{"whole budget: best validation error", strconv.Itoa(res.bestT), pct(res.bestScore), pct(res.bestTest.Error), fmt.Sprintf("%.4f", res.bestTest.Loss)},
	}
	if res.watchStop > 0 {
		rows = append(rows, []string{"whole budget: where the rule stopped", strconv.Itoa(res.watchStop), pct(valErrorAt(res.full, res.watchStop)), pct(res.stopTest.Error), fmt.Sprintf("%.4f", res.stopTest.Loss)})
	}
	rows = append(rows, []string{"whole budget: last", strconv.Itoa(total), pct(valErrorAt(res.full, total)), pct(res.last.Error), fmt.Sprintf("%.4f", res.last.Loss)})
	r.table([]string{"model", "update", "validation error", "test error", "test loss"}, rows)
	r.figure("early_stopping.png", "training and validation error and loss per epoch, with the best update and where patience ran out")

	r.h2("What the lecture claims, and whether it held")
	minVal, minAt := math.Inf(1), 0
	for _, e := range res.full.Epochs {
		if e.Val.Error < minVal {
			minVal, minAt = e.Val.Error, e.Updates
		}
	}
	lastVal := res.full.Epochs[len(res.full.Epochs)-1].Val.Error
	trainAtMin, trainLast := trainErrorAt(res.full, minAt), res.full.TrainEval[len(res.full.TrainEval)-1].Error
	r.claim("A big network on few examples over-fits: past a point the validation error rises while the training error keeps falling", lastVal > minVal && trainLast < trainAtMin,
		"The validation error was lowest, %s, at update %d, and %s at the end (update %d); meanwhile the error on the training digits, whose labels are %.0f %% wrong, went from %s to %s: it memorised the wrong labels.",
		pct(minVal), minAt, pct(lastVal), total, 100*res.s.noise, pct(trainAtMin), pct(trainLast))
	reason := res.rule.Reason()
	if reason != "" {
		reason = strings.ToUpper(reason[:1]) + reason[1:]
	} else {
		reason = fmt.Sprintf("The patience never ran out within the budget (it stood at %d updates)", res.rule.Current())
	}
	r.claim("Patience stops training once no new best has come for long enough", stopAt < total,
		"%s. The run stopped after %d of the budget's %d updates (%.0f %%).", reason, stopAt, total, 100*float64(stopAt)/float64(total))
	// The rule watching the whole budget stops at the same update, or never
	// if train.Run used the whole budget.
	consistent := res.watchStop == stopAt || (res.watchStop == 0 && stopAt == total)
	same := consistent && res.returned.Error == res.bestTest.Error && res.returned.Loss == res.bestTest.Loss
	r.claim("Early stopping returns the best model, not the last", res.returnedVal.Error == res.bestScore && same,
		"The model train.Run returned has the best validation error the rule saw, %s (at update %d), measured again after the run: %s. "+
			"It is the same model as the whole-budget run's best (test error %s and %s, test loss %.6g and %.6g), and the rule watching that run %s.",
		pct(res.bestScore), res.bestT, pct(res.returnedVal.Error), pct(res.returned.Error), pct(res.bestTest.Error), res.returned.Loss, res.bestTest.Loss,
		yesNo(consistent, "stopped at the same point", fmt.Sprintf("stopped elsewhere (update %d against %d)", res.watchStop, stopAt)))
	r.claim("…and the best model generalises better than the last", res.bestTest.Error < res.last.Error,
		"Test error of the best model %s, of the last model of the whole budget %s (test loss %.4f and %.4f).",
		pct(res.bestTest.Error), pct(res.last.Error), res.bestTest.Loss, res.last.Loss)
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
