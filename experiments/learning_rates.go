package experiments

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
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

// lrRun is one rate's run with one seed.
type lrRun struct {
	rate    float64
	seed    uint64
	c       *curve
	initial infer.Metrics // on the training examples, before training
	train   infer.Metrics // on the training examples, after the run
	val     infer.Metrics
}

// lrCell is one rate: a run per seed.
type lrCell struct {
	rate float64
	runs []*lrRun
	m    *methodStats
}

// diverged counts the seeds with which the rate diverged.
func (c *lrCell) diverged() int {
	n := 0
	for _, r := range c.runs {
		if r.c.Diverged {
			n++
		}
	}
	return n
}

// LearningRates is the experiment learning-rates (docs/lecture.md §1): one small
// MLP (784-100-10, ReLU) trained by plain mini-batch SGD on an MNIST subset
// with every rate of a log grid from 1e-6 to 1, plus 3 and 10 just past
// the lecture's range, each run from the same initial weights and with the
// same batches, and every rate with several seeds. A run whose batch loss
// stops being finite or exceeds 10× its first value is stopped and marked
// as diverged. The rate is what the experiment varies: nothing is tuned.
//
// It writes curves.csv (lr,seed,update,loss,seconds), results.csv (one row
// per rate and seed), loss_curves.png, final_loss.png, results.json and
// report.md.
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
	seeds := l.seeds()
	r := l.report("Learning rates: too small, too large, stable")
	var cells []*lrCell
	for _, rate := range s.rates {
		cell := &lrCell{rate: rate, m: r.res.method("lr "+num(rate), map[string]any{"lr": rate}, nil)}
		for _, seed := range seeds {
			if err := ctx.Err(); err != nil {
				return err
			}
			run, err := lrRunOne(ctx, l.at(seed), s, rate, data)
			if err != nil {
				return err
			}
			cell.runs = append(cell.runs, run)
			cell.m.add(seed, run.measures())
			if run.c.Diverged {
				l.logf("seed %d  lr %-7g diverged at update %d (batch loss %.3g)", seed, rate, run.c.DivergedAt, run.c.DivergedLoss)
			} else {
				l.logf("seed %d  lr %-7g train loss %.4f  val loss %.4f  val error %s", seed, rate, run.train.Loss, run.val.Loss, pct(run.val.Error))
			}
		}
		cells = append(cells, cell)
	}
	if err := writeLRData(l, cells); err != nil {
		return err
	}
	if err := writeLRFigures(l, cells); err != nil {
		return err
	}
	lrReport(r, s, cells, seeds, data.Train.Len(), data.Validation.Len())
	return l.finish(r)
}

// lrRunOne trains the MLP from the lab's "init" weights by SGD at one rate
// and measures it on the training and validation sets.
func lrRunOne(ctx context.Context, l *lab, s lrSetup, rate float64, data *datasets.Splits) (*lrRun, error) {
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
	defer task.Close()
	r := &lrRun{rate: rate, seed: l.o.Seed}
	if r.initial, err = task.Evaluate(data.Train); err != nil {
		return nil, l.errorf("%w", err)
	}
	r.c, err = fit(ctx, fmt.Sprintf("lr %g", rate), task, data.Train, nil, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")},
		BlowUp: s.blowUp,
	})
	if err != nil {
		return nil, l.errorf("lr %g: %w", rate, err)
	}
	if !r.c.Diverged {
		if r.train, err = task.Evaluate(data.Train); err == nil {
			r.val, err = task.Evaluate(data.Validation)
		}
	}
	if err != nil {
		return nil, l.errorf("lr %g: %w", rate, err)
	}
	return r, nil
}

