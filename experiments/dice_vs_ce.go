package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

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
	lr         float64
	// scarce lists the fractions of the training examples the positives
	// are cut down to, one training set each, besides the natural one.
	scarce []float64
	// repeats is the number of runs of every (training set, loss) pair,
	// each with its own initial weights, batch order and kept positives.
	repeats int
}

func diceVsCESetup(quick bool) diceSetup {
	s := diceSetup{
		train: 20000, val: 5000,
		hidden: []models.Layer{{Units: 64, Activation: models.ReLU}},
		batch:  128, epochs: 5, lr: 0.05, scarce: []float64{0.01, 0.003, 0.001}, repeats: 3,
	}
	if quick {
		s.train, s.val, s.epochs = 4000, 1000, 2
		s.scarce, s.repeats = []float64{0.01, 0.003}, 1
	}
	return s
}

// diceRun is one (training set, loss) pair's run.
type diceRun struct {
	level, loss string
	rep         int     // which repeat, from 0
	fraction    float64 // of positives in its training set
	positives   int     // in its training set
	examples    int     // in its training set
	c           *curve
	valF1       []float64 // positive-class F1 on validation after each epoch
	test        []infer.ClassScore
}

// DiceVsCE is the experiment dice-vs-ce (docs/lecture.md §5, "the error
// function"): "is it a 0?" on MNIST, an imbalanced two-class task (about 1
// positive for 9 negatives), learned by the same MLP (784-64-2, ReLU) from
// the same initial weights with the softmax cross-entropy and with the Dice
// loss (losses.ClassificationDice: 1 − D of the positive class over each
// batch). It does so twice: on the natural training set and on
// one where only a fraction of the positives is kept (about 1 in 100
// examples), and reports per-class precision, recall and F1 on the whole
// test set.
//
// It writes results.csv (per run and class), epochs.csv, dice_vs_ce.png
// and report.md.
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
	var runs []*diceRun
	for rep := range s.repeats {
		type level struct {
			name  string
			train *datasets.Set
		}
		levels := []level{{"natural", natural}}
		for _, f := range s.scarce {
			levels = append(levels, level{fmt.Sprintf("%g %%", 100*f), keepPositives(natural, f, rep, l)})
		}
		for _, set := range levels {
			for _, loss := range []string{"cross-entropy", "dice"} {
				if err := ctx.Err(); err != nil {
					return err
				}
				run, err := diceRunOne(ctx, l, s, set.name, loss, rep, set.train, val, test)
				if err != nil {
					return err
				}
				runs = append(runs, run)
				if run.c.Diverged {
					l.logf("repeat %d  %-8s %-13s positives %5d  diverged at update %d", rep+1, set.name, loss, run.positives, run.c.DivergedAt)
					continue
				}
				p := run.test[1]
				l.logf("repeat %d  %-8s %-13s positives %5d  test recall(0) %.3f  precision %.3f  F1 %.3f", rep+1, set.name, loss, run.positives, p.Recall, p.Precision, p.F1)
			}
		}
	}
	if err := writeDiceData(l, runs); err != nil {
		return err
	}
	if err := writeDiceFigure(l, runs); err != nil {
		return err
	}
	return l.finish(diceReport(s, runs, natural, test, o.Quick))
}

// keepPositives returns s with only about a fraction f of its positive
// examples (chosen with the run's "scarce/f/rep" stream) and all its negatives,
// in the original order.
func keepPositives(s *datasets.Set, f float64, rep int, l *lab) *datasets.Set {
	r := l.rand(fmt.Sprintf("scarce/%g/%d", f, rep))
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

func diceRunOne(ctx context.Context, l *lab, s diceSetup, level, loss string, rep int, trainSet, val, test *datasets.Set) (*diceRun, error) {
	m, err := l.mlp(fmt.Sprintf("init/%d", rep), trainSet.Dim(), s.hidden, 2, models.Dropout{})
	if err != nil {
		return nil, err
	}
	opt, err := newOptimizer("momentum", map[string]float64{"lr": s.lr, "momentum": 0.9})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch, Loss: losses.Classification(loss)})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	defer task.Close()
	run := &diceRun{level: level, loss: loss, rep: rep, positives: positives(trainSet), examples: trainSet.Len()}
	run.fraction = float64(run.positives) / float64(run.examples)
	valF1 := train.EpochEndFunc(func(train.Record) error {
		pred, err := task.Predict(val)
		if err != nil {
			return err
		}
		run.valF1 = append(run.valF1, infer.ClassMetrics(pred, val.Labels, 2)[1].F1)
		return nil
	})
	run.c, err = fit(ctx, level+" "+loss, task, trainSet, nil, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand(fmt.Sprintf("shuffle/%s/%d", level, rep)), Hooks: []train.Hook{valF1}},
	})
	if err != nil {
		return nil, l.errorf("%s %s: %w", level, loss, err)
	}
	if run.c.Diverged {
		// Its weights are meaningless: the run is reported, not measured.
		return run, nil
	}
	pred, err := task.Predict(test)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run.test = infer.ClassMetrics(pred, test.Labels, 2)
	return run, nil
}

