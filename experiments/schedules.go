package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// scheduleSetup is the schedules experiment's model, data and budget.
type scheduleSetup struct {
	train, val int
	hidden     []models.Layer
	batch      int
	epochs     int
	lr         float64   // η0
	taus       []float64 // the time constants as fractions of the run
}

func schedulesSetup(quick bool) scheduleSetup {
	s := scheduleSetup{
		train: 10000, val: 2000,
		hidden: []models.Layer{{Units: 100, Activation: models.ReLU}},
		batch:  64, epochs: 8, lr: 1,
		taus: []float64{0.02, 0.1, 0.5},
	}
	if quick {
		s.train, s.val, s.epochs = 2000, 500, 3
	}
	return s
}

// scheduleRun is one schedule's run.
type scheduleRun struct {
	name  string
	tau   float64 // for time-constant runs; +Inf for τ → ∞; 0 otherwise
	sched schedules.Schedule
	c     *curve
}

// Schedules is the experiment schedules (docs/lecture.md §2): the MLP of
// learning-rates (784-100-10, ReLU), trained by SGD from the same initial
// weights on the same batches with a constant rate η0, with the lecture's
// time-constant decay η0·τ/max(t, τ) for several τ (and τ = +Inf, which
// must be the constant rate), and with step and cosine decay.
//
// It writes curves.csv (schedule,update,lr,loss), epochs.csv (per epoch:
// training and validation loss and error), schedules.png and report.md.
func Schedules(ctx context.Context, o Options) error {
	l, err := newLab("schedules", o)
	if err != nil {
		return err
	}
	s := schedulesSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, 0)
	if err != nil {
		return err
	}
	total := s.epochs * (data.Train.Len() / s.batch)
	var runs []*scheduleRun
	add := func(name string, tau float64, c schedules.Config) error {
		c.LR = s.lr
		sc, err := schedules.New(c)
		if err != nil {
			return l.errorf("%s: %w", name, err)
		}
		runs = append(runs, &scheduleRun{name: name, tau: tau, sched: sc})
		return nil
	}
	if err := add("constant", 0, schedules.Config{Name: "constant"}); err != nil {
		return err
	}
	for _, f := range s.taus {
		tau := math.Max(1, math.Round(f*float64(total)))
		if err := add(fmt.Sprintf("time-constant τ=%g", tau), tau, schedules.Config{Name: "time-constant", Params: map[string]float64{"tau": tau}}); err != nil {
			return err
		}
	}
	if err := add("time-constant τ=∞", math.Inf(1), schedules.Config{Name: "time-constant", Params: map[string]float64{"tau": math.Inf(1)}}); err != nil {
		return err
	}
	every := (total + 2) / 3
	if err := add(fmt.Sprintf("step ×0.1 every %d", every), 0, schedules.Config{Name: "step", Params: map[string]float64{"every": float64(every), "gamma": 0.1}}); err != nil {
		return err
	}
	if err := add("cosine", 0, schedules.Config{Name: "cosine", Total: total}); err != nil {
		return err
	}

	for _, run := range runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := l.mlp("init", data.Train.Dim(), s.hidden, data.Train.Classes, models.Dropout{})
		if err != nil {
			return err
		}
		opt, err := newOptimizer("sgd", map[string]float64{"lr": s.lr})
		if err != nil {
			return err
		}
		task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
		if err != nil {
			return l.errorf("%w", err)
		}
		run.c, err = fit(ctx, run.name, task, data.Train, data.Validation, fitConfig{
			Config:    train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle"), Schedule: run.sched},
			EvalTrain: data.Train,
		})
		task.Close()
		if err != nil {
			return l.errorf("%s: %w", run.name, err)
		}
		if run.c.Diverged {
			l.logf("%-26s diverged at update %d", run.name, run.c.DivergedAt)
			continue
		}
		last := run.c.Epochs[len(run.c.Epochs)-1]
		l.logf("%-26s train loss %.4f  val loss %.4f  val error %s", run.name, run.c.TrainEval[len(run.c.TrainEval)-1].Loss, last.Val.Loss, pct(last.Val.Error))
	}
	if err := writeScheduleData(l, runs); err != nil {
		return err
	}
	if err := writeScheduleFigure(l, runs, s); err != nil {
		return err
	}
	return l.finish(schedulesReport(s, runs, total, data.Train.Len(), data.Validation.Len(), o.Quick))
}

