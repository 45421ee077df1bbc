package experiments

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// adaptiveSetup is the adaptive-lr experiment's model, data and budget.
type adaptiveSetup struct {
	train, val int
	hidden     []models.Layer
	batch      int
	epochs     int
	sweep      []float64 // the fixed rates; the first is the poor one
	search     schedules.AdaptiveConfig
	within     float64 // "close to the best": within this factor of its loss
}

func adaptiveLRSetup(quick bool) adaptiveSetup {
	s := adaptiveSetup{
		train: 10000, val: 2000,
		hidden: []models.Layer{{Units: 100, Activation: models.ReLU}},
		batch:  64, epochs: 6,
		sweep:  []float64{1e-3, 0.01, 0.03, 0.1, 0.3, 1},
		search: schedules.AdaptiveConfig{Every: 50, Steps: 10, Subset: 512},
		within: 1.1,
	}
	if quick {
		s.train, s.val, s.epochs = 2000, 500, 3
		s.sweep = []float64{1e-3, 0.1, 1}
		s.search = schedules.AdaptiveConfig{Every: 10, Steps: 5, Subset: 256}
	}
	return s
}

// adaptiveRun is one run of the experiment.
type adaptiveRun struct {
	name string
	rate float64 // the fixed rate, or the adaptive run's starting rate
	c    *curve
	val  infer.Metrics
}

// AdaptiveLR is the experiment adaptive-lr (docs/lecture.md §2): the lecture's
// brute-force adaptive heuristic (schedules.Adaptive: every K updates, copies of
// the model train M updates on a fixed subset with the current rate × ¼, ½,
// 1, 2, 4, and the best copy's rate is kept) against fixed rates, on the MLP
// of learning-rates. A sweep of fixed rates finds the best one on the
// validation set; the smallest rate of the sweep is the poor one, and the
// heuristic starts from it.
//
// It writes curves.csv (run,update,lr,loss), epochs.csv, choices.csv (every
// candidate of every search, as schedules.Adaptive.WriteCSV), adaptive_lr.png
// and report.md.
func AdaptiveLR(ctx context.Context, o Options) error {
	l, err := newLab("adaptive-lr", o)
	if err != nil {
		return err
	}
	s := adaptiveLRSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, 0)
	if err != nil {
		return err
	}
	newTask := func(rate float64) (*train.Classifier, error) {
		m, err := l.mlp("init", data.Train.Dim(), s.hidden, data.Train.Classes, models.Dropout{})
		if err != nil {
			return nil, err
		}
		opt, err := newOptimizer("sgd", map[string]float64{"lr": rate})
		if err != nil {
			return nil, err
		}
		task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
		if err != nil {
			return nil, l.errorf("%w", err)
		}
		return task, nil
	}
	var runs []*adaptiveRun
	for _, rate := range s.sweep {
		if err := ctx.Err(); err != nil {
			return err
		}
		task, err := newTask(rate)
		if err != nil {
			return err
		}
		run := &adaptiveRun{name: "fixed " + num(rate), rate: rate}
		run.c, err = fit(ctx, run.name, task, data.Train, data.Validation, fitConfig{
			Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")}, BlowUp: 10,
		})
		if err == nil && !run.c.Diverged {
			run.val, err = task.Evaluate(data.Validation)
		}
		task.Close()
		if err != nil {
			return l.errorf("%s: %w", run.name, err)
		}
		runs = append(runs, run)
		l.logf("%-12s %s", run.name, run.describe())
	}

	task, err := newTask(s.sweep[0])
	if err != nil {
		return err
	}
	defer task.Close()
	ad, err := schedules.NewAdaptive(task, data.Train, s.search, l.rand("adaptive"))
	if err != nil {
		return l.errorf("%w", err)
	}
	defer ad.Close()
	run := &adaptiveRun{name: "adaptive from " + num(s.sweep[0]), rate: s.sweep[0]}
	run.c, err = fit(ctx, run.name, task, data.Train, data.Validation, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle"), Schedule: ad}, BlowUp: 10,
	})
	if err == nil && !run.c.Diverged {
		run.val, err = task.Evaluate(data.Validation)
	}
	if err != nil {
		return l.errorf("%s: %w", run.name, err)
	}
	l.logf("%-12s %s", run.name, run.describe())
	if err := atomicfile.WriteFunc(l.file("choices.csv"), func(w io.Writer) error { return ad.WriteCSV(w) }); err != nil {
		return l.errorf("choices.csv: %w", err)
	}
	all := append(runs, run)
	if err := writeAdaptiveData(l, all); err != nil {
		return err
	}
	best := bestFixed(runs)
	if err := writeAdaptiveFigure(l, runs[0], best, run, ad.Choices()); err != nil {
		return err
	}
	return l.finish(adaptiveReport(s, runs, best, run, ad.Choices(), data.Train.Len(), data.Validation.Len(), o.Quick))
}

