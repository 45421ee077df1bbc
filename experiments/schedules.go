package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// scheduleSetup is the schedules experiment's model, data and budget.
type scheduleSetup struct {
	train, val, test int
	hidden           []models.Layer
	batch            int
	epochs           int
	rates            []float64 // the η0 each schedule is tuned over
	taus             []float64 // the time constants as fractions of the run
}

func schedulesSetup(quick bool) scheduleSetup {
	s := scheduleSetup{
		train: 10000, val: 2000, test: 0,
		hidden: []models.Layer{{Units: 100, Activation: models.ReLU}},
		batch:  64, epochs: 8,
		rates: []float64{0.1, 0.3, 1},
		taus:  []float64{0.02, 0.1, 0.5},
	}
	if quick {
		s.train, s.val, s.test, s.epochs = 1000, 300, 500, 3
		s.rates, s.taus = []float64{0.3, 1}, []float64{0.1}
	}
	return s
}

// scheduleSpec is one schedule of the comparison, at any η0.
type scheduleSpec struct {
	name string
	tau  float64 // for time-constant runs; +Inf for τ → ∞; 0 otherwise
	cfg  schedules.Config
}

// scheduleRun is one schedule's run with one seed.
type scheduleRun struct {
	spec scheduleSpec
	seed uint64
	lr   float64 // η0
	c    *curve
	task *train.Classifier // until measured
	test infer.Metrics
}

func (r *scheduleRun) close() {
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// trainLoss and valLoss are the losses after the last epoch.
func (r *scheduleRun) trainLoss() float64 { return r.c.TrainEval[len(r.c.TrainEval)-1].Loss }
func (r *scheduleRun) valLoss() float64   { return r.c.Epochs[len(r.c.Epochs)-1].Val.Loss }

// quiet is the standard deviation of the batch loss over the last 10 % of
// the updates.
func (r *scheduleRun) quiet() float64 { return stddev(r.c.Loss[len(r.c.Loss)*9/10:]) }

// scheduleCell is one schedule: its tuning and a run per seed.
type scheduleCell struct {
	spec   scheduleSpec
	tuning *tuning // nil for τ = ∞, which runs at the constant rate's η0
	lr     float64
	runs   []*scheduleRun
	m      *methodStats
}

// Schedules is the experiment schedules (docs/lecture.md §2): the MLP of
// learning-rates (784-100-10, ReLU), trained by SGD from the same initial
// weights on the same batches with a constant rate η0, with the lecture's
// time-constant decay η0·τ/max(t, τ) for several τ (and τ = +Inf, which
// must be the constant rate), and with step and cosine decay. Each
// schedule's η0 is tuned on the validation loss, and every schedule is
// trained with several seeds.
//
// It writes curves.csv (schedule,seed,update,lr,loss), epochs.csv (per
// epoch: training and validation loss and error), results.csv, tuning.csv,
// schedules.png, results.json and report.md.
func Schedules(ctx context.Context, o Options) error {
	l, err := newLab("schedules", o)
	if err != nil {
		return err
	}
	s := schedulesSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	total := s.epochs * (data.Train.Len() / s.batch)
	specs := []scheduleSpec{{name: "constant", cfg: schedules.Config{Name: "constant"}}}
	for _, f := range s.taus {
		tau := math.Max(1, math.Round(f*float64(total)))
		specs = append(specs, scheduleSpec{name: fmt.Sprintf("time-constant τ=%g", tau), tau: tau, cfg: schedules.Config{Name: "time-constant", Params: map[string]float64{"tau": tau}}})
	}
	every := (total + 2) / 3
	specs = append(specs,
		scheduleSpec{name: fmt.Sprintf("step ×0.1 every %d", every), cfg: schedules.Config{Name: "step", Params: map[string]float64{"every": float64(every), "gamma": 0.1}}},
		scheduleSpec{name: "cosine", cfg: schedules.Config{Name: "cosine", Total: total}})
	infinite := scheduleSpec{name: "time-constant τ=∞", tau: math.Inf(1), cfg: schedules.Config{Name: "time-constant", Params: map[string]float64{"tau": math.Inf(1)}}}

	seeds := l.seeds()
	r := l.report("Learning-rate schedules")
	var cells []*scheduleCell
	runCell := func(cell *scheduleCell, first *scheduleRun) error {
		settings := map[string]any{"schedule": cell.spec.cfg.Name, "lr": cell.lr}
		for k, v := range cell.spec.cfg.Params {
			if !math.IsInf(v, 0) {
				settings[k] = v
			}
		}
		cell.m = r.res.method(cell.spec.name, settings, cell.tuning)
		for i, seed := range seeds {
			run := first
			if i > 0 || run == nil {
				var err error
				if run, err = scheduleRunOne(ctx, l.at(seed), s, data, cell.spec, cell.lr); err != nil {
					return err
				}
			}
			if err := run.measure(data.Test); err != nil {
				return l.errorf("%s: %w", cell.spec.name, err)
			}
			cell.runs = append(cell.runs, run)
			cell.m.add(seed, run.measures())
			l.logf("seed %d  %-26s %s", seed, cell.spec.name, run.describe())
		}
		cells = append(cells, cell)
		return nil
	}
	for _, spec := range specs {
		tn, err := tune(ctx, l, spec.name, "validation loss after training", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(o.Quick)},
			func(lr float64) (*scheduleRun, float64, error) {
				run, err := scheduleRunOne(ctx, l.at(seeds[0]), s, data, spec, lr)
				if err != nil {
					return nil, 0, err
				}
				if run.c.Diverged {
					return run, math.NaN(), nil
				}
				return run, run.valLoss(), nil
			}, (*scheduleRun).close)
		if err != nil {
			return err
		}
		if err := runCell(&scheduleCell{spec: spec, tuning: tn.tuning, lr: tn.Chosen}, tn.Run); err != nil {
			return err
		}
		if spec.name == "constant" {
			// τ = ∞ must be the constant rate: it runs at the constant
			// rate's η0, right after it.
			if err := runCell(&scheduleCell{spec: infinite, lr: tn.Chosen}, nil); err != nil {
				return err
			}
		}
	}
	if err := writeScheduleData(l, cells); err != nil {
		return err
	}
	if err := writeScheduleFigure(l, cells); err != nil {
		return err
	}
	schedulesReport(r, s, cells, seeds, total, data)
	return l.finish(r)
}

