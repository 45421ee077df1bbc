package fused

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ gorgonia.SDOp            = reluOp{}
	_ gorgonia.UsePreallocDoer = reluOp{}
	_ gorgonia.UsePreallocDoer = reluGradOp{}
)

// ReLU adds the rectifier
//
//	relu(x) = x · [x ≥ 0]
//
// of every element of x to x's graph, with the gradient dx = dy · [x ≥ 0]
// as one fused op. It computes exactly what gorgonia.Rectify does (x times
// a 0/1 mask of x ≥ 0, so a negative x gives −0, a NaN stays NaN, and the
// gradient at 0 is dy), bit for bit, in one pass each way instead of
// Gorgonia's comparison, product and their gradients, which allocate and
// run on one core (TestReLUMatchesGorgonia).
func ReLU(x *gorgonia.Node) (*gorgonia.Node, error) {
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: relu supports float32 and float64, got %v", dt)
	}
	return gorgonia.ApplyOp(reluOp{}, x)
}

// reluOp is x → x·[x ≥ 0].
type reluOp struct{}

func (reluOp) Arity() int { return 1 }
func (reluOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (reluOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShape("relu", in)
}
func (reluOp) ReturnsPtr() bool      { return false }
func (reluOp) CallsExtern() bool     { return false }
func (reluOp) OverwritesInput() int  { return -1 }
func (reluOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.fused.ReLU")) }
func (op reluOp) Hashcode() uint32   { return hashOf(op) }
func (reluOp) String() string        { return "ReLU" }

func (op reluOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes relu(x) into prealloc when it is a tensor of x's
// dtype and shape, and into a new tensor when prealloc is nil.
func (reluOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: relu wants 1 input, got %d", len(in))
	}
	switch x := in[0].(type) {
	case *gorgonia.F32:
		return gorgonia.NewF32(float32(*x) * mask32(float32(*x))), nil
	case *gorgonia.F64:
		return gorgonia.NewF64(float64(*x) * mask64(float64(*x))), nil
	}
	x, out, err := operands("relu", prealloc, in)
	if err != nil {
		return nil, err
	}
	switch xd := x[0].Data().(type) {
	case []float32:
		od := out.Data().([]float32)
		parallel(len(xd), func(lo, hi int) { masked32(od[lo:hi], xd[lo:hi], xd[lo:hi]) })
	case []float64:
		od := out.Data().([]float64)
		parallel(len(xd), func(lo, hi int) { masked64(od[lo:hi], xd[lo:hi], xd[lo:hi]) })
	}
	return out, nil
}

func (reluOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns dx = dy·[x ≥ 0], from the input x (the output cannot
// tell: relu(−1) = −0 ≥ 0).
func (reluOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: relu wants 1 input, got %d", len(in))
	}
	dx, err := gorgonia.ApplyOp(reluGradOp{}, in[0], grad)
	return gorgonia.Nodes{dx}, err
}

// reluGradOp is relu's backward pass: (x, dy) → dy·[x ≥ 0].
type reluGradOp struct{}

func (reluGradOp) Arity() int { return 2 }
func (reluGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (reluGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShape("relu gradient", in)
}
func (reluGradOp) ReturnsPtr() bool      { return false }
func (reluGradOp) CallsExtern() bool     { return false }
func (reluGradOp) OverwritesInput() int  { return -1 }
func (reluGradOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.fused.ReLUGrad")) }
func (op reluGradOp) Hashcode() uint32   { return hashOf(op) }
func (reluGradOp) String() string        { return "ReLU'" }

func (op reluGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (reluGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("fused: relu gradient wants 2 inputs, got %d", len(in))
	}
	switch x := in[0].(type) {
	case *gorgonia.F32:
		if dy, ok := in[1].(*gorgonia.F32); ok {
			return gorgonia.NewF32(float32(*dy) * mask32(float32(*x))), nil
		}
	case *gorgonia.F64:
		if dy, ok := in[1].(*gorgonia.F64); ok {
			return gorgonia.NewF64(float64(*dy) * mask64(float64(*x))), nil
		}
	}
	t, out, err := operands("relu gradient", prealloc, in)
	if err != nil {
		return nil, err
	}
	switch xd := t[0].Data().(type) {
	case []float32:
		dy, od := t[1].Data().([]float32), out.Data().([]float32)
		parallel(len(xd), func(lo, hi int) { masked32(od[lo:hi], dy[lo:hi], xd[lo:hi]) })
	case []float64:
		dy, od := t[1].Data().([]float64), out.Data().([]float64)
		parallel(len(xd), func(lo, hi int) { masked64(od[lo:hi], dy[lo:hi], xd[lo:hi]) })
	}
	return out, nil
}

// mask32 is 1 for x ≥ 0 and 0 otherwise (NaN included), as Gorgonia's
// comparison with a same-typed result gives. It is computed from the bits
// without a branch: activations are positive or negative at random, and a
// mispredicted branch per element costs more than the rest of the pass.
func mask32(x float32) float32 {
	b := math.Float32bits(x)
	a := b &^ (1 << 31)                           // |x|
	negative := b >> 31 & ((a + 1<<31 - 1) >> 31) // sign set and |x| ≠ 0
	nan := (0x7f800000 - a) >> 31                 // |x| above +Inf's bits
	return float32(1 - (negative | nan))
}

// mask64 is mask32 for float64.
func mask64(x float64) float64 {
	b := math.Float64bits(x)
	a := b &^ (1 << 63)
	negative := b >> 63 & ((a + 1<<63 - 1) >> 63)
	nan := (0x7ff0000000000000 - a) >> 63
	return float64(1 - (negative | nan))
}

// masked32 sets dst[i] = v[i]·mask32(x[i]).
func masked32(dst, v, x []float32) {
	dst, v = dst[:len(x)], v[:len(x)]
	for i, xi := range x {
		dst[i] = v[i] * mask32(xi)
	}
}

// masked64 sets dst[i] = v[i]·mask64(x[i]).
func masked64(dst, v, x []float64) {
	dst, v = dst[:len(x)], v[:len(x)]
	for i, xi := range x {
		dst[i] = v[i] * mask64(xi)
	}
}
