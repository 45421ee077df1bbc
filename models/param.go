package models

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is a named learnable tensor. Its Value is updated in place by the
// optimizers, so every graph bound to it sees the current weights.
type Param struct {
	Name  string
	Value *tensor.Dense
}

// NewParam returns a zero-filled parameter of the given shape and dtype
// (tensor.Float32 or tensor.Float64).
func NewParam(name string, dt tensor.Dtype, shape ...int) *Param {
	return &Param{Name: name, Value: tensor.New(tensor.Of(dt), tensor.WithShape(shape...))}
}

// Float64s returns a copy of the parameter's values widened to float64.
func (p *Param) Float64s() []float64 {
	switch d := p.Value.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// Graph is one gorgonia.ExprGraph with its parameters bound to nodes.
type Graph struct {
	G *gorgonia.ExprGraph
	// Training is true for a graph that learns: layers that behave
	// differently at training time (dropout) read it.
	Training bool
	// Activations maps a layer's name (layers.0, …) to its output node, so
	// activation penalties and probes can reach hidden layers.
	Activations map[string]*gorgonia.Node
	// Random lists the inputs that must be redrawn before every run of the
	// graph (dropout masks, noise), in creation order.
	Random []*RandomInput
	nodes  map[*Param]*gorgonia.Node
}

// RandomInput is an input node whose value is redrawn before every run from
// the run's seeded generator, so random graph behaviour stays reproducible
// (Gorgonia's own Dropout seeds itself from the clock).
type RandomInput struct {
	Node  *gorgonia.Node
	Value *tensor.Dense
	// Fill draws a new value into dst.
	Fill func(dst *tensor.Dense, r rand.Source)
	// Elementwise says that Fill draws one number per element, element i
	// from the i-th draw, and writes nothing else, so that the next run's
	// value may be drawn ahead in parts
	// (regularizers.ElementwiseRandomInputs).
	Elementwise bool
}

// NewGraph returns an empty graph; training says whether it will learn.
func NewGraph(training bool) *Graph {
	return &Graph{G: gorgonia.NewGraph(), Training: training, Activations: map[string]*gorgonia.Node{}, nodes: map[*Param]*gorgonia.Node{}}
}

// NewRandomInput adds an input of the given shape redrawn by fill before
// every run.
func (g *Graph) NewRandomInput(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node {
	ri := &RandomInput{
		Node:  g.Input(name, dt, shape...),
		Value: tensor.New(tensor.Of(dt), tensor.WithShape(shape...)),
		Fill:  fill,
	}
	g.Random = append(g.Random, ri)
	return ri.Node
}

// NewElementwiseRandomInput is NewRandomInput for a fill that draws one
// number per element, in order, and writes nothing else: a training program
// may then draw the next run's value ahead.
func (g *Graph) NewElementwiseRandomInput(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node {
	n := g.NewRandomInput(name, dt, shape, fill)
	g.Random[len(g.Random)-1].Elementwise = true
	return n
}

// Node returns p's node in this graph, creating it on first use. The node's
// value is p.Value itself, not a copy.
func (g *Graph) Node(p *Param) *gorgonia.Node {
	if n, ok := g.nodes[p]; ok {
		return n
	}
	n := gorgonia.NodeFromAny(g.G, p.Value, gorgonia.WithName(p.Name))
	g.nodes[p] = n
	return n
}

// Nodes returns the nodes of ps in the same order, for gorgonia.Grad and an
// optimizer's Step: the order fixes which optimizer state belongs to which
// parameter. Parameters the graph never used are an error, since they would
// get no gradient.
func (g *Graph) Nodes(ps []*Param) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, len(ps))
	for i, p := range ps {
		n, ok := g.nodes[p]
		if !ok {
			return nil, fmt.Errorf("models: parameter %s is not used by this graph", p.Name)
		}
		out[i] = n
	}
	return out, nil
}

// Input returns a new input node of the given shape, fed with gorgonia.Let.
func (g *Graph) Input(name string, dt tensor.Dtype, shape ...int) *gorgonia.Node {
	return gorgonia.NewTensor(g.G, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name))
}

// Count returns the number of scalar weights in ps.
func Count(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += p.Value.Shape().TotalSize()
	}
	return n
}
