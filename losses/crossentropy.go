package losses

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftmaxCrossEntropy returns, for logits z and targets y (both [batch,
// classes]), the per-example loss
//
//	ℓ_i = −Σ_k y_ik log softmax(z_i)_k = Σ_k y_ik · (logΣ_j exp z_ij − z_ik)
//
// as a [batch] vector. Targets are usually one-hot rows; any rows of
// non-negative weights work. Its gradient with respect to the logits is
// (softmax(z_i)·Σ_k y_ik − y_i) times the incoming gradient; the targets get
// none.
//
// The softmax and the logarithm are fused and computed with the row maximum
// subtracted, so the loss stays finite however confident the model is.
// (Gorgonia v0.9.18's own LogSoftMax takes the maximum of the first row for
// every row, which overflows; this op replaces it.)
func SoftmaxCrossEntropy(logits, targets *gorgonia.Node) (*gorgonia.Node, error) {
	if logits.Dims() != 2 || !logits.Shape().Eq(targets.Shape()) {
		return nil, fmt.Errorf("losses: softmax cross-entropy wants logits and targets of the same [batch, classes] shape, got %v and %v", logits.Shape(), targets.Shape())
	}
	if logits.Dtype() != targets.Dtype() {
		return nil, fmt.Errorf("losses: softmax cross-entropy: logits are %v but targets %v", logits.Dtype(), targets.Dtype())
	}
	return gorgonia.ApplyOp(xentOp{}, logits, targets)
}

// xentOp is the fused softmax cross-entropy: (z, y) → ℓ.
type xentOp struct{}

func (xentOp) Arity() int { return 2 }
func (xentOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a})
}
func (xentOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("losses: softmax cross-entropy wants a [batch, classes] input, got %v", in[0])
	}
	return tensor.Shape{s[0]}, nil
}
func (xentOp) ReturnsPtr() bool      { return false }
func (xentOp) CallsExtern() bool     { return false }
func (xentOp) OverwritesInput() int  { return -1 }
func (xentOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.SoftmaxCrossEntropy")) }
func (op xentOp) Hashcode() uint32   { return hashOf(op) }
func (xentOp) String() string        { return "SoftmaxCrossEntropy" }

func (xentOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	z, y, err := twoMatrices("softmax cross-entropy", in)
	if err != nil {
		return nil, err
	}
	rows, cols := z.Shape()[0], z.Shape()[1]
	out := tensor.New(tensor.Of(z.Dtype()), tensor.WithShape(rows))
	switch zd := z.Data().(type) {
	case []float32:
		xentForward(zd, y.Data().([]float32), out.Data().([]float32), cols)
	case []float64:
		xentForward(zd, y.Data().([]float64), out.Data().([]float64), cols)
	}
	return out, nil
}

func (xentOp) DiffWRT(int) []bool { return []bool{true, false} }

func (xentOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dz, err := gorgonia.ApplyOp(xentGradOp{}, in[0], in[1], grad)
	return gorgonia.Nodes{dz, nil}, err
}

// xentGradOp is ∂ℓ/∂z: (z, y, dℓ) → dz.
type xentGradOp struct{}

func (xentGradOp) Arity() int { return 3 }
func (xentGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a}, m)
}
func (xentGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("losses: softmax cross-entropy gradient: bad input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (xentGradOp) ReturnsPtr() bool      { return false }
func (xentGradOp) CallsExtern() bool     { return false }
func (xentGradOp) OverwritesInput() int  { return -1 }
func (xentGradOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.SoftmaxCrossEntropyGrad")) }
func (op xentGradOp) Hashcode() uint32   { return hashOf(op) }
func (xentGradOp) String() string        { return "SoftmaxCrossEntropyGrad" }

func (xentGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("losses: softmax cross-entropy gradient wants 3 inputs, got %d", len(in))
	}
	z, y, err := twoMatrices("softmax cross-entropy gradient", in[:2])
	if err != nil {
		return nil, err
	}
	g, ok := in[2].(tensor.Tensor)
	if !ok || g.Dtype() != z.Dtype() || g.Shape().TotalSize() != z.Shape()[0] {
		return nil, fmt.Errorf("losses: softmax cross-entropy gradient: incoming gradient %v does not match %v", in[2], z.Shape())
	}
	cols := z.Shape()[1]
	out := tensor.New(tensor.Of(z.Dtype()), tensor.WithShape(z.Shape().Clone()...))
	switch zd := z.Data().(type) {
	case []float32:
		xentBackward(zd, y.Data().([]float32), gradSlice[float32](g), out.Data().([]float32), cols)
	case []float64:
		xentBackward(zd, y.Data().([]float64), gradSlice[float64](g), out.Data().([]float64), cols)
	}
	return out, nil
}

// gradSlice reads the incoming gradient, which Gorgonia may hand over as a
// scalar when the batch has one row.
func gradSlice[T float32 | float64](g tensor.Tensor) []T {
	switch d := g.Data().(type) {
	case []T:
		return d
	case T:
		return []T{d}
	}
	return nil
}

// output is a gradient op's result, of like's dtype and shape: prealloc
// when the machine offers one (it must be a dense, non-view tensor of that
// dtype and shape), else a new tensor.
func output(what string, prealloc gorgonia.Value, like tensor.Tensor) (*tensor.Dense, error) {
	if prealloc == nil {
		return tensor.New(tensor.Of(like.Dtype()), tensor.WithShape(like.Shape().Clone()...)), nil
	}
	out, ok := prealloc.(*tensor.Dense)
	if !ok || out.Dtype() != like.Dtype() || !out.Shape().Eq(like.Shape()) || out.IsView() {
		return nil, fmt.Errorf("losses: %s: cannot write a %v %v result into a %T", what, like.Dtype(), like.Shape(), prealloc)
	}
	return out, nil
}

func twoMatrices(what string, in []gorgonia.Value) (tensor.Tensor, tensor.Tensor, error) {
	if len(in) != 2 {
		return nil, nil, fmt.Errorf("losses: %s wants 2 inputs, got %d", what, len(in))
	}
	z, ok1 := in[0].(tensor.Tensor)
	y, ok2 := in[1].(tensor.Tensor)
	if !ok1 || !ok2 || z.Dims() != 2 || !z.Shape().Eq(y.Shape()) || z.Dtype() != y.Dtype() {
		return nil, nil, fmt.Errorf("losses: %s wants two [batch, classes] tensors of one dtype, got %v and %v", what, in[0], in[1])
	}
	if dt := z.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, nil, fmt.Errorf("losses: %s supports float32 and float64, got %v", what, dt)
	}
	return z, y, nil
}

// logSumExp returns m and log Σ exp(z−m), m = max z, accumulated in float64.
func logSumExp[T float32 | float64](z []T) (m, lse float64) {
	m = math.Inf(-1)
	for _, v := range z {
		m = max(m, float64(v))
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	return m, math.Log(s)
}

func xentForward[T float32 | float64](z, y, out []T, cols int) {
	for i := range out {
		zr, yr := z[i*cols:(i+1)*cols], y[i*cols:(i+1)*cols]
		m, lse := logSumExp(zr)
		var l float64
		for k, yk := range yr {
			if yk != 0 {
				l += float64(yk) * (m + lse - float64(zr[k]))
			}
		}
		out[i] = T(l)
	}
}

func xentBackward[T float32 | float64](z, y, g, out []T, cols int) {
	for i := range g {
		zr, yr, or := z[i*cols:(i+1)*cols], y[i*cols:(i+1)*cols], out[i*cols:(i+1)*cols]
		m, lse := logSumExp(zr)
		var ysum float64
		for _, yk := range yr {
			ysum += float64(yk)
		}
		gi := float64(g[i])
		for k := range zr {
			p := math.Exp(float64(zr[k]) - m - lse)
			or[k] = T(gi * (p*ysum - float64(yr[k])))
		}
	}
}

func hashOf(op gorgonia.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