// measures are the run's results.json measures.
func (r *lrRun) measures() map[string]float64 {
	m := map[string]float64{"initial_train_loss": r.initial.Loss, "updates": float64(r.c.updates()), "diverged": 0}
	if r.c.Diverged {
		m["diverged"], m["diverged_at"] = 1, float64(r.c.DivergedAt)
		return m
	}
	m["train_loss"], m["val_loss"], m["val_error"] = r.train.Loss, r.val.Loss, r.val.Error
	m["train_loss_drop"] = (r.initial.Loss - r.train.Loss) / r.initial.Loss
	return m
}

func writeLRData(l *lab, cells []*lrCell) error {
	var rows [][]string
	for _, c := range cells {
		for _, r := range c.runs {
			for k, v := range r.c.Loss {
				rows = append(rows, []string{num(r.rate), strconv.FormatUint(r.seed, 10), strconv.Itoa(k + 1), num(v), num(r.c.Seconds[k])})
			}
		}
	}
	if err := l.writeCSV("curves.csv", []string{"lr", "seed", "update", "loss", "seconds"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, r := range c.runs {
			row := []string{num(r.rate), strconv.FormatUint(r.seed, 10), r.status(), strconv.Itoa(r.c.updates()), "", "", "", ""}
			if r.c.Diverged {
				row[4] = strconv.Itoa(r.c.DivergedAt)
			} else {
				row[5], row[6], row[7] = num(r.train.Loss), num(r.val.Loss), num(r.val.Error)
			}
			rows = append(rows, row)
		}
	}
	return l.writeCSV("results.csv", []string{"lr", "seed", "status", "updates", "diverged_at", "train_loss", "val_loss", "val_error"}, rows)
}

// status is "diverged" or "finished".
func (r *lrRun) status() string {
	if r.c.Diverged {
		return "diverged"
	}
	return "finished"
}

func writeLRFigures(l *lab, cells []*lrCell) error {
	lo, hi := math.Log10(cells[0].rate), math.Log10(cells[len(cells)-1].rate)
	const yMax = 20
	curves := &chart{Title: "SGD with one learning rate per line: batch loss (window means, first seed)", XLabel: "update", YLabel: "training loss (log scale)", LogY: true, YMax: yMax, LegendLeft: true, LegendBottom: true}
	final := &chart{Title: "Loss at the end of training against the learning rate (mean ± sd over the seeds)", XLabel: "learning rate (log scale)", YLabel: "loss (log scale)", LogX: true, LogY: true, LegendLeft: true}
	var rates, trainL, trainE, valL, valE []float64
	initial := cells[0].m.stat("initial_train_loss").Mean
	top := initial
	for _, c := range cells {
		r := c.runs[0]
		col := ramp((math.Log10(r.rate) - lo) / math.Max(hi-lo, 1e-9))
		x, y := smooth(r.c.Loss, max(1, len(r.c.Loss)/60))
		name := "lr " + num(r.rate)
		if r.c.Diverged {
			name += " (diverged)"
			// Show the blow-up itself: the window mean hides it.
			x = append(x, float64(r.c.DivergedAt))
			y = append(y, math.Min(r.c.DivergedLoss, yMax))
			curves.Markers = append(curves.Markers, marker{X: float64(r.c.DivergedAt), Y: math.Min(r.c.DivergedLoss, yMax*0.9), Color: col})
		}
		curves.Series = append(curves.Series, series{Name: name, X: x, Y: y, Color: col, Dashed: r.c.Diverged})
		if c.diverged() == 0 {
			t, v := c.m.stat("train_loss"), c.m.stat("val_loss")
			rates, trainL, trainE, valL, valE = append(rates, c.rate), append(trainL, t.Mean), append(trainE, t.SD), append(valL, v.Mean), append(valE, v.SD)
			top = math.Max(top, math.Max(t.Mean+t.SD, v.Mean+v.SD))
		}
	}
	final.Series = []series{
		{Name: "training loss", X: rates, Y: trainL, Err: trainE, Points: true},
		{Name: "validation loss", X: rates, Y: valL, Err: valE, Points: true, Dashed: true},
	}
	for _, c := range cells {
		if n := c.diverged(); n > 0 {
			final.Markers = append(final.Markers, marker{X: c.rate, Y: 1.5 * top, Color: hexColor(0xd62728)})
		}
	}
	if len(final.Markers) > 0 {
		final.Markers[0].Name = "diverged with some seed (stopped)"
	}
	final.Rules = []rule{{Name: "loss before training (mean)", At: initial}}
	if err := writeChart(l.file("loss_curves.png"), curves); err != nil {
		return err
	}
	return writeCharts(l.file("final_loss.png"), 1, 8*vg.Inch, 5*vg.Inch, final)
}

func lrReport(r *report, s lrSetup, cells []*lrCell, seeds []uint64, nTrain, nVal int) {
	updates := 0
	for _, c := range cells {
		for _, run := range c.runs {
			updates = max(updates, run.c.updates())
		}
	}
	initial := cells[0].m.stat("initial_train_loss")
	r.p("One MLP (784-%d-10, ReLU, He initialisation) trained by plain mini-batch SGD (batch %d) on the first %d MNIST training digits for %d epochs (%d updates), "+
		"once per learning rate of a log grid from %g to %g; the lecture's range is (1e-6, 1), and the rates past 1 are there to find where SGD breaks. "+
		"With each seed every run starts from the same initial weights and sees the same batches in the same order, so the rate is the only difference. "+
		"A run whose batch loss stops being finite or exceeds %g× its first value is stopped and marked as diverged. "+
		"Losses are the mean cross-entropy on all %d training digits (and on %d validation digits) after training; before training it is %s. "+
		"Data: `curves.csv` (every update's batch loss), `results.csv`, `results.json`.",
		s.hidden[0].Units, s.batch, nTrain, s.epochs, updates, s.rates[0], s.rates[len(s.rates)-1], s.blowUp, nTrain, nVal, initial.pm("%.4f"))
	r.seedsNote(seeds, "the initial weights and the batch order",
		"Nothing is tuned: the learning rate is what the experiment varies, and no rate is chosen by its validation score (the test set is not used).")
	var rows [][]string
	for _, c := range cells {
		status := "finished"
		if n := c.diverged(); n > 0 {
			status = fmt.Sprintf("diverged with %d of %d seeds (at update %s)", n, len(c.runs), c.m.stat("diverged_at").pm("%.0f"))
		}
		rows = append(rows, []string{num(c.rate), status, c.m.stat("train_loss").pm("%.4f"), c.m.stat("val_loss").pm("%.4f"), c.m.stat("val_error").pct()})
	}
	r.table([]string{"learning rate", "run", "training loss", "validation loss", "validation error"}, rows)
	r.p("A diverged run's weights are meaningless, so it has no final loss: the loss columns are over the seeds that finished.")
	r.figure("loss_curves.png", "batch loss against update, one line per learning rate")
	r.figure("final_loss.png", "final loss against learning rate, with error bars")

	r.h2("What the lecture claims, and whether it held")
	smallest := cells[0]
	if smallest.diverged() == 0 {
		drop := smallest.m.stat("train_loss_drop")
		r.verdict("Too small a rate converges slowly or stalls", lower(drop, exactly(0.05)),
			"the interval of the relative decrease of the training loss lies below 5 %",
			"With lr %g the training loss went from %s to %s in %d updates, a decrease of %s (95 %% interval %s %%).",
			smallest.rate, smallest.m.stat("initial_train_loss").pm("%.4f"), smallest.m.stat("train_loss").pm("%.4f"), smallest.runs[0].c.updates(),
			drop.pct(), drop.scaled(100).ci("%.2f"))
	}
	var always, sometimes []string
	firstAlways := math.Inf(1)
	for _, c := range cells {
		switch n := c.diverged(); {
		case n == len(c.runs):
			always = append(always, num(c.rate))
			firstAlways = math.Min(firstAlways, c.rate)
		case n > 0:
			sometimes = append(sometimes, fmt.Sprintf("%s (%d of %d seeds)", num(c.rate), n, len(c.runs)))
		}
	}
	diverges := notSeparable
	switch {
	case len(always) > 0:
		diverges = held
	case len(sometimes) == 0:
		diverges = didNotHold
	}
	where := "no rate diverged with every seed"
	if len(always) > 0 {
		where = fmt.Sprintf("the smallest rate diverging with every seed is %g, %s", firstAlways,
			yesNo(firstAlways <= 1, "inside the lecture's range", "past the lecture's range: every rate up to 1 stayed finite with every seed"))
	}
	r.verdict("Too large a rate overshoots and diverges", diverges,
		"some rate of the grid diverges with every seed (did not hold: no rate diverges with any seed)",
		"Diverged with every seed: lr %s; with some seeds only: %s; %s.", listOr(always, "none"), listOr(sometimes, "none"), where)
	var best *lrCell
	for _, c := range cells {
		if c.diverged() == 0 && (best == nil || c.m.stat("train_loss").Mean < best.m.stat("train_loss").Mean) {
			best = c
		}
	}
	if best == nil {
		return
	}
	bi := slices.Index(cells, best)
	bl := best.m.stat("train_loss")
	var parts []outcome
	var sides []string
	if bi == 0 {
		parts = append(parts, didNotHold)
		sides = append(sides, "it is the smallest rate of the grid")
	} else {
		prev := cells[bi-1]
		o := pairedHigher(prev.m, "train_loss", best.m, "train_loss")
		parts = append(parts, o)
		sides = append(sides, fmt.Sprintf("the next smaller rate, %g, ended at %s (%s)", prev.rate, prev.m.stat("train_loss").pm("%.4f"), o))
	}
	switch {
	case bi == len(cells)-1:
		parts = append(parts, didNotHold)
		sides = append(sides, "it is the largest rate of the grid")
	case cells[bi+1].diverged() > 0:
		parts = append(parts, held)
		sides = append(sides, fmt.Sprintf("the next larger rate, %g, diverged with %d of %d seeds", cells[bi+1].rate, cells[bi+1].diverged(), len(cells[bi+1].runs)))
	default:
		next := cells[bi+1]
		o := pairedHigher(next.m, "train_loss", best.m, "train_loss")
		parts = append(parts, o)
		sides = append(sides, fmt.Sprintf("the next larger rate, %g, ended at %s (%s)", next.rate, next.m.stat("train_loss").pm("%.4f"), o))
	}
	r.verdict("In between, a stable rate converges smoothly; the loss against the rate is U-shaped", allOf(parts...),
		"the rate with the lowest mean training loss lies inside the grid, and on both sides the interval of the per-seed difference of training loss (neighbour − best) lies above 0 (or that rate diverged)",
		"The lowest mean final training loss, %s (validation error %s), came from lr %g; %s.",
		bl.pm("%.4f"), best.m.stat("val_error").pct(), best.rate, strings.Join(sides, "; "))
	for _, c := range cells {
		if c.rate == 1e-3 && c.diverged() == 0 && c != best {
			cl := c.m.stat("train_loss")
			cmp := "not separable from it"
			if pairedHigher(c.m, "train_loss", best.m, "train_loss") == held {
				cmp = yesNo(best.rate > c.rate, "worse than a larger rate: plain SGD on this problem wants more than 0.001 (a default that suits adaptive methods such as Adam; see `optimizers-mnist`)", "worse than a smaller rate")
			}
			r.p("The lecture calls 0.001 the typical choice: here, with plain SGD and this budget, it reached a training loss of %s (validation error %s) against the best rate's %s, %s.",
				cl.pm("%.4f"), c.m.stat("val_error").pct(), bl.pm("%.4f"), cmp)
		}
	}
}
