package experiments

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// OptimizerPaths is the experiment optimizer-paths: every optimizer of the
// optimizers package, through a real float64 Gorgonia graph of f(x, y) (a
// 2-element parameter node w = (x, y), gorgonia.Grad, a TapeMachine with
// BindDualValues, RunAll / Step / Reset as in training), on four surfaces,
// from a fixed start for a fixed number of steps:
//
//	ravine      f = x²/20 + y²                                       (20× steeper across than along)
//	rosenbrock  f = (1 − x)² + 100 (y − x²)²                          (a curved, flat-bottomed valley)
//	beale       f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²
//	saddle      f = x² − y²                                          (starting next to the saddle point)
//
// It writes to o.Out:
//
//	paths.csv         surface,optimizer,step,x,y,loss; step 0 is the start, step k the point
//	                  after k updates, numbers in full float64 precision
//	hyperparams.json  {"runs": [{"surface", "optimizer", "start", "steps", "hyper"}, …]}: every
//	                  hyper-parameter in effect, defaults included (AggMo's as "betas")
//	SURFACE.png       the surface's contours with every optimizer's path and a legend
//	report.md         what was run, the final losses, the figures and what they show
//
// The hyper-parameters are chosen per surface to show each method's
// character (see pathSurfaces); any non-finite point or loss is an error.
// o.Quick runs a fifth of the steps. The experiment is deterministic and
// draws no random numbers, so o.Seed is not used.
func OptimizerPaths(ctx context.Context, o Options) error {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	if o.Out == "" {
		return fmt.Errorf("experiments: optimizer-paths: no output directory given")
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("experiments: optimizer-paths: %w", err)
	}
	start := time.Now()
	surfaces := pathSurfaces()
	var all []*Path
	for _, s := range surfaces {
		paths, err := runSurface(ctx, s, o.Quick)
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "%-10s %d optimizers × %d steps\n", s.name, len(paths), paths[0].Steps)
		if err := writePlot(filepath.Join(o.Out, s.name+".png"), s, paths); err != nil {
			return fmt.Errorf("experiments: optimizer-paths: plot %s: %w", s.name, err)
		}
		all = append(all, paths...)
	}
	if err := writePathsCSV(filepath.Join(o.Out, "paths.csv"), all); err != nil {
		return err
	}
	if err := writeHyperJSON(filepath.Join(o.Out, "hyperparams.json"), all); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(o.Out, "report.md"), pathsReport(surfaces, all, o.Quick)); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote paths.csv, hyperparams.json, report.md and %d figures to %s in %.1fs\n", len(surfaces), o.Out, time.Since(start).Seconds())
	return nil
}

// Path is one optimizer's trajectory on one surface.
type Path struct {
	Surface   string
	Optimizer string
	Start     [2]float64
	Steps     int
	// Hyper holds every hyper-parameter in effect by name; AggMo's betas are
	// a []float64 under "betas", the others float64.
	Hyper map[string]any
	// X, Y and Loss hold Steps+1 values: the start, then the point after
	// each update, with f there as the graph computed it.
	X, Y, Loss []float64
}

// surface is a test function with the experiment's settings for it.
type surface struct {
	name    string
	formula string
	// f is the function in plain Go, for the contour plot and the report.
	f func(x, y float64) float64
	// build adds f to the graph of x and y.
	build   func(b *builder, x, y *gorgonia.Node) *gorgonia.Node
	start   [2]float64
	steps   int
	minimum []float64 // (x, y) of the global minimum; nil if unbounded
	window  [4]float64
	levels  []float64 // contour levels
	// hyper overrides the optimizers' defaults on this surface.
	hyper map[string]optimizers.Config
}

// config returns the optimizer configuration used on s.
func (s surface) config(name string) optimizers.Config {
	c, ok := s.hyper[name]
	if !ok {
		return optimizers.Config{Name: name}
	}
	c.Name = name
	return c
}

