package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// lrSetup is the learning-rates experiment's model, data and budget.
type lrSetup struct {
	train, val int
	hidden     []models.Layer
	batch      int
	epochs     int
	rates      []float64
	blowUp     float64
}

func learningRatesSetup(quick bool) lrSetup {
	s := lrSetup{
		train: 20000, val: 5000,
		hidden: []models.Layer{{Units: 100, Activation: models.ReLU}},
		batch:  64, epochs: 6,
		// The lecture's range, half a decade apart, and two rates past it.
		rates:  []float64{1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10},
		blowUp: 10,
	}
	if quick {
		s.train, s.val, s.epochs = 2000, 500, 2
		s.rates = []float64{1e-6, 1e-4, 1e-2, 1, 10}
	}
	return s
}

// lrRun is one rate's run.
type lrRun struct {
	rate  float64
	c     *curve
	train infer.Metrics // on the training examples, after the run
	val   infer.Metrics
}

// LearningRates is the experiment learning-rates (docs/lecture.md §1): one small
// MLP (784-100-10, ReLU) trained by plain mini-batch SGD on an MNIST subset
// with every rate of a log grid from 1e-6 to 1, plus 3 and 10 just past
// the lecture's range, each run from the same initial weights and with the
// same batches. A run whose batch loss stops being finite or exceeds 10×
// its first value is stopped and marked as diverged.
//
// It writes curves.csv (lr,update,loss,seconds), results.csv (one row per
// rate), loss_curves.png, final_loss.png and report.md.
func LearningRates(ctx context.Context, o Options) error {
	l, err := newLab("learning-rates", o)
	if err != nil {
		return err
	}
	s := learningRatesSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, 0)
	if err != nil {
		return err
	}
	initial := infer.Metrics{}
	var runs []*lrRun
	for _, rate := range s.rates {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := l.mlp("init", data.Train.Dim(), s.hidden, data.Train.Classes, models.Dropout{})
		if err != nil {
			return err
		}
		opt, err := newOptimizer("sgd", map[string]float64{"lr": rate})
		if err != nil {
			return err
		}
		task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
		if err != nil {
			return l.errorf("%w", err)
		}
		if initial.N == 0 {
			if initial, err = task.Evaluate(data.Train); err != nil {
				task.Close()
				return l.errorf("%w", err)
			}
		}
		c, err := fit(ctx, fmt.Sprintf("lr %g", rate), task, data.Train, nil, fitConfig{
			Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")},
			BlowUp: s.blowUp,
		})
		if err != nil {
			task.Close()
			return l.errorf("lr %g: %w", rate, err)
		}
		r := &lrRun{rate: rate, c: c}
		if !c.Diverged {
			if r.train, err = task.Evaluate(data.Train); err == nil {
				r.val, err = task.Evaluate(data.Validation)
			}
		}
		task.Close()
		if err != nil {
			return l.errorf("lr %g: %w", rate, err)
		}
		runs = append(runs, r)
		if c.Diverged {
			l.logf("lr %-7g diverged at update %d (batch loss %.3g)", rate, c.DivergedAt, c.DivergedLoss)
		} else {
			l.logf("lr %-7g train loss %.4f  val loss %.4f  val error %s", rate, r.train.Loss, r.val.Loss, pct(r.val.Error))
		}
	}
	if err := writeLRData(l, runs); err != nil {
		return err
	}
	if err := writeLRFigures(l, runs, initial.Loss); err != nil {
		return err
	}
	return l.finish(lrReport(s, runs, initial, data.Train.Len(), data.Validation.Len(), o.Quick))
}

