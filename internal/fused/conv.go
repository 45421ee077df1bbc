package fused

import (
	"fmt"
	"hash"
	"runtime"

	"github.com/chewxy/hm"
	"github.com/gorgonia-zoo/zoo/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops of a convolutional network that Gorgonia v0.9.18 lacks or offers
// only element by element: moving the channels of a [batch, H, W, C]
// tensor in front (what a convolution computed as im2col and a matrix
// product gives, into the [batch, C, H, W] that gorgonia.Im2Col and
// gorgonia.MaxPool2D take) and nearest-neighbour upsampling to any size.
// gorgonia.Transpose(x, 0, 3, 1, 2) computes ChannelsFirst's values through
// tensor's generic iterator, several times the time of the convolution's
// matrix product; gorgonia.Upsample2D reads and writes every element
// through At and SetAt (an interface value each) and only by whole factors.

var (
	_ gorgonia.SDOp            = layoutOp{}
	_ gorgonia.UsePreallocDoer = layoutOp{}
	_ gorgonia.SDOp            = upsampleOp{}
	_ gorgonia.UsePreallocDoer = upsampleOp{}
	_ gorgonia.UsePreallocDoer = upsampleGradOp{}
)

// ChannelsFirst adds to x's graph the [batch, C, H, W] copy of the
// [batch, H, W, C] tensor x. Its gradient is ChannelsLast of the incoming
// one. A copy: the values are x's, bit for bit.
func ChannelsFirst(x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyLayout(layoutOp{first: true}, x)
}

// ChannelsLast adds to x's graph the [batch, H, W, C] copy of the
// [batch, C, H, W] tensor x, ChannelsFirst's inverse.
func ChannelsLast(x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyLayout(layoutOp{first: false}, x)
}

func applyLayout(op layoutOp, x *gorgonia.Node) (*gorgonia.Node, error) {
	if x.Dims() != 4 {
		return nil, fmt.Errorf("fused: %s wants a 4-d tensor, got shape %v", op, x.Shape())
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: %s supports float32 and float64, got %v", op, dt)
	}
	return gorgonia.ApplyOp(op, x)
}

// layoutOp is [b, h, w, c] → [b, c, h, w] when first, and the inverse
// otherwise: per example, the transpose of an (h·w)×c matrix (or of a
// c×(h·w) one).
type layoutOp struct{ first bool }

func (layoutOp) Arity() int { return 1 }
func (layoutOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := gorgonia.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op layoutOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: %s wants 1 input shape, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 4 {
		return nil, fmt.Errorf("fused: %s wants a 4-d shape, got %v", op, in[0])
	}
	return op.shape(s), nil
}

// shape is the output shape for an input of shape s.
func (op layoutOp) shape(s tensor.Shape) tensor.Shape {
	if op.first {
		return tensor.Shape{s[0], s[3], s[1], s[2]}
	}
	return tensor.Shape{s[0], s[2], s[3], s[1]}
}

func (layoutOp) ReturnsPtr() bool     { return false }
func (layoutOp) CallsExtern() bool    { return false }
func (layoutOp) OverwritesInput() int { return -1 }
func (op layoutOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "zoo.fused.%s", op)
}
func (op layoutOp) Hashcode() uint32 { return hashOf(op) }
func (op layoutOp) String() string {
	if op.first {
		return "ChannelsFirst"
	}
	return "ChannelsLast"
}

func (op layoutOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes the moved copy of x into prealloc when it is a
// tensor of the right dtype and shape, and into a new tensor when prealloc
// is nil.
func (op layoutOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: %s wants 1 input, got %d", op, len(in))
	}
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dims() != 4 {
		return nil, fmt.Errorf("fused: %s wants a dense 4-d tensor, got %T", op, in[0])
	}
	if x.IsMaterializable() {
		x = x.Materialize().(*tensor.Dense)
	}
	s := x.Shape()
	out, err := output(op.String(), prealloc, x.Dtype(), op.shape(s))
	if err != nil {
		return nil, err
	}
	// Per example, an input matrix of rows×cols.
	rows, cols := s[1]*s[2], s[3]
	if !op.first {
		rows, cols = s[1], s[2]*s[3]
	}
	switch d := x.Data().(type) {
	case []float32:
		batchTranspose(out.Data().([]float32), d, s[0], rows, cols)
	case []float64:
		batchTranspose(out.Data().([]float64), d, s[0], rows, cols)
	default:
		return nil, fmt.Errorf("fused: %s supports float32 and float64, got %v", op, x.Dtype())
	}
	return out, nil
}

