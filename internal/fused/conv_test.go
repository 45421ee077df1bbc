package fused

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fourD runs f on a [b, c, h, w] input x in a graph whose cost is
// Σ f(x)⊙r, r fixed normals, and returns f(x), the cost and ∂cost/∂x.
func fourD(t *testing.T, dt tensor.Dtype, shape tensor.Shape, x []float64, f func(*gorgonia.Node) (*gorgonia.Node, error)) (y []float64, cost float64, dx []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	var backing any = append([]float64(nil), x...)
	if dt == tensor.Float32 {
		b := make([]float32, len(x))
		for i, v := range x {
			b[i] = float32(v)
		}
		backing = b
	}
	xn := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(shape...), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))))
	yn, err := f(xn)
	if err != nil {
		t.Fatal(err)
	}
	ys := yn.Shape()
	r := normals(dt, ys.TotalSize(), 7, 1)(ys.TotalSize())
	rn := gorgonia.NewConstant(tensor.New(tensor.WithShape(ys.Clone()...), tensor.WithBacking(r)))
	c := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(yn, rn))))
	if _, err := gorgonia.Grad(c, xn); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	var cv float64
	switch v := c.Value().Data().(type) {
	case float32:
		cv = float64(v)
	case float64:
		cv = v
	}
	return slices.Clone(float64s(yn.Value())), cv, slices.Clone(float64s(xn.Deriv().Value()))
}

// checkFiniteDifferences compares op's gradient (float64) with central
// differences of the cost of fourD.
func checkFiniteDifferences(t *testing.T, shape tensor.Shape, f func(*gorgonia.Node) (*gorgonia.Node, error)) {
	t.Helper()
	const h = 1e-6
	r := rand.New(rand.NewPCG(5, uint64(shape.TotalSize())))
	x := make([]float64, shape.TotalSize())
	for i := range x {
		x[i] = r.NormFloat64()
	}
	_, _, grad := fourD(t, tensor.Float64, shape, x, f)
	for j := range x {
		up, dn := slices.Clone(x), slices.Clone(x)
		up[j] += h
		dn[j] -= h
		_, fu, _ := fourD(t, tensor.Float64, shape, up, f)
		_, fd, _ := fourD(t, tensor.Float64, shape, dn, f)
		num := (fu - fd) / (2 * h)
		if math.Abs(num-grad[j]) > 1e-7*max(1, math.Abs(num)) {
			t.Errorf("%v: ∂/∂x[%d]: graph %.9g, finite differences %.9g", shape, j, grad[j], num)
		}
	}
}

// TestLayoutMatchesGorgonia: ChannelsFirst and ChannelsLast compute what
// gorgonia.Transpose with the same axes does, values and gradient, bit for
// bit, for both dtypes, on shapes below and above the tile and the grain.
func TestLayoutMatchesGorgonia(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, s := range []tensor.Shape{{1, 1, 1, 1}, {2, 3, 4, 5}, {3, 7, 5, 33}, {2, 9, 10, 40}} {
			x := make([]float64, s.TotalSize())
			r := rand.New(rand.NewPCG(1, 2))
			for i := range x {
				x[i] = r.NormFloat64()
			}
			for _, c := range []struct {
				name string
				ours func(*gorgonia.Node) (*gorgonia.Node, error)
				axes []int
			}{
				{"first", ChannelsFirst, []int{0, 3, 1, 2}},
				{"last", ChannelsLast, []int{0, 2, 3, 1}},
			} {
				y, _, dx := fourD(t, dt, s, x, c.ours)
				wy, _, wdx := fourD(t, dt, s, x, func(n *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Transpose(n, c.axes...) })
				if !slices.Equal(y, wy) || !slices.Equal(dx, wdx) {
					t.Errorf("%v %s %v: differs from gorgonia.Transpose (values %t, gradient %t)", dt, c.name, s, slices.Equal(y, wy), slices.Equal(dx, wdx))
				}
			}
		}
	}
}

