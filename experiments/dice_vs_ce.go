package experiments

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gorgonia-zoo/zoo/datasets"
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
	// scarce is the fraction of positives the scarce training set keeps.
	scarce float64
}

func diceVsCESetup(quick bool) diceSetup {
	s := diceSetup{
		train: 20000, val: 5000,
		hidden: []models.Layer{{Units: 64, Activation: models.ReLU}},
		batch:  128, epochs: 5, lr: 0.05, scarce: 0.01,
	}
	if quick {
		s.train, s.val, s.epochs = 4000, 1000, 2
	}
	return s
}

// diceRun is one (training set, loss) pair's run.
type diceRun struct {
	level, loss string
	positives   int // in its training set
	examples    int // in its training set
	c           *curve
	valF1       []float64 // positive-class F1 on validation after each epoch
	test        []classScore
}

// DiceVsCE is the experiment dice-vs-ce (LECTURE.md §5, "the error
// function"): "is it a 0?" on MNIST, an imbalanced two-class task (about 1
// positive for 9 negatives), learned by the same MLP (784-64-2, ReLU) from
// the same initial weights with the softmax cross-entropy and with the Dice
// loss (train.ClassifierConfig{Loss: "dice"}: 1 − D of the positive class
// over each batch). It does so twice: on the natural training set and on
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
	scarce := keepPositives(natural, s.scarce, l)
	val, test := data.Validation.Binary(0), data.Test.Binary(0)
	var runs []*diceRun
	for _, set := range []struct {
		level string
		train *datasets.Set
	}{{"natural", natural}, {"scarce", scarce}} {
		for _, loss := range []string{"cross-entropy", "dice"} {
			if err := ctx.Err(); err != nil {
				return err
			}
			run, err := diceRunOne(ctx, l, s, set.level, loss, set.train, val, test)
			if err != nil {
				return err
			}
			runs = append(runs, run)
			p := run.test[1]
			l.logf("%-8s %-13s positives %5d  test recall(0) %.3f  precision %.3f  F1 %.3f", set.level, loss, run.positives, p.Recall, p.Precision, p.F1)
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
// examples (chosen with the run's "scarce" stream) and all its negatives,
// in the original order.
func keepPositives(s *datasets.Set, f float64, l *lab) *datasets.Set {
	r := l.rand("scarce")
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

func diceRunOne(ctx context.Context, l *lab, s diceSetup, level, loss string, trainSet, val, test *datasets.Set) (*diceRun, error) {
	m, err := l.mlp("init", trainSet.Dim(), s.hidden, 2, models.Dropout{})
	if err != nil {
		return nil, err
	}
	opt, err := newOptimizer("momentum", map[string]float64{"lr": s.lr, "momentum": 0.9})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: s.batch, Loss: loss})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	defer task.Close()
	run := &diceRun{level: level, loss: loss, positives: positives(trainSet), examples: trainSet.Len()}
	run.c, err = fit(ctx, level+" "+loss, task, trainSet, nil, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle/" + level)},
		OnEpoch: func(train.Record) error {
			pred, err := task.Predict(val)
			if err != nil {
				return err
			}
			run.valF1 = append(run.valF1, classScores(pred, val.Labels, 2)[1].F1)
			return nil
		},
	})
	if err != nil {
		return nil, l.errorf("%s %s: %w", level, loss, err)
	}
	if run.c.Diverged {
		return nil, l.errorf("%s %s: diverged at update %d", level, loss, run.c.DivergedAt)
	}
	pred, err := task.Predict(test)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run.test = classScores(pred, test.Labels, 2)
	return run, nil
}

