package fused

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ gorgonia.SDOp            = transposeOp{}
	_ gorgonia.UsePreallocDoer = transposeOp{}
)

// Transpose adds the transpose of the matrix x to x's graph: the decoder
// weights Wᵀ of a tied autoencoder. gorgonia.Transpose computes the same
// values but copies element by element through tensor's generic iterator, a
// tenth of a tied autoencoder's training step; this op copies in cache-sized
// blocks, split across goroutines. Its gradient is the transpose of the
// incoming one, by the same op. A copy: results are bit for bit Gorgonia's.
func Transpose(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x.Dims() != 2 {
		return nil, fmt.Errorf("fused: transpose wants a matrix, got shape %v", x.Shape())
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: transpose supports float32 and float64, got %v", dt)
	}
	return gorgonia.ApplyOp(transposeOp{}, x)
}

// transposeOp is x → xᵀ for a matrix.
type transposeOp struct{}

func (transposeOp) Arity() int { return 1 }
func (transposeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m)
}
func (transposeOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: transpose wants 1 input shape, got %d", len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("fused: transpose wants a matrix, got shape %v", in[0])
	}
	return tensor.Shape{s[1], s[0]}, nil
}
func (transposeOp) ReturnsPtr() bool      { return false }
func (transposeOp) CallsExtern() bool     { return false }
func (transposeOp) OverwritesInput() int  { return -1 }
func (transposeOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo.fused.Transpose")) }
func (op transposeOp) Hashcode() uint32   { return hashOf(op) }
func (transposeOp) String() string        { return "ᵀ" }

func (op transposeOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes xᵀ into prealloc when it is a tensor of the right
// dtype and shape, and into a new tensor when prealloc is nil.
func (transposeOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: transpose wants 1 input, got %d", len(in))
	}
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dims() != 2 {
		return nil, fmt.Errorf("fused: transpose wants a dense matrix, got %T", in[0])
	}
	if x.IsMaterializable() {
		x = x.Materialize().(*tensor.Dense)
	}
	rows, cols := x.Shape()[0], x.Shape()[1]
	out, err := output("transpose", prealloc, x.Dtype(), tensor.Shape{cols, rows})
	if err != nil {
		return nil, err
	}
	switch d := x.Data().(type) {
	case []float32:
		transpose(out.Data().([]float32), d, rows, cols)
	case []float64:
		transpose(out.Data().([]float64), d, rows, cols)
	default:
		return nil, fmt.Errorf("fused: transpose supports float32 and float64, got %v", x.Dtype())
	}
	return out, nil
}

func (transposeOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns the incoming gradient transposed.
func (transposeOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := gorgonia.ApplyOp(transposeOp{}, grad)
	return gorgonia.Nodes{dx}, err
}

// tile is the side of the square blocks transpose copies: two 32×32 float64
// blocks (16 KiB) sit in L1 together.
const tile = 32

// transpose sets dst (cols×rows) to the transpose of src (rows×cols),
// block by block; goroutines take bands of src's rows.
func transpose[T float32 | float64](dst, src []T, rows, cols int) {
	bands := (rows + tile - 1) / tile
	parallel(rows*cols, func(lo, hi int) {
		// The element range picks the bands lo/… hi/… as sumRows does.
		b0, b1 := lo*bands/(rows*cols), hi*bands/(rows*cols)
		if hi == rows*cols {
			b1 = bands
		}
		for i0 := b0 * tile; i0 < min(b1*tile, rows); i0 += tile {
			i1 := min(i0+tile, rows)
			for j0 := 0; j0 < cols; j0 += tile {
				j1 := min(j0+tile, cols)
				i := i0
				// Four rows at a time: each column of the four becomes four
				// neighbouring elements of dst, one store of a short run
				// instead of four scattered ones.
				for ; i+4 <= i1; i += 4 {
					r0 := src[i*cols+j0 : i*cols+j1]
					r1 := src[(i+1)*cols+j0 : (i+1)*cols+j1][:len(r0)]
					r2 := src[(i+2)*cols+j0 : (i+2)*cols+j1][:len(r0)]
					r3 := src[(i+3)*cols+j0 : (i+3)*cols+j1][:len(r0)]
					for j := range r0 {
						d := dst[(j0+j)*rows+i:][:4]
						d[0], d[1], d[2], d[3] = r0[j], r1[j], r2[j], r3[j]
					}
				}
				for ; i < i1; i++ {
					row := src[i*cols+j0 : i*cols+j1]
					for j, v := range row {
						dst[(j0+j)*rows+i] = v
					}
				}
			}
		}
	})
}
