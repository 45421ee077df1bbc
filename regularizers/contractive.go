package regularizers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Contractive returns the penalty of a contractive autoencoder (Rifai,
// Vincent, Muller, Glorot & Bengio, "Contractive Auto-Encoders: Explicit
// Invariance During Feature Extraction", ICML 2011) on a one-layer sigmoid
// encoder h = σ(x·W + b), as a scalar node: λ times the squared Frobenius
// norm of the encoder's Jacobian ∂h/∂x, averaged over the batch,
//
//	R = λ (1/B) Σ_b ‖J_f(x_b)‖²_F = λ (1/B) Σ_b Σ_j (h_bj (1 − h_bj))² ‖W_j‖²,
//
// W_j the weights into unit j (column j of the [in, units] W): the closed
// form of ∂h_j/∂x_i = h_j (1 − h_j) W_ij for sigmoid units. Its gradients
// are
//
//	∂R/∂h_bj = (λ/B) 2 h_bj (1 − h_bj)(1 − 2h_bj) ‖W_j‖²
//	∂R/∂W_ij = (λ/B) 2 W_ij Σ_b (h_bj (1 − h_bj))²
//
// (and through h, the graph adds W's and b's gradient by the chain rule).
// h is [batch, units], W [in, units]; λ must be finite and ≥ 0. See
// docs/lecture.md §6.
func Contractive(lambda float64, h, w *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkCoef("contractive penalty", "λ", lambda); err != nil {
		return nil, err
	}
	if h == nil || w == nil || h.Dims() != 2 || w.Dims() != 2 || h.Shape()[1] != w.Shape()[1] {
		return nil, fmt.Errorf("regularizers: contractive penalty wants [batch, units] codes and [inputs, units] weights, got %v and %v", shapeOf(h), shapeOf(w))
	}
	if err := checkFloat("contractive penalty", h); err != nil {
		return nil, err
	}
	if h.Dtype() != w.Dtype() {
		return nil, fmt.Errorf("regularizers: contractive penalty: codes are %v but weights %v", h.Dtype(), w.Dtype())
	}
	r, err := gorgonia.ApplyOp(contractiveOp{}, h, w)
	if err != nil {
		return nil, fmt.Errorf("regularizers: contractive penalty: %w", err)
	}
	return scaled("contractive penalty", lambda, r)
}

// ContractiveNorm returns ‖J_f(x)‖²_F = Σ_j (h_j (1 − h_j))² ‖W_j‖² for one
// example's sigmoid code h (units values) and the encoder's weights w
// ([in, units], row-major): the quantity Contractive penalises, to measure
// a trained encoder.
func ContractiveNorm(h []float32, w []float32, in int) float64 {
	return jacobianNorm(h, columnNorms(w, in, len(h)))
}

// contractiveOp is (h, W) → (1/B) Σ_b Σ_j (h_bj (1 − h_bj))² ‖W_j‖².
type contractiveOp struct{}

func (contractiveOp) Arity() int { return 2 }
func (contractiveOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, a)
}
func (contractiveOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (contractiveOp) ReturnsPtr() bool      { return false }
func (contractiveOp) CallsExtern() bool     { return false }
func (contractiveOp) OverwritesInput() int  { return -1 }
func (contractiveOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.Contractive")) }
func (op contractiveOp) Hashcode() uint32   { return hashOf(op) }
func (contractiveOp) String() string        { return "Contractive" }
func (contractiveOp) DiffWRT(int) []bool    { return []bool{true, true} }
func (op contractiveOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dh, err := gorgonia.ApplyOp(contractiveGradOp{wrt: 0}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	dw, err := gorgonia.ApplyOp(contractiveGradOp{wrt: 1}, in[0], in[1], grad)
	return gorgonia.Nodes{dh, dw}, err
}

func (contractiveOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	h, w, err := contractiveInputs("contractive penalty", in)
	if err != nil {
		return nil, err
	}
	rows, cols := h.Shape()[0], h.Shape()[1]
	var sum float64
	switch hd := h.Data().(type) {
	case []float32:
		norms := columnNorms(w.Data().([]float32), w.Shape()[0], cols)
		for b := range rows {
			sum += jacobianNorm(hd[b*cols:(b+1)*cols], norms)
		}
	case []float64:
		norms := columnNorms(w.Data().([]float64), w.Shape()[0], cols)
		for b := range rows {
			sum += jacobianNorm(hd[b*cols:(b+1)*cols], norms)
		}
	}
	if h.Dtype() == tensor.Float32 {
		return gorgonia.NewF32(float32(sum / float64(rows))), nil
	}
	return gorgonia.NewF64(sum / float64(rows)), nil
}

// contractiveGradOp is (h, W, dR) → ∂R/∂h (wrt 0) or ∂R/∂W (wrt 1).
type contractiveGradOp struct{ wrt int }

func (contractiveGradOp) Arity() int { return 3 }
func (contractiveGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, a, m)
}
func (op contractiveGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[op.wrt].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("regularizers: contractive penalty gradient: bad input shape %v", in[op.wrt])
	}
	return s.Clone(), nil
}
func (contractiveGradOp) ReturnsPtr() bool         { return false }
func (contractiveGradOp) CallsExtern() bool        { return false }
func (contractiveGradOp) OverwritesInput() int     { return -1 }
func (op contractiveGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "zoo.ContractiveGrad%d", op.wrt) }
func (op contractiveGradOp) Hashcode() uint32      { return hashOf(op) }
func (op contractiveGradOp) String() string        { return fmt.Sprintf("ContractiveGrad%d", op.wrt) }

