package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/vg"
)

// diceSetup is the dice-vs-ce experiment's model, data and budget.
type diceSetup struct {
	train, val int
	hidden     []models.Layer
	batch      int
	epochs     int
	// rates are the learning rates each (training set, loss) pair is
	// tuned over: the two losses' gradients differ in scale, so one shared
	// rate would favour one of them.
	rates []float64
	// scarce lists the fractions of the training examples the positives
	// are cut down to, one training set each, besides the natural one.
	scarce []float64
}

func diceVsCESetup(quick bool) diceSetup {
	s := diceSetup{
		train: 20000, val: 5000,
		hidden: []models.Layer{{Units: 64, Activation: models.ReLU}},
		batch:  128, epochs: 5,
		rates:  []float64{0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1},
		scarce: []float64{0.01, 0.003, 0.001},
	}
	if quick {
		s.train, s.val, s.epochs = 4000, 1000, 2
		s.rates, s.scarce = []float64{0.03, 0.3, 3}, []float64{0.01}
	}
	return s
}

// diceLosses are the two losses compared.
var diceLosses = []string{"cross-entropy", "dice"}

// diceRun is one run of a (training set, loss) pair.
type diceRun struct {
	level, loss string
	seed        uint64
	lr          float64
	positives   int // in its training set
	examples    int // in its training set
	c           *curve
	valF1       []float64 // positive-class F1 on validation after each epoch
	task        *train.Classifier
	test        []infer.ClassScore // nil until measured, and for a diverged run
}

func (r *diceRun) close() {
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// fraction is the share of positives in the run's training set.
func (r *diceRun) fraction() float64 { return float64(r.positives) / float64(r.examples) }

// diceCell is one (training set, loss) pair: its tuning and its runs, one
// per seed.
type diceCell struct {
	level, loss string
	fraction    float64 // the level's nominal fraction of positives; 0 for the natural set
	tuning      *tuning
	runs        []*diceRun
	m           *methodStats
}

// DiceVsCE is the experiment dice-vs-ce (docs/lecture.md §5, "the error
// function"): "is it a 0?" on MNIST, an imbalanced two-class task (about 1
// positive for 9 negatives), learned by the same MLP (784-64-2, ReLU) from
// the same initial weights with the softmax cross-entropy and with the Dice
// loss (losses.ClassificationDice: 1 − D of the positive class over each
// batch), on the natural training set and on ones where only a fraction of
// the positives is kept. Each (training set, loss) pair gets its own
// learning rate, chosen on the validation F1 of the positive class, and is
// then trained with every seed; per-class precision, recall and F1 are
// measured on the whole test set.
//
// It writes results.csv (per run and class), epochs.csv, tuning.csv,
// dice_vs_ce.png, results.json and report.md.
func DiceVsCE(ctx context.Context, o Options) error {
	l, err := newLab("dice-vs-ce", o)
	if err != nil {
		return err
	}
	s := diceVsCESetup(o.Quick)
	data, err := l.mnist(s.train, s.val, 0)
	if err != nil {
		return err
	}
	natural := data.Train.Binary(0)
	val, test := data.Validation.Binary(0), data.Test.Binary(0)
	seeds := l.seeds()
	// trainSet is the training set of a level for a seed: a seed draws
	// which positives a scarce set keeps.
	trainSet := func(f float64, seed uint64) *datasets.Set {
		if f == 0 {
			return natural
		}
		return keepPositives(natural, f, l.at(seed))
	}
	r := l.report("Dice loss against cross-entropy on an imbalanced task")
	var cells []*diceCell
	for _, f := range append([]float64{0}, s.scarce...) {
		level := diceLevel(f)
		for _, loss := range diceLosses {
			cell := &diceCell{level: level, loss: loss, fraction: f}
			run := func(seed uint64, lr float64) (*diceRun, error) {
				return diceRunOne(ctx, l.at(seed), s, level, loss, lr, trainSet(f, seed), val)
			}
			tn, err := tune(ctx, l, level+" "+loss, "1 − validation F1 of the positive class", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(o.Quick)},
				func(lr float64) (*diceRun, float64, error) {
					dr, err := run(seeds[0], lr)
					if err != nil {
						return nil, 0, err
					}
					return dr, 1 - dr.lastValF1(), nil
				}, (*diceRun).close)
			if err != nil {
				return err
			}
			cell.tuning = tn.tuning
			cell.m = r.res.method(level+", "+loss, map[string]any{"training_set": level, "loss": loss, "lr": tn.Chosen}, tn.tuning)
			for i, seed := range seeds {
				dr := tn.Run
				if i > 0 {
					if dr, err = run(seed, tn.Chosen); err != nil {
						return err
					}
				}
				if err := dr.measure(test); err != nil {
					return l.errorf("%s %s: %w", level, loss, err)
				}
				cell.runs = append(cell.runs, dr)
				cell.m.add(seed, dr.measures())
				l.logf("seed %d  %-8s %-13s lr %-5g positives %5d  %s", seed, level, loss, dr.lr, dr.positives, dr.describe())
			}
			cells = append(cells, cell)
		}
	}
	if err := writeDiceData(l, cells); err != nil {
		return err
	}
	if err := writeDiceFigure(l, s, cells); err != nil {
		return err
	}
	diceReport(r, s, cells, natural, val, test, seeds)
	return l.finish(r)
}

