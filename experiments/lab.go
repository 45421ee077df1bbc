package experiments

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// lab is what the training experiments share: where they write, how they
// log, and the seeded random streams every random choice comes from.
type lab struct {
	name  string
	o     Options
	log   io.Writer
	start time.Time
	load  string // the load average when the run started, for the report
}

// newLab checks o and creates the output directory.
func newLab(name string, o Options) (*lab, error) {
	if o.Out == "" {
		return nil, fmt.Errorf("experiments: %s: no output directory given", name)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("experiments: %s: %w", name, err)
	}
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	return &lab{name: name, o: o, log: log, start: time.Now(), load: loadAverage()}, nil
}

func (l *lab) logf(format string, args ...any) { fmt.Fprintf(l.log, format+"\n", args...) }

func (l *lab) errorf(format string, args ...any) error {
	return fmt.Errorf("experiments: %s: "+format, append([]any{l.name}, args...)...)
}

// file is the path of name in the output directory.
func (l *lab) file(name string) string { return filepath.Join(l.o.Out, name) }

// rand returns the run's random stream called stream: the same seed and
// stream always give the same numbers, and streams are independent.
func (l *lab) rand(stream string) *rand.Rand { return rand.New(l.source(stream)) }

// source is rand's generator itself, for masking noise and dropout masks:
// drawn from a *rand.PCG, they are shared between cores (rng.Split).
func (l *lab) source(stream string) *rand.PCG { return rng.Source(l.o.Seed, l.name+"/"+stream) }

// shared returns the stream called stream shared by every experiment, for
// settings two experiments use alike (see overfitSetup).
func (l *lab) shared(stream string) *rand.Rand { return rng.New(l.o.Seed, stream) }

// mnist loads MNIST and keeps the first train, validation and test
// examples of each split (0 keeps all).
func (l *lab) mnist(train, val, test int) (*datasets.Splits, error) {
	data, err := datasets.MNIST()
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	return data.Limit(train, val, test), nil
}

// mlp builds an MLP on MNIST-sized inputs with initial weights drawn from
// the stream called stream, so two models built from the same stream start
// from the same weights.
func (l *lab) mlp(stream string, inputs int, hidden []models.Layer, classes int, drop models.Dropout) (*models.MLP, error) {
	return l.mlpFrom(l.rand(stream), inputs, hidden, classes, drop)
}

// mlpFrom builds an MLP with initial weights drawn from r.
func (l *lab) mlpFrom(r *rand.Rand, inputs int, hidden []models.Layer, classes int, drop models.Dropout) (*models.MLP, error) {
	m, err := models.NewMLP(models.MLPConfig{Inputs: inputs, Hidden: hidden, Classes: classes, Dropout: drop}, r)
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	return m, nil
}

// writeCSV writes a CSV file of the header and rows to the output directory.
func (l *lab) writeCSV(name string, header []string, rows [][]string) error {
	err := atomicfile.WriteFunc(l.file(name), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(header)
		cw.WriteAll(rows)
		return cw.Error()
	})
	if err != nil {
		return l.errorf("%s: %w", name, err)
	}
	return nil
}

// finish writes report.md and logs where everything went.
func (l *lab) finish(r *report) error {
	r.p("Run on %s: seed %d, %d CPUs, load average %s at the start; the experiment took %.0f s. "+
		"Wall-clock times depend on that load; everything else is determined by the seed.",
		time.Now().Format("2006-01-02"), l.o.Seed, runtime.NumCPU(), l.load, time.Since(l.start).Seconds())
	if err := atomicfile.Write(l.file("report.md"), r.b.Bytes()); err != nil {
		return l.errorf("report: %w", err)
	}
	l.logf("%s: wrote report.md, its figures and data to %s in %.1fs", l.name, l.o.Out, time.Since(l.start).Seconds())
	return nil
}

// loadAverage reads the one-minute load average, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// newOptimizer returns a new optimizer of the given name and hyper-parameters.
func newOptimizer(name string, hyper map[string]float64) (optimizers.Optimizer, error) {
	opt, err := optimizers.New(optimizers.Config{Name: name, Hyper: hyper})
	if err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	return opt, nil
}

