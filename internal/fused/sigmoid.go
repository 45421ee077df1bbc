package fused

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ gorgonia.SDOp            = sigmoidOp{}
	_ gorgonia.UsePreallocDoer = sigmoidOp{}
	_ gorgonia.UsePreallocDoer = sigmoidGradOp{}
)

// Sigmoid adds the logistic function
//
//	σ(x) = 1 / (1 + e^−x)
//
// of every element of x to x's graph. x must be float32 or float64. Its
// gradient is one fused op computing dx = dy·σ(x)·(1 − σ(x)) from the
// output, so the backward pass neither recomputes the exponential nor
// allocates intermediates.
//
// Float64 elements are computed as 1/(1 + math.Exp(−x)), the textbook
// formula (math.Exp(−x) overflows to +Inf for x < −709.8, and 1/(1+Inf) = 0).
// Float32 elements use a float64 exponential of their own (see sigmoidGo32,
// which AVX2 assembly reproduces bit for bit; relative error < 2.1e-10),
// then round σ to float32: compared with float32(1/(1 + math.Exp(−x))) over
// a dense sweep of [−110, 110] (TestSigmoidFloat32Accuracy), the results
// differ by at most 1 ulp and are identical for all but 297 of 35 million
// (0.001 %); the max relative error against the exact value is 5.96e-8, the
// float32 rounding itself. Inputs below −120 give exactly 0 and above 40
// exactly 1, which is what the rounded exact value is there; NaN stays NaN.
func Sigmoid(x *gorgonia.Node) (*gorgonia.Node, error) {
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: sigmoid supports float32 and float64, got %v", dt)
	}
	return gorgonia.ApplyOp(sigmoidOp{}, x)
}

// sigmoidOp is σ: x → y.
type sigmoidOp struct{}

