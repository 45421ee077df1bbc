package experiments

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// optimizersSetup is the optimizers-mnist experiment's model, data and
// budget.
type optimizersSetup struct {
	train, val int
	hidden     []models.Layer
	batch      int
	epochs     int
	target     float64 // the batch loss (window mean) the time-to-target columns use
}

func optimizersMNISTSetup(quick bool) optimizersSetup {
	s := optimizersSetup{
		train: 10000, val: 2000,
		hidden: []models.Layer{{Units: 128, Activation: models.ReLU}, {Units: 128, Activation: models.ReLU}},
		batch:  64, epochs: 4, target: 0.5,
	}
	if quick {
		s.train, s.val, s.epochs = 2000, 500, 2
		s.target = 1
	}
	return s
}

// optRun is one optimizer's run.
type optRun struct {
	name  string
	hyper map[string]any
	c     *curve
	train infer.Metrics // on the training examples, after the run
	val   infer.Metrics
}

// OptimizersMNIST is the experiment optimizers-mnist (docs/lecture.md §3): each
// of the 13 optimizers of package optimizers trains the same MLP
// (784-128-128-10, ReLU) on an MNIST subset, from the same initial weights
// and on the same batches in the same order, with its documented default
// hyper-parameters. It records the loss against updates and against wall
// time, and the length of every update ‖θ_t − θ_{t−1}‖.
//
// It writes curves.csv (optimizer,update,seconds,loss,step), results.csv,
// optimizers_mnist.png, step_lengths.png and report.md.
func OptimizersMNIST(ctx context.Context, o Options) error {
	l, err := newLab("optimizers-mnist", o)
	if err != nil {
		return err
	}
	s := optimizersMNISTSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, 0)
	if err != nil {
		return err
	}
	var runs []*optRun
	for _, name := range optimizers.Names() {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := l.mlp("init", data.Train.Dim(), s.hidden, data.Train.Classes, models.Dropout{})
		if err != nil {
			return err
		}
		opt, err := newOptimizer(name, nil)
		if err != nil {
			return err
		}
		task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
		if err != nil {
			return l.errorf("%w", err)
		}
		run := &optRun{name: name, hyper: hyperOf(opt)}
		run.c, err = fit(ctx, name, task, data.Train, nil, fitConfig{
			Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")}, BlowUp: 10, StepLengths: true,
		})
		if err == nil && !run.c.Diverged {
			if run.train, err = task.Evaluate(data.Train); err == nil {
				run.val, err = task.Evaluate(data.Validation)
			}
		}
		task.Close()
		if err != nil {
			return l.errorf("%s: %w", name, err)
		}
		runs = append(runs, run)
		if run.c.Diverged {
			l.logf("%-9s diverged at update %d", name, run.c.DivergedAt)
		} else {
			l.logf("%-9s train loss %.4f  val error %s  %.1f ms/update", name, run.train.Loss, pct(run.val.Error), run.msPerUpdate())
		}
	}
	if err := writeOptimizersData(l, runs); err != nil {
		return err
	}
	if err := writeOptimizersFigures(l, runs); err != nil {
		return err
	}
	return l.finish(optimizersReport(s, runs, data.Train.Len(), data.Validation.Len(), o.Quick))
}

// msPerUpdate is the run's mean wall time per update, in milliseconds.
func (r *optRun) msPerUpdate() float64 {
	if len(r.c.Seconds) == 0 {
		return math.NaN()
	}
	return 1000 * r.c.Seconds[len(r.c.Seconds)-1] / float64(len(r.c.Seconds))
}

// window is the number of updates a plotted or compared batch loss is
// averaged over.
func (r *optRun) window() int { return max(1, len(r.c.Loss)/60) }

// toTarget returns the number of updates and the seconds until the window
// mean of the batch loss first falls below target, or −1.
func (r *optRun) toTarget(target float64) (int, float64) {
	x, y := smooth(r.c.Loss, r.window())
	for i, v := range y {
		if v < target {
			k := int(x[i])
			return k, r.c.Seconds[k-1]
		}
	}
	return -1, math.NaN()
}

// stepRatio is the mean step length over the last 10 % of the updates
// divided by that over the first 10 %.
func (r *optRun) stepRatio() float64 {
	n := max(1, len(r.c.Step)/10)
	return meanOf(r.c.Step[len(r.c.Step)-n:]) / meanOf(r.c.Step[:n])
}

