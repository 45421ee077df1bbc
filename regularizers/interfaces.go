package regularizers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RandomInputs creates graph inputs whose value is redrawn before every run
// of the graph (dropout masks, noise): NewRandomInput adds an input called
// name of the given dtype and shape, and the training program calls fill
// with the run's seeded generator before each run (a *rand.PCG, whose draws
// fill may share between cores as DropoutMask does, or any other source).
// models.Graph implements it.
type RandomInputs interface {
	NewRandomInput(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node
}

// ElementwiseRandomInputs is a RandomInputs that can also add an input
// whose fill draws exactly one number per element, element i from the i-th
// draw, and writes nothing else. Such a fill gives the same values whether
// it fills the whole tensor or each part of it from a generator moved on to
// that part's first draw, so a training program may draw the next run's
// value ahead, in parts, while the present run computes. models.Graph
// implements it; Dropout uses it when g does.
type ElementwiseRandomInputs interface {
	RandomInputs
	NewElementwiseRandomInput(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node
}

// RandomInputsFunc adapts a function to RandomInputs.
type RandomInputsFunc func(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node

var _ RandomInputs = RandomInputsFunc(nil)

// NewRandomInput calls f.
func (f RandomInputsFunc) NewRandomInput(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node {
	return f(name, dt, shape, fill)
}

// checkCoef checks that a penalty's coefficient is finite and ≥ 0.
func checkCoef(what, sym string, v float64) error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("regularizers: %s: %s must be finite and ≥ 0, got %v", what, sym, v)
	}
	return nil
}

// checkFloat checks that n holds float32 or float64 values.
func checkFloat(what string, n *gorgonia.Node) error {
	if dt := n.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("regularizers: %s: node %s is %v, not float32 or float64", what, n.Name(), dt)
	}
	return nil
}

// constant is v as a constant node of dtype dt (float32 or float64).
func constant(dt tensor.Dtype, v float64) *gorgonia.Node {
	if dt == tensor.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}

// scaled returns coef × x for a scalar node x.
func scaled(what string, coef float64, x *gorgonia.Node) (*gorgonia.Node, error) {
	out, err := gorgonia.Mul(constant(x.Dtype(), coef), x)
	if err != nil {
		return nil, fmt.Errorf("regularizers: %s: %w", what, err)
	}
	return out, nil
}

// sumEach returns Σ_k Σ f(n_k) over the elements of every node, as a scalar
// node. The nodes must share one float dtype.
func sumEach(what string, nodes []*gorgonia.Node, f func(*gorgonia.Node) (*gorgonia.Node, error)) (*gorgonia.Node, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("regularizers: %s: no nodes to penalise", what)
	}
	var total *gorgonia.Node
	for _, n := range nodes {
		if n == nil {
			return nil, fmt.Errorf("regularizers: %s: nil node", what)
		}
		if err := checkFloat(what, n); err != nil {
			return nil, err
		}
		if n.Dtype() != nodes[0].Dtype() {
			return nil, fmt.Errorf("regularizers: %s: node %s is %v but %s is %v", what, n.Name(), n.Dtype(), nodes[0].Name(), nodes[0].Dtype())
		}
		x := n
		if x.Dims() == 0 {
			// Gorgonia differentiates |x| of a scalar node through a sign
			// that is +1 at 0; as a one-element vector it takes the tensor
			// sign, which is 0 at 0. Reshape so both agree.
			var err error
			if x, err = gorgonia.Reshape(x, tensor.Shape{1}); err != nil {
				return nil, fmt.Errorf("regularizers: %s: %s: %w", what, n.Name(), err)
			}
		}
		fx, err := f(x)
		if err != nil {
			return nil, fmt.Errorf("regularizers: %s: %s: %w", what, n.Name(), err)
		}
		s, err := gorgonia.Sum(fx)
		if err != nil {
			return nil, fmt.Errorf("regularizers: %s: %s: %w", what, n.Name(), err)
		}
		if total == nil {
			total = s
		} else if total, err = gorgonia.Add(total, s); err != nil {
			return nil, fmt.Errorf("regularizers: %s: %s: %w", what, n.Name(), err)
		}
	}
	return total, nil
}