func writeScheduleData(l *lab, runs []*scheduleRun) error {
	var rows [][]string
	for _, r := range runs {
		for k, v := range r.c.Loss {
			rows = append(rows, []string{r.name, strconv.Itoa(k + 1), num(r.c.LR[k]), num(v)})
		}
	}
	if err := l.writeCSV("curves.csv", []string{"schedule", "update", "lr", "loss"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for i, e := range r.c.Epochs {
			rows = append(rows, []string{r.name, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.LR),
				num(r.c.TrainEval[i].Loss), num(r.c.TrainEval[i].Error), num(e.Val.Loss), num(e.Val.Error)})
		}
	}
	return l.writeCSV("epochs.csv", []string{"schedule", "epoch", "updates", "lr", "train_loss", "train_error", "val_loss", "val_error"}, rows)
}

func writeScheduleFigure(l *lab, runs []*scheduleRun, s scheduleSetup) error {
	rate := &chart{Title: "Learning rate of every update", XLabel: "update", YLabel: "rate (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	loss := &chart{Title: "Training batch loss (window means)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, NoLegend: true}
	val := &chart{Title: "Loss on all training digits and on validation, after each epoch", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	for i, r := range runs {
		col := paletteColor(i)
		dashed := math.IsInf(r.tau, 1) // drawn over the constant rate, which it equals
		xs := make([]float64, len(r.c.LR))
		for k := range xs {
			xs[k] = float64(k + 1)
		}
		rate.Series = append(rate.Series, series{Name: r.name, X: xs, Y: r.c.LR, Color: col, Dashed: dashed})
		x, y := smooth(r.c.Loss, max(1, len(r.c.Loss)/80))
		loss.Series = append(loss.Series, series{X: x, Y: y, Color: col, Dashed: dashed, Thin: true})
		var ex, tr, va []float64
		for k, e := range r.c.Epochs {
			ex = append(ex, float64(e.Updates))
			tr = append(tr, r.c.TrainEval[k].Loss)
			va = append(va, e.Val.Loss)
		}
		if i == 0 {
			val.Series = append(val.Series, series{Name: "training (solid)", X: ex, Y: tr, Color: col, Points: true},
				series{Name: "validation (dashed)", X: ex, Y: va, Color: col, Dashed: true, Points: true})
			continue
		}
		val.Series = append(val.Series, series{X: ex, Y: tr, Color: col, Points: true, Dashed: dashed},
			series{X: ex, Y: va, Color: col, Dashed: true, Points: true})
	}
	return writeCharts(l.file("schedules.png"), 1, chartWidth, 4*vg.Inch, rate, loss, val)
}

func schedulesReport(s scheduleSetup, runs []*scheduleRun, total, nTrain, nVal int, quick bool) *report {
	r := newReport("Learning-rate schedules", quick)
	r.p("The MLP of `learning-rates` (784-%d-10, ReLU) trained by plain SGD (batch %d) on the first %d MNIST training digits for %d epochs (T = %d updates), "+
		"with η0 = %g and one schedule per run; every run starts from the same weights and sees the same batches. "+
		"The lecture's time-constant decay is η_t = η0·τ/max(t, τ): constant for τ updates, then ∝ 1/t. Step decay multiplies the rate by 0.1 every T/3 updates; cosine anneals from η0 to 0 over T. "+
		"The loss is measured on all %d training digits and on %d validation digits after each epoch. Data: `curves.csv` (every update's rate and batch loss), `epochs.csv`.",
		s.hidden[0].Units, s.batch, nTrain, s.epochs, total, s.lr, nTrain, nVal)
	constant := runs[0]
	var rows [][]string
	for _, run := range runs {
		if run.c.Diverged {
			rows = append(rows, []string{run.name, "—", fmt.Sprintf("diverged at update %d", run.c.DivergedAt), "—", "—", "—"})
			continue
		}
		tr := run.c.TrainEval[len(run.c.TrainEval)-1]
		last := run.c.Epochs[len(run.c.Epochs)-1]
		rows = append(rows, []string{run.name, g3(run.c.LR[len(run.c.LR)-1]), fmt.Sprintf("%.4f", tr.Loss), fmt.Sprintf("%.4f", last.Val.Loss), pct(last.Val.Error),
			fmt.Sprintf("%.3f", stddev(run.c.Loss[len(run.c.Loss)*9/10:]))})
	}
	r.table([]string{"schedule", "last rate", "training loss", "validation loss", "validation error", "batch-loss std, last 10 %"}, rows)
	r.figure("schedules.png", "rate, batch loss and epoch losses against update for every schedule")

	r.h2("What the lecture claims, and whether it held")
	// 1. The formula, read back from the optimizer at every update.
	worst, checked := 0.0, 0
	var at []string
	for _, run := range runs {
		if run.tau == 0 || math.IsInf(run.tau, 1) {
			continue
		}
		for k, lr := range run.c.LR {
			t := float64(k + 1)
			want := s.lr * run.tau / math.Max(t, run.tau)
			worst = math.Max(worst, math.Abs(lr-want)/want)
			checked++
		}
		tau := int(run.tau)
		if 2*tau <= len(run.c.LR) {
			at = append(at, fmt.Sprintf("τ = %d: η_%d = %s, η_%d = %s, η_%d = %s", tau, tau, g3(run.c.LR[tau-1]), tau+1, g3(run.c.LR[tau]), 2*tau, g3(run.c.LR[2*tau-1])))
		}
	}
	r.claim("η_t = η0·τ/max(t, τ) is constant for τ updates and then falls as 1/t", checked > 0 && worst < 1e-12,
		"The rate the optimizer used at each of %d updates of the time-constant runs differs from the formula by at most %.2g (relative). For example %s (η0 = %g).",
		checked, worst, listOr(at, "no τ short enough to show the decay"), s.lr)
	// 2. τ → ∞.
	for _, run := range runs {
		if !math.IsInf(run.tau, 1) {
			continue
		}
		same := len(run.c.Loss) == len(constant.c.Loss)
		for k := range run.c.Loss {
			same = same && k < len(constant.c.Loss) && run.c.Loss[k] == constant.c.Loss[k]
		}
		r.claim("τ → ∞ gives a constant rate", same,
			"The run with τ = ∞ had the same loss as the constant rate, bit for bit, at %s of its %d updates.",
			yesNo(same, "every one", "not every one"), len(run.c.Loss))
	}
	// 3. Why decay: SGD's noise keeps a constant rate from settling. The
	// training loss says how far the optimisation got, the validation
	// loss what it is worth; both are reported, each with its verdict.
	if !constant.c.Diverged {
		for _, m := range []struct {
			what string
			of   func(run *scheduleRun) float64
		}{
			{"training loss", func(run *scheduleRun) float64 { return run.c.TrainEval[len(run.c.TrainEval)-1].Loss }},
			{"validation loss", func(run *scheduleRun) float64 { return run.c.Epochs[len(run.c.Epochs)-1].Val.Loss }},
		} {
			cl := m.of(constant)
			var better, worse []string
			n := 0
			for _, run := range runs[1:] {
				if math.IsInf(run.tau, 1) || run.c.Diverged {
					continue
				}
				n++
				e := fmt.Sprintf("%s (%.4f)", run.name, m.of(run))
				if m.of(run) < cl {
					better = append(better, e)
				} else {
					worse = append(worse, e)
				}
			}
			r.claim(fmt.Sprintf("Decaying the rate ends lower than keeping η0 (%s)", m.what), 2*len(better) > n,
				"The constant rate η0 = %g ended at a %s of %.4f. Lower: %s. Not lower: %s. The claim counts as held when most of the %d decaying schedules end lower.",
				s.lr, m.what, cl, listOr(better, "none"), listOr(worse, "none"), n)
		}
		var quieter []string
		cs := stddev(constant.c.Loss[len(constant.c.Loss)*9/10:])
		for _, run := range runs[1:] {
			if !math.IsInf(run.tau, 1) && !run.c.Diverged && stddev(run.c.Loss[len(run.c.Loss)*9/10:]) < cs {
				quieter = append(quieter, run.name)
			}
		}
		r.p("Over the last 10 %% of the updates the batch loss of the constant rate varied with a standard deviation of %.3f; smaller for: %s (the table lists each).",
			cs, listOr(quieter, "none"))
		if short := runs[1]; short.tau > 0 && !math.IsInf(short.tau, 1) && !short.c.Diverged {
			sl, cl := short.c.TrainEval[len(short.c.TrainEval)-1].Loss, constant.c.TrainEval[len(constant.c.TrainEval)-1].Loss
			r.p("The shortest time constant, τ = %g, had cut the rate to %s by the end; its training loss, %.4f, is %s the constant rate's %.4f: "+
				"after τ the rate falls as 1/t, so a τ that is too short %s.",
				short.tau, g3(short.c.LR[len(short.c.LR)-1]), sl, yesNo(sl > cl, "above", "below"), cl,
				yesNo(sl > cl, "slows training down", "did not hurt here"))
		}
	}
	return r
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