func writeDiceData(l *lab, runs []*diceRun) error {
	var rows [][]string
	for _, r := range runs {
		for _, c := range r.test {
			rows = append(rows, []string{r.level, r.loss, strconv.Itoa(r.positives), strconv.Itoa(c.Class), strconv.Itoa(c.Support),
				num(c.Precision), num(c.Recall), num(c.F1)})
		}
	}
	if err := l.writeCSV("results.csv", []string{"training_set", "loss", "train_positives", "class", "test_support", "precision", "recall", "f1"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range runs {
		for i, e := range r.c.Epochs {
			rows = append(rows, []string{r.level, r.loss, strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(r.valF1[i])})
		}
	}
	return l.writeCSV("epochs.csv", []string{"training_set", "loss", "epoch", "updates", "train_objective", "val_f1_positive"}, rows)
}

func writeDiceFigure(l *lab, runs []*diceRun) error {
	recall := &barChart{Title: "Test recall of the positive class (\"it is a 0\")", YLabel: "recall", YMax: 1.05, LegendLeft: true}
	f1 := &barChart{Title: "Test F1 of the positive class", YLabel: "F1", YMax: 1.05, LegendLeft: true}
	curves := &chart{Title: "Validation F1 of the positive class after each epoch", XLabel: "update", YLabel: "F1", Y0: -0.02, Y1: 1.35}
	for _, loss := range []string{"cross-entropy", "dice"} {
		var rv, fv []float64
		for _, r := range runs {
			if r.loss == loss {
				rv = append(rv, r.test[1].Recall)
				fv = append(fv, r.test[1].F1)
			}
		}
		col := paletteColor(0)
		if loss == "dice" {
			col = paletteColor(1)
		}
		recall.Bars = append(recall.Bars, bars{Name: loss, Values: rv, Color: col})
		f1.Bars = append(f1.Bars, bars{Name: loss, Values: fv, Color: col})
	}
	var groups []string
	for _, r := range runs {
		if r.loss == "dice" {
			groups = append(groups, fmt.Sprintf("%s (%d positives)", r.level, r.positives))
		}
		var x []float64
		for _, e := range r.c.Epochs {
			x = append(x, float64(e.Updates))
		}
		col := paletteColor(0)
		if r.loss == "dice" {
			col = paletteColor(1)
		}
		curves.Series = append(curves.Series, series{Name: r.level + ", " + r.loss, X: x, Y: r.valF1, Color: col, Dashed: r.level == "scarce", Points: true})
	}
	recall.Groups, f1.Groups = groups, groups
	return writeCharts(l.file("dice_vs_ce.png"), 3, 5*vg.Inch, 4.5*vg.Inch, recall, f1, curves)
}

func diceReport(s diceSetup, runs []*diceRun, natural, test *datasets.Set, quick bool) *report {
	r := newReport("Dice loss against cross-entropy on an imbalanced task", quick)
	r.p("\"Is it a 0?\" on MNIST: class 1 for the digit 0, class 0 for the other nine. The first %d training digits hold %d positives (%.1f %%); "+
		"the *scarce* training set keeps all their negatives and only about %.0f %% of the examples' worth of positives (%d, drawn with the seed). "+
		"The same MLP (784-%d-2, ReLU) is trained from the same initial weights by momentum SGD (lr %g, γ 0.9, batch %d, %d epochs) with the softmax cross-entropy "+
		"or with the Dice loss 1 − D, D = 2 Σ p_i g_i / (Σ p_i² + Σ g_i²) over each batch, p the softmax probability of class 1 and g its indicator. "+
		"A digit is predicted positive when that probability exceeds ½. Measured on all %d test digits (%d positives). Data: `results.csv`, `epochs.csv`.",
		natural.Len(), positives(natural), 100*float64(positives(natural))/float64(natural.Len()), 100*s.scarce, runs[2].positives,
		s.hidden[0].Units, s.lr, s.batch, s.epochs, test.Len(), positives(test))
	var rows [][]string
	for _, run := range runs {
		p, n := run.test[1], run.test[0]
		rows = append(rows, []string{run.level, strconv.Itoa(run.positives), run.loss,
			fmt.Sprintf("%.3f", p.Precision), fmt.Sprintf("%.3f", p.Recall), fmt.Sprintf("%.3f", p.F1),
			fmt.Sprintf("%.3f", n.Precision), fmt.Sprintf("%.3f", n.Recall), fmt.Sprintf("%.3f", n.F1)})
	}
	r.table([]string{"training set", "positives", "loss", "precision (0)", "recall (0)", "F1 (0)", "precision (not 0)", "recall (not 0)", "F1 (not 0)"}, rows)
	r.figure("dice_vs_ce.png", "recall and F1 of the positive class for each loss and training set, and validation F1 over training")

	r.h2("What the lecture claims, and whether it held")
	find := func(level, loss string) *diceRun {
		for _, run := range runs {
			if run.level == level && run.loss == loss {
				return run
			}
		}
		return nil
	}
	ceN, ceS := find("natural", "cross-entropy"), find("scarce", "cross-entropy")
	dN, dS := find("natural", "dice"), find("scarce", "dice")
	r.p("On the natural training set (%d positives) the two losses are the baseline: Dice reached recall %.3f and F1 %.3f on the zeros, cross-entropy recall %.3f and F1 %.3f.",
		ceN.positives, dN.test[1].Recall, dN.test[1].F1, ceN.test[1].Recall, ceN.test[1].F1)
	r.claim("The Dice loss is robust to class imbalance", dS.test[1].F1 > ceS.test[1].F1,
		"With the positives made scarce (%d of %d training digits), Dice reached recall %.3f and F1 %.3f on the zeros, cross-entropy recall %.3f and F1 %.3f. "+
			"From the natural to the scarce training set, cross-entropy's recall changed by %+.3f and Dice's by %+.3f. "+
			"The claim counts as held when Dice's F1 on the rare class beats cross-entropy's on the scarce training set.",
		dS.positives, dS.examples, dS.test[1].Recall, dS.test[1].F1, ceS.test[1].Recall, ceS.test[1].F1,
		ceS.test[1].Recall-ceN.test[1].Recall, dS.test[1].Recall-dN.test[1].Recall)
	return r
}