// curve is one training run as the experiments record it.
type curve struct {
	Name string
	// Loss, LR and Seconds hold one value per update: the training
	// objective on the update's batch (before the update), the learning
	// rate it used, and the wall time since training started, without the
	// time of the recorder's step lengths and of what the hooks do between
	// epochs (EvalTrain, the experiment's own measurements).
	Loss, LR, Seconds []float64
	// Epochs are the loop's records of the finished epochs.
	Epochs []train.Record
	// TrainEval holds, per finished epoch, the model measured on the
	// training examples of fitConfig.EvalTrain (when set).
	TrainEval []infer.Metrics
	// Step holds, per update, the Euclidean length of the update of all
	// parameters, ‖θ_t − θ_{t−1}‖ (only with fitConfig.StepLengths).
	Step []float64
	// Diverged reports a run stopped because its objective stopped being
	// finite (train.IsDiverged) or grew past fitConfig.BlowUp times its
	// first value; DivergedAt is that update and DivergedLoss its loss.
	Diverged     bool
	DivergedAt   int
	DivergedLoss float64
}

// updates is the number of updates recorded.
func (c *curve) updates() int { return len(c.Loss) }

// fitConfig adds the experiments' instrumentation to a train.Config, whose
// Hooks (an experiment's per-epoch measurements, say) run after the
// recorder's.
type fitConfig struct {
	train.Config
	// BlowUp, if > 0, stops the run as diverged when an update's objective
	// exceeds BlowUp times the first update's.
	BlowUp float64
	// EvalTrain, if set, is measured after every epoch (the training
	// loss and error of the model, not the running batch mean), before the
	// other hooks hear of the epoch.
	EvalTrain *datasets.Set
	// StepLengths records curve.Step; the task must be a train.ParamsTask.
	StepLengths bool
}

// errBlownUp is the recorder's stop of a run whose objective blew up
// (fitConfig.BlowUp).
var errBlownUp = errors.New("experiments: the objective blew up")

// recorder is the hook of fit that fills its curve.
type recorder struct {
	c      *curve
	task   train.Task
	cfg    *fitConfig
	start  time.Time
	params []*models.Param // for step lengths
	prev   [][]float64
	// spent is the time left out of curve.Seconds: the step lengths'
	// and, from the recorder's epoch end (ended) to the next epoch's
	// start, the hooks'.
	spent time.Duration
	ended time.Time
}

func (r *recorder) OnEpochStart(epoch, epochs, batches int) {
	if !r.ended.IsZero() {
		r.spent += time.Since(r.ended)
	}
}

func (r *recorder) OnStep(s train.StepInfo) error {
	c := r.c
	c.Loss = append(c.Loss, s.Loss)
	c.LR = append(c.LR, s.LR)
	now := time.Now()
	c.Seconds = append(c.Seconds, (now.Sub(r.start) - r.spent).Seconds())
	if r.params != nil {
		defer func() { r.spent += time.Since(now) }()
		sq := 0.0
		for i, p := range r.params {
			now := p.Float64s()
			for k, v := range now {
				d := v - r.prev[i][k]
				sq += d * d
			}
			r.prev[i] = now
		}
		c.Step = append(c.Step, math.Sqrt(sq))
	}
	if r.cfg.BlowUp > 0 && s.Loss > r.cfg.BlowUp*c.Loss[0] {
		c.Diverged, c.DivergedAt, c.DivergedLoss = true, len(c.Loss), s.Loss
		return errBlownUp
	}
	return nil
}

func (r *recorder) OnEpochEnd(train.Record) error {
	r.ended = time.Now()
	if r.cfg.EvalTrain == nil {
		return nil
	}
	m, err := r.task.Evaluate(r.cfg.EvalTrain)
	if err != nil {
		return err
	}
	r.c.TrainEval = append(r.c.TrainEval, m)
	return nil
}

