package models

import (
	"fmt"

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
	G     *gorgonia.ExprGraph
	nodes map[*Param]*gorgonia.Node
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{G: gorgonia.NewGraph(), nodes: map[*Param]*gorgonia.Node{}}
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
