package experiments

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// lab is what the training experiments share: where they write, how they
// log, and the seeded random streams every random choice comes from.
type lab struct {
	name  string
	o     Options
	log   io.Writer
	start time.Time
	load  string // the load average when the run started, for the report
	// work counts the floating-point operations of the experiment's
	// matrix products, a measure of its cost that does not depend on the
	// machine's load; restore puts the previous BLAS back (finish).
	work    *cblas.Counter
	restore func()
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
	work, restore := cblas.Count()
	return &lab{name: name, o: o, log: log, start: time.Now(), load: loadAverage(), work: work, restore: restore}, nil
}

// seeds returns the seeds a comparative experiment trains every method
// with: the run's seed and the next ones, defaultSeeds of them (quickSeeds
// in a quick run). The seed s gives the runs --seed s would give as the
// first, so any one of them can be repeated alone.
func (l *lab) seeds() []uint64 {
	n := defaultSeeds
	if l.o.Quick {
		n = quickSeeds
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = l.o.Seed + uint64(i)
	}
	return out
}

// Seeds per method of a comparative experiment.
const (
	defaultSeeds = 3
	quickSeeds   = 2
)

// at returns the lab with its random streams drawn from seed: the same
// directory and log, the streams of a run with --seed seed.
func (l *lab) at(seed uint64) *lab {
	c := *l
	c.o.Seed = seed
	return &c
}

// report starts the lab's report, with the results.json that finish
// writes beside it.
func (l *lab) report(title string) *report {
	r := newReport(title, l.o.Quick)
	r.res = newResults(l.name, l.o.Quick)
	return r
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

// finish writes report.md (and results.json, for a report started by
// lab.report) and logs where everything went.
func (l *lab) finish(r *report) error {
	l.restore()
	r.p("Run on %s: seed %d, %d CPUs, load average %s at the start; the experiment took %.0f s, and its matrix products %.1f GFLOP (2·m·n·k each). "+
		"Wall-clock times depend on that load; everything else is determined by the seed.",
		time.Now().Format("2006-01-02"), l.o.Seed, runtime.NumCPU(), l.load, time.Since(l.start).Seconds(), float64(l.work.Flops())/1e9)
	if err := atomicfile.Write(l.file("report.md"), r.b.Bytes()); err != nil {
		return l.errorf("report: %w", err)
	}
	if r.res != nil {
		b, err := r.res.encode()
		if err != nil {
			return l.errorf("%w", err)
		}
		if err := atomicfile.Write(l.file("results.json"), b); err != nil {
			return l.errorf("results.json: %w", err)
		}
	}
	l.logf("%s: wrote report.md, its figures and data to %s in %.1fs (matrix products: %.1f GFLOP)", l.name, l.o.Out, time.Since(l.start).Seconds(), float64(l.work.Flops())/1e9)
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