// diceLevel names a training set by its fraction of positives (0: the
// natural one).
func diceLevel(f float64) string {
	if f == 0 {
		return "natural"
	}
	return fmt.Sprintf("%g %%", 100*f)
}

// keepPositives returns s with only about a fraction f of its positive
// examples (chosen with the lab's "scarce/f" stream) and all its negatives,
// in the original order.
func keepPositives(s *datasets.Set, f float64, l *lab) *datasets.Set {
	r := l.rand(fmt.Sprintf("scarce/%g", f))
	out := &datasets.Set{Shape: s.Shape, Classes: s.Classes}
	d := s.Dim()
	keep := f * float64(s.Len()) / float64(max(positives(s), 1))
	pos := 0
	for i := range s.Len() {
		if s.Labels[i] == 1 {
			if r.Float64() >= keep {
				continue
			}
			pos++
		}
		out.X = append(out.X, s.X[i*d:(i+1)*d]...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	out.Name = fmt.Sprintf("%s, %d of the positives kept", s.Name, pos)
	return out
}

func positives(s *datasets.Set) int {
	n := 0
	for _, y := range s.Labels {
		n += y
	}
	return n
}

// diceRunOne trains the MLP from the lab's "init" weights with the given
// loss and rate, measuring the validation F1 of the positive class after
// every epoch. The run keeps its task for measure.
func diceRunOne(ctx context.Context, l *lab, s diceSetup, level, loss string, lr float64, trainSet, val *datasets.Set) (*diceRun, error) {
	m, err := l.mlp("init", trainSet.Dim(), s.hidden, 2, models.Dropout{})
	if err != nil {
		return nil, err
	}
	opt, err := newOptimizer("momentum", map[string]float64{"lr": lr, "momentum": 0.9})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch, Loss: losses.Classification(loss)})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run := &diceRun{level: level, loss: loss, seed: l.o.Seed, lr: lr, positives: positives(trainSet), examples: trainSet.Len(), task: task}
	valF1 := train.EpochEndFunc(func(train.Record) error {
		pred, err := task.Predict(val)
		if err != nil {
			return err
		}
		run.valF1 = append(run.valF1, infer.ClassMetrics(pred, val.Labels, 2)[1].F1)
		return nil
	})
	run.c, err = fit(ctx, level+" "+loss, task, trainSet, nil, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle/" + level), Hooks: []train.Hook{valF1}},
	})
	if err != nil {
		run.close()
		return nil, l.errorf("%s %s, lr %g: %w", level, loss, lr, err)
	}
	return run, nil
}

// lastValF1 is the validation F1 after the last epoch, NaN if the run
// diverged.
func (r *diceRun) lastValF1() float64 {
	if r.c.Diverged || len(r.valF1) == 0 {
		return math.NaN()
	}
	return r.valF1[len(r.valF1)-1]
}

// measure scores the run's model on the test set, once, and releases its
// task. A diverged run's weights are meaningless: it is reported, not
// measured.
func (r *diceRun) measure(test *datasets.Set) error {
	defer r.close()
	if r.c.Diverged {
		return nil
	}
	pred, err := r.task.Predict(test)
	if err != nil {
		return err
	}
	r.test = infer.ClassMetrics(pred, test.Labels, 2)
	return nil
}

// measures are the run's results.json measures.
func (r *diceRun) measures() map[string]float64 {
	m := map[string]float64{"diverged": 0, "train_positives": float64(r.positives), "val_f1": r.lastValF1()}
	if r.c.Diverged {
		m["diverged"] = 1
		return m
	}
	p, n := r.test[1], r.test[0]
	m["test_precision"], m["test_recall"], m["test_f1"] = p.Precision, p.Recall, p.F1
	m["test_precision_negative"], m["test_recall_negative"], m["test_f1_negative"] = n.Precision, n.Recall, n.F1
	return m
}

func (r *diceRun) describe() string {
	if r.c.Diverged {
		return fmt.Sprintf("diverged at update %d", r.c.DivergedAt)
	}
	p := r.test[1]
	return fmt.Sprintf("test recall(0) %.3f  precision %.3f  F1 %.3f", p.Recall, p.Precision, p.F1)
}