// runSurface runs every optimizer on s.
func runSurface(ctx context.Context, s surface, quick bool) ([]*Path, error) {
	steps := s.steps
	if quick {
		steps = max(steps/5, 10)
	}
	var paths []*Path
	for _, name := range optimizers.Names() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := runPath(s, s.config(name), steps)
		if err != nil {
			return nil, fmt.Errorf("experiments: optimizer-paths: %s on %s: %w", name, s.name, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// runPath descends f from s.start with the optimizer c for steps updates,
// through a Gorgonia graph.
func runPath(s surface, c optimizers.Config, steps int) (*Path, error) {
	opt, err := optimizers.New(c)
	if err != nil {
		return nil, err
	}
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{s.start[0], s.start[1]}))))
	b := &builder{}
	x := b.slice(w, 0)
	y := b.slice(w, 1)
	cost := s.build(b, x, y)
	if b.err != nil {
		return nil, fmt.Errorf("build graph: %w", b.err)
	}
	if _, err := gorgonia.Grad(cost, w); err != nil {
		return nil, fmt.Errorf("gradient: %w", err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer vm.Close()
	vgs := gorgonia.NodesToValueGrads(gorgonia.Nodes{w})

	p := &Path{Surface: s.name, Optimizer: c.Name, Start: s.start, Steps: steps, Hyper: hyperOf(opt)}
	for k := 0; ; k++ {
		if err := vm.RunAll(); err != nil {
			return nil, fmt.Errorf("step %d: %w", k, err)
		}
		wv := w.Value().Data().([]float64)
		loss, ok := cost.Value().Data().(float64)
		if !ok {
			return nil, fmt.Errorf("cost is a %T, want a float64 scalar", cost.Value().Data())
		}
		if !finite(wv[0]) || !finite(wv[1]) || !finite(loss) {
			return nil, fmt.Errorf("not finite after %d steps: x = %v, y = %v, loss = %v; choose a smaller learning rate", k, wv[0], wv[1], loss)
		}
		p.X = append(p.X, wv[0])
		p.Y = append(p.Y, wv[1])
		p.Loss = append(p.Loss, loss)
		if k == steps {
			return p, nil
		}
		if err := opt.Step(vgs); err != nil {
			return nil, fmt.Errorf("step %d: %w", k+1, err)
		}
		vm.Reset()
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// hyperOf returns every hyper-parameter of opt in effect.
func hyperOf(opt optimizers.Optimizer) map[string]any {
	h := map[string]any{}
	for k, v := range opt.Hyper() {
		h[k] = v
	}
	if a, ok := opt.(*optimizers.AggMo); ok {
		h["betas"] = a.Betas()
	}
	return h
}

// builder adds operations to a graph, keeping the first error, so that a
// formula reads as one expression.
type builder struct{ err error }

func (b *builder) do(f func() (*gorgonia.Node, error)) *gorgonia.Node {
	if b.err != nil {
		return nil
	}
	n, err := f()
	b.err = err
	return n
}

func (b *builder) slice(w *gorgonia.Node, i int) *gorgonia.Node {
	return b.do(func() (*gorgonia.Node, error) { return gorgonia.Slice(w, gorgonia.S(i)) })
}
func (b *builder) add(x, y *gorgonia.Node) *gorgonia.Node {
	return b.do(func() (*gorgonia.Node, error) { return gorgonia.Add(x, y) })
}
func (b *builder) sub(x, y *gorgonia.Node) *gorgonia.Node {
	return b.do(func() (*gorgonia.Node, error) { return gorgonia.Sub(x, y) })
}
func (b *builder) mul(x, y *gorgonia.Node) *gorgonia.Node {
	return b.do(func() (*gorgonia.Node, error) { return gorgonia.Mul(x, y) })
}
func (b *builder) div(x, y *gorgonia.Node) *gorgonia.Node {
	return b.do(func() (*gorgonia.Node, error) { return gorgonia.Div(x, y) })
}
func (b *builder) sq(x *gorgonia.Node) *gorgonia.Node {
	return b.do(func() (*gorgonia.Node, error) { return gorgonia.Square(x) })
}
func (b *builder) c(v float64) *gorgonia.Node { return gorgonia.NewConstant(v) }

// writePathsCSV writes paths.csv.
func writePathsCSV(path string, paths []*Path) error {
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"surface", "optimizer", "step", "x", "y", "loss"})
		for _, p := range paths {
			for k := range p.X {
				cw.Write([]string{p.Surface, p.Optimizer, strconv.Itoa(k), num(p.X[k]), num(p.Y[k]), num(p.Loss[k])})
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// hyperRun is one entry of hyperparams.json.
type hyperRun struct {
	Surface   string         `json:"surface"`
	Optimizer string         `json:"optimizer"`
	Start     [2]float64     `json:"start"`
	Steps     int            `json:"steps"`
	Hyper     map[string]any `json:"hyper"`
}

func writeHyperJSON(path string, paths []*Path) error {
	var doc struct {
		Runs []hyperRun `json:"runs"`
	}
	for _, p := range paths {
		doc.Runs = append(doc.Runs, hyperRun{p.Surface, p.Optimizer, p.Start, p.Steps, p.Hyper})
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("experiments: optimizer-paths: %w", err)
	}
	return atomicfile.Write(path, append(data, '\n'))
}
