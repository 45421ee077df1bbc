package regularizers

import (
	"fmt"
	"path"

	"gorgonia.org/gorgonia"
)

// WeightPattern matches the names of the weight matrices of zoo's layers
// (layers.0.weight, encoder.weight, …) and not their biases: the default
// target of L1, L2 and MaxNorm, since shrinking biases does not reduce a
// network's capacity and can hurt it (Goodfellow, Bengio & Courville, Deep
// Learning, 2016, §7.1).
const WeightPattern = "*.weight"

// Match reports whether a parameter called name is selected by any of the
// patterns, in the syntax of path.Match ("*" matches any run of characters,
// dots included). For example "layers.1.*" picks one layer's weight and
// bias, and WeightPattern every weight matrix. It fails on a malformed
// pattern.
func Match(name string, patterns ...string) (bool, error) {
	for _, p := range patterns {
		ok, err := path.Match(p, name)
		if err != nil {
			return false, fmt.Errorf("regularizers: bad parameter pattern %q: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// Select returns the variables of g (its leaf nodes: parameters and inputs)
// whose names match any of the patterns (see Match), in the order they were
// added to g, ready for L1, L2 or MaxNorm's bookkeeping. zoo names a
// parameter's node after the parameter, so
//
//	Select(g.G, WeightPattern)
//
// finds every weight matrix of a models.Graph, each once, even when a
// decoder reuses an encoder's weight. Because it looks in the graph it is
// given rather than at one model's parameters, a penalty built on it
// penalises the right weights in every graph it is compiled into (a cloned
// task's included). It returns no nodes, and no error, when nothing matches.
func Select(g *gorgonia.ExprGraph, patterns ...string) ([]*gorgonia.Node, error) {
	if g == nil {
		return nil, fmt.Errorf("regularizers: select parameters: nil graph")
	}
	var out []*gorgonia.Node
	for _, n := range g.AllNodes() {
		if !n.IsVar() {
			continue
		}
		ok, err := Match(n.Name(), patterns...)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, n)
		}
	}
	return out, nil
}