// scheduleRunOne trains the MLP from the lab's "init" weights by SGD with
// the schedule at η0 = lr, measuring the loss on all training digits and
// on validation after every epoch. The run keeps its task for measure.
func scheduleRunOne(ctx context.Context, l *lab, s scheduleSetup, data *datasets.Splits, spec scheduleSpec, lr float64) (*scheduleRun, error) {
	c := spec.cfg
	c.LR = lr
	sc, err := schedules.New(c)
	if err != nil {
		return nil, l.errorf("%s: %w", spec.name, err)
	}
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
	run := &scheduleRun{spec: spec, seed: l.o.Seed, lr: lr, task: task}
	run.c, err = fit(ctx, spec.name, task, data.Train, data.Validation, fitConfig{
		Config:    train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle"), Schedule: sc},
		EvalTrain: data.Train,
	})
	if err != nil {
		run.close()
		return nil, l.errorf("%s, η0 %g: %w", spec.name, lr, err)
	}
	return run, nil
}

// measure scores the run on the test set, once, and releases its task; a
// diverged run is not measured.
func (r *scheduleRun) measure(test *datasets.Set) error {
	defer r.close()
	if r.c.Diverged {
		return nil
	}
	var err error
	r.test, err = r.task.Evaluate(test)
	return err
}

// measures are the run's results.json measures.
func (r *scheduleRun) measures() map[string]float64 {
	if r.c.Diverged {
		return map[string]float64{"diverged": 1}
	}
	tr, last := r.c.TrainEval[len(r.c.TrainEval)-1], r.c.Epochs[len(r.c.Epochs)-1]
	return map[string]float64{"diverged": 0, "train_loss": tr.Loss, "train_error": tr.Error, "val_loss": last.Val.Loss, "val_error": last.Val.Error,
		"test_loss": r.test.Loss, "test_error": r.test.Error, "last_rate": r.c.LR[len(r.c.LR)-1], "batch_loss_sd_last_10pct": r.quiet()}
}

func (r *scheduleRun) describe() string {
	if r.c.Diverged {
		return fmt.Sprintf("η0 %g diverged at update %d", r.lr, r.c.DivergedAt)
	}
	return fmt.Sprintf("η0 %-4g train loss %.4f  val loss %.4f  test loss %.4f  test error %s", r.lr, r.trainLoss(), r.valLoss(), r.test.Loss, pct(r.test.Error))
}