func writeDiceData(l *lab, cells []*diceCell) error {
	var rows [][]string
	for _, cell := range cells {
		for _, r := range cell.runs {
			if r.c.Diverged {
				rows = append(rows, []string{r.level, strconv.FormatUint(r.seed, 10), r.loss, num(r.lr), strconv.Itoa(r.positives), "", "", "", "", ""})
				continue
			}
			for _, c := range r.test {
				rows = append(rows, []string{r.level, strconv.FormatUint(r.seed, 10), r.loss, num(r.lr), strconv.Itoa(r.positives), strconv.Itoa(c.Class), strconv.Itoa(c.Support),
					num(c.Precision), num(c.Recall), num(c.F1)})
			}
		}
	}
	if err := l.writeCSV("results.csv", []string{"training_set", "seed", "loss", "lr", "train_positives", "class", "test_support", "precision", "recall", "f1"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, cell := range cells {
		for _, r := range cell.runs {
			for i, e := range r.c.Epochs {
				rows = append(rows, []string{r.level, strconv.FormatUint(r.seed, 10), r.loss, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(r.valF1[i])})
			}
		}
	}
	if err := l.writeCSV("epochs.csv", []string{"training_set", "seed", "loss", "epoch", "updates", "train_objective", "val_f1_positive"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, cell := range cells {
		for _, t := range cell.tuning.Tried {
			score := ""
			if !t.Diverged {
				score = num(1 - *t.Score)
			}
			rows = append(rows, []string{cell.level, cell.loss, num(t.Value), score, strconv.FormatBool(t.Value == cell.tuning.Chosen)})
		}
	}
	return l.writeCSV("tuning.csv", []string{"training_set", "loss", "lr", "val_f1_positive", "chosen"}, rows)
}

func writeDiceFigure(l *lab, s diceSetup, cells []*diceCell) error {
	recall := &chart{Title: "Test recall of the positive class (\"it is a 0\")", XLabel: "fraction of positives in the training set (log scale)", YLabel: "recall", LogX: true, Y0: -0.02, Y1: 1.15, LegendLeft: true}
	f1 := &chart{Title: "Test F1 of the positive class", XLabel: "fraction of positives in the training set (log scale)", YLabel: "F1", LogX: true, Y0: -0.02, Y1: 1.15, LegendLeft: true}
	tuning := &chart{Title: "Tuning: validation F1 after training, against the rate (first seed)", XLabel: "learning rate (log scale)", YLabel: "F1", LogX: true, Y0: -0.02, Y1: 1.35}
	for i, loss := range diceLosses {
		// The losses are drawn a little apart on the log axis, so that
		// their error bars do not cover each other.
		shift := []float64{1 / 1.04, 1.04}[i]
		var x, rv, re, fv, fe []float64
		for _, cell := range cells {
			if cell.loss != loss {
				continue
			}
			frac := 0.0
			for _, r := range cell.runs {
				frac += r.fraction() / float64(len(cell.runs))
				if r.test != nil {
					recall.Markers = append(recall.Markers, marker{X: shift * r.fraction(), Y: r.test[1].Recall, Color: paletteColor(i), Shape: circle(), Small: true})
					f1.Markers = append(f1.Markers, marker{X: shift * r.fraction(), Y: r.test[1].F1, Color: paletteColor(i), Shape: circle(), Small: true})
				}
			}
			rs, fs := cell.m.stat("test_recall"), cell.m.stat("test_f1")
			x, rv, re, fv, fe = append(x, shift*frac), append(rv, rs.Mean), append(re, rs.SD), append(fv, fs.Mean), append(fe, fs.SD)
			var tx, ty []float64
			for _, t := range cell.tuning.Tried {
				if !t.Diverged {
					tx, ty = append(tx, t.Value), append(ty, 1-*t.Score)
				}
			}
			dashed := cell.fraction != 0
			tuning.Series = append(tuning.Series, series{Name: cell.level + ", " + loss, X: tx, Y: ty, Color: paletteColor(i), Dashed: dashed, Thin: cell.fraction != 0 && cell.fraction < s.scarce[0], Points: true})
		}
		name := loss + " (mean ± sd; dots: seeds)"
		recall.Series = append(recall.Series, series{Name: name, X: x, Y: rv, Err: re, Color: paletteColor(i)})
		f1.Series = append(f1.Series, series{Name: name, X: x, Y: fv, Err: fe, Color: paletteColor(i)})
	}
	return writeCharts(l.file("dice_vs_ce.png"), 3, 5*vg.Inch, 4.5*vg.Inch, recall, f1, tuning)
}

func diceReport(r *report, s diceSetup, cells []*diceCell, natural, val, test *datasets.Set, seeds []uint64) {
	var cuts []string
	for _, f := range s.scarce {
		cuts = append(cuts, diceLevel(f))
	}
	r.p("\"Is it a 0?\" on MNIST: class 1 for the digit 0, class 0 for the other nine. The first %d training digits hold %d positives (%.1f %%). "+
		"Scarcer training sets keep all their negatives and only enough positives, drawn with the seed, to make up about %s of the examples. "+
		"On each training set the same MLP (784-%d-2, ReLU) is trained from the same initial weights by momentum SGD (γ 0.9, batch %d, %d epochs) with the softmax cross-entropy "+
		"or with the Dice loss 1 − D, D = 2 Σ p_i g_i / (Σ p_i² + Σ g_i²) over each batch, p the softmax probability of class 1 and g its indicator. "+
		"A digit is predicted positive when that probability exceeds ½. Measured on all %d test digits (%d positives, the natural balance). "+
		"Data: `results.csv`, `epochs.csv`, `tuning.csv`, `results.json`.",
		natural.Len(), positives(natural), 100*float64(positives(natural))/float64(natural.Len()), listOr(cuts, "none"),
		s.hidden[0].Units, s.batch, s.epochs, test.Len(), positives(test))
	r.seedsNote(seeds, "the initial weights, the batch order and which positives a scarce set keeps",
		fmt.Sprintf("The two losses' gradients differ in scale, so each (training set, loss) pair has its own learning rate, chosen from %s by the positive class's F1 on %d validation digits (the natural balance) after training with the first seed; the test set is measured once, with every seed, at that rate. Budget: %d tuning runs and %d more seeds per pair.",
			tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(r.res.Quick)}, val.Len(), len(s.rates), len(seeds)-1))
	var rows [][]string
	for _, cell := range cells {
		diverged := cell.m.stat("diverged")
		note := ""
		if diverged.Mean > 0 {
			note = fmt.Sprintf(" (%d of %d diverged)", int(math.Round(diverged.Mean*float64(diverged.N))), diverged.N)
		}
		rows = append(rows, []string{cell.level, cell.m.stat("train_positives").pm("%.0f"), cell.loss + note, num(cell.tuning.Chosen),
			cell.m.stat("test_precision").pm("%.3f"), cell.m.stat("test_recall").pm("%.3f"), cell.m.stat("test_f1").pm("%.3f"), cell.m.stat("test_f1_negative").pm("%.3f")})
	}
	r.table([]string{"training set", "positives", "loss", "lr (tuned)", "precision (0)", "recall (0)", "F1 (0)", "F1 (not 0)"}, rows)
	rows = nil
	for _, cell := range cells {
		rows = append(rows, []string{cell.level, cell.loss, cell.tuning.triedText(func(v float64) string { return fmt.Sprintf("%.3f", 1-v) })})
	}
	r.p("Tuning (first seed): the validation F1 of the positive class after training, per learning rate.")
	r.table([]string{"training set", "loss", "learning rate: validation F1"}, rows)
	r.figure("dice_vs_ce.png", "recall and F1 of the positive class against the fraction of positives for each loss, with error bars over the seeds, and the validation F1 of every learning rate tried")

	r.h2("What the lecture claims, and whether it held")
	find := func(level, loss string) *diceCell {
		for _, c := range cells {
			if c.level == level && c.loss == loss {
				return c
			}
		}
		return nil
	}
	ceN, dN := find("natural", "cross-entropy"), find("natural", "dice")
	r.p("On the natural training set the two losses are the baseline: F1 on the zeros %s with Dice (lr %s) and %s with cross-entropy (lr %s).",
		dN.m.stat("test_f1").pm("%.3f"), num(dN.tuning.Chosen), ceN.m.stat("test_f1").pm("%.3f"), num(ceN.tuning.Chosen))
	var parts []outcome
	var evidence []string
	for _, level := range cuts {
		ce, dice := find(level, "cross-entropy"), find(level, "dice")
		cf, df := ce.m.stat("test_f1"), dice.m.stat("test_f1")
		o := pairedHigher(dice.m, "test_f1", ce.m, "test_f1")
		parts = append(parts, o)
		r.verdict(fmt.Sprintf("Dice's F1 on the rare class beats cross-entropy's at %s positives", level), o,
			"the interval of the per-seed difference of the test F1 on the positive class (Dice − cross-entropy) lies above 0",
			"Dice (lr %s): %s; cross-entropy (lr %s): %s; the difference, seed by seed: %s.",
			num(dice.tuning.Chosen), df.pm("%.3f"), num(ce.tuning.Chosen), cf.pm("%.3f"), diffText(pairedDiff(dice.m, "test_f1", ce.m, "test_f1", 1), "%+.3f"))
		evidence = append(evidence, fmt.Sprintf("at %s, %s", level, o))
	}
	r.verdict("The Dice loss is robust to class imbalance", mostOf(parts...),
		"most of the scarce training sets' comparisons above held",
		"Each loss at its own tuned learning rate, the rare class's test F1 compared on %d scarce training sets: %s.", len(cuts), listOr(evidence, "none"))
}