func writeDiceData(l *lab, runs []*diceRun) error {
	var rows [][]string
	for _, r := range runs {
		if r.c.Diverged {
			rows = append(rows, []string{r.level, strconv.Itoa(r.rep + 1), r.loss, strconv.Itoa(r.positives), "", "", "", "", ""})
			continue
		}
		for _, c := range r.test {
			rows = append(rows, []string{r.level, strconv.Itoa(r.rep + 1), r.loss, strconv.Itoa(r.positives), strconv.Itoa(c.Class), strconv.Itoa(c.Support),
				num(c.Precision), num(c.Recall), num(c.F1)})
		}
	}
	if err := l.writeCSV("results.csv", []string{"training_set", "repeat", "loss", "train_positives", "class", "test_support", "precision", "recall", "f1"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for i, e := range r.c.Epochs {
			rows = append(rows, []string{r.level, strconv.Itoa(r.rep + 1), r.loss, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(r.valF1[i])})
		}
	}
	return l.writeCSV("epochs.csv", []string{"training_set", "repeat", "loss", "epoch", "updates", "train_objective", "val_f1_positive"}, rows)
}

func writeDiceFigure(l *lab, runs []*diceRun) error {
	recall := &chart{Title: "Test recall of the positive class (\"it is a 0\")", XLabel: "fraction of positives in the training set (log scale)", YLabel: "recall", LogX: true, Y0: -0.02, Y1: 1.15, LegendLeft: true}
	f1 := &chart{Title: "Test F1 of the positive class", XLabel: "fraction of positives in the training set (log scale)", YLabel: "F1", LogX: true, Y0: -0.02, Y1: 1.15, LegendLeft: true}
	curves := &chart{Title: "Validation F1 of the positive class after each epoch (first repeat)", XLabel: "update", YLabel: "F1", Y0: -0.02, Y1: 1.35}
	for i, loss := range []string{"cross-entropy", "dice"} {
		// One line through the means per training set, a dot per run.
		var levels []string
		sumR, sumF, n, frac := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
		for _, r := range runs {
			if r.loss != loss || r.c.Diverged {
				continue
			}
			if n[r.level] == 0 {
				levels = append(levels, r.level)
			}
			sumR[r.level] += r.test[1].Recall
			sumF[r.level] += r.test[1].F1
			frac[r.level] += r.fraction
			n[r.level]++
			recall.Markers = append(recall.Markers, marker{X: r.fraction, Y: r.test[1].Recall, Color: paletteColor(i), Shape: circle(), Small: true})
			f1.Markers = append(f1.Markers, marker{X: r.fraction, Y: r.test[1].F1, Color: paletteColor(i), Shape: circle(), Small: true})
		}
		var x, rv, fv []float64
		for _, lv := range levels {
			x = append(x, frac[lv]/n[lv])
			rv = append(rv, sumR[lv]/n[lv])
			fv = append(fv, sumF[lv]/n[lv])
		}
		recall.Series = append(recall.Series, series{Name: loss + " (mean; dots: runs)", X: x, Y: rv, Color: paletteColor(i)})
		f1.Series = append(f1.Series, series{Name: loss + " (mean; dots: runs)", X: x, Y: fv, Color: paletteColor(i)})
	}
	levels := map[string]int{}
	for _, r := range runs {
		if r.rep != 0 {
			continue
		}
		if _, ok := levels[r.level]; !ok {
			levels[r.level] = len(levels)
		}
		var x []float64
		for _, e := range r.c.Epochs {
			x = append(x, float64(e.Updates))
		}
		col := paletteColor(0)
		if r.loss == "dice" {
			col = paletteColor(1)
		}
		curves.Series = append(curves.Series, series{Name: r.level + ", " + r.loss, X: x, Y: r.valF1, Color: col, Dashed: levels[r.level]%2 == 1, Thin: levels[r.level] > 1, Points: true})
	}
	return writeCharts(l.file("dice_vs_ce.png"), 3, 5*vg.Inch, 4.5*vg.Inch, recall, f1, curves)
}

func diceReport(s diceSetup, runs []*diceRun, natural, test *datasets.Set, quick bool) *report {
	r := newReport("Dice loss against cross-entropy on an imbalanced task", quick)
	var cuts []string
	for _, f := range s.scarce {
		cuts = append(cuts, fmt.Sprintf("%g %%", 100*f))
	}
	r.p("\"Is it a 0?\" on MNIST: class 1 for the digit 0, class 0 for the other nine. The first %d training digits hold %d positives (%.1f %%). "+
		"Scarcer training sets keep all their negatives and only enough positives, drawn with the seed, to make up about %s of the examples. "+
		"On each training set the same MLP (784-%d-2, ReLU) is trained from the same initial weights by momentum SGD (lr %g, γ 0.9, batch %d, %d epochs) with the softmax cross-entropy "+
		"or with the Dice loss 1 − D, D = 2 Σ p_i g_i / (Σ p_i² + Σ g_i²) over each batch, p the softmax probability of class 1 and g its indicator. "+
		"A digit is predicted positive when that probability exceeds ½. Measured on all %d test digits (%d positives, the natural balance). Data: `results.csv`, `epochs.csv`.",
		natural.Len(), positives(natural), 100*float64(positives(natural))/float64(natural.Len()), listOr(cuts, "none"),
		s.hidden[0].Units, s.lr, s.batch, s.epochs, test.Len(), positives(test))
	var rows [][]string
	for _, run := range runs {
		if run.c.Diverged {
			rows = append(rows, []string{run.level, strconv.Itoa(run.rep + 1), fmt.Sprintf("%d of %d", run.positives, run.examples), run.loss,
				fmt.Sprintf("diverged at update %d", run.c.DivergedAt), "—", "—", "—", "—", "—"})
			continue
		}
		p, n := run.test[1], run.test[0]
		rows = append(rows, []string{run.level, strconv.Itoa(run.rep + 1), fmt.Sprintf("%d of %d", run.positives, run.examples), run.loss,
			fmt.Sprintf("%.3f", p.Precision), fmt.Sprintf("%.3f", p.Recall), fmt.Sprintf("%.3f", p.F1),
			fmt.Sprintf("%.3f", n.Precision), fmt.Sprintf("%.3f", n.Recall), fmt.Sprintf("%.3f", n.F1)})
	}
	r.table([]string{"training set", "repeat", "positives", "loss", "precision (0)", "recall (0)", "F1 (0)", "precision (not 0)", "recall (not 0)", "F1 (not 0)"}, rows)
	r.figure("dice_vs_ce.png", "recall and F1 of the positive class against the fraction of positives for each loss, and validation F1 over training")

	r.h2("What the lecture claims, and whether it held")
	find := func(level, loss string, rep int) *diceRun {
		for _, run := range runs {
			if run.level == level && run.loss == loss && run.rep == rep {
				return run
			}
		}
		return nil
	}
	ceN, dN := find("natural", "cross-entropy", 0), find("natural", "dice", 0)
	r.p("On the natural training set (%d positives) the two losses are the baseline: F1 on the zeros %s with Dice and %s with cross-entropy (first repeat).",
		ceN.positives, f1Text(dN), f1Text(ceN))
	var parts []string
	wins, pairs := 0, 0
	for _, level := range cuts {
		w := 0
		var ceF, dF []float64
		for rep := range s.repeats {
			ce, dice := find(level, "cross-entropy", rep), find(level, "dice", rep)
			ceF, dF = append(ceF, f1Of(ce)), append(dF, f1Of(dice))
			if !dice.c.Diverged && (ce.c.Diverged || dice.test[1].F1 > ce.test[1].F1) {
				w++
			}
		}
		wins, pairs = wins+w, pairs+s.repeats
		parts = append(parts, fmt.Sprintf("at %s positives, Dice F1 %s against cross-entropy's %s (Dice higher in %d of %d)",
			level, f1List(dF), f1List(ceF), w, s.repeats))
	}
	r.claim("The Dice loss is robust to class imbalance", 2*wins > pairs,
		"On the positive class, run by run: %s. Over all %d scarce runs, Dice's F1 was the higher one in %d. "+
			"The claim counts as held when Dice's F1 on the rare class beats cross-entropy's in most of the runs on scarce training sets (a diverged run counts as a loss).",
		strings.Join(parts, "; "), pairs, wins)
	return r
}

// f1List formats F1 scores as "0.912, 0.000, diverged, …".
func f1List(v []float64) string {
	var parts []string
	for _, x := range v {
		if math.IsNaN(x) {
			parts = append(parts, "diverged")
			continue
		}
		parts = append(parts, fmt.Sprintf("%.3f", x))
	}
	return strings.Join(parts, ", ")
}

// f1Of is the run's F1 on the positive class, NaN if it diverged.
func f1Of(r *diceRun) float64 {
	if r.c.Diverged {
		return math.NaN()
	}
	return r.test[1].F1
}

// f1Text is f1Of as text.
func f1Text(r *diceRun) string { return f1List([]float64{f1Of(r)}) }