func writeScheduleData(l *lab, cells []*scheduleCell) error {
	var rows [][]string
	for _, c := range cells {
		for _, r := range c.runs {
			for k, v := range r.c.Loss {
				rows = append(rows, []string{r.spec.name, strconv.FormatUint(r.seed, 10), strconv.Itoa(k + 1), num(r.c.LR[k]), num(v)})
			}
		}
	}
	if err := l.writeCSV("curves.csv", []string{"schedule", "seed", "update", "lr", "loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, r := range c.runs {
			for i, e := range r.c.Epochs {
				rows = append(rows, []string{r.spec.name, strconv.FormatUint(r.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.LR),
					num(r.c.TrainEval[i].Loss), num(r.c.TrainEval[i].Error), num(e.Val.Loss), num(e.Val.Error)})
			}
		}
	}
	if err := l.writeCSV("epochs.csv", []string{"schedule", "seed", "epoch", "updates", "lr", "train_loss", "train_error", "val_loss", "val_error"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, r := range c.runs {
			row := []string{r.spec.name, strconv.FormatUint(r.seed, 10), num(r.lr), "diverged", "", "", "", ""}
			if !r.c.Diverged {
				row[3], row[4], row[5], row[6], row[7] = "finished", num(r.trainLoss()), num(r.valLoss()), num(r.test.Loss), num(r.test.Error)
			}
			rows = append(rows, row)
		}
	}
	if err := l.writeCSV("results.csv", []string{"schedule", "seed", "lr", "status", "train_loss", "val_loss", "test_loss", "test_error"}, rows); err != nil {
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
			rows = append(rows, []string{c.spec.name, num(t.Value), score, strconv.FormatBool(t.Value == c.tuning.Chosen)})
		}
	}
	return l.writeCSV("tuning.csv", []string{"schedule", "lr", "val_loss", "chosen"}, rows)
}