func (layoutOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns the incoming gradient moved back.
func (op layoutOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := gorgonia.ApplyOp(layoutOp{first: !op.first}, grad)
	return gorgonia.Nodes{dx}, err
}

// batchTranspose transposes each of the batch rows×cols matrices of src
// into dst (cols×rows each); goroutines take whole examples.
func batchTranspose[T float32 | float64](dst, src []T, batch, rows, cols int) {
	size := rows * cols
	perExample(batch, size, func(b int) {
		d, s := dst[b*size:(b+1)*size], src[b*size:(b+1)*size]
		for i0 := 0; i0 < rows; i0 += tile {
			i1 := min(i0+tile, rows)
			for j0 := 0; j0 < cols; j0 += tile {
				j1 := min(j0+tile, cols)
				for i := i0; i < i1; i++ {
					row := s[i*cols+j0 : i*cols+j1]
					for j, v := range row {
						d[(j0+j)*rows+i] = v
					}
				}
			}
		}
	})
}

// perExample calls f for every example 0…batch−1, each of size values,
// sharing the examples between up to GOMAXPROCS goroutines when there is
// enough work. Each example is done by one call: the split never changes
// a result.
func perExample(batch, size int, f func(b int)) {
	w := min(runtime.GOMAXPROCS(0), batch, batch*size/grain)
	if w <= 1 {
		for b := range batch {
			f(b)
		}
		return
	}
	par.Run(w, func(i int) {
		for b := i * batch / w; b < (i+1)*batch/w; b++ {
			f(b)
		}
	})
}

// Upsample adds to x's graph the nearest-neighbour upsampling of the
// [batch, C, h, w] tensor x to [batch, C, height, width] (height ≥ h,
// width ≥ w):
//
//	y[n, c, i, j] = x[n, c, ⌊i·h/height⌋, ⌊j·w/width⌋],
//
// which for height = 2h repeats every row twice, as gorgonia.Upsample2D
// (Keras's UpSampling2D) does, and also reaches sizes that are not whole
// multiples, such as 4 → 7 (the last source row once, the others twice).
// The gradient of x sums the incoming gradient over each element's copies,
// row by row.
func Upsample(x *gorgonia.Node, height, width int) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 4 {
		return nil, fmt.Errorf("fused: upsample wants a [batch, channels, height, width] tensor, got shape %v", s)
	}
	if height < s[2] || width < s[3] {
		return nil, fmt.Errorf("fused: upsample %d×%d to %d×%d: the output must be at least as large", s[2], s[3], height, width)
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: upsample supports float32 and float64, got %v", dt)
	}
	return gorgonia.ApplyOp(upsampleOp{h: height, w: width}, x)
}

// upsampleOp is x → x upsampled to h×w.
type upsampleOp struct{ h, w int }

func (upsampleOp) Arity() int { return 1 }
func (upsampleOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := gorgonia.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op upsampleOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shape4("upsample", in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], s[1], op.h, op.w}, nil
}
func (upsampleOp) ReturnsPtr() bool     { return false }
func (upsampleOp) CallsExtern() bool    { return false }
func (upsampleOp) OverwritesInput() int { return -1 }
func (op upsampleOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "zoo.fused.Upsample(%d,%d)", op.h, op.w)
}
func (op upsampleOp) Hashcode() uint32 { return hashOf(op) }
func (op upsampleOp) String() string   { return fmt.Sprintf("Upsample(%d×%d)", op.h, op.w) }

func (op upsampleOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op upsampleOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := dense4("upsample", in)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	out, err := output("upsample", prealloc, x.Dtype(), tensor.Shape{s[0], s[1], op.h, op.w})
	if err != nil {
		return nil, err
	}
	switch d := x.Data().(type) {
	case []float32:
		upsample(out.Data().([]float32), d, s[0]*s[1], s[2], s[3], op.h, op.w)
	case []float64:
		upsample(out.Data().([]float64), d, s[0]*s[1], s[2], s[3], op.h, op.w)
	default:
		return nil, fmt.Errorf("fused: upsample supports float32 and float64, got %v", x.Dtype())
	}
	return out, nil
}

func (upsampleOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns the gradient of x: the incoming one summed back.
func (op upsampleOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: upsample wants 1 input, got %d", len(in))
	}
	s := in[0].Shape()
	dx, err := gorgonia.ApplyOp(upsampleGradOp{h: s[2], w: s[3]}, grad)
	return gorgonia.Nodes{dx}, err
}