// TestUpsampleMatchesGorgonia: by whole factors, Upsample computes
// gorgonia.Upsample2D's values and gradient bit for bit.
func TestUpsampleMatchesGorgonia(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, c := range []struct {
			s     tensor.Shape
			scale int
		}{{tensor.Shape{1, 1, 1, 1}, 2}, {tensor.Shape{2, 3, 4, 5}, 2}, {tensor.Shape{3, 2, 7, 7}, 3}, {tensor.Shape{4, 8, 14, 14}, 2}} {
			x := make([]float64, c.s.TotalSize())
			r := rand.New(rand.NewPCG(3, 4))
			for i := range x {
				x[i] = r.NormFloat64()
			}
			y, _, dx := fourD(t, dt, c.s, x, func(n *gorgonia.Node) (*gorgonia.Node, error) {
				return Upsample(n, c.scale*c.s[2], c.scale*c.s[3])
			})
			wy, _, wdx := fourD(t, dt, c.s, x, func(n *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Upsample2D(n, c.scale) })
			if !slices.Equal(y, wy) {
				t.Errorf("%v %v ×%d: values differ from gorgonia.Upsample2D", dt, c.s, c.scale)
			}
			// Gorgonia sums a float32 gradient in float64 and rounds once;
			// ours adds in float32. Equal for float64, close for float32.
			for i := range dx {
				if d := math.Abs(dx[i] - wdx[i]); d > 1e-5*max(1, math.Abs(wdx[i])) || dt == tensor.Float64 && d != 0 {
					t.Errorf("%v %v ×%d: gradient %d is %v, gorgonia.Upsample2D's %v", dt, c.s, c.scale, i, dx[i], wdx[i])
					break
				}
			}
		}
	}
}

// TestUpsampleUneven: 4 → 7 copies source rows 0, 0, 1, 1, 2, 2, 3.
func TestUpsampleUneven(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y, _, _ := fourD(t, tensor.Float64, tensor.Shape{1, 1, 4, 1}, x, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Upsample(n, 7, 2) })
	want := []float64{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4}
	if !slices.Equal(y, want) {
		t.Errorf("4×1 → 7×2: %v, want %v", y, want)
	}
}

// TestIm2ColMatchesGorgonia: the patches and the gradient of x are
// gorgonia.Im2Col's, bit for bit, for both dtypes, kernels 1, 3 and 5,
// with and without padding, on pictures narrower than the kernel's reach.
func TestIm2ColMatchesGorgonia(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, c := range []struct {
			s    tensor.Shape
			k, p int
		}{
			{tensor.Shape{1, 1, 1, 1}, 1, 0}, {tensor.Shape{2, 3, 4, 5}, 3, 1}, {tensor.Shape{2, 1, 5, 4}, 3, 0},
			{tensor.Shape{3, 2, 7, 6}, 5, 2}, {tensor.Shape{1, 2, 2, 3}, 3, 1}, {tensor.Shape{2, 2, 3, 2}, 5, 2},
			{tensor.Shape{2, 4, 6, 6}, 3, 2}, {tensor.Shape{5, 16, 14, 14}, 3, 1},
		} {
			x := make([]float64, c.s.TotalSize())
			r := rand.New(rand.NewPCG(5, 6))
			for i := range x {
				x[i] = r.NormFloat64()
			}
			y, _, dx := fourD(t, dt, c.s, x, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Im2Col(n, c.k, c.p) })
			wy, _, wdx := fourD(t, dt, c.s, x, func(n *gorgonia.Node) (*gorgonia.Node, error) {
				return gorgonia.Im2Col(n, tensor.Shape{c.k, c.k}, tensor.Shape{c.p, c.p}, tensor.Shape{1, 1}, tensor.Shape{1, 1})
			})
			if !slices.Equal(y, wy) || !slices.Equal(dx, wdx) {
				t.Errorf("%v %v k%d p%d: differs from gorgonia.Im2Col (patches %t, gradient %t)", dt, c.s, c.k, c.p, slices.Equal(y, wy), slices.Equal(dx, wdx))
			}
		}
	}
}

// TestConvOpsGradientsMatchFiniteDifferences checks every new op's
// gradient against central differences, with sizes that do and do not
// divide.
func TestConvOpsGradientsMatchFiniteDifferences(t *testing.T) {
	s := tensor.Shape{2, 3, 4, 3}
	checkFiniteDifferences(t, s, ChannelsFirst)
	checkFiniteDifferences(t, s, ChannelsLast)
	checkFiniteDifferences(t, s, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Upsample(n, 8, 6) })
	checkFiniteDifferences(t, s, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Upsample(n, 7, 5) })
	checkFiniteDifferences(t, s, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Upsample(n, 4, 3) })
	checkFiniteDifferences(t, s, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Im2Col(n, 3, 1) })
	checkFiniteDifferences(t, tensor.Shape{1, 2, 3, 4}, func(n *gorgonia.Node) (*gorgonia.Node, error) { return Im2Col(n, 5, 2) })
}

