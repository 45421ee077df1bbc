package experiments

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// optimizersSetup is the optimizers-mnist experiment's model, data and
// budget.
type optimizersSetup struct {
	train, val, test int
	hidden           []models.Layer
	batch            int
	epochs           int
	target           float64 // the batch loss (window mean) the time-to-target columns use
	// factors multiply each optimizer's default rate: the grid its rate
	// is tuned over.
	factors []float64
}

func optimizersMNISTSetup(quick bool) optimizersSetup {
	s := optimizersSetup{
		train: 10000, val: 2000, test: 0,
		hidden: []models.Layer{{Units: 128, Activation: models.ReLU}, {Units: 128, Activation: models.ReLU}},
		batch:  64, epochs: 4, target: 0.5,
		factors: []float64{0.1, 0.3, 1, 3, 10},
	}
	if quick {
		s.train, s.val, s.test, s.epochs = 1000, 500, 1000, 2
		s.target = 1
		s.factors = []float64{1, 3}
	}
	return s
}

// optRun is one optimizer's run with one seed.
type optRun struct {
	name  string
	seed  uint64
	hyper map[string]any
	c     *curve
	task  *train.Classifier // until measured
	train infer.Metrics     // on the training examples, after the run
	val   infer.Metrics
	test  infer.Metrics
}

func (r *optRun) close() {
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// optCell is one optimizer: its tuning and a run per seed.
type optCell struct {
	name   string
	tuning *tuning
	runs   []*optRun
	m      *methodStats
}

// OptimizersMNIST is the experiment optimizers-mnist (docs/lecture.md §3): each
// of the 13 optimizers of package optimizers trains the same MLP
// (784-128-128-10, ReLU) on an MNIST subset, from the same initial weights
// and on the same batches in the same order, with its documented default
// hyper-parameters except the learning rate, which is tuned per optimizer
// on the validation loss from a grid around its default; every optimizer
// is then trained with several seeds. It records the loss against updates
// and against wall time, and the length of every update ‖θ_t − θ_{t−1}‖.
//
// It writes curves.csv (optimizer,seed,update,seconds,loss,step),
// results.csv, tuning.csv, optimizers_mnist.png, step_lengths.png,
// results.json and report.md.
func OptimizersMNIST(ctx context.Context, o Options) error {
	l, err := newLab("optimizers-mnist", o)
	if err != nil {
		return err
	}
	s := optimizersMNISTSetup(o.Quick)
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	seeds := l.seeds()
	r := l.report("Thirteen optimizers on MNIST")
	var cells []*optCell
	for _, name := range optimizers.Names() {
		def, err := newOptimizer(name, nil)
		if err != nil {
			return err
		}
		lr0 := def.Hyper()["lr"]
		var grid []float64
		for _, f := range s.factors {
			grid = append(grid, round3(f*lr0))
		}
		cell := &optCell{name: name}
		tn, err := tune(ctx, l, name, "validation loss after training", tuneGrid{Param: "lr", Values: grid, Extend: gridExtend(o.Quick)},
			func(lr float64) (*optRun, float64, error) {
				run, err := optRunOne(ctx, l.at(seeds[0]), s, name, lr, data)
				if err != nil {
					return nil, 0, err
				}
				if run.c.Diverged {
					return run, math.NaN(), nil
				}
				return run, run.val.Loss, nil
			}, (*optRun).close)
		if err != nil {
			return err
		}
		cell.tuning = tn.tuning
		cell.m = r.res.method(name, map[string]any{"optimizer": name, "lr": tn.Chosen, "default_lr": lr0}, tn.tuning)
		for i, seed := range seeds {
			run := tn.Run
			if i > 0 {
				if run, err = optRunOne(ctx, l.at(seed), s, name, tn.Chosen, data); err != nil {
					return err
				}
			}
			if err := run.measure(data.Test); err != nil {
				return l.errorf("%s: %w", name, err)
			}
			cell.runs = append(cell.runs, run)
			cell.m.add(seed, run.measures(s))
			if run.c.Diverged {
				l.logf("seed %d  %-9s lr %-6g diverged at update %d", seed, name, tn.Chosen, run.c.DivergedAt)
			} else {
				l.logf("seed %d  %-9s lr %-6g train loss %.4f  val error %s  %.1f ms/update", seed, name, tn.Chosen, run.train.Loss, pct(run.val.Error), run.msPerUpdate())
			}
		}
		cells = append(cells, cell)
	}
	if err := writeOptimizersData(l, cells); err != nil {
		return err
	}
	if err := writeOptimizersFigures(l, cells); err != nil {
		return err
	}
	optimizersReport(r, s, cells, seeds, data)
	return l.finish(r)
}

// optRunOne trains the MLP from the lab's "init" weights with one
// optimizer at its defaults and the rate lr, recording step lengths, and
// measures it on the training and validation sets; the run keeps its task
// for measure.
func optRunOne(ctx context.Context, l *lab, s optimizersSetup, name string, lr float64, data *datasets.Splits) (*optRun, error) {
	m, err := l.mlp("init", data.Train.Dim(), s.hidden, data.Train.Classes, models.Dropout{})
	if err != nil {
		return nil, err
	}
	opt, err := newOptimizer(name, map[string]float64{"lr": lr})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run := &optRun{name: name, seed: l.o.Seed, hyper: hyperOf(opt), task: task}
	run.c, err = fit(ctx, name, task, data.Train, nil, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle")}, BlowUp: 10, StepLengths: true,
	})
	if err == nil && !run.c.Diverged {
		if run.train, err = task.Evaluate(data.Train); err == nil {
			run.val, err = task.Evaluate(data.Validation)
		}
	}
	if err != nil {
		run.close()
		return nil, l.errorf("%s, lr %g: %w", name, lr, err)
	}
	return run, nil
}