// upsampleGradOp is upsampling's backward pass: dy → dx of h×w, each
// element of dx the sum of dy over the element's copies.
type upsampleGradOp struct{ h, w int }

func (upsampleGradOp) Arity() int { return 1 }
func (upsampleGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := gorgonia.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op upsampleGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shape4("upsample gradient", in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], s[1], op.h, op.w}, nil
}
func (upsampleGradOp) ReturnsPtr() bool     { return false }
func (upsampleGradOp) CallsExtern() bool    { return false }
func (upsampleGradOp) OverwritesInput() int { return -1 }
func (op upsampleGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "zoo.fused.UpsampleGrad(%d,%d)", op.h, op.w)
}
func (op upsampleGradOp) Hashcode() uint32 { return hashOf(op) }
func (op upsampleGradOp) String() string   { return fmt.Sprintf("Upsample'(%d×%d)", op.h, op.w) }

func (op upsampleGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op upsampleGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	dy, err := dense4("upsample gradient", in)
	if err != nil {
		return nil, err
	}
	s := dy.Shape()
	out, err := output("upsample gradient", prealloc, dy.Dtype(), tensor.Shape{s[0], s[1], op.h, op.w})
	if err != nil {
		return nil, err
	}
	switch d := dy.Data().(type) {
	case []float32:
		upsampleGrad(out.Data().([]float32), d, s[0]*s[1], op.h, op.w, s[2], s[3])
	case []float64:
		upsampleGrad(out.Data().([]float64), d, s[0]*s[1], op.h, op.w, s[2], s[3])
	default:
		return nil, fmt.Errorf("fused: upsample gradient supports float32 and float64, got %v", dy.Dtype())
	}
	return out, nil
}

// upsample fills the planes H×W of dst from the planes h×w of src.
func upsample[T float32 | float64](dst, src []T, planes, h, w, H, W int) {
	cols := sourceIndex(w, W)
	perExample(planes, H*W, func(p int) {
		s, d := src[p*h*w:(p+1)*h*w], dst[p*H*W:(p+1)*H*W]
		for i := range H {
			row, out := s[i*h/H*w:][:w], d[i*W:][:W]
			for j, c := range cols {
				out[j] = row[c]
			}
		}
	})
}

// upsampleGrad sets the planes h×w of dx to the sums of the planes H×W of
// dy over each element's copies, added in row-major order of dy.
func upsampleGrad[T float32 | float64](dx, dy []T, planes, h, w, H, W int) {
	cols := sourceIndex(w, W)
	perExample(planes, H*W, func(p int) {
		g, d := dy[p*H*W:(p+1)*H*W], dx[p*h*w:(p+1)*h*w]
		clear(d)
		for i := range H {
			row, out := g[i*W:][:W], d[i*h/H*w:][:w]
			for j, c := range cols {
				out[c] += row[j]
			}
		}
	})
}

// sourceIndex lists, for each of the n output positions, the input
// position ⌊j·m/n⌋ it copies.
func sourceIndex(m, n int) []int {
	idx := make([]int, n)
	for j := range idx {
		idx[j] = j * m / n
	}
	return idx
}

// shape4 returns the one 4-d input shape of an op.
func shape4(what string, in []gorgonia.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: %s wants 1 input shape, got %d", what, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 4 {
		return nil, fmt.Errorf("fused: %s wants a 4-d shape, got %v", what, in[0])
	}
	return s, nil
}

// dense4 returns the one 4-d dense input of an op, materialised.
func dense4(what string, in []gorgonia.Value) (*tensor.Dense, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: %s wants 1 input, got %d", what, len(in))
	}
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dims() != 4 {
		return nil, fmt.Errorf("fused: %s wants a dense 4-d tensor, got %T", what, in[0])
	}
	if x.IsMaterializable() {
		x = x.Materialize().(*tensor.Dense)
	}
	return x, nil
}

var (
	_ gorgonia.SDOp            = im2colOp{}
	_ gorgonia.UsePreallocDoer = im2colOp{}
	_ gorgonia.UsePreallocDoer = col2imOp{}
)