func writeOptimizersData(l *lab, runs []*optRun) error {
	var rows [][]string
	for _, r := range runs {
		for k, v := range r.c.Loss {
			rows = append(rows, []string{r.name, strconv.Itoa(k + 1), num(r.c.Seconds[k]), num(v), num(r.c.Step[k])})
		}
	}
	if err := l.writeCSV("curves.csv", []string{"optimizer", "update", "seconds", "loss", "step"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		row := []string{r.name, hyperText(r.hyper), r.status(), strconv.Itoa(r.c.updates()), num(r.msPerUpdate()), "", "", ""}
		if !r.c.Diverged {
			row[5], row[6], row[7] = num(r.train.Loss), num(r.val.Loss), num(r.val.Error)
		}
		rows = append(rows, row)
	}
	return l.writeCSV("results.csv", []string{"optimizer", "hyper", "status", "updates", "ms_per_update", "train_loss", "val_loss", "val_error"}, rows)
}

func (r *optRun) status() string {
	if r.c.Diverged {
		return "diverged"
	}
	return "finished"
}

// hyperText formats the hyper-parameters in effect, sorted by name.
func hyperText(h map[string]any) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %v", k, h[k]))
	}
	return strings.Join(parts, ", ")
}

func writeOptimizersFigures(l *lab, runs []*optRun) error {
	byUpdate := &chart{Title: "Training batch loss against updates (window means)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	bySecond := &chart{Title: "… and against wall-clock seconds", XLabel: "seconds", YLabel: "loss (log scale)", LogY: true, NoLegend: true}
	steps := &chart{Title: "Length of each update ‖θ_t − θ_{t−1}‖ (window means)", XLabel: "update", YLabel: "step length (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	for _, r := range runs {
		st := styleOf(r.name)
		x, y := smooth(r.c.Loss, r.window())
		secs := make([]float64, len(x))
		for i, u := range x {
			secs[i] = r.c.Seconds[int(u)-1]
		}
		byUpdate.Series = append(byUpdate.Series, series{Name: r.name, X: x, Y: y, Color: st.color, Dashed: st.dashed})
		bySecond.Series = append(bySecond.Series, series{X: secs, Y: y, Color: st.color, Dashed: st.dashed})
		sx, sy := smooth(r.c.Step, r.window())
		steps.Series = append(steps.Series, series{Name: r.name, X: sx, Y: sy, Color: st.color, Dashed: st.dashed})
	}
	if err := writeCharts(l.file("optimizers_mnist.png"), 2, 7*vg.Inch, 5.5*vg.Inch, byUpdate, bySecond); err != nil {
		return err
	}
	return writeChart(l.file("step_lengths.png"), steps)
}

func optimizersReport(s optimizersSetup, runs []*optRun, nTrain, nVal int, quick bool) *report {
	r := newReport("Thirteen optimizers on MNIST", quick)
	updates := 0
	for _, run := range runs {
		updates = max(updates, run.c.updates())
	}
	r.p("Each of the %d optimizers of `optimizers` trains the same MLP (784-%d-%d-10, ReLU) by mini-batches of %d on the first %d MNIST training digits for %d epochs (%d updates), "+
		"from the same initial weights and on the same batches in the same order, with its documented default hyper-parameters (listed below; a rate tuned per optimizer would change the ranking). "+
		"The training loss is measured on all %d training digits after the run, the error on %d validation digits. "+
		"The time columns are wall-clock times on a shared machine (see the last paragraph): compare them within this run only. "+
		"\"To %g\" is the first update (and second) at which the batch loss, averaged over windows of about %d updates, fell below %g. "+
		"Data: `curves.csv` (every update's time, batch loss and step length), `results.csv`.",
		len(runs), s.hidden[0].Units, s.hidden[1].Units, s.batch, nTrain, s.epochs, updates, nTrain, nVal, s.target, runs[0].window(), s.target)
	var rows [][]string
	for _, run := range runs {
		if run.c.Diverged {
			rows = append(rows, []string{run.name, hyperText(run.hyper), fmt.Sprintf("diverged at update %d", run.c.DivergedAt), "—", "—", "—", "—", "—"})
			continue
		}
		k, sec := run.toTarget(s.target)
		to, toS := "never", "—"
		if k > 0 {
			to, toS = strconv.Itoa(k), fmt.Sprintf("%.2f", sec)
		}
		rows = append(rows, []string{run.name, hyperText(run.hyper), fmt.Sprintf("%.4f", run.train.Loss), pct(run.val.Error), fmt.Sprintf("%.2f", run.msPerUpdate()),
			to, toS, fmt.Sprintf("%.2f", run.stepRatio())})
	}
	r.table([]string{"optimizer", "settings", "training loss", "validation error", "ms / update", fmt.Sprintf("updates to %g", s.target), fmt.Sprintf("seconds to %g", s.target), "step length, last 10 % / first 10 %"}, rows)
	r.figure("optimizers_mnist.png", "training loss against updates and against seconds, one line per optimizer")
	r.figure("step_lengths.png", "length of every update, one line per optimizer")

	r.h2("What the lecture claims, and whether it held")
	at := func(name string) *optRun {
		for _, run := range runs {
			if run.name == name {
				return run
			}
		}
		return nil
	}
	sgd, mom, ada, rms := at("sgd"), at("momentum"), at("adagrad"), at("rmsprop")
	if sgd != nil && mom != nil && !sgd.c.Diverged && !mom.c.Diverged {
		q := len(sgd.c.Loss) / 4
		sq, mq := meanOf(sgd.c.Loss[max(0, q-sgd.window()):q]), meanOf(mom.c.Loss[max(0, q-mom.window()):q])
		r.claim("Momentum accelerates SGD", mom.train.Loss < sgd.train.Loss && mq < sq,
			"With the same rate (%v) momentum (γ = %v) had a batch loss of %.4f around update %d against SGD's %.4f, and ended at a training loss of %.4f against %.4f (validation error %s against %s).",
			sgd.hyper["lr"], mom.hyper["momentum"], mq, q, sq, mom.train.Loss, sgd.train.Loss, pct(mom.val.Error), pct(sgd.val.Error))
	}
	if ada != nil && rms != nil && !ada.c.Diverged && !rms.c.Diverged {
		ar, rr := ada.stepRatio(), rms.stepRatio()
		r.claim("Adagrad's accumulated G makes its steps shrink", ar < 0.5 && ar < rr,
			"Adagrad's mean update length over the last 10 %% of the updates was %.2f× that over the first 10 %%; RMSprop's, whose average of g² forgets old gradients, %.2f×. "+
				"The claim counts as held when Adagrad's steps shrank by more than half and more than RMSprop's did.", ar, rr)
	}
	if sgd != nil && !sgd.c.Diverged {
		var faster, slower []string
		adaptive := []string{"adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "amsgrad", "adamw", "qhadam"}
		for _, name := range adaptive {
			run := at(name)
			if run == nil {
				continue
			}
			e := fmt.Sprintf("%s (%.4f)", name, run.train.Loss)
			if !run.c.Diverged && run.train.Loss < sgd.train.Loss {
				faster = append(faster, e)
			} else {
				slower = append(slower, e)
			}
		}
		r.claim("The adaptive methods train faster than plain SGD at their customary settings", 2*len(faster) > len(faster)+len(slower),
			"SGD at lr %v ended at a training loss of %.4f. Lower: %s. Not lower: %s. The claim counts as held when most of the adaptive methods end lower.",
			sgd.hyper["lr"], sgd.train.Loss, listOr(faster, "none"), listOr(slower, "none"))
	}
	fastest, cheapest := "", ""
	bestK, bestS := math.MaxInt, math.Inf(1)
	for _, run := range runs {
		if run.c.Diverged {
			continue
		}
		if k, sec := run.toTarget(s.target); k > 0 {
			if k < bestK {
				bestK, fastest = k, run.name
			}
			if sec < bestS {
				bestS, cheapest = sec, run.name
			}
		}
	}
	if fastest != "" {
		lo, hi := math.Inf(1), 0.0
		for _, run := range runs {
			lo, hi = math.Min(lo, run.msPerUpdate()), math.Max(hi, run.msPerUpdate())
		}
		r.p("Updates against seconds: the first to reach a batch loss of %g was %s in updates (%d) and %s in seconds (%.2f s). "+
			"An update cost from %.2f to %.2f ms on average (wall time, machine shared), so the two rankings %s.",
			s.target, fastest, bestK, cheapest, bestS, lo, hi, yesNo(fastest == cheapest, "agree at the top", "differ at the top"))
	}
	return r
}