// measure scores the run on the test set, once, and releases its task; a
// diverged run is not measured.
func (r *optRun) measure(test *datasets.Set) error {
	defer r.close()
	if r.c.Diverged {
		return nil
	}
	var err error
	r.test, err = r.task.Evaluate(test)
	return err
}

// quarterLoss is the batch loss around a quarter of the run (the window
// mean ending there), where momentum's head start shows.
func (r *optRun) quarterLoss() float64 {
	q := len(r.c.Loss) / 4
	return meanOf(r.c.Loss[max(0, q-r.window()):q])
}

// measures are the run's results.json measures.
func (r *optRun) measures(s optimizersSetup) map[string]float64 {
	m := map[string]float64{"diverged": 0, "ms_per_update": r.msPerUpdate()}
	if r.c.Diverged {
		m["diverged"] = 1
		return m
	}
	m["train_loss"], m["val_loss"], m["val_error"], m["test_loss"], m["test_error"] = r.train.Loss, r.val.Loss, r.val.Error, r.test.Loss, r.test.Error
	m["step_ratio"], m["quarter_batch_loss"] = r.stepRatio(), r.quarterLoss()
	if k, sec := r.toTarget(s.target); k > 0 {
		m["updates_to_target"], m["seconds_to_target"] = float64(k), sec
	}
	return m
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

func writeOptimizersData(l *lab, cells []*optCell) error {
	var rows [][]string
	for _, c := range cells {
		for _, r := range c.runs {
			for k, v := range r.c.Loss {
				rows = append(rows, []string{r.name, strconv.FormatUint(r.seed, 10), strconv.Itoa(k + 1), num(r.c.Seconds[k]), num(v), num(r.c.Step[k])})
			}
		}
	}
	if err := l.writeCSV("curves.csv", []string{"optimizer", "seed", "update", "seconds", "loss", "step"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, r := range c.runs {
			row := []string{r.name, strconv.FormatUint(r.seed, 10), hyperText(r.hyper), r.status(), strconv.Itoa(r.c.updates()), num(r.msPerUpdate()), "", "", "", ""}
			if !r.c.Diverged {
				row[6], row[7], row[8], row[9] = num(r.train.Loss), num(r.val.Loss), num(r.val.Error), num(r.test.Error)
			}
			rows = append(rows, row)
		}
	}
	if err := l.writeCSV("results.csv", []string{"optimizer", "seed", "hyper", "status", "updates", "ms_per_update", "train_loss", "val_loss", "val_error", "test_error"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range cells {
		for _, t := range c.tuning.Tried {
			score := ""
			if !t.Diverged {
				score = num(*t.Score)
			}
			rows = append(rows, []string{c.name, num(t.Value), score, strconv.FormatBool(t.Value == c.tuning.Chosen)})
		}
	}
	return l.writeCSV("tuning.csv", []string{"optimizer", "lr", "val_loss", "chosen"}, rows)
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

func writeOptimizersFigures(l *lab, cells []*optCell) error {
	byUpdate := &chart{Title: "Training batch loss against updates (window means, first seed)", XLabel: "update", YLabel: "loss (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	bySecond := &chart{Title: "… and against wall-clock seconds", XLabel: "seconds", YLabel: "loss (log scale)", LogY: true, NoLegend: true}
	steps := &chart{Title: "Length of each update ‖θ_t − θ_{t−1}‖ (window means, first seed)", XLabel: "update", YLabel: "step length (log scale)", LogY: true, LegendLeft: true, LegendBottom: true}
	final := &barChart{Title: "Training loss after the run (mean ± sd over the seeds)", YLabel: "training loss"}
	var fv, fe []float64
	for _, c := range cells {
		r := c.runs[0]
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
		tl := c.m.stat("train_loss")
		final.Groups, fv, fe = append(final.Groups, c.name), append(fv, tl.Mean), append(fe, tl.SD)
	}
	for i, v := range fv {
		if math.IsNaN(v) { // diverged with every seed
			fv[i], fe[i] = 0, 0
		}
	}
	final.Bars = []bars{{Name: "training loss", Values: fv, Err: fe}}
	if err := writeCharts(l.file("optimizers_mnist.png"), 2, 7*vg.Inch, 5.5*vg.Inch, byUpdate, bySecond); err != nil {
		return err
	}
	return writeCharts(l.file("step_lengths.png"), 1, chartWidth, chartHeight, steps, final)
}

func optimizersReport(r *report, s optimizersSetup, cells []*optCell, seeds []uint64, data *datasets.Splits) {
	updates := 0
	for _, c := range cells {
		for _, run := range c.runs {
			updates = max(updates, run.c.updates())
		}
	}
	r.p("Each of the %d optimizers of `optimizers` trains the same MLP (784-%d-%d-10, ReLU) by mini-batches of %d on the first %d MNIST training digits for %d epochs (%d updates), "+
		"from the same initial weights and on the same batches in the same order, with its documented default hyper-parameters except the learning rate (listed below). "+
		"The training loss is measured on all %d training digits after the run, the loss and error on %d validation and %d test digits. "+
		"The time columns are wall-clock times on a shared machine (see the last paragraph): compare them within this run only. "+
		"\"To %g\" is the first update (and second) at which the batch loss, averaged over windows of about %d updates, fell below %g. "+
		"Data: `curves.csv` (every update's time, batch loss and step length), `results.csv`, `tuning.csv`, `results.json`.",
		len(cells), s.hidden[0].Units, s.hidden[1].Units, s.batch, data.Train.Len(), s.epochs, updates, data.Train.Len(), data.Validation.Len(), data.Test.Len(), s.target, cells[0].runs[0].window(), s.target)
	r.seedsNote(seeds, "the initial weights and the batch order",
		fmt.Sprintf("Each optimizer's learning rate is chosen from its default × {%s}%s by the validation loss after training with the first seed (a run stopped for divergence is never chosen); the test set is measured once, with every seed, at that rate. "+
			"The curves show the first seed.", joinNums(s.factors), yesNo(r.res.Quick, "", fmt.Sprintf(", extended past an end by up to %d values while the best lies there,", gridExtend(false)))))
	var rows [][]string
	for _, c := range cells {
		m := c.m
		div := ""
		if d := m.stat("diverged"); d.Mean > 0 {
			div = fmt.Sprintf(" (%d of %d diverged)", int(math.Round(d.Mean*float64(d.N))), d.N)
		}
		to := m.stat("updates_to_target")
		toText := to.pm("%.0f")
		if to.N < len(c.runs) {
			toText += fmt.Sprintf(" (%d of %d seeds reached it)", to.N, len(c.runs))
		}
		rows = append(rows, []string{c.name + div, hyperText(c.runs[0].hyper), m.stat("train_loss").pm("%.4f"), m.stat("val_error").pct(), m.stat("test_error").pct(),
			m.stat("ms_per_update").pm("%.2f"), toText, m.stat("seconds_to_target").pm("%.2f"), m.stat("step_ratio").pm("%.2f")})
	}
	r.table([]string{"optimizer", "settings (lr tuned)", "training loss", "validation error", "test error", "ms / update", fmt.Sprintf("updates to %g", s.target), fmt.Sprintf("seconds to %g", s.target), "step length, last 10 % / first 10 %"}, rows)
	rows = nil
	for _, c := range cells {
		rows = append(rows, []string{c.name, c.tuning.triedText(func(v float64) string { return fmt.Sprintf("%.4f", v) })})
	}
	r.p("Tuning (first seed): the validation loss after training at each rate.")
	r.table([]string{"optimizer", "lr: validation loss"}, rows)
	r.figure("optimizers_mnist.png", "training loss against updates and against seconds, one line per optimizer")
	r.figure("step_lengths.png", "length of every update, one line per optimizer, and the training loss after the run with error bars")

	r.h2("What the lecture claims, and whether it held")
	at := func(name string) *optCell {
		for _, c := range cells {
			if c.name == name {
				return c
			}
		}
		return nil
	}
	sgd, mom, ada, rms := at("sgd"), at("momentum"), at("adagrad"), at("rmsprop")
	if sgd != nil && mom != nil {
		sq, mq := sgd.m.stat("quarter_batch_loss"), mom.m.stat("quarter_batch_loss")
		st, mt := sgd.m.stat("train_loss"), mom.m.stat("train_loss")
		r.verdict("Momentum accelerates SGD", allOf(pairedLower(mom.m, "quarter_batch_loss", sgd.m, "quarter_batch_loss"), pairedLower(mom.m, "train_loss", sgd.m, "train_loss")),
			"seed by seed, the intervals of momentum's minus SGD's batch loss around a quarter of the run and training loss at the end both lie below 0",
			"Each at its tuned rate (SGD %g, momentum %g with γ = %v), momentum had a batch loss of %s around update %d against SGD's %s, and ended at a training loss of %s against %s (validation error %s against %s); the differences, seed by seed: %s and %s.",
			sgd.tuning.Chosen, mom.tuning.Chosen, mom.runs[0].hyper["momentum"], mq.pm("%.4f"), len(sgd.runs[0].c.Loss)/4, sq.pm("%.4f"), mt.pm("%.4f"), st.pm("%.4f"),
			mom.m.stat("val_error").pct(), sgd.m.stat("val_error").pct(),
			diffText(pairedDiff(mom.m, "quarter_batch_loss", sgd.m, "quarter_batch_loss", 1), "%+.4f"), diffText(pairedDiff(mom.m, "train_loss", sgd.m, "train_loss", 1), "%+.4f"))
	}
	if ada != nil && rms != nil {
		ar, rr := ada.m.stat("step_ratio"), rms.m.stat("step_ratio")
		r.verdict("Adagrad's accumulated G makes its steps shrink", allOf(lower(ar, exactly(0.5)), pairedLower(ada.m, "step_ratio", rms.m, "step_ratio")),
			"the interval of Adagrad's ratio of late to early step lengths lies below 0.5, and that of its difference from RMSprop's, seed by seed, below 0",
			"Adagrad's mean update length over the last 10 %% of the updates was %s× that over the first 10 %%; RMSprop's, whose average of g² forgets old gradients, %s×.",
			ar.pm("%.2f"), rr.pm("%.2f"))
	}
	if sgd != nil {
		st := sgd.m.stat("train_loss")
		var parts []outcome
		var each []string
		for _, name := range []string{"adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "amsgrad", "adamw", "qhadam"} {
			c := at(name)
			if c == nil {
				continue
			}
			o := pairedLower(c.m, "train_loss", sgd.m, "train_loss")
			if c.m.stat("train_loss").N < len(c.runs) {
				o = didNotHold // diverged with some seed
			}
			parts = append(parts, o)
			each = append(each, fmt.Sprintf("%s %s (%s)", name, c.m.stat("train_loss").pm("%.4f"), o))
		}
		r.verdict("The adaptive methods train faster than plain SGD", mostOf(parts...),
			fmt.Sprintf("for most of the %d adaptive methods, the interval of the per-seed difference of training loss (method − SGD) lies below 0 (a method that diverged with some seed counts against)", len(parts)),
			"Each at its tuned rate, SGD (lr %g) ended at a training loss of %s. %s.", sgd.tuning.Chosen, st.pm("%.4f"), strings.Join(each, "; "))
	}
	fastest, cheapest := "", ""
	bestK, bestS := math.Inf(1), math.Inf(1)
	lo, hi := math.Inf(1), 0.0
	for _, c := range cells {
		k, sec := c.m.stat("updates_to_target"), c.m.stat("seconds_to_target")
		if k.N == len(c.runs) && k.Mean < bestK {
			bestK, fastest = k.Mean, c.name
		}
		if sec.N == len(c.runs) && sec.Mean < bestS {
			bestS, cheapest = sec.Mean, c.name
		}
		ms := c.m.stat("ms_per_update").Mean
		lo, hi = math.Min(lo, ms), math.Max(hi, ms)
	}
	if fastest != "" {
		r.p("Updates against seconds (means over the seeds, among the optimizers that reached it with every seed): the first to reach a batch loss of %g was %s in updates (%.0f) and %s in seconds (%.2f s). "+
			"An update cost from %.2f to %.2f ms on average (wall time, machine shared), so the two rankings %s.",
			s.target, fastest, bestK, cheapest, bestS, lo, hi, yesNo(fastest == cheapest, "agree at the top", "differ at the top"))
	}
}