// TestConvOpsSplitInvariant: examples shared between goroutines give the
// results of one goroutine, bit for bit.
func TestConvOpsSplitInvariant(t *testing.T) {
	s := tensor.Shape{32, 8, 14, 14} // three grains
	x := tensor.New(tensor.WithShape(s...), tensor.WithBacking(normals(tensor.Float32, 32, 8, 1)(s.TotalSize())))
	cs := tensor.Shape{32, 14, 14, 72} // the patches of [32, 8, 16, 16], k 3, p 0
	cols := tensor.New(tensor.WithShape(cs...), tensor.WithBacking(normals(tensor.Float32, 32, 72, 1)(cs.TotalSize())))
	run := func(procs int) [][]float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var out [][]float32
		for _, c := range []struct {
			op interface {
				Do(...gorgonia.Value) (gorgonia.Value, error)
			}
			x *tensor.Dense
		}{
			{layoutOp{first: true}, x}, {layoutOp{}, x}, {upsampleOp{h: 27, w: 28}, x}, {upsampleGradOp{h: 5, w: 9}, x},
			{im2colOp{k: 3, p: 1}, x}, {col2imOp{op: im2colOp{k: 3, p: 0}, in: tensor.Shape{32, 8, 16, 16}}, cols},
		} {
			y, err := c.op.Do(c.x)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, slices.Clone(y.Data().([]float32)))
		}
		return out
	}
	one := run(1)
	for _, p := range []int{2, 3} {
		got := run(p)
		for i := range got {
			if !slices.Equal(got[i], one[i]) {
				t.Errorf("GOMAXPROCS=%d: result %d differs from one goroutine's", p, i)
			}
		}
	}
}

// BenchmarkChannelsFirst32 moves the output of conv-ae-mnist's first layer
// at batch 100 ([100, 28, 28, 16]), as every training step does, with
// this package's op and with gorgonia.Transpose.
func BenchmarkChannelsFirst32(b *testing.B) {
	s := tensor.Shape{100, 28, 28, 16}
	x := tensor.New(tensor.WithShape(s...), tensor.WithBacking(normals(tensor.Float32, 100, 16, 1)(s.TotalSize())))
	b.Run("fused", func(b *testing.B) {
		out := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(100, 16, 28, 28))
		for b.Loop() {
			if _, err := (layoutOp{first: true}).UsePreallocDo(out, x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gorgonia", func(b *testing.B) {
		for b.Loop() {
			if _, err := tensor.Transpose(x, 0, 3, 1, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestConvOpsReject(t *testing.T) {
	g := gorgonia.NewGraph()
	m := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("m"))
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(1, 2, 4, 4), gorgonia.WithName("x"))
	for name, err := range map[string]error{
		"first of a matrix":  second(ChannelsFirst(m)),
		"last of a matrix":   second(ChannelsLast(m)),
		"upsample a matrix":  second(Upsample(m, 4, 4)),
		"upsample to fewer":  second(Upsample(x, 3, 8)),
		"upsample to fewer2": second(Upsample(x, 8, 2)),
		"im2col of a matrix": second(Im2Col(m, 3, 1)),
		"kernel too wide":    second(Im2Col(x, 7, 1)),
		"negative padding":   second(Im2Col(x, 3, -1)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func second(_ *gorgonia.Node, err error) error { return err }

// BenchmarkIm2Col32 takes the patches of conv-ae-mnist's output layer at
// batch 100 ([100, 16, 28, 28], 3×3, padding 1) and adds their gradient
// back, as every training step does, with this package's ops and with
// gorgonia.Im2Col's (the op, from a graph of one node, and its Do).
func BenchmarkIm2Col32(b *testing.B) {
	s := tensor.Shape{100, 16, 28, 28}
	x := tensor.New(tensor.WithShape(s...), tensor.WithBacking(normals(tensor.Float32, 100, 16, 1)(s.TotalSize())))
	ours := im2colOp{k: 3, p: 1}
	g := gorgonia.NewGraph()
	xn := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(s...), gorgonia.WithName("x"))
	theirs := gorgonia.Must(gorgonia.Im2Col(xn, tensor.Shape{3, 3}, tensor.Shape{1, 1}, tensor.Shape{1, 1}, tensor.Shape{1, 1})).Op()
	cols, err := ours.Do(x)
	if err != nil {
		b.Fatal(err)
	}
	dx := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s...))
	b.Run("fused", func(b *testing.B) {
		for b.Loop() {
			if _, err := ours.UsePreallocDo(cols, x); err != nil {
				b.Fatal(err)
			}
			if _, err := (col2imOp{op: ours, in: s}).UsePreallocDo(dx, cols); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gorgonia", func(b *testing.B) {
		y := gorgonia.Must(gorgonia.ApplyOp(theirs, xn))
		dy := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(y.Shape()...), gorgonia.WithName("dy"))
		back, err := theirs.(gorgonia.SDOp).SymDiff(gorgonia.Nodes{xn}, y, dy)
		if err != nil {
			b.Fatal(err)
		}
		col2im := back[0].Op().(gorgonia.UsePreallocDoer)
		for b.Loop() {
			if _, err := theirs.(gorgonia.UsePreallocDoer).UsePreallocDo(cols, x); err != nil {
				b.Fatal(err)
			}
			if _, err := col2im.UsePreallocDo(dx, cols); err != nil {
				b.Fatal(err)
			}
		}
	})
}
