package regularizers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout returns x with inverted dropout (Srivastava, Hinton, Krizhevsky,
// Sutskever & Salakhutdinov, "Dropout: A Simple Way to Prevent Neural
// Networks from Overfitting", JMLR 15, 2014) applied when training is true:
//
//	y = x ⊙ m,  m_k = 0 with probability p, 1/(1−p) otherwise,
//
// with a fresh mask m drawn from the run's generator before every run of
// the graph, so no unit can be relied on alone (the lecture: p is typically
// 0.5 for hidden units, less for inputs). Since E[m_k] = 1 the expected
// activation is unchanged, and at evaluation (training false) Dropout
// returns x itself: the full network, with no rescaling. Backpropagation
// goes through the same mask.
//
// The mask is a random input of g called name (it must be unique in the
// graph, e.g. "layers.0.dropout"), of x's shape, drawn as m_k = 0 when
// r.Float64() < p; each run's mask depends only on the generator's state.
// p must be in [0, 1); p = 0 returns x unchanged and adds nothing.
func Dropout(g RandomInputs, name string, x *gorgonia.Node, p float64, training bool) (*gorgonia.Node, error) {
	if !(p >= 0 && p < 1) {
		return nil, fmt.Errorf("regularizers: dropout %s: drop probability must be in [0, 1), got %v", name, p)
	}
	if x == nil {
		return nil, fmt.Errorf("regularizers: dropout %s: nil input", name)
	}
	if err := checkFloat("dropout "+name, x); err != nil {
		return nil, err
	}
	if !training || p == 0 {
		return x, nil
	}
	if g == nil {
		return nil, fmt.Errorf("regularizers: dropout %s: no graph to hold the mask", name)
	}
	var mask *gorgonia.Node
	if e, ok := g.(ElementwiseRandomInputs); ok {
		mask = e.NewElementwiseRandomInput(name, x.Dtype(), x.Shape().Clone(), DropoutMask(p))
	} else {
		mask = g.NewRandomInput(name, x.Dtype(), x.Shape().Clone(), DropoutMask(p))
	}
	y, err := gorgonia.HadamardProd(x, mask)
	if err != nil {
		return nil, fmt.Errorf("regularizers: dropout %s: %w", name, err)
	}
	return y, nil
}

// DropoutMask returns the fill function of Dropout's mask: every element of
// dst becomes 0 with probability p and 1/(1−p) otherwise, one draw per
// element in order, dropped when r.Float64() < p would be (decided on the
// draw's bits, rng.Below). When r is a *rand.PCG the draws are shared
// between cores (rng.Split), each element still getting the draw a
// sequential loop gives it. It panics on a dtype other than float32 or
// float64.
func DropoutMask(p float64) func(dst *tensor.Dense, r rand.Source) {
	keep := 1 / (1 - p)
	t := rng.Below(p)
	k32, k64 := math.Float32bits(float32(keep)), math.Float64bits(keep)
	return func(dst *tensor.Dense, r rand.Source) {
		switch d := dst.Data().(type) {
		case []float32:
			if pcg, ok := r.(*rand.PCG); ok {
				rng.Split(pcg, len(d), func(s *rng.Stream, from, to int) {
					for i := range d[from:to] {
						d[from+i] = math.Float32frombits(k32 &^ -uint32(rng.Under(s.Uint64(), t)))
					}
				})
				return
			}
			for i := range d {
				d[i] = math.Float32frombits(k32 &^ -uint32(rng.Under(r.Uint64(), t)))
			}
		case []float64:
			if pcg, ok := r.(*rand.PCG); ok {
				rng.Split(pcg, len(d), func(s *rng.Stream, from, to int) {
					for i := range d[from:to] {
						d[from+i] = math.Float64frombits(k64 &^ -rng.Under(s.Uint64(), t))
					}
				})
				return
			}
			for i := range d {
				d[i] = math.Float64frombits(k64 &^ -rng.Under(r.Uint64(), t))
			}
		default:
			panic(fmt.Sprintf("regularizers: dropout mask of dtype %v", dst.Dtype()))
		}
	}
}