func (op contractiveGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("regularizers: contractive penalty gradient wants 3 inputs, got %d", len(in))
	}
	h, w, err := contractiveInputs("contractive penalty gradient", in[:2])
	if err != nil {
		return nil, err
	}
	g, ok := scalarOf(in[2])
	if !ok {
		return nil, fmt.Errorf("regularizers: contractive penalty gradient: incoming gradient %v is not a scalar", in[2])
	}
	rows, cols := h.Shape()[0], h.Shape()[1]
	g /= float64(rows)
	like := h
	if op.wrt == 1 {
		like = w
	}
	out := tensor.New(tensor.Of(like.Dtype()), tensor.WithShape(like.Shape().Clone()...))
	switch hd := h.Data().(type) {
	case []float32:
		contractiveGrad(op.wrt, hd, w.Data().([]float32), out.Data().([]float32), rows, cols, g)
	case []float64:
		contractiveGrad(op.wrt, hd, w.Data().([]float64), out.Data().([]float64), rows, cols, g)
	}
	return out, nil
}

// contractiveGrad writes ∂R/∂h (wrt 0) or ∂R/∂W (wrt 1) into out, g being
// the incoming gradient over the batch size.
func contractiveGrad[T float32 | float64](wrt int, h, w, out []T, rows, cols int, g float64) {
	if wrt == 0 {
		norms := columnNorms(w, len(w)/cols, cols)
		for k, v := range h {
			hv := float64(v)
			out[k] = T(g * 2 * hv * (1 - hv) * (1 - 2*hv) * norms[k%cols])
		}
		return
	}
	c := make([]float64, cols) // Σ_b (h_bj (1 − h_bj))²
	for k, v := range h[:rows*cols] {
		hv := float64(v)
		d := hv * (1 - hv)
		c[k%cols] += d * d
	}
	for k, v := range w {
		out[k] = T(g * 2 * float64(v) * c[k%cols])
	}
}

// columnNorms returns ‖W_j‖² for every column of the [in, cols] matrix w.
func columnNorms[T float32 | float64](w []T, in, cols int) []float64 {
	n := make([]float64, cols)
	for k, v := range w[:in*cols] {
		n[k%cols] += float64(v) * float64(v)
	}
	return n
}

// jacobianNorm is Σ_j (h_j (1 − h_j))² norms_j for one example's code h.
func jacobianNorm[T float32 | float64](h []T, norms []float64) float64 {
	var s float64
	for j, v := range h {
		hv := float64(v)
		d := hv * (1 - hv)
		s += d * d * norms[j]
	}
	return s
}

// contractiveInputs checks the op's inputs: h [batch, units] and W [in,
// units] of one float dtype.
func contractiveInputs(what string, in []gorgonia.Value) (tensor.Tensor, tensor.Tensor, error) {
	if len(in) != 2 {
		return nil, nil, fmt.Errorf("regularizers: %s wants 2 inputs, got %d", what, len(in))
	}
	h, err := matrixValue(what, in[:1])
	if err != nil {
		return nil, nil, err
	}
	w, err := matrixValue(what, in[1:])
	if err != nil {
		return nil, nil, err
	}
	if h.Dtype() != w.Dtype() || h.Shape()[1] != w.Shape()[1] {
		return nil, nil, fmt.Errorf("regularizers: %s wants [batch, units] codes and [inputs, units] weights of one dtype, got %v %v and %v %v", what, h.Dtype(), h.Shape(), w.Dtype(), w.Shape())
	}
	return h, w, nil
}