func (r *recorder) OnStop(records []train.Record, err error) {
	r.c.Epochs = records
	var d *train.DivergedError
	if errors.As(err, &d) {
		r.c.Diverged, r.c.DivergedAt, r.c.DivergedLoss = true, d.Update, d.Loss
	}
}

// fit trains task with train.Run and records every update. A run that
// diverges (see curve.Diverged) is not an error: it is stopped and marked.
func fit(ctx context.Context, name string, task train.Task, trainSet, val *datasets.Set, cfg fitConfig) (*curve, error) {
	rec := &recorder{c: &curve{Name: name}, task: task, cfg: &cfg, start: time.Now()}
	if cfg.StepLengths {
		pt, ok := task.(train.ParamsTask)
		if !ok {
			return nil, fmt.Errorf("experiments: step lengths of a %T, which has no parameters", task)
		}
		rec.params = pt.Params()
		for _, p := range rec.params {
			rec.prev = append(rec.prev, p.Float64s())
		}
	}
	cfg.Hooks = append([]train.Hook{rec}, cfg.Hooks...)
	_, err := train.Run(ctx, task, trainSet, val, cfg.Config)
	if rec.c.Diverged {
		return rec.c, nil
	}
	return rec.c, err
}

// smooth returns the means of consecutive windows of w values of v, with
// the update (counted from 1) at the end of each window, for plotting
// noisy per-update losses.
func smooth(v []float64, w int) (x, y []float64) {
	w = max(w, 1)
	for i := 0; i < len(v); i += w {
		j := min(i+w, len(v))
		s := 0.0
		for _, u := range v[i:j] {
			s += u
		}
		x = append(x, float64(j))
		y = append(y, s/float64(j-i))
	}
	return x, y
}

// meanOf returns the mean of v (NaN for none).
func meanOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, u := range v {
		s += u
	}
	return s / float64(len(v))
}

// weightsOf returns every weight matrix entry of ps (biases excluded).
func weightsOf(ps []*models.Param) []float64 {
	var w []float64
	for _, p := range ps {
		if strings.HasSuffix(p.Name, ".weight") {
			w = append(w, p.Float64s()...)
		}
	}
	return w
}

// report builds a report.md.
type report struct{ b bytes.Buffer }

// newReport starts a report with its title and, for a quick run, the
// warning that its numbers are a smoke test.
func newReport(title string, quick bool) *report {
	r := &report{}
	fmt.Fprintf(&r.b, "# %s\n\n", title)
	if quick {
		r.b.WriteString("> **Quick run** (`--quick`): reduced data and budgets. The numbers below are a smoke test, not the experiment's results.\n\n")
	}
	return r
}

// p adds a paragraph.
func (r *report) p(format string, args ...any) {
	fmt.Fprintf(&r.b, format, args...)
	r.b.WriteString("\n\n")
}

func (r *report) h2(title string) { fmt.Fprintf(&r.b, "## %s\n\n", title) }

// table adds a Markdown table, its first column aligned left and the
// others right.
func (r *report) table(header []string, rows [][]string) {
	r.b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i == 0 {
			r.b.WriteString("---|")
		} else {
			r.b.WriteString("---:|")
		}
	}
	r.b.WriteString("\n")
	for _, row := range rows {
		r.b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	r.b.WriteString("\n")
}

// figure embeds a PNG of the output directory.
func (r *report) figure(file, alt string) {
	fmt.Fprintf(&r.b, "![%s](%s)\n\n", alt, file)
}

// claim adds a paragraph on one claim of the lecture: the claim in bold,
// whether it held on this run, and the numbers that decided it.
func (r *report) claim(claim string, held bool, evidence string, args ...any) {
	fmt.Fprintf(&r.b, "**%s — %s.** ", claim, verdict(held))
	fmt.Fprintf(&r.b, evidence, args...)
	r.b.WriteString("\n\n")
}

// verdict is how a report says whether a claim held.
func verdict(held bool) string {
	if held {
		return "held"
	}
	return "did not hold on this run"
}

// g3 formats v with 3 significant digits; pct a fraction as a percentage.
func g3(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
func pct(v float64) string {
	return strconv.FormatFloat(100*v, 'f', 2, 64) + " %"
}