func (r *adaptiveRun) describe() string {
	if r.c.Diverged {
		return fmt.Sprintf("diverged at update %d", r.c.DivergedAt)
	}
	return fmt.Sprintf("val loss %.4f  val error %s", r.val.Loss, pct(r.val.Error))
}

// bestFixed is the fixed-rate run with the lowest validation loss.
func bestFixed(runs []*adaptiveRun) *adaptiveRun {
	var best *adaptiveRun
	for _, r := range runs {
		if !r.c.Diverged && (best == nil || r.val.Loss < best.val.Loss) {
			best = r
		}
	}
	return best
}

func writeAdaptiveData(l *lab, runs []*adaptiveRun) error {
	var rows [][]string
	for _, r := range runs {
		for k, v := range r.c.Loss {
			rows = append(rows, []string{r.name, strconv.Itoa(k + 1), num(r.c.LR[k]), num(v)})
		}
	}
	if err := l.writeCSV("curves.csv", []string{"run", "update", "lr", "loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for _, e := range r.c.Epochs {
			rows = append(rows, []string{r.name, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.LR), num(e.TrainLoss), num(e.Val.Loss), num(e.Val.Error)})
		}
	}
	return l.writeCSV("epochs.csv", []string{"run", "epoch", "updates", "lr", "train_batch_loss", "val_loss", "val_error"}, rows)
}