func (sigmoidOp) Arity() int { return 1 }
func (sigmoidOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (sigmoidOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShape("sigmoid", in)
}
func (sigmoidOp) ReturnsPtr() bool      { return false }
func (sigmoidOp) CallsExtern() bool     { return false }
func (sigmoidOp) OverwritesInput() int  { return -1 }
func (sigmoidOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.fused.Sigmoid")) }
func (op sigmoidOp) Hashcode() uint32   { return hashOf(op) }
func (sigmoidOp) String() string        { return "σ" }

func (op sigmoidOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes σ(x) into prealloc when it is a tensor of x's dtype
// and shape, and into a new tensor when prealloc is nil.
func (sigmoidOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: sigmoid wants 1 input, got %d", len(in))
	}
	switch x := in[0].(type) {
	case *gorgonia.F32:
		return gorgonia.NewF32(sigmoid32(float32(*x))), nil
	case *gorgonia.F64:
		return gorgonia.NewF64(sigmoid64(float64(*x))), nil
	}
	x, out, err := operands("sigmoid", prealloc, in)
	if err != nil {
		return nil, err
	}
	switch xd := x[0].Data().(type) {
	case []float32:
		od := out.Data().([]float32)
		parallel(len(xd), func(lo, hi int) { sigmoidSlice32(od[lo:hi], xd[lo:hi]) })
	case []float64:
		od := out.Data().([]float64)
		parallel(len(xd), func(lo, hi int) { sigmoidSlice64(od[lo:hi], xd[lo:hi]) })
	}
	return out, nil
}

func (sigmoidOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns dx = dy·y·(1 − y), computed from the output y.
func (sigmoidOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: sigmoid wants 1 input, got %d", len(in))
	}
	dx, err := gorgonia.ApplyOp(sigmoidGradOp{}, out, grad)
	return gorgonia.Nodes{dx}, err
}

// sigmoidGradOp is σ's backward pass: (y, dy) → dy·y·(1 − y).
type sigmoidGradOp struct{}

func (sigmoidGradOp) Arity() int { return 2 }
func (sigmoidGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (sigmoidGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShape("sigmoid gradient", in)
}
func (sigmoidGradOp) ReturnsPtr() bool      { return false }
func (sigmoidGradOp) CallsExtern() bool     { return false }
func (sigmoidGradOp) OverwritesInput() int  { return -1 }
func (sigmoidGradOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.fused.SigmoidGrad")) }
func (op sigmoidGradOp) Hashcode() uint32   { return hashOf(op) }
func (sigmoidGradOp) String() string        { return "σ'" }

func (op sigmoidGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (sigmoidGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("fused: sigmoid gradient wants 2 inputs, got %d", len(in))
	}
	switch y := in[0].(type) {
	case *gorgonia.F32:
		if dy, ok := in[1].(*gorgonia.F32); ok {
			return gorgonia.NewF32(float32(*dy) * (float32(*y) * (1 - float32(*y)))), nil
		}
	case *gorgonia.F64:
		if dy, ok := in[1].(*gorgonia.F64); ok {
			return gorgonia.NewF64(float64(*dy) * (float64(*y) * (1 - float64(*y)))), nil
		}
	}
	t, out, err := operands("sigmoid gradient", prealloc, in)
	if err != nil {
		return nil, err
	}
	switch yd := t[0].Data().(type) {
	case []float32:
		dy, od := t[1].Data().([]float32), out.Data().([]float32)
		parallel(len(yd), func(lo, hi int) { sigmoidGrad32(od[lo:hi], yd[lo:hi], dy[lo:hi]) })
	case []float64:
		dy, od := t[1].Data().([]float64), out.Data().([]float64)
		parallel(len(yd), func(lo, hi int) { sigmoidGrad(od[lo:hi], yd[lo:hi], dy[lo:hi]) })
	}
	return out, nil
}

func sigmoidSlice64(dst, src []float64) {
	for i, x := range src {
		dst[i] = sigmoid64(x)
	}
}

// sigmoidSlice32 sets dst[i] = σ(src[i]) rounded to float32; see Sigmoid
// for its accuracy. With AVX2 the assembly of sigmoid_amd64.s does all but
// the last len%8 elements, 4 float64 lanes at a time and about seven times
// faster; it performs sigmoidGo32's IEEE operations in its order, without
// fused multiply-adds, so the results are bit-identical (TestSigmoidAsm32,
// for all 2^32 inputs TestSigmoidAsm32Exhaustive) and do not depend on the
// CPU.
func sigmoidSlice32(dst, src []float32) {
	dst = dst[:len(src)]
	n := sigmoidAsm32(dst, src)
	sigmoidGo32(dst[n:], src[n:])
}

// sigmoidGo32 is sigmoidSlice32 in Go, and the reference of its assembly.
// The exponential is written out in the loop (a call per element costs as
// much as the arithmetic):
//
//	e^t = 2^k · p(r),  k = round(t/ln 2),  r = t − k·ln 2,  |r| ≤ ln2/2,
//
// with r computed Cody–Waite style (k·ln2Hi is exact for |k| < 2^20) and p
// the degree-8 Taylor polynomial of e^r (truncation error r^9/9! < 2.1e-10),
// evaluated by Estrin's scheme for a short dependency chain. This is about
// 1.7 times faster than math.Exp per element. The assembly does the same
// operations, with no multiply-add fused, so the two agree bit for bit.
func sigmoidGo32(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		t := -float64(x)
		if !(t < 120 && t > -40) {
			switch {
			case t >= 120: // σ < 2^−172: rounds to 0
				dst[i] = 0
			case t <= -40: // 1 − σ < 2^−57: rounds to 1
				dst[i] = 1
			default: // NaN
				dst[i] = x
			}
			continue
		}
		k := float64(t*log2e) + round
		k -= round
		r := t - float64(k*ln2Hi)
		r -= float64(k * ln2Lo)
		r2 := r * r
		r4 := r2 * r2
		// The float64 conversions round every product before its sum, so
		// no compiler fuses them (GOAMD64=v3 and arm64 would otherwise).
		p03 := (1 + r) + float64(r2*(1.0/2+float64(r*(1.0/6))))
		p47 := (1.0/24 + float64(r*(1.0/120))) + float64(r2*(1.0/720+float64(r*(1.0/5040))))
		p := p03 + float64(r4*(p47+float64(r4*(1.0/40320))))
		e := float64(p * math.Float64frombits(uint64(int64(k)+1023)<<52))
		dst[i] = float32(1 / (1 + e))
	}
}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// sigmoid32 is σ(x) rounded to float32, as sigmoidSlice32 computes it.
func sigmoid32(x float32) float32 {
	var y [1]float32
	sigmoidSlice32(y[:], []float32{x})
	return y[0]
}

// Constants of the exponential in sigmoidGo32 (and, as bit patterns, in
// sigmoid_amd64.s).
const (
	log2e = 1.44269504088896338700e+00
	ln2Hi = 6.93147180369123816490e-01 // ln 2 with its low 32 bits zero
	ln2Lo = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	// round is 1.5·2^52: adding it to |v| < 2^51 rounds v to an integer.
	round = 6755399441055744.0
)

// sigmoidGrad32 is sigmoidGrad with the assembly of sigmoid_amd64.s doing
// all but the last len%8 elements when the CPU has AVX2; it rounds as the Go
// code does, so the results are bit-identical (TestSigmoidGradAsm32).
func sigmoidGrad32(dx, y, dy []float32) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	n := sigmoidGradAsm32(dx, y, dy)
	sigmoidGrad(dx[n:], y[n:], dy[n:])
}

// sigmoidGrad sets dx[i] = dy[i]·σ'(x[i]) from y[i] = σ(x[i]).
func sigmoidGrad[T float32 | float64](dx, y, dy []T) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * (v * (1 - v))
	}
}

