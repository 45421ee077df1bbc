package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// program is one compiled graph: its input nodes with the tensors fed to
// them, the per-example loss, the output, and (when it learns) the scalar
// objective and the parameters' value/gradient pairs.
type program struct {
	vm     gorgonia.VM
	inputs []*gorgonia.Node
	feed   []*tensor.Dense // one per input, reused for every batch
	per    *gorgonia.Node  // per-example loss
	out    *gorgonia.Node
	obj    *gorgonia.Node // the training loss when it is not the mean of per
	cost   *gorgonia.Node // the loss plus any penalty; nil for inference
	vgs    []gorgonia.ValueGrad
	random []*models.RandomInput // redrawn from rng before every run
	rng    *rand.Rand
}

// Penalty adds a regularization term to a training graph: it returns a
// scalar node that is added to the mean loss (weight decay, activation
// sparsity, …). It is given the graph, whose Activations hold the layers'
// outputs and whose Node method reaches any parameter.
type Penalty func(g *models.Graph) (*gorgonia.Node, error)

func (p *program) allocFeed() {
	p.feed = make([]*tensor.Dense, len(p.inputs))
	for i, in := range p.inputs {
		p.feed[i] = tensor.New(tensor.Of(in.Dtype()), tensor.WithShape(in.Shape().Clone()...))
	}
}

func (p *program) compileTraining(g *models.Graph, params gorgonia.Nodes, penalties []Penalty) error {
	cost := p.obj
	if cost == nil {
		var err error
		if cost, err = gorgonia.Mean(p.per); err != nil {
			return fmt.Errorf("train: objective: %w", err)
		}
	}
	for i, pen := range penalties {
		term, err := pen(g)
		if err != nil {
			return fmt.Errorf("train: penalty %d: %w", i+1, err)
		}
		if cost, err = gorgonia.Add(cost, term); err != nil {
			return fmt.Errorf("train: penalty %d: %w", i+1, err)
		}
	}
	p.cost = cost
	if _, err := gorgonia.Grad(cost, params...); err != nil {
		return fmt.Errorf("train: gradients: %w", err)
	}
	// Compile only what the objective, the outputs and the parameters'
	// gradients need: Grad also differentiates the inputs (a wasted matrix
	// product per input layer). Add a root to read another node after a run.
	roots := gorgonia.Nodes{cost, p.per}
	if p.out != nil {
		roots = append(roots, p.out)
	}
	for _, n := range params {
		roots = append(roots, n.Deriv())
	}
	p.vm = gorgonia.NewTapeMachine(g.G.SubgraphRoots(roots...), gorgonia.BindDualValues(params...))
	p.vgs = gorgonia.NodesToValueGrads(params)
	p.allocFeed()
	p.random = g.Random
	return nil
}

func (p *program) compileInference(g *models.Graph) {
	p.vm = gorgonia.NewTapeMachine(g.G)
	p.allocFeed()
	p.random = g.Random
}

// run feeds the inputs, executes the graph and returns the objective (0 for
// an inference graph). The machine is reset for the next run, which keeps the
// node values readable until then.
func (p *program) run() (float64, error) {
	for i, in := range p.inputs {
		if err := gorgonia.Let(in, p.feed[i]); err != nil {
			return 0, fmt.Errorf("train: feed %s: %w", in.Name(), err)
		}
	}
	for _, ri := range p.random {
		if p.rng == nil {
			return 0, fmt.Errorf("train: the graph has random input %s but no random generator was given", ri.Node.Name())
		}
		ri.Fill(ri.Value, p.rng)
		if err := gorgonia.Let(ri.Node, ri.Value); err != nil {
			return 0, fmt.Errorf("train: feed %s: %w", ri.Node.Name(), err)
		}
	}
	p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("train: run graph: %w", err)
	}
	if p.cost == nil {
		return 0, nil
	}
	loss := scalar(p.cost.Value())
	if finite(loss) {
		for _, vg := range p.vgs {
			// A finite loss can still come with an overflowed gradient;
			// stepping on it would ruin the weights.
			if g, err := vg.Grad(); err == nil && !allFinite(g) {
				return loss, &nonFiniteGradient{param: vg.(*gorgonia.Node).Name()}
			}
		}
	}
	return loss, nil
}

// nonFiniteGradient reports a NaN or Inf in a parameter's gradient.
type nonFiniteGradient struct{ param string }

func (e *nonFiniteGradient) Error() string {
	return fmt.Sprintf("train: the gradient of %s is not finite", e.param)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// allFinite reports whether every element of v is finite. x−x is 0 for a
// finite x and NaN for NaN or ±Inf, so one sum tells.
func allFinite(v gorgonia.Value) bool {
	switch d := v.Data().(type) {
	case []float32:
		// Four independent sums: a single one waits on each addition.
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= len(d); i += 4 {
			s0 += d[i] - d[i]
			s1 += d[i+1] - d[i+1]
			s2 += d[i+2] - d[i+2]
			s3 += d[i+3] - d[i+3]
		}
		for _, x := range d[i:] {
			s0 += x - x
		}
		return s0+s1+s2+s3 == 0
	case []float64:
		var s0, s1, s2, s3 float64
		i := 0
		for ; i+4 <= len(d); i += 4 {
			s0 += d[i] - d[i]
			s1 += d[i+1] - d[i+1]
			s2 += d[i+2] - d[i+2]
			s3 += d[i+3] - d[i+3]
		}
		for _, x := range d[i:] {
			s0 += x - x
		}
		return s0+s1+s2+s3 == 0
	}
	return true
}

func (p *program) close() {
	if p.vm != nil {
		p.vm.Close()
	}
}

func scalar(v gorgonia.Value) float64 {
	switch d := v.Data().(type) {
	case float32:
		return float64(d)
	case float64:
		return d
	}
	return math.NaN()
}

// float64s returns a value's elements widened to float64.
func float64s(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	return nil
}

// fillRows copies the rows in x into t and zeroes the rest (padding).
func fillRows(t *tensor.Dense, x []float32) {
	switch d := t.Data().(type) {
	case []float32:
		m := copy(d, x)
		clear(d[m:])
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
		clear(d[len(x):])
	}
}
