package experiments

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// adaptiveSetup is the adaptive-lr experiment's model, data and budget.
type adaptiveSetup struct {
	train, val, test int
	hidden           []models.Layer
	batch            int
	epochs           int
	sweep            []float64 // the fixed rates; the first is the poor one
	search           schedules.AdaptiveConfig
	within           float64 // "close to the best": within this factor of its loss
}

func adaptiveLRSetup(quick bool) adaptiveSetup {
	s := adaptiveSetup{
		train: 10000, val: 2000, test: 0,
		hidden: []models.Layer{{Units: 100, Activation: models.ReLU}},
		batch:  64, epochs: 6,
		sweep:  []float64{1e-3, 0.01, 0.03, 0.1, 0.3, 1},
		search: schedules.AdaptiveConfig{Every: 50, Steps: 10, Subset: 512},
		within: 1.1,
	}
	if quick {
		s.train, s.val, s.test, s.epochs = 2000, 500, 1000, 3
		s.sweep = []float64{1e-3, 0.1, 1}
		s.search = schedules.AdaptiveConfig{Every: 10, Steps: 5, Subset: 256}
	}
	return s
}

// adaptiveRun is one run of the experiment with one seed.
type adaptiveRun struct {
	name    string
	seed    uint64
	rate    float64 // the fixed rate, or the adaptive run's starting rate
	c       *curve
	task    *train.Classifier // until measured
	ad      *schedules.Adaptive
	choices []schedules.AdaptiveChoice // the adaptive run's searches
	// choicesCSV is every candidate of its searches, as
	// schedules.Adaptive.WriteCSV writes them.
	choicesCSV []byte
	val        infer.Metrics
	test       infer.Metrics
}

