package losses

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GaussianKL returns, for the means μ and log-variances v = log σ² of
// diagonal Gaussians q = N(μ, diag σ²) (both [batch, latent]), the
// divergence of each q from the standard normal prior p = N(0, I), in nats:
//
//	KL(q ‖ p)_i = −½ Σ_j (1 + v_ij − μ_ij² − e^v_ij)
//
// as a [batch] vector: the KL term of a variational autoencoder's negative
// ELBO (Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014,
// appendix B), summed over the latent dimensions, not averaged. Its
// gradients are ∂/∂μ_ij = μ_ij and ∂/∂v_ij = ½(e^v_ij − 1), times the
// incoming gradient of example i.
func GaussianKL(mean, logVar *gorgonia.Node) (*gorgonia.Node, error) {
	if mean.Dims() != 2 || !mean.Shape().Eq(logVar.Shape()) {
		return nil, fmt.Errorf("losses: Gaussian KL wants means and log-variances of the same [batch, latent] shape, got %v and %v", mean.Shape(), logVar.Shape())
	}
	if mean.Dtype() != logVar.Dtype() {
		return nil, fmt.Errorf("losses: Gaussian KL: means are %v but log-variances %v", mean.Dtype(), logVar.Dtype())
	}
	return gorgonia.ApplyOp(klOp{}, mean, logVar)
}

// klOp is (μ, v) → KL(N(μ, e^v) ‖ N(0, I)) per row.
type klOp struct{}

func (klOp) Arity() int { return 2 }
func (klOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a})
}
func (klOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("losses: GaussianKL wants a [batch, latent] input, got %v", in[0])
	}
	return tensor.Shape{s[0]}, nil
}
func (klOp) ReturnsPtr() bool      { return false }
func (klOp) CallsExtern() bool     { return false }
func (klOp) OverwritesInput() int  { return -1 }
func (klOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.GaussianKL")) }
func (op klOp) Hashcode() uint32   { return hashOf(op) }
func (klOp) String() string        { return "GaussianKL" }
func (klOp) DiffWRT(int) []bool    { return []bool{true, true} }
func (op klOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dm, err := gorgonia.ApplyOp(klGradOp{wrt: 0}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	dv, err := gorgonia.ApplyOp(klGradOp{wrt: 1}, in[0], in[1], grad)
	return gorgonia.Nodes{dm, dv}, err
}

func (klOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	m, v, err := twoMatrices("GaussianKL", in)
	if err != nil {
		return nil, err
	}
	rows, cols := m.Shape()[0], m.Shape()[1]
	out := tensor.New(tensor.Of(m.Dtype()), tensor.WithShape(rows))
	switch md := m.Data().(type) {
	case []float32:
		klForward(md, v.Data().([]float32), out.Data().([]float32), cols)
	case []float64:
		klForward(md, v.Data().([]float64), out.Data().([]float64), cols)
	}
	return out, nil
}

func klForward[T float32 | float64](m, v, out []T, cols int) {
	for i := range out {
		var s float64
		for j := i * cols; j < (i+1)*cols; j++ {
			mj, vj := float64(m[j]), float64(v[j])
			s += 1 + vj - mj*mj - math.Exp(vj)
		}
		out[i] = T(-s / 2)
	}
}

var _ gorgonia.UsePreallocDoer = klGradOp{}

// klGradOp is the gradient of GaussianKL with respect to its input wrt (0
// the means, 1 the log-variances): (μ, v, dℓ) → dμ or dv.
type klGradOp struct{ wrt int }

func (op klGradOp) name() string { return fmt.Sprintf("GaussianKLGrad%d", op.wrt) }

func (klGradOp) Arity() int { return 3 }
func (klGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a}, m)
}
func (op klGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("losses: %s: bad input shape %v", op.name(), in[0])
	}
	return s.Clone(), nil
}
func (klGradOp) ReturnsPtr() bool         { return false }
func (klGradOp) CallsExtern() bool        { return false }
func (klGradOp) OverwritesInput() int     { return -1 }
func (op klGradOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo." + op.name())) }
func (op klGradOp) Hashcode() uint32      { return hashOf(op) }
func (op klGradOp) String() string        { return op.name() }

func (op klGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes the gradient into prealloc when it is a tensor of
// μ's dtype and shape, and into a new tensor when prealloc is nil.
func (op klGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("losses: %s wants 3 inputs, got %d", op.name(), len(in))
	}
	m, v, err := twoMatrices(op.name(), in[:2])
	if err != nil {
		return nil, err
	}
	g, ok := in[2].(tensor.Tensor)
	if !ok || g.Dtype() != m.Dtype() || g.Shape().TotalSize() != m.Shape()[0] {
		return nil, fmt.Errorf("losses: %s: incoming gradient %v does not match %v", op.name(), in[2], m.Shape())
	}
	cols := m.Shape()[1]
	out, err := output(op.name(), prealloc, m)
	if err != nil {
		return nil, err
	}
	switch md := m.Data().(type) {
	case []float32:
		klBackward(op.wrt, md, v.Data().([]float32), gradSlice[float32](g), out.Data().([]float32), cols)
	case []float64:
		klBackward(op.wrt, md, v.Data().([]float64), gradSlice[float64](g), out.Data().([]float64), cols)
	}
	return out, nil
}

func klBackward[T float32 | float64](wrt int, m, v, g, out []T, cols int) {
	for i := range g {
		gi := float64(g[i])
		for j := i * cols; j < (i+1)*cols; j++ {
			if wrt == 0 {
				out[j] = T(gi * float64(m[j]))
			} else {
				out[j] = T(gi * (math.Exp(float64(v[j])) - 1) / 2)
			}
		}
	}
}