func writeLRData(l *lab, runs []*lrRun) error {
	var rows [][]string
	for _, r := range runs {
		for k, v := range r.c.Loss {
			rows = append(rows, []string{num(r.rate), strconv.Itoa(k + 1), num(v), num(r.c.Seconds[k])})
		}
	}
	if err := l.writeCSV("curves.csv", []string{"lr", "update", "loss", "seconds"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		row := []string{num(r.rate), r.status(), strconv.Itoa(r.c.updates()), "", "", "", ""}
		if r.c.Diverged {
			row[3] = strconv.Itoa(r.c.DivergedAt)
		} else {
			row[4], row[5], row[6] = num(r.train.Loss), num(r.val.Loss), num(r.val.Error)
		}
		rows = append(rows, row)
	}
	return l.writeCSV("results.csv", []string{"lr", "status", "updates", "diverged_at", "train_loss", "val_loss", "val_error"}, rows)
}

// status is "diverged" or "finished".
func (r *lrRun) status() string {
	if r.c.Diverged {
		return "diverged"
	}
	return "finished"
}

func writeLRFigures(l *lab, runs []*lrRun, initial float64) error {
	lo, hi := math.Log10(runs[0].rate), math.Log10(runs[len(runs)-1].rate)
	const yMax = 20
	curves := &chart{Title: "SGD with one learning rate per line: batch loss (window means)", XLabel: "update", YLabel: "training loss (log scale)", LogY: true, YMax: yMax, LegendLeft: true, LegendBottom: true}
	final := &chart{Title: "Loss at the end of training against the learning rate", XLabel: "learning rate (log scale)", YLabel: "loss (log scale)", LogX: true, LogY: true, LegendLeft: true}
	var rates, trainL, valL []float64
	for _, r := range runs {
		col := ramp((math.Log10(r.rate) - lo) / math.Max(hi-lo, 1e-9))
		x, y := smooth(r.c.Loss, max(1, len(r.c.Loss)/60))
		name := "lr " + num(r.rate)
		if r.c.Diverged {
			name += " (diverged)"
			// Show the blow-up itself: the window mean hides it.
			x = append(x, float64(r.c.DivergedAt))
			y = append(y, math.Min(r.c.DivergedLoss, yMax))
			curves.Markers = append(curves.Markers, marker{X: float64(r.c.DivergedAt), Y: math.Min(r.c.DivergedLoss, yMax*0.9), Color: col})
		} else {
			rates = append(rates, r.rate)
			trainL = append(trainL, r.train.Loss)
			valL = append(valL, r.val.Loss)
		}
		curves.Series = append(curves.Series, series{Name: name, X: x, Y: y, Color: col, Dashed: r.c.Diverged})
	}
	final.Series = []series{
		{Name: "training loss", X: rates, Y: trainL, Points: true},
		{Name: "validation loss", X: rates, Y: valL, Points: true, Dashed: true},
	}
	top := initial
	for _, v := range append(trainL, valL...) {
		top = math.Max(top, v)
	}
	for _, r := range runs {
		if r.c.Diverged {
			final.Markers = append(final.Markers, marker{X: r.rate, Y: 1.5 * top, Color: hexColor(0xd62728)})
		}
	}
	if len(final.Markers) > 0 {
		final.Markers[0].Name = "diverged (stopped)"
	}
	final.Rules = []rule{{Name: "loss before training", At: initial}}
	if err := writeChart(l.file("loss_curves.png"), curves); err != nil {
		return err
	}
	return writeCharts(l.file("final_loss.png"), 1, 8*vg.Inch, 5*vg.Inch, final)
}

func lrReport(s lrSetup, runs []*lrRun, initial infer.Metrics, nTrain, nVal int, quick bool) *report {
	r := newReport("Learning rates: too small, too large, stable", quick)
	updates := 0
	for _, run := range runs {
		updates = max(updates, run.c.updates())
	}
	r.p("One MLP (784-%d-10, ReLU, He initialisation) trained by plain mini-batch SGD (batch %d) on the first %d MNIST training digits for %d epochs (%d updates), "+
		"once per learning rate of a log grid from %g to %g; the lecture's range is (1e-6, 1), and the rates past 1 are there to find where SGD breaks. "+
		"Every run starts from the same initial weights and sees the same batches in the same order, so the rate is the only difference. "+
		"A run whose batch loss stops being finite or exceeds %g× its first value is stopped and marked as diverged. "+
		"Losses are the mean cross-entropy on all %d training digits (and on %d validation digits) after training; before training it is %.4f. "+
		"Data: `curves.csv` (every update's batch loss), `results.csv`.",
		s.hidden[0].Units, s.batch, nTrain, s.epochs, updates, s.rates[0], s.rates[len(s.rates)-1], s.blowUp, nTrain, nVal, initial.Loss)
	var rows [][]string
	for _, run := range runs {
		if run.c.Diverged {
			rows = append(rows, []string{num(run.rate), fmt.Sprintf("diverged at update %d (batch loss %.3g)", run.c.DivergedAt, run.c.DivergedLoss), "—", "—", "—"})
			continue
		}
		rows = append(rows, []string{num(run.rate), "finished", fmt.Sprintf("%.4f", run.train.Loss), fmt.Sprintf("%.4f", run.val.Loss), pct(run.val.Error)})
	}
	r.table([]string{"learning rate", "run", "training loss", "validation loss", "validation error"}, rows)
	r.figure("loss_curves.png", "batch loss against update, one line per learning rate")
	r.figure("final_loss.png", "final loss against learning rate")

	r.h2("What the lecture claims, and whether it held")
	smallest := runs[0]
	var best *lrRun
	var diverged []string
	firstDiverged := math.Inf(1)
	for _, run := range runs {
		if run.c.Diverged {
			diverged = append(diverged, num(run.rate))
			firstDiverged = math.Min(firstDiverged, run.rate)
			continue
		}
		if best == nil || run.train.Loss < best.train.Loss {
			best = run
		}
	}
	if !smallest.c.Diverged {
		drop := (initial.Loss - smallest.train.Loss) / initial.Loss
		r.claim("Too small a rate converges slowly or stalls", drop < 0.05,
			"With lr %g the training loss went from %.4f to %.4f in %d updates, a %.2f %% decrease (the claim counts as held below 5 %%).",
			smallest.rate, initial.Loss, smallest.train.Loss, smallest.c.updates(), 100*drop)
	}
	if len(diverged) > 0 {
		inRange := firstDiverged <= 1
		where := "past the lecture's range: every rate up to 1 stayed finite"
		if inRange {
			where = "inside the lecture's range"
		}
		r.claim("Too large a rate overshoots and diverges", true,
			"Diverged and stopped: lr %s; the smallest diverging rate is %g, %s. A diverged run's weights are meaningless, so it has no final loss.",
			strings.Join(diverged, ", "), firstDiverged, where)
	} else {
		r.claim("Too large a rate overshoots and diverges", false, "No rate of the grid diverged (largest: %g).", runs[len(runs)-1].rate)
	}
	if best != nil {
		interior := best != runs[0] && best.rate < firstDiverged
		bigger := "no finished run had a larger rate"
		for _, run := range runs {
			if run.rate > best.rate {
				if run.c.Diverged {
					bigger = fmt.Sprintf("the next larger rate, %g, diverged", run.rate)
				} else {
					bigger = fmt.Sprintf("the next larger rate, %g, ended at %.4f", run.rate, run.train.Loss)
					interior = interior && run.train.Loss > best.train.Loss
				}
				break
			}
		}
		r.claim("In between, a stable rate converges smoothly; the loss against the rate is U-shaped", interior,
			"The lowest final training loss, %.4f (validation error %s), came from lr %g; %s; the smallest rate, %g, ended at %.4f. The claim holds when the best rate lies inside the grid with worse results on both sides.",
			best.train.Loss, pct(best.val.Error), best.rate, bigger, runs[0].rate, runs[0].train.Loss)
		for _, run := range runs {
			if run.rate == 1e-3 && !run.c.Diverged {
				cmp := "as good as"
				switch {
				case run.train.Loss > best.train.Loss && best.rate > run.rate:
					cmp = "worse than a larger rate: plain SGD on this problem wants more than 0.001 (a default that suits adaptive methods such as Adam; see `optimizers-mnist`)"
				case run.train.Loss > best.train.Loss:
					cmp = "worse than a smaller rate"
				}
				r.p("The lecture calls 0.001 the typical choice: here, with plain SGD and this budget, it reached a training loss of %.4f (validation error %s) against the best rate's %.4f, %s.",
					run.train.Loss, pct(run.val.Error), best.train.Loss, cmp)
			}
		}
	}
	return r
}
