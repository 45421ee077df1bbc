package losses

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MSE returns the per-example mean squared error between predictions p and
// targets t (both [batch, features]):
//
//	ℓ_i = (1/d) Σ_j (p_ij − t_ij)²
//
// so averaging it over the batch gives the mean over every element, the
// convention of PyTorch's MSELoss. Its gradient with respect to p is
// 2(p_ij − t_ij)·(g_i/d) for an incoming gradient g; the targets get none.
//
// It is one op each way. The values are bit for bit those of the chain
// Mean(Square(Sub(p, t)), 1) of Gorgonia's ops, and so are the gradients
// (TestMSEMatchesGorgoniaChain): the same float operations in the same
// order (row sums from the first feature on), without the chain's five
// passes and the matrix it allocates to spread g_i/d over the features.
func MSE(p, t *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPair("MSE", p, t); err != nil {
		return nil, err
	}
	if dt := p.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("losses: MSE supports float32 and float64, got %v", dt)
	}
	return gorgonia.ApplyOp(mseOp{}, p, t)
}

// mseOp is the per-example mean squared error (p, t) → ℓ.
type mseOp struct{}

func (mseOp) Arity() int { return 2 }
func (mseOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a})
}
func (mseOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("losses: MSE wants a [batch, features] input, got %v", in[0])
	}
	return tensor.Shape{s[0]}, nil
}
func (mseOp) ReturnsPtr() bool         { return false }
func (mseOp) CallsExtern() bool        { return false }
func (mseOp) OverwritesInput() int     { return -1 }
func (op mseOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.MSE")) }
func (op mseOp) Hashcode() uint32      { return hashOf(op) }
func (mseOp) String() string           { return "MSE" }

func (op mseOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	p, t, err := twoMatrices("MSE", in)
	if err != nil {
		return nil, err
	}
	rows, cols := p.Shape()[0], p.Shape()[1]
	out := tensor.New(tensor.Of(p.Dtype()), tensor.WithShape(rows))
	switch pd := p.Data().(type) {
	case []float32:
		p, t, out := pd, t.Data().([]float32), out.Data().([]float32)
		byRows(len(out), cols, func(lo, hi int) {
			mseForward(p[lo*cols:hi*cols], t[lo*cols:hi*cols], out[lo:hi], cols)
		})
	case []float64:
		p, t, out := pd, t.Data().([]float64), out.Data().([]float64)
		byRows(len(out), cols, func(lo, hi int) {
			mseForward(p[lo*cols:hi*cols], t[lo*cols:hi*cols], out[lo:hi], cols)
		})
	}
	return out, nil
}

func (mseOp) DiffWRT(int) []bool { return []bool{true, false} }

func (mseOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dp, err := gorgonia.ApplyOp(mseGradOp{}, in[0], in[1], grad)
	return gorgonia.Nodes{dp, nil}, err
}

// mseGradOp is ∂ℓ/∂p: (p, t, g) → dp.
type mseGradOp struct{}

func (mseGradOp) Arity() int { return 3 }
func (mseGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a}, m)
}
func (mseGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("losses: MSE gradient: bad input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (mseGradOp) ReturnsPtr() bool         { return false }
func (mseGradOp) CallsExtern() bool        { return false }
func (mseGradOp) OverwritesInput() int     { return -1 }
func (op mseGradOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.MSEGrad")) }
func (op mseGradOp) Hashcode() uint32      { return hashOf(op) }
func (mseGradOp) String() string           { return "MSEGrad" }

func (op mseGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes dp into prealloc when it is a tensor of p's dtype and
// shape, and into a new tensor when prealloc is nil.
func (op mseGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("losses: MSE gradient wants 3 inputs, got %d", len(in))
	}
	p, t, err := twoMatrices("MSE gradient", in[:2])
	if err != nil {
		return nil, err
	}
	g, ok := in[2].(tensor.Tensor)
	if !ok || g.Dtype() != p.Dtype() || g.Shape().TotalSize() != p.Shape()[0] {
		return nil, fmt.Errorf("losses: MSE gradient: incoming gradient %v does not match %v", in[2], p.Shape())
	}
	out, err := output("MSE gradient", prealloc, p)
	if err != nil {
		return nil, err
	}
	cols := p.Shape()[1]
	switch pd := p.Data().(type) {
	case []float32:
		p, t, g, out := pd, t.Data().([]float32), gradSlice[float32](g), out.Data().([]float32)
		byRows(len(g), cols, func(lo, hi int) {
			mseBackward(p[lo*cols:hi*cols], t[lo*cols:hi*cols], g[lo:hi], out[lo*cols:hi*cols], cols)
		})
	case []float64:
		p, t, g, out := pd, t.Data().([]float64), gradSlice[float64](g), out.Data().([]float64)
		byRows(len(g), cols, func(lo, hi int) {
			mseBackward(p[lo*cols:hi*cols], t[lo*cols:hi*cols], g[lo:hi], out[lo*cols:hi*cols], cols)
		})
	}
	return out, nil
}

// mseForward sets out[i] to row i's sum of squared differences, added from
// the first column on in T's precision, divided by cols.
func mseForward[T float32 | float64](p, t, out []T, cols int) {
	d := T(cols)
	for i := range out {
		pr, tr := p[i*cols:(i+1)*cols], t[i*cols:(i+1)*cols]
		var s T
		for j, v := range pr {
			e := v - tr[j]
			s += T(e * e) // rounded before the sum, as the chain stores it: no fused multiply-add
		}
		out[i] = s / d
	}
}

// mseBackward sets out = (p − t)·2·(g_i/cols), rounding as the op chain:
// the difference doubled, times g_i/cols rounded once per row.
func mseBackward[T float32 | float64](p, t, g, out []T, cols int) {
	d := T(cols)
	for i := range g {
		c := g[i] / d
		pr, tr, or := p[i*cols:(i+1)*cols], t[i*cols:(i+1)*cols], out[i*cols:(i+1)*cols]
		for j, v := range pr {
			or[j] = ((v - tr[j]) * 2) * c
		}
	}
}