// Im2Col adds to x's graph the patches of a k×k convolution with stride 1
// and zero padding p over the [batch, C, H, W] tensor x: a [batch, H', W',
// C·k·k] tensor (H' = H + 2p − k + 1, W' likewise) whose row (n, i, j)
// holds the patch under output pixel (i, j), channel by channel, each
// channel's k×k window row by row. It computes exactly what
// gorgonia.Im2Col(x, {k, k}, {p, p}, {1, 1}, {1, 1}) does, values and
// gradient, bit for bit (TestIm2ColMatchesGorgonia): Gorgonia's tests
// every element against the picture's bounds and copies it alone, a pass
// several times slower than the product it feeds; this one copies each
// window row as a run, bounds decided once per run. The gradient (col2im)
// adds the patches' gradients back in Gorgonia's order, output pixel after
// output pixel.
func Im2Col(x *gorgonia.Node, k, p int) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 4 {
		return nil, fmt.Errorf("fused: im2col wants a [batch, channels, height, width] tensor, got shape %v", s)
	}
	if k < 1 || p < 0 || s[2]+2*p < k || s[3]+2*p < k {
		return nil, fmt.Errorf("fused: im2col: a %d×%d kernel with padding %d does not fit a %d×%d picture", k, k, p, s[2], s[3])
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("fused: im2col supports float32 and float64, got %v", dt)
	}
	return gorgonia.ApplyOp(im2colOp{k: k, p: p}, x)
}

// im2colOp is x → its k×k patches, padding p.
type im2colOp struct{ k, p int }

func (im2colOp) Arity() int { return 1 }
func (im2colOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := gorgonia.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op im2colOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shape4("im2col", in)
	if err != nil {
		return nil, err
	}
	return op.shape(s), nil
}

// shape is the patches' shape for an input of shape s.
func (op im2colOp) shape(s tensor.Shape) tensor.Shape {
	return tensor.Shape{s[0], s[2] + 2*op.p - op.k + 1, s[3] + 2*op.p - op.k + 1, s[1] * op.k * op.k}
}

func (im2colOp) ReturnsPtr() bool     { return false }
func (im2colOp) CallsExtern() bool    { return false }
func (im2colOp) OverwritesInput() int { return -1 }
func (op im2colOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "zoo.fused.Im2Col(%d,%d)", op.k, op.p)
}
func (op im2colOp) Hashcode() uint32 { return hashOf(op) }
func (op im2colOp) String() string   { return fmt.Sprintf("Im2Col(k%d,p%d)", op.k, op.p) }

func (op im2colOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op im2colOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := dense4("im2col", in)
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	out, err := output("im2col", prealloc, x.Dtype(), op.shape(s))
	if err != nil {
		return nil, err
	}
	g := op.geometry(s)
	switch d := x.Data().(type) {
	case []float32:
		im2col(out.Data().([]float32), d, g)
	case []float64:
		im2col(out.Data().([]float64), d, g)
	default:
		return nil, fmt.Errorf("fused: im2col supports float32 and float64, got %v", x.Dtype())
	}
	return out, nil
}

func (im2colOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns the gradient of x: the patches' gradients added back.
func (op im2colOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fused: im2col wants 1 input, got %d", len(in))
	}
	dx, err := gorgonia.ApplyOp(col2imOp{op: op, in: in[0].Shape().Clone()}, grad)
	return gorgonia.Nodes{dx}, err
}

// col2imOp is im2col's backward pass: the patches' gradient → the
// gradient of the input, of shape in.
type col2imOp struct {
	op im2colOp
	in tensor.Shape
}

func (col2imOp) Arity() int { return 1 }
func (col2imOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := gorgonia.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, t)
}
func (op col2imOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	if _, err := shape4("col2im", in); err != nil {
		return nil, err
	}
	return op.in.Clone(), nil
}
func (col2imOp) ReturnsPtr() bool     { return false }
func (col2imOp) CallsExtern() bool    { return false }
func (col2imOp) OverwritesInput() int { return -1 }
func (op col2imOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "zoo.fused.Col2Im(%d,%d,%v)", op.op.k, op.op.p, op.in)
}
func (op col2imOp) Hashcode() uint32 { return hashOf(op) }
func (op col2imOp) String() string   { return fmt.Sprintf("Col2Im(k%d,p%d)", op.op.k, op.op.p) }

func (op col2imOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op col2imOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	dc, err := dense4("col2im", in)
	if err != nil {
		return nil, err
	}
	if want := op.op.shape(op.in); !dc.Shape().Eq(want) {
		return nil, fmt.Errorf("fused: col2im: patches of shape %v, want %v", dc.Shape(), want)
	}
	out, err := output("col2im", prealloc, dc.Dtype(), op.in)
	if err != nil {
		return nil, err
	}
	g := op.op.geometry(op.in)
	switch d := dc.Data().(type) {
	case []float32:
		col2im(out.Data().([]float32), d, g)
	case []float64:
		col2im(out.Data().([]float64), d, g)
	default:
		return nil, fmt.Errorf("fused: col2im supports float32 and float64, got %v", dc.Dtype())
	}
	return out, nil
}