func writeScheduleFigure(l *lab, cells []*scheduleCell) error {
	rate := &chart{Title: "Learning rate of every update (each schedule at its tuned η0)", XLabel: "update", YLabel: "rate (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	loss := &chart{Title: "Training batch loss (window means, first seed)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, NoLegend: true}
	val := &chart{Title: "Loss on all training digits and on validation after each epoch (mean over the seeds)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	final := &barChart{Title: "Loss after training, mean ± sd over the seeds", YLabel: "loss"}
	var trV, trE, teV, teE []float64
	for i, c := range cells {
		col := paletteColor(i)
		r := c.runs[0]
		dashed := math.IsInf(c.spec.tau, 1) // drawn over the constant rate, which it equals
		xs := make([]float64, len(r.c.LR))
		for k := range xs {
			xs[k] = float64(k + 1)
		}
		rate.Series = append(rate.Series, series{Name: c.spec.name, X: xs, Y: r.c.LR, Color: col, Dashed: dashed})
		x, y := smooth(r.c.Loss, max(1, len(r.c.Loss)/80))
		loss.Series = append(loss.Series, series{X: x, Y: y, Color: col, Dashed: dashed, Thin: true})
		var ex, tr, va []float64
		for k, e := range r.c.Epochs {
			var ts, vs []float64
			for _, run := range c.runs {
				if !run.c.Diverged && k < len(run.c.Epochs) {
					ts, vs = append(ts, run.c.TrainEval[k].Loss), append(vs, run.c.Epochs[k].Val.Loss)
				}
			}
			ex, tr, va = append(ex, float64(e.Updates)), append(tr, meanOf(ts)), append(va, meanOf(vs))
		}
		if i == 0 {
			val.Series = append(val.Series, series{Name: "training (solid)", X: ex, Y: tr, Color: col, Points: true},
				series{Name: "validation (dashed)", X: ex, Y: va, Color: col, Dashed: true, Points: true})
		} else {
			val.Series = append(val.Series, series{X: ex, Y: tr, Color: col, Points: true, Dashed: dashed},
				series{X: ex, Y: va, Color: col, Dashed: true, Points: true})
		}
		st, ss := c.m.stat("train_loss"), c.m.stat("test_loss")
		final.Groups = append(final.Groups, shortSchedule(c.spec.name))
		trV, trE, teV, teE = append(trV, st.Mean), append(trE, st.SD), append(teV, ss.Mean), append(teE, ss.SD)
	}
	final.Bars = []bars{{Name: "training loss", Values: trV, Err: trE}, {Name: "test loss", Values: teV, Err: teE}}
	return writeCharts(l.file("schedules.png"), 1, chartWidth, 4*vg.Inch, rate, loss, val, final)
}

// shortSchedule abbreviates a schedule's name for a bar chart's axis.
func shortSchedule(name string) string {
	name = strings.Replace(name, "time-constant ", "", 1)
	if i := strings.Index(name, " every"); i > 0 {
		name = name[:i]
	}
	return name
}

func schedulesReport(r *report, s scheduleSetup, cells []*scheduleCell, seeds []uint64, total int, data *datasets.Splits) {
	r.p("The MLP of `learning-rates` (784-%d-10, ReLU) trained by plain SGD (batch %d) on the first %d MNIST training digits for %d epochs (T = %d updates), "+
		"one schedule per run; every run starts from the same weights and sees the same batches. "+
		"The lecture's time-constant decay is η_t = η0·τ/max(t, τ): constant for τ updates, then ∝ 1/t. Step decay multiplies the rate by 0.1 every T/3 updates; cosine anneals from η0 to 0 over T. "+
		"The loss is measured on all %d training digits and on %d validation digits after each epoch, and on %d test digits after training. "+
		"Data: `curves.csv` (every update's rate and batch loss), `epochs.csv`, `results.csv`, `tuning.csv`, `results.json`.",
		s.hidden[0].Units, s.batch, data.Train.Len(), s.epochs, total, data.Train.Len(), data.Validation.Len(), data.Test.Len())
	r.seedsNote(seeds, "the initial weights and the batch order",
		fmt.Sprintf("Each schedule's η0 is chosen from %s by the validation loss after training with the first seed (τ = ∞ runs at the constant rate's η0, which it must equal); the test set is measured once, with every seed, at that η0. "+
			"The rate and batch-loss panels show the first seed.", tuneGrid{Param: "η0", Values: s.rates, Extend: gridExtend(r.res.Quick)}))
	var rows [][]string
	for _, c := range cells {
		m := c.m
		div := ""
		if d := m.stat("diverged"); d.Mean > 0 {
			div = fmt.Sprintf(" (%d of %d diverged)", int(math.Round(d.Mean*float64(d.N))), d.N)
		}
		rows = append(rows, []string{c.spec.name + div, num(c.lr), m.stat("last_rate").pm("%.3g"), m.stat("train_loss").pm("%.4f"), m.stat("val_loss").pm("%.4f"),
			m.stat("test_loss").pm("%.4f"), m.stat("test_error").pct(), m.stat("batch_loss_sd_last_10pct").pm("%.3f")})
	}
	r.table([]string{"schedule", "η0 (tuned)", "last rate", "training loss", "validation loss", "test loss", "test error", "batch-loss sd, last 10 %"}, rows)
	rows = nil
	for _, c := range cells {
		if c.tuning != nil {
			rows = append(rows, []string{c.spec.name, c.tuning.triedText(func(v float64) string { return fmt.Sprintf("%.4f", v) })})
		}
	}
	r.p("Tuning (first seed): the validation loss after training at each η0.")
	r.table([]string{"schedule", "η0: validation loss"}, rows)
	r.figure("schedules.png", "rate, batch loss and epoch losses against update for every schedule, and the final losses with error bars")

	r.h2("What the lecture claims, and whether it held")
	// 1. The formula, read back from the optimizer at every update.
	worst, checked := 0.0, 0
	var at []string
	for _, c := range cells {
		if c.spec.tau == 0 || math.IsInf(c.spec.tau, 1) {
			continue
		}
		for _, run := range c.runs {
			for k, lr := range run.c.LR {
				t := float64(k + 1)
				want := run.lr * c.spec.tau / math.Max(t, c.spec.tau)
				worst = math.Max(worst, math.Abs(lr-want)/want)
				checked++
			}
		}
		run, tau := c.runs[0], int(c.spec.tau)
		if 2*tau <= len(run.c.LR) {
			at = append(at, fmt.Sprintf("τ = %d, η0 = %g: η_%d = %s, η_%d = %s, η_%d = %s", tau, run.lr, tau, g3(run.c.LR[tau-1]), tau+1, g3(run.c.LR[tau]), 2*tau, g3(run.c.LR[2*tau-1])))
		}
	}
	formula := didNotHold
	if checked > 0 && worst < 1e-12 {
		formula = held
	}
	r.verdict("η_t = η0·τ/max(t, τ) is constant for τ updates and then falls as 1/t", formula,
		"an exact check: every rate the optimizer used in every seed's time-constant runs within 1e-12 (relative) of the formula",
		"The rate the optimizer used at each of %d updates of the time-constant runs (all seeds) differs from the formula by at most %.2g (relative). For example %s.",
		checked, worst, listOr(at, "no τ short enough to show the decay"))
	// 2. τ → ∞, seed by seed.
	var constant, inf *scheduleCell
	for _, c := range cells {
		switch {
		case c.spec.name == "constant":
			constant = c
		case math.IsInf(c.spec.tau, 1):
			inf = c
		}
	}
	same, n := 0, 0
	for i, run := range inf.runs {
		n++
		ref := constant.runs[i]
		eq := len(run.c.Loss) == len(ref.c.Loss)
		for k := range run.c.Loss {
			eq = eq && k < len(ref.c.Loss) && run.c.Loss[k] == ref.c.Loss[k]
		}
		if eq {
			same++
		}
	}
	infinite := didNotHold
	if same == n {
		infinite = held
	}
	r.verdict("τ → ∞ gives a constant rate", infinite,
		"an exact check: with every seed, the run with τ = ∞ has the constant rate's batch loss bit for bit at every update",
		"With %d of the %d seeds the run with τ = ∞ had the same loss as the constant rate (η0 = %g), bit for bit, at every update.", same, n, constant.lr)
	// 3. Why decay: SGD's noise keeps a constant rate from settling. The
	// training loss says how far the optimisation got, the test loss what
	// it is worth; both are reported, each with its verdict.
	for _, m := range []struct{ what, key string }{{"training loss", "train_loss"}, {"test loss", "test_loss"}} {
		cs := constant.m.stat(m.key)
		var parts []outcome
		var each []string
		for _, c := range cells {
			if c == constant || c == inf {
				continue
			}
			st := c.m.stat(m.key)
			o := pairedLower(c.m, m.key, constant.m, m.key)
			parts = append(parts, o)
			each = append(each, fmt.Sprintf("%s %s, difference %s (%s)", c.spec.name, st.pm("%.4f"), diffText(pairedDiff(c.m, m.key, constant.m, m.key, 1), "%+.4f"), o))
		}
		r.verdict(fmt.Sprintf("Decaying the rate ends lower than keeping η0 (%s)", m.what), mostOf(parts...),
			fmt.Sprintf("for most of the %d decaying schedules, the interval of the per-seed difference of %s (schedule − constant) lies below 0", len(parts), m.what),
			"The constant rate (η0 = %g) ended at a %s of %s. Each decaying schedule at its own η0, and its difference from the constant rate seed by seed: %s.",
			constant.lr, m.what, cs.pm("%.4f"), strings.Join(each, "; "))
	}
	cq := constant.m.stat("batch_loss_sd_last_10pct")
	var quieter []string
	for _, c := range cells {
		if c != constant && c != inf && pairedLower(c.m, "batch_loss_sd_last_10pct", constant.m, "batch_loss_sd_last_10pct") == held {
			quieter = append(quieter, c.spec.name)
		}
	}
	r.p("Over the last 10 %% of the updates the batch loss of the constant rate varied with a standard deviation of %s; separably smaller (seed by seed) for: %s (the table lists each).",
		cq.pm("%.3f"), listOr(quieter, "none"))
	var short *scheduleCell
	for _, c := range cells {
		if c.spec.tau > 0 && !math.IsInf(c.spec.tau, 1) && (short == nil || c.spec.tau < short.spec.tau) {
			short = c
		}
	}
	if short != nil {
		sl, cl := short.m.stat("train_loss"), constant.m.stat("train_loss")
		r.p("The shortest time constant, τ = %g, had cut the rate to %s by the end; its training loss, %s, is %s the constant rate's %s "+
			"(after τ the rate falls as 1/t, so a τ that is too short slows training down).",
			short.spec.tau, short.m.stat("last_rate").pm("%.3g"), sl.pm("%.4f"), map[outcome]string{held: "above", didNotHold: "below", notSeparable: "not separable from"}[pairedHigher(short.m, "train_loss", constant.m, "train_loss")], cl.pm("%.4f"))
	}
}

// stddev is the population standard deviation of v.
func stddev(v []float64) float64 {
	m := meanOf(v)
	s := 0.0
	for _, u := range v {
		s += (u - m) * (u - m)
	}
	return math.Sqrt(s / float64(max(len(v), 1)))
}
