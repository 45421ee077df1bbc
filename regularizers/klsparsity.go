package regularizers

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// KLEpsilon bounds the mean activations KLSparsity sees: ρ̂ is clipped into
// [KLEpsilon, 1 − KLEpsilon], so a unit that never fires (ρ̂ = 0) costs a
// large but finite penalty instead of +Inf.
const KLEpsilon = 1e-6

// KLSparsity returns the sparse-autoencoder penalty (Ng, "Sparse
// autoencoder", CS294A lecture notes, 2011; Lee, Ekanadham & Ng, NIPS 2007)
// on a layer's activations h ([batch, units], values in (0, 1), e.g.
// sigmoid units) as a scalar node:
//
//	R(h) = β Σ_j KL(ρ ‖ ρ̂_j)
//	     = β Σ_j ρ log(ρ/ρ̂_j) + (1−ρ) log((1−ρ)/(1−ρ̂_j)),
//	ρ̂_j = (1/B) Σ_b h_bj,
//
// the divergence of each unit's mean activation over the batch, ρ̂_j, from
// the target rate ρ. Its gradient is
//
//	∂R/∂h_bj = (β/B) (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j)).
//
// ρ̂_j is clipped into [ε, 1−ε] (ε = KLEpsilon) first, and where it was
// clipped the gradient is 0: the penalty is meant for units whose
// activations lie in (0, 1); a ReLU layer's mean can exceed 1 and is then
// left alone. β must be finite and ≥ 0, ρ in (0, 1).
func KLSparsity(beta, rho float64, h *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkCoef("KL sparsity", "β", beta); err != nil {
		return nil, err
	}
	if !(rho > 0 && rho < 1) {
		return nil, fmt.Errorf("regularizers: KL sparsity: target rate ρ must be in (0, 1), got %v", rho)
	}
	if h == nil || h.Dims() != 2 {
		return nil, fmt.Errorf("regularizers: KL sparsity wants [batch, units] activations, got %v", shapeOf(h))
	}
	if err := checkFloat("KL sparsity", h); err != nil {
		return nil, err
	}
	kl, err := gorgonia.ApplyOp(klOp{rho: rho}, h)
	if err != nil {
		return nil, fmt.Errorf("regularizers: KL sparsity: %w", err)
	}
	return scaled("KL sparsity", beta, kl)
}

// klOp is h → Σ_j KL(ρ ‖ ρ̂_j), ρ̂ the clipped column means of h.
type klOp struct{ rho float64 }

func (klOp) Arity() int { return 1 }
func (klOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(gorgonia.TensorType{Dims: 2, Of: a}, a)
}
func (klOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (klOp) ReturnsPtr() bool                                      { return false }
func (klOp) CallsExtern() bool                                     { return false }
func (klOp) OverwritesInput() int                                  { return -1 }
func (op klOp) WriteHash(h hash.Hash)                              { fmt.Fprintf(h, "zoo.KLSparsity(%v)", op.rho) }
func (op klOp) Hashcode() uint32                                   { return hashOf(op) }
func (op klOp) String() string                                     { return fmt.Sprintf("KLSparsity(ρ=%g)", op.rho) }

func (op klOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	h, err := matrixValue("KL sparsity", in)
	if err != nil {
		return nil, err
	}
	var kl float64
	for _, m := range columnMeans(h) {
		q, _ := clipRate(m)
		kl += op.rho*math.Log(op.rho/q) + (1-op.rho)*math.Log((1-op.rho)/(1-q))
	}
	if h.Dtype() == tensor.Float32 {
		return gorgonia.NewF32(float32(kl)), nil
	}
	return gorgonia.NewF64(kl), nil
}

func (klOp) DiffWRT(int) []bool { return []bool{true} }

func (op klOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dh, err := gorgonia.ApplyOp(klGradOp(op), in[0], grad)
	return gorgonia.Nodes{dh}, err
}

// klGradOp is (h, dR) → ∂R/∂h.
type klGradOp struct{ rho float64 }

func (klGradOp) Arity() int { return 2 }
func (klGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, a, m)
}
func (klGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("regularizers: KL sparsity gradient: bad input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (klGradOp) ReturnsPtr() bool         { return false }
func (klGradOp) CallsExtern() bool        { return false }
func (klGradOp) OverwritesInput() int     { return -1 }
func (op klGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "zoo.KLSparsityGrad(%v)", op.rho) }
func (op klGradOp) Hashcode() uint32      { return hashOf(op) }
func (op klGradOp) String() string        { return fmt.Sprintf("KLSparsityGrad(ρ=%g)", op.rho) }

func (op klGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("regularizers: KL sparsity gradient wants 2 inputs, got %d", len(in))
	}
	h, err := matrixValue("KL sparsity gradient", in[:1])
	if err != nil {
		return nil, err
	}
	g, ok := scalarOf(in[1])
	if !ok {
		return nil, fmt.Errorf("regularizers: KL sparsity gradient: incoming gradient %v is not a scalar", in[1])
	}
	rows, cols := h.Shape()[0], h.Shape()[1]
	d := make([]float64, cols) // ∂R/∂h_bj, the same for every row b
	for j, m := range columnMeans(h) {
		if q, inside := clipRate(m); inside {
			d[j] = g / float64(rows) * (-op.rho/q + (1-op.rho)/(1-q))
		}
	}
	out := tensor.New(tensor.Of(h.Dtype()), tensor.WithShape(rows, cols))
	switch od := out.Data().(type) {
	case []float32:
		for k := range od {
			od[k] = float32(d[k%cols])
		}
	case []float64:
		for k := range od {
			od[k] = d[k%cols]
		}
	}
	return out, nil
}

// clipRate is ρ̂ clipped into [ε, 1−ε] and whether it was inside.
func clipRate(m float64) (float64, bool) {
	switch {
	case m < KLEpsilon:
		return KLEpsilon, false
	case m > 1-KLEpsilon:
		return 1 - KLEpsilon, false
	}
	return m, true
}

// columnMeans returns the mean of every column of a float matrix, in
// float64.
func columnMeans(h tensor.Tensor) []float64 {
	rows, cols := h.Shape()[0], h.Shape()[1]
	m := make([]float64, cols)
	switch d := h.Data().(type) {
	case []float32:
		for k, v := range d {
			m[k%cols] += float64(v)
		}
	case []float64:
		for k, v := range d {
			m[k%cols] += v
		}
	}
	for j := range m {
		m[j] /= float64(rows)
	}
	return m
}

func matrixValue(what string, in []gorgonia.Value) (tensor.Tensor, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("regularizers: %s wants 1 input, got %d", what, len(in))
	}
	h, ok := in[0].(tensor.Tensor)
	if !ok || h.Dims() != 2 {
		return nil, fmt.Errorf("regularizers: %s wants a [batch, units] matrix, got %v", what, in[0])
	}
	if dt := h.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("regularizers: %s supports float32 and float64, got %v", what, dt)
	}
	return h, nil
}

// scalarOf reads a scalar value (Gorgonia passes scalars as *F64/*F32, or
// as one-element tensors).
func scalarOf(v gorgonia.Value) (float64, bool) {
	switch d := v.Data().(type) {
	case float64:
		return d, true
	case float32:
		return float64(d), true
	case []float64:
		if len(d) == 1 {
			return d[0], true
		}
	case []float32:
		if len(d) == 1 {
			return float64(d[0]), true
		}
	}
	return 0, false
}

func hashOf(op gorgonia.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