func (r *adaptiveRun) close() {
	if r.ad != nil {
		r.choices = r.ad.Choices()
		var b bytes.Buffer
		if err := r.ad.WriteCSV(&b); err == nil {
			r.choicesCSV = b.Bytes()
		}
		r.ad.Close()
		r.ad = nil
	}
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// adaptiveArm is one of the three runs compared, with a run per seed.
type adaptiveArm struct {
	name string
	rate float64
	runs []*adaptiveRun
	m    *methodStats
}

// AdaptiveLR is the experiment adaptive-lr (docs/lecture.md §2): the lecture's
// brute-force adaptive heuristic (schedules.Adaptive: every K updates, copies of
// the model train M updates on a fixed subset with the current rate × ¼, ½,
// 1, 2, 4, and the best copy's rate is kept) against fixed rates, on the MLP
// of learning-rates. A sweep of fixed rates finds the best one on the
// validation set (the tuning); the smallest rate of the sweep is the poor
// one, and the heuristic starts from it. The three are then trained with
// several seeds and measured once on the test set.
//
// It writes curves.csv (run,seed,update,lr,loss), epochs.csv, choices.csv
// (every candidate of the first seed's searches, as
// schedules.Adaptive.WriteCSV), tuning.csv, adaptive_lr.png, results.json
// and report.md.
func AdaptiveLR(ctx context.Context, o Options) error {
	l, err := newLab("adaptive-lr", o)
	if err != nil {
		return err
	}
	s := adaptiveLRSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	seeds := l.seeds()
	poorRate := s.sweep[0]
	var poorFirst *adaptiveRun
	tn, err := tune(ctx, l, "fixed rate", "validation loss after training", tuneGrid{Param: "lr", Values: s.sweep, Extend: gridExtend(o.Quick)},
		func(lr float64) (*adaptiveRun, float64, error) {
			run, err := adaptiveRunOne(ctx, l.at(seeds[0]), s, data, lr, false)
			if err != nil {
				return nil, 0, err
			}
			if run.c.Diverged {
				return run, math.NaN(), nil
			}
			return run, run.val.Loss, nil
		}, func(run *adaptiveRun) {
			if run.rate == poorRate && poorFirst == nil {
				poorFirst = run // the poor arm's first seed: kept, not released
				return
			}
			run.close()
		})
	if err != nil {
		return err
	}
	if tn.Chosen == poorRate {
		poorFirst = tn.Run
	}
	r := l.report("The brute-force adaptive learning rate")
	arms := []*adaptiveArm{
		{name: "fixed " + num(tn.Chosen) + " (best of the sweep)", rate: tn.Chosen},
		{name: "fixed " + num(poorRate) + " (poor)", rate: poorRate},
		{name: "adaptive from " + num(poorRate), rate: poorRate},
	}
	arms[0].m = r.res.method(arms[0].name, map[string]any{"schedule": "constant", "lr": tn.Chosen}, tn.tuning)
	arms[1].m = r.res.method(arms[1].name, map[string]any{"schedule": "constant", "lr": poorRate}, nil)
	arms[2].m = r.res.method(arms[2].name, map[string]any{"schedule": "adaptive", "lr": poorRate, "every": float64(s.search.Every), "steps": float64(s.search.Steps), "subset": float64(s.search.Subset)}, nil)
	for ai, arm := range arms {
		if ai == 1 && tn.Chosen == poorRate {
			// The best of the sweep is the poor rate: the same runs.
			arm.runs = arms[0].runs
			for i, run := range arm.runs {
				arm.m.add(seeds[i], run.measures())
			}
			continue
		}
		for i, seed := range seeds {
			var run *adaptiveRun
			switch {
			case i == 0 && ai == 0:
				run = tn.Run
			case i == 0 && ai == 1:
				run = poorFirst
			default:
				if run, err = adaptiveRunOne(ctx, l.at(seed), s, data, arm.rate, ai == 2); err != nil {
					return err
				}
			}
			if err := run.measure(data.Test); err != nil {
				return l.errorf("%s: %w", arm.name, err)
			}
			arm.runs = append(arm.runs, run)
			arm.m.add(seed, run.measures())
			l.logf("seed %d  %-28s %s", seed, arm.name, run.describe())
		}
	}
	first := arms[2].runs[0]
	if err := atomicfile.Write(l.file("choices.csv"), first.choicesCSV); err != nil {
		return l.errorf("choices.csv: %w", err)
	}
	if err := writeAdaptiveData(l, arms, tn.tuning); err != nil {
		return err
	}
	if err := writeAdaptiveFigure(l, arms, tn.tuning); err != nil {
		return err
	}
	adaptiveReport(r, s, arms, tn.tuning, seeds, data)
	return l.finish(r)
}

// adaptiveRunOne trains the MLP from the lab's "init" weights by SGD at
// rate lr, fixed or, when adaptive, as the heuristic's starting rate, and
// measures it on validation; the run keeps its task for measure.
func adaptiveRunOne(ctx context.Context, l *lab, s adaptiveSetup, data *datasets.Splits, lr float64, adaptive bool) (*adaptiveRun, error) {
	m, err := l.mlp("init", data.Train.Dim(), s.hidden, data.Train.Classes, models.Dropout{})
	if err != nil {
		return nil, err
	}
	opt, err := newOptimizer("sgd", map[string]float64{"lr": lr})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run := &adaptiveRun{name: "fixed " + num(lr), seed: l.o.Seed, rate: lr, task: task}
	cfg := train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")}
	if adaptive {
		run.name = "adaptive from " + num(lr)
		if run.ad, err = schedules.NewAdaptive(task, data.Train, s.search, l.rand("adaptive")); err != nil {
			run.close()
			return nil, l.errorf("%w", err)
		}
		cfg.Schedule = run.ad
	}
	run.c, err = fit(ctx, run.name, task, data.Train, data.Validation, fitConfig{Config: cfg, BlowUp: 10})
	if err == nil && !run.c.Diverged {
		run.val, err = task.Evaluate(data.Validation)
	}
	if err != nil {
		run.close()
		return nil, l.errorf("%s: %w", run.name, err)
	}
	return run, nil
}

// measure scores the run on the test set, once, and releases its task; a
// diverged run is not measured.
func (r *adaptiveRun) measure(test *datasets.Set) error {
	defer r.close()
	if r.c.Diverged {
		return nil
	}
	var err error
	r.test, err = r.task.Evaluate(test)
	return err
}

// measures are the run's results.json measures.
func (r *adaptiveRun) measures() map[string]float64 {
	if r.c.Diverged {
		return map[string]float64{"diverged": 1}
	}
	m := map[string]float64{"diverged": 0, "val_loss": r.val.Loss, "val_error": r.val.Error, "test_loss": r.test.Loss, "test_error": r.test.Error,
		"last_rate": r.c.LR[len(r.c.LR)-1]}
	if r.ad != nil || r.choices != nil {
		m["searches"] = float64(len(r.choices))
	}
	return m
}

func (r *adaptiveRun) describe() string {
	if r.c.Diverged {
		return fmt.Sprintf("diverged at update %d", r.c.DivergedAt)
	}
	return fmt.Sprintf("val loss %.4f  test loss %.4f  test error %s", r.val.Loss, r.test.Loss, pct(r.test.Error))
}

func writeAdaptiveData(l *lab, arms []*adaptiveArm, tn *tuning) error {
	var rows [][]string
	for _, a := range arms {
		for _, r := range a.runs {
			for k, v := range r.c.Loss {
				rows = append(rows, []string{a.name, strconv.FormatUint(r.seed, 10), strconv.Itoa(k + 1), num(r.c.LR[k]), num(v)})
			}
		}
	}
	if err := l.writeCSV("curves.csv", []string{"run", "seed", "update", "lr", "loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, a := range arms {
		for _, r := range a.runs {
			for _, e := range r.c.Epochs {
				rows = append(rows, []string{a.name, strconv.FormatUint(r.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.LR), num(e.TrainLoss), num(e.Val.Loss), num(e.Val.Error)})
			}
		}
	}
	if err := l.writeCSV("epochs.csv", []string{"run", "seed", "epoch", "updates", "lr", "train_batch_loss", "val_loss", "val_error"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, t := range tn.Tried {
		score := ""
		if !t.Diverged {
			score = num(*t.Score)
		}
		rows = append(rows, []string{num(t.Value), score, strconv.FormatBool(t.Value == tn.Chosen)})
	}
	return l.writeCSV("tuning.csv", []string{"lr", "val_loss", "chosen"}, rows)
}

func writeAdaptiveFigure(l *lab, arms []*adaptiveArm, tn *tuning) error {
	rate := &chart{Title: "Learning rate the heuristic chose, against the fixed rates (first seed)", XLabel: "update", YLabel: "rate (log scale)", LogY: true, LegendBottom: true}
	loss := &chart{Title: "Training batch loss (window means, first seed)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	val := &chart{Title: "Validation loss after each epoch (mean ± sd over the seeds)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	sweep := &chart{Title: "The sweep (tuning, first seed): validation loss against the fixed rate", XLabel: "learning rate (log scale)", YLabel: "validation loss (log scale)", LogX: true, LogY: true, NoLegend: true}
	cols := []int{2, 3, 0}
	for i, a := range arms {
		col := paletteColor(cols[i])
		r := a.runs[0]
		xs := make([]float64, len(r.c.LR))
		for k := range xs {
			xs[k] = float64(k + 1)
		}
		rate.Series = append(rate.Series, series{Name: a.name, X: xs, Y: r.c.LR, Color: col, Dashed: i != 2})
		x, y := smooth(r.c.Loss, max(1, len(r.c.Loss)/80))
		loss.Series = append(loss.Series, series{Name: a.name, X: x, Y: y, Color: col, Thin: true})
		var ex, ev, ee []float64
		for k, e := range r.c.Epochs {
			var vs []float64
			for _, run := range a.runs {
				if !run.c.Diverged && k < len(run.c.Epochs) {
					vs = append(vs, run.c.Epochs[k].Val.Loss)
				}
			}
			st := statOf(vs)
			ex, ev, ee = append(ex, float64(e.Updates)), append(ev, st.Mean), append(ee, st.SD)
		}
		val.Series = append(val.Series, series{Name: a.name, X: ex, Y: ev, Err: ee, Color: col, Points: true})
	}
	for _, c := range arms[2].runs[0].choices {
		rate.Markers = append(rate.Markers, marker{X: float64(c.Update), Y: c.Rate, Color: paletteColor(0), Shape: circle(), Small: true})
	}
	if len(rate.Markers) > 0 {
		rate.Markers[0].Name = "a search"
	}
	var sx, sy []float64
	for _, t := range tn.Tried {
		if !t.Diverged {
			sx, sy = append(sx, t.Value), append(sy, *t.Score)
		}
	}
	sweep.Series = []series{{X: sx, Y: sy, Points: true, Color: paletteColor(2)}}
	return writeCharts(l.file("adaptive_lr.png"), 1, chartWidth, 4*vg.Inch, rate, loss, val, sweep)
}

func adaptiveReport(r *report, s adaptiveSetup, arms []*adaptiveArm, tn *tuning, seeds []uint64, data *datasets.Splits) {
	best, poor, ad := arms[0], arms[1], arms[2]
	first := ad.runs[0]
	updates := first.c.updates()
	probe := len(first.choices) * len(schedules.DefaultFactors()) * s.search.Steps
	r.p("The MLP of `learning-rates` (784-%d-10, ReLU) trained by plain SGD (batch %d) on the first %d MNIST training digits for %d epochs (%d updates); "+
		"every run starts from the same weights and sees the same batches. A sweep of fixed rates (%s) is scored on %d validation digits. "+
		"The lecture's heuristic (`schedules.Adaptive`) starts from the sweep's poorest rate, %g, and every K = %d updates lets %d copies of the model train M = %d updates "+
		"on a fixed subset of %d training digits with the current rate × ¼, ½, 1, 2, 4, then keeps the rate whose copy reached the lowest loss on that subset. "+
		"Measured on %d test digits. Data: `curves.csv` (every update's rate and batch loss), `epochs.csv`, `tuning.csv`, `choices.csv` (every candidate of the first seed's searches and its loss), `results.json`.",
		s.hidden[0].Units, s.batch, data.Train.Len(), s.epochs, updates, joinNums(s.sweep), data.Validation.Len(), s.sweep[0], s.search.Every, len(schedules.DefaultFactors()), s.search.Steps, s.search.Subset, data.Test.Len())
	r.seedsNote(seeds, "the initial weights, the batch order and the heuristic's subset",
		fmt.Sprintf("The sweep is the tuning of the fixed rate: the best of %s by the validation loss after training with the first seed. "+
			"The poor rate is the sweep's smallest by design, and the heuristic starts from it (its K, M and subset are the lecture's kind of setting, not tuned); the test set is measured once, with every seed, for the three.", tuneGrid{Param: "lr", Values: s.sweep, Extend: gridExtend(r.res.Quick)}))
	var rows [][]string
	for _, a := range arms {
		note := ""
		if a == ad {
			note = fmt.Sprintf("%s searches; %d extra updates by the copies (first seed)", a.m.stat("searches").pm("%.0f"), probe)
		}
		rows = append(rows, []string{a.name, a.m.stat("val_loss").pm("%.4f"), a.m.stat("test_loss").pm("%.4f"), a.m.stat("test_error").pct(), a.m.stat("last_rate").pm("%.3g"), note})
	}
	r.table([]string{"run", "validation loss", "test loss", "test error", "last rate", "note"}, rows)
	r.p("The sweep (first seed): %s.", tn.triedText(func(v float64) string { return fmt.Sprintf("%.4f", v) }))
	r.figure("adaptive_lr.png", "the adaptive rate over time, the losses of the adaptive, best fixed and poor fixed rates, and the sweep")

	r.h2("What the lecture claims, and whether it held")
	al, pl, bl := ad.m.stat("test_loss"), poor.m.stat("test_loss"), best.m.stat("test_loss")
	r.verdict("Started from a poor rate, the heuristic ends far better than that rate kept fixed", lower(pairedDiff(ad.m, "test_loss", poor.m, "test_loss", 0.5), exactly(0)),
		"seed by seed, the interval of the heuristic's test loss minus half the poor fixed rate's lies below 0",
		"Kept fixed, lr %g ended at a test loss of %s (error %s); the heuristic, starting from it, at %s (error %s). Its loss minus half the poor rate's, seed by seed: %s.",
		poor.rate, pl.pm("%.4f"), poor.m.stat("test_error").pct(), al.pm("%.4f"), ad.m.stat("test_error").pct(), diffText(pairedDiff(ad.m, "test_loss", poor.m, "test_loss", 0.5), "%+.4f"))
	lo, hi := math.Inf(1), 0.0
	for _, c := range first.choices {
		lo, hi = math.Min(lo, c.Rate), math.Max(hi, c.Rate)
	}
	reach := -1
	for _, c := range first.choices {
		if c.Rate >= best.rate/2 {
			reach = c.Update
			break
		}
	}
	reached := "never came within a factor 2 of the best fixed rate"
	if reach > 0 {
		reached = fmt.Sprintf("first came within a factor 2 of the best fixed rate at update %d", reach)
	}
	last := "none"
	if n := len(first.choices); n > 0 {
		last = g3(first.choices[n-1].Rate)
	}
	r.verdict("…and comes close to the best fixed rate a sweep finds", lower(pairedDiff(ad.m, "test_loss", best.m, "test_loss", s.within), exactly(0)),
		fmt.Sprintf("seed by seed, the interval of the heuristic's test loss minus %.2f× the best fixed rate's lies below 0", s.within),
		"The sweep's best rate, %g, reached a test loss of %s (error %s); the heuristic %s (error %s), %.2f× the best on average; its loss minus %.2f× the best's, seed by seed: %s. "+
			"With the first seed its chosen rates ranged from %s to %s, and it %s (the last choice: %s). "+
			"The sweep cost %d full runs; the heuristic one run plus %d updates of its copies (%.1f× the run's %d updates) and %d evaluations of the subset.",
		best.rate, bl.pm("%.4f"), best.m.stat("test_error").pct(), al.pm("%.4f"), ad.m.stat("test_error").pct(), al.Mean/bl.Mean, s.within, diffText(pairedDiff(ad.m, "test_loss", best.m, "test_loss", s.within), "%+.4f"),
		g3(lo), g3(hi), reached, last,
		len(s.sweep), probe, float64(probe)/float64(updates), updates, len(first.choices)*len(schedules.DefaultFactors()))
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