// patchGeometry is the sizes of an im2col: n examples of c channels of
// h×w pixels, k×k windows with padding p, oh×ow output pixels.
type patchGeometry struct{ n, c, h, w, k, p, oh, ow int }

func (op im2colOp) geometry(s tensor.Shape) patchGeometry {
	o := op.shape(s)
	return patchGeometry{n: s[0], c: s[1], h: s[2], w: s[3], k: op.k, p: op.p, oh: o[1], ow: o[2]}
}

// im2col writes the patches of src into dst (see Im2Col); goroutines take
// whole examples. It fills one row of output pixels at a time (a few KiB,
// in cache), channel by channel and window element by window element:
// window element (u, v) of the output row's pixels is a run of input row
// i−p+u, written with the patch's stride.
func im2col[T float32 | float64](dst, src []T, g patchGeometry) {
	kk, plane := g.k*g.k, g.h*g.w
	row := g.c * kk // one output pixel's patch
	perExample(g.n, g.oh*g.ow*row, func(n int) {
		im, col := src[n*g.c*plane:(n+1)*g.c*plane], dst[n*g.oh*g.ow*row:(n+1)*g.oh*g.ow*row]
		for i := range g.oh {
			block := col[i*g.ow*row : (i+1)*g.ow*row]
			for c := range g.c {
				for u := range g.k {
					off, y := c*kk+u*g.k, i-g.p+u
					if y < 0 || y >= g.h {
						for j := range g.ow {
							clear(block[j*row+off:][:g.k])
						}
						continue
					}
					in := im[c*plane+y*g.w:][:g.w]
					for v := range g.k {
						// Output columns lo … hi−1 read inside the picture.
						lo, hi := g.inside(v)
						d := block[off+v:]
						for j := 0; j < lo; j++ {
							d[j*row] = 0
						}
						if lo < hi {
							scatter(d[lo*row:], in[lo-g.p+v:hi-g.p+v], row)
						}
						for j := hi; j < g.ow; j++ {
							d[j*row] = 0
						}
					}
				}
			}
		}
	})
}

// col2im sets dst to the sum of the patches' gradients src over every
// window that covers each input element, in Gorgonia's order: for each
// element, output pixel after output pixel (output rows ascending, and
// within one, window columns v descending, so output columns ascending).
// Goroutines take whole examples.
func col2im[T float32 | float64](dst, src []T, g patchGeometry) {
	kk, plane := g.k*g.k, g.h*g.w
	row := g.c * kk
	perExample(g.n, g.oh*g.ow*row, func(n int) {
		im, col := dst[n*g.c*plane:(n+1)*g.c*plane], src[n*g.oh*g.ow*row:(n+1)*g.oh*g.ow*row]
		clear(im)
		for i := range g.oh {
			block := col[i*g.ow*row : (i+1)*g.ow*row]
			for c := range g.c {
				for u := range g.k {
					off, y := c*kk+u*g.k, i-g.p+u
					if y < 0 || y >= g.h {
						continue
					}
					acc := im[c*plane+y*g.w:][:g.w]
					for v := g.k - 1; v >= 0; v-- {
						lo, hi := g.inside(v)
						if lo < hi {
							gatherAdd(acc[lo-g.p+v:hi-g.p+v], block[off+v+lo*row:], row)
						}
					}
				}
			}
		}
	})
}

// scatter writes src to d[0], d[stride], d[2·stride], …: one window
// element of a row of output pixels. A function of its own, not inlined,
// so that its loop keeps its few values in registers (inlined into
// im2col's, it kept its index on the stack).
//
//go:noinline
func scatter[T float32 | float64](d, src []T, stride int) {
	i := 0
	for _, e := range src {
		d[i] = e
		i += stride
	}
}

// gatherAdd adds d[0], d[stride], d[2·stride], … to acc, in order (not
// inlined, as scatter).
//
//go:noinline
func gatherAdd[T float32 | float64](acc, d []T, stride int) {
	i := 0
	for t := range acc {
		acc[t] += d[i]
		i += stride
	}
}

// inside returns the output columns lo … hi−1 whose window element v
// falls inside the picture (lo = hi when none does).
func (g patchGeometry) inside(v int) (lo, hi int) {
	lo, hi = max(0, g.p-v), min(g.ow, g.w+g.p-v)
	return lo, max(lo, hi)
}
