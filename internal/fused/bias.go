package fused

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/gorgonia-zoo/zoo/internal/vec"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ gorgonia.SDOp            = addBiasOp{}
	_ gorgonia.UsePreallocDoer = addBiasOp{}
	_ gorgonia.UsePreallocDoer = biasGradOp{}
)

// AddBias adds the bias b, a vector or a one-row matrix, to every row of the
// matrix x,
//
//	z[i][j] = x[i][j] + b[j],
//
// the broadcast addition of a dense layer. gorgonia.BroadcastAdd(x, b, nil,
// []byte{0}) computes the same values but first materialises the bias
// repeated over the rows, one more pass and a matrix-sized buffer. The
// gradient is dz for x and, for b, the column sums of dz added row after row
// from the first, the order of Gorgonia's Sum along axis 0: results are bit
// for bit those of BroadcastAdd (TestAddBiasMatchesBroadcastAdd).
func AddBias(x, b *gorgonia.Node) (*gorgonia.Node, error) {
	xs, bs := x.Shape(), b.Shape()
	if len(xs) != 2 || !(len(bs) == 1 || len(bs) == 2 && bs[0] == 1) || bs.TotalSize() != xs[1] {
		return nil, fmt.Errorf("fused: add bias: want a matrix and a vector or one-row matrix of its width, got shapes %v and %v", xs, bs)
	}
	if dt := x.Dtype(); dt != b.Dtype() || dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: add bias supports float32 and float64 operands of one dtype, got %v and %v", x.Dtype(), b.Dtype())
	}
	return gorgonia.ApplyOp(addBiasOp{bDims: len(bs)}, x, b)
}

// addBiasOp is (x, b) → x + b broadcast over the rows; b has bDims
// dimensions, 1 (a vector) or 2 (a row).
type addBiasOp struct{ bDims int }

func (addBiasOp) Arity() int { return 2 }
func (op addBiasOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(gorgonia.TensorType{Dims: 2, Of: a}, gorgonia.TensorType{Dims: op.bDims, Of: a}, gorgonia.TensorType{Dims: 2, Of: a})
}
func (addBiasOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShape("add bias", in)
}
func (addBiasOp) ReturnsPtr() bool         { return false }
func (addBiasOp) CallsExtern() bool        { return false }
func (addBiasOp) OverwritesInput() int     { return -1 }
func (op addBiasOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "zoo.fused.AddBias%d", op.bDims) }
func (op addBiasOp) Hashcode() uint32      { return hashOf(op) }
func (addBiasOp) String() string           { return "+b" }

func (op addBiasOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes x + b into prealloc when it is a tensor of x's dtype
// and shape, and into a new tensor when prealloc is nil.
func (addBiasOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("fused: add bias wants 2 inputs, got %d", len(in))
	}
	x, out, err := operands("add bias", prealloc, in[:1])
	if err != nil {
		return nil, err
	}
	b, ok := in[1].(*tensor.Dense)
	if !ok || b.Dtype() != x[0].Dtype() || x[0].Dims() != 2 || b.DataSize() != x[0].Shape()[1] {
		return nil, fmt.Errorf("fused: add bias: cannot add a %T bias to a %v %v matrix", in[1], x[0].Dtype(), x[0].Shape())
	}
	if b.IsMaterializable() {
		b = b.Materialize().(*tensor.Dense)
	}
	switch xd := x[0].Data().(type) {
	case []float32:
		addRows(out.Data().([]float32), xd, b.Data().([]float32))
	case []float64:
		addRows(out.Data().([]float64), xd, b.Data().([]float64))
	}
	return out, nil
}

func (addBiasOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns dz for x and the column sums of dz for b.
func (op addBiasOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("fused: add bias wants 2 inputs, got %d", len(in))
	}
	db, err := gorgonia.ApplyOp(biasGradOp(op), grad)
	return gorgonia.Nodes{grad, db}, err
}

// addRows sets z = x + b for every row; rows are shared out whole between
// goroutines, each element being one addition.
func addRows[T float32 | float64](z, x, b []T) {
	m := len(b)
	rows := len(x) / m
	parallel(len(x), func(lo, hi int) {
		for i := lo / m; i < rows && i*m < hi; i++ {
			from, to := max(i*m, lo), min((i+1)*m, hi)
			addSlices(z[from:to], x[from:to], b[from-i*m:to-i*m])
		}
	})
}

// biasGradOp is the bias's gradient: a matrix → the sums of its columns,
// shaped as the bias.
type biasGradOp addBiasOp

func (biasGradOp) Arity() int { return 1 }
func (op biasGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(gorgonia.TensorType{Dims: 2, Of: a}, gorgonia.TensorType{Dims: op.bDims, Of: a})
}
func (op biasGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: bias gradient wants 1 input shape, got %d", len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("fused: bias gradient wants a matrix, got shape %v", in[0])
	}
	return op.shape(s[1]), nil
}
func (biasGradOp) ReturnsPtr() bool         { return false }
func (biasGradOp) CallsExtern() bool        { return false }
func (biasGradOp) OverwritesInput() int     { return -1 }
func (op biasGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "zoo.fused.BiasGrad%d", op.bDims) }
func (op biasGradOp) Hashcode() uint32      { return hashOf(op) }
func (biasGradOp) String() string           { return "Σrows" }

func (op biasGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// shape is the bias's shape for m columns.
func (op biasGradOp) shape(m int) tensor.Shape {
	if op.bDims == 2 {
		return tensor.Shape{1, m}
	}
	return tensor.Shape{m}
}

func (op biasGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: bias gradient wants 1 input, got %d", len(in))
	}
	dz, ok := in[0].(*tensor.Dense)
	if !ok || dz.Dims() != 2 {
		return nil, fmt.Errorf("fused: bias gradient wants a dense matrix, got %T %v", in[0], in[0].Shape())
	}
	if dz.IsMaterializable() {
		dz = dz.Materialize().(*tensor.Dense)
	}
	out, err := output("bias gradient", prealloc, dz.Dtype(), op.shape(dz.Shape()[1]))
	if err != nil {
		return nil, err
	}
	switch d := dz.Data().(type) {
	case []float32:
		sumRows(out.Data().([]float32), d)
	case []float64:
		sumRows(out.Data().([]float64), d)
	default:
		return nil, fmt.Errorf("fused: bias gradient supports float32 and float64, got %v", dz.Dtype())
	}
	return out, nil
}

// sumRows sets s[j] to the sum of column j of the row-major matrix d, in
// Gorgonia's order: row 0, then + row 1, + row 2, …. Goroutines take
// ranges of columns, each column summed by one of them in that order.
func sumRows[T float32 | float64](s, d []T) {
	m := len(s)
	rows := len(d) / m
	parallel(len(d), func(lo, hi int) {
		// The element range [lo, hi) picks the columns lo/rows … hi/rows.
		c0, c1 := lo/rows, hi/rows
		if hi == len(d) {
			c1 = m
		}
		if c0 >= c1 {
			return
		}
		acc := s[c0:c1]
		copy(acc, d[c0:c1])
		for i := 1; i < rows; i++ {
			addSlices(acc, acc, d[i*m+c0:i*m+c1])
		}
	})
}

// addSlices sets z = x + y, through vec.Add's vector loop for float32.
func addSlices[T float32 | float64](z, x, y []T) {
	if z32, ok := any(z).([]float32); ok {
		vec.Add(z32, any(x).([]float32), any(y).([]float32))
		return
	}
	x, y = x[:len(z)], y[:len(z)]
	for j := range z {
		z[j] = x[j] + y[j]
	}
}