// sameShape is InferShape of an element-wise op.
func sameShape(what string, in []gorgonia.DimSizer) (tensor.Shape, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("fused: %s: no input shape", what)
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("fused: %s: bad input shape %v", what, in[0])
	}
	return s.Clone(), nil
}

// operands checks the inputs of an element-wise op are dense tensors of one
// float dtype and shape and returns them with the output: prealloc if it is
// a dense tensor of that dtype and shape, a new tensor if it is nil.
func operands(what string, prealloc gorgonia.Value, in []gorgonia.Value) ([]*tensor.Dense, *tensor.Dense, error) {
	ts := make([]*tensor.Dense, len(in))
	for i, v := range in {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, nil, fmt.Errorf("fused: %s wants dense tensors, got %T", what, v)
		}
		if d.IsMaterializable() {
			d = d.Materialize().(*tensor.Dense)
		}
		if i > 0 && (d.Dtype() != ts[0].Dtype() || !d.Shape().Eq(ts[0].Shape())) {
			return nil, nil, fmt.Errorf("fused: %s: inputs %v %v and %v %v differ", what, ts[0].Dtype(), ts[0].Shape(), d.Dtype(), d.Shape())
		}
		ts[i] = d
	}
	dt, shape := ts[0].Dtype(), ts[0].Shape()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, nil, fmt.Errorf("fused: %s supports float32 and float64, got %v", what, dt)
	}
	out, err := output(what, prealloc, dt, shape)
	if err != nil {
		return nil, nil, err
	}
	return ts, out, nil
}

// output is an op's result tensor of dtype dt and the given shape: prealloc
// when the machine offers one (it must be a dense, non-view tensor of that
// dtype and shape), else a new tensor.
func output(what string, prealloc gorgonia.Value, dt tensor.Dtype, shape tensor.Shape) (*tensor.Dense, error) {
	if prealloc == nil {
		return tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...)), nil
	}
	out, ok := prealloc.(*tensor.Dense)
	if !ok || out.Dtype() != dt || !out.Shape().Eq(shape) || out.IsView() {
		return nil, fmt.Errorf("fused: %s: cannot write a %v %v result into a %T", what, dt, shape, prealloc)
	}
	return out, nil
}

func hashOf(op gorgonia.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