func writeAdaptiveFigure(l *lab, poor, best, ad *adaptiveRun, choices []schedules.AdaptiveChoice) error {
	rate := &chart{Title: "Learning rate the heuristic chose, against the fixed rates", XLabel: "update", YLabel: "rate (log scale)", LogY: true, LegendBottom: true}
	loss := &chart{Title: "Training batch loss (window means)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	val := &chart{Title: "Validation loss after each epoch", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	runs := []*adaptiveRun{poor}
	if best != nil && best != poor {
		runs = append(runs, best)
	}
	runs = append(runs, ad)
	cols := map[*adaptiveRun]int{poor: 3, best: 2, ad: 0}
	for _, r := range runs {
		col := paletteColor(cols[r])
		xs := make([]float64, len(r.c.LR))
		for k := range xs {
			xs[k] = float64(k + 1)
		}
		name := r.name
		if r == best {
			name += " (best of the sweep)"
		}
		if r == poor {
			name += " (poor)"
		}
		rate.Series = append(rate.Series, series{Name: name, X: xs, Y: r.c.LR, Color: col, Dashed: r != ad})
		x, y := smooth(r.c.Loss, max(1, len(r.c.Loss)/80))
		loss.Series = append(loss.Series, series{Name: name, X: x, Y: y, Color: col, Thin: true})
		var ex, ev []float64
		for _, e := range r.c.Epochs {
			ex = append(ex, float64(e.Updates))
			ev = append(ev, e.Val.Loss)
		}
		val.Series = append(val.Series, series{Name: name, X: ex, Y: ev, Color: col, Points: true})
	}
	for _, c := range choices {
		rate.Markers = append(rate.Markers, marker{X: float64(c.Update), Y: c.Rate, Color: paletteColor(0), Shape: circle(), Small: true})
	}
	if len(rate.Markers) > 0 {
		rate.Markers[0].Name = "a search"
	}
	return writeCharts(l.file("adaptive_lr.png"), 1, chartWidth, 4*vg.Inch, rate, loss, val)
}

func adaptiveReport(s adaptiveSetup, runs []*adaptiveRun, best, ad *adaptiveRun, choices []schedules.AdaptiveChoice, nTrain, nVal int, quick bool) *report {
	r := newReport("The brute-force adaptive learning rate", quick)
	updates := ad.c.updates()
	probe := len(choices) * len(schedules.DefaultFactors()) * s.search.Steps
	r.p("The MLP of `learning-rates` (784-%d-10, ReLU) trained by plain SGD (batch %d) on the first %d MNIST training digits for %d epochs (%d updates); "+
		"every run starts from the same weights and sees the same batches. A sweep of fixed rates (%s) is scored on %d validation digits. "+
		"The lecture's heuristic (`schedules.Adaptive`) starts from the sweep's poorest rate, %g, and every K = %d updates lets %d copies of the model train M = %d updates "+
		"on a fixed subset of %d training digits with the current rate × ¼, ½, 1, 2, 4, then keeps the rate whose copy reached the lowest loss on that subset. "+
		"Data: `curves.csv` (every update's rate and batch loss), `epochs.csv`, `choices.csv` (every candidate of every search and its loss).",
		s.hidden[0].Units, s.batch, nTrain, s.epochs, updates, joinNums(s.sweep), nVal, s.sweep[0], s.search.Every, len(schedules.DefaultFactors()), s.search.Steps, s.search.Subset)
	var rows [][]string
	for _, run := range append(append([]*adaptiveRun(nil), runs...), ad) {
		note := ""
		switch {
		case run == best:
			note = "best of the sweep"
		case run == runs[0]:
			note = "poor"
		case run == ad:
			note = fmt.Sprintf("%d searches; %d extra updates by the copies", len(choices), probe)
		}
		if run.c.Diverged {
			rows = append(rows, []string{run.name, fmt.Sprintf("diverged at update %d", run.c.DivergedAt), "—", note})
			continue
		}
		rows = append(rows, []string{run.name, fmt.Sprintf("%.4f", run.val.Loss), pct(run.val.Error), note})
	}
	r.table([]string{"run", "validation loss", "validation error", "note"}, rows)
	r.figure("adaptive_lr.png", "the adaptive rate over time, and the losses of the adaptive, best fixed and poor fixed rates")

	r.h2("What the lecture claims, and whether it held")
	poor := runs[0]
	if ad.c.Diverged || best == nil {
		r.claim("The heuristic finds a good rate by itself", false, "The adaptive run diverged at update %d.", ad.c.DivergedAt)
		return r
	}
	lo, hi := math.Inf(1), 0.0
	for _, c := range choices {
		lo, hi = math.Min(lo, c.Rate), math.Max(hi, c.Rate)
	}
	reach := -1
	for _, c := range choices {
		if c.Rate >= best.rate/2 {
			reach = c.Update
			break
		}
	}
	reached := "never came within a factor 2 of the best fixed rate"
	if reach > 0 {
		reached = fmt.Sprintf("first came within a factor 2 of the best fixed rate at update %d", reach)
	}
	if poor.c.Diverged {
		r.claim("Started from a poor rate, the heuristic ends far better than that rate kept fixed", true,
			"The poor fixed rate %g diverged; the heuristic ended at a validation loss of %.4f.", poor.rate, ad.val.Loss)
	} else {
		r.claim("Started from a poor rate, the heuristic ends far better than that rate kept fixed", ad.val.Loss < poor.val.Loss/2,
			"Kept fixed, lr %g ended at a validation loss of %.4f (error %s); the heuristic, starting from it, ended at %.4f (error %s). "+
				"The claim counts as held when the heuristic's loss is less than half the poor rate's.",
			poor.rate, poor.val.Loss, pct(poor.val.Error), ad.val.Loss, pct(ad.val.Error))
	}
	r.claim("…and comes close to the best fixed rate a sweep finds", ad.val.Loss <= s.within*best.val.Loss,
		"The sweep's best rate, %g, reached a validation loss of %.4f (error %s); the heuristic %.4f (error %s), %.2f× the best. "+
			"The claim counts as held within %.2f×. Its chosen rates ranged from %s to %s, and it %s (the last choice: %s). "+
			"The sweep cost %d full runs; the heuristic cost one run plus %d updates of its copies (%.1f× the run's %d updates) and %d evaluations of the subset.",
		best.rate, best.val.Loss, pct(best.val.Error), ad.val.Loss, pct(ad.val.Error), ad.val.Loss/best.val.Loss, s.within,
		g3(lo), g3(hi), reached, g3(choices[len(choices)-1].Rate),
		len(runs), probe, float64(probe)/float64(updates), updates, len(choices)*len(schedules.DefaultFactors()))
	return r
}

func joinNums(v []float64) string {
	var out string
	for i, x := range v {
		if i > 0 {
			out += ", "
		}
		out += num(x)
	}
	return out
}
