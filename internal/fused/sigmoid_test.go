package fused

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ulps is the distance between two finite float32 values in units in the
// last place (both of one sign or zero, as σ's are).
func ulps(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	if d < 0 {
		d = -d
	}
	return d
}

func ref32(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// TestSigmoidFloat32Accuracy sweeps every 64th float32 in [−110, 110]
// (35 million inputs; every 4096th with -short) and compares with
// float32(1/(1 + math.Exp(−x))) and with the exact value.
func TestSigmoidFloat32Accuracy(t *testing.T) {
	stride := uint32(64)
	if testing.Short() {
		stride = 4096
	}
	var maxUlp int64
	var maxRel float64
	n, differ := 0, 0
	check := func(x float32) {
		got, want := sigmoid32(x), ref32(x)
		n++
		if got != want {
			differ++
		}
		if u := ulps(got, want); u > maxUlp {
			maxUlp = u
		}
		exact := 1 / (1 + math.Exp(-float64(x)))
		if exact > 0x1p-126 { // relative error is meaningless for denormals
			if rel := math.Abs(float64(got)-exact) / exact; rel > maxRel {
				maxRel = rel
			}
		}
	}
	// Positive and negative halves, walking the bit patterns from 0 up.
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); ; b += stride {
			x := math.Float32frombits(sign | b)
			if math.Abs(float64(x)) > 110 {
				break
			}
			check(x)
		}
	}
	t.Logf("%d inputs: max %d ulp, max relative error %.3g, %d (%.3f %%) differ from the rounded float64 reference",
		n, maxUlp, maxRel, differ, 100*float64(differ)/float64(n))
	if maxUlp > 1 {
		t.Errorf("max error %d ulp, want ≤ 1", maxUlp)
	}
	if maxRel > 1.2e-7 {
		t.Errorf("max relative error %.3g, want ≤ 1.2e-7", maxRel)
	}
}

func TestSigmoidSaturation(t *testing.T) {
	inf32, nan32 := float32(math.Inf(1)), float32(math.NaN())
	for _, tt := range []struct{ x, want float32 }{
		{0, 0.5}, {40, 1}, {1000, 1}, {inf32, 1}, {-120, 0}, {-1000, 0}, {-inf32, 0},
		{math.MaxFloat32, 1}, {-math.MaxFloat32, 0},
	} {
		if got := sigmoid32(tt.x); got != tt.want {
			t.Errorf("float32 σ(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
	for _, tt := range []struct{ x, want float64 }{
		{0, 0.5}, {40, 1 / (1 + math.Exp(-40))}, {800, 1}, {math.Inf(1), 1}, {-800, 0}, {math.Inf(-1), 0},
	} {
		if got := sigmoid64(tt.x); got != tt.want {
			t.Errorf("float64 σ(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
	// Denormal results near the bottom are still right.
	for _, x := range []float32{-88, -95, -100, -103.5, -104, -119.9} {
		if got, want := sigmoid32(x), ref32(x); ulps(got, want) > 1 {
			t.Errorf("σ(%v) = %g, want %g", x, got, want)
		}
	}
	if got := sigmoid32(nan32); got == got {
		t.Errorf("float32 σ(NaN) = %v, want NaN", got)
	}
	if got := sigmoid64(math.NaN()); !math.IsNaN(got) {
		t.Errorf("float64 σ(NaN) = %v, want NaN", got)
	}
}

// TestSigmoidSplitInvariant checks a large tensor (split across goroutines)
// gives the element-wise results, whatever GOMAXPROCS is.
func TestSigmoidSplitInvariant(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 5*grain + 17
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(8 * r.NormFloat64())
	}
	xt := tensor.New(tensor.WithShape(n), tensor.WithBacking(x))
	run := func(procs int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		y, err := sigmoidOp{}.Do(xt)
		if err != nil {
			t.Fatal(err)
		}
		return y.Data().([]float32)
	}
	one := run(1)
	for i, v := range x {
		if one[i] != sigmoid32(v) {
			t.Fatalf("element %d: %v, want %v", i, one[i], sigmoid32(v))
		}
	}
	for _, p := range []int{2, 3, 7} {
		got := run(p)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(one[i]) {
				t.Fatalf("GOMAXPROCS=%d: element %d is %v, with 1 it is %v", p, i, got[i], one[i])
			}
		}
	}
}

// evalSigmoid returns Σ w·σ(x) and its gradient with respect to x,
// computed by a tape machine.
func evalSigmoid(t *testing.T, x, w []float64, rows, cols int) (float64, []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	xn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), x...)))))
	wn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(w))))
	y, err := Sigmoid(xn)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, wn))))
	if _, err := gorgonia.Grad(cost, xn); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(xn))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := xn.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return cost.Value().Data().(float64), append([]float64(nil), gv.Data().([]float64)...)
}

func TestSigmoidGradientMatchesFiniteDifferences(t *testing.T) {
	const rows, cols, h = 3, 4, 1e-6
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, rows*cols)
	w := make([]float64, rows*cols)
	for i := range x {
		x[i] = 4 * r.NormFloat64()
		w[i] = r.NormFloat64()
	}
	_, grad := evalSigmoid(t, x, w, rows, cols)
	for j := range x {
		up := append([]float64(nil), x...)
		dn := append([]float64(nil), x...)
		up[j] += h
		dn[j] -= h
		fu, _ := evalSigmoid(t, up, w, rows, cols)
		fd, _ := evalSigmoid(t, dn, w, rows, cols)
		num := (fu - fd) / (2 * h)
		if math.Abs(num-grad[j]) > 1e-7*max(1, math.Abs(num)) {
			t.Errorf("∂/∂x[%d]: graph %.9g, finite differences %.9g", j, grad[j], num)
		}
	}
}

func TestSigmoidPrealloc(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{-2, -1, 0, 1, 2, 3}))
	out := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 3))
	v, err := sigmoidOp{}.UsePreallocDo(out, x)
	if err != nil {
		t.Fatal(err)
	}
	if v != out {
		t.Fatalf("UsePreallocDo returned a new tensor")
	}
	for i, xi := range x.Float32s() {
		if out.Float32s()[i] != ref32(xi) {
			t.Errorf("σ(%v) = %v, want %v", xi, out.Float32s()[i], ref32(xi))
		}
	}
	dy := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	dx, err := sigmoidGradOp{}.Do(out, dy)
	if err != nil {
		t.Fatal(err)
	}
	for i, y := range out.Float32s() {
		if want := dy.Float32s()[i] * (y * (1 - y)); dx.Data().([]float32)[i] != want {
			t.Errorf("dx[%d] = %v, want %v", i, dx.Data().([]float32)[i], want)
		}
	}
	wrong := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(3, 2))
	if _, err := (sigmoidOp{}).UsePreallocDo(wrong, x); err == nil {
		t.Error("a [3 2] output for a [2 3] input was accepted")
	}
	if _, err := Sigmoid(gorgonia.NewMatrix(gorgonia.NewGraph(), tensor.Int, gorgonia.WithShape(2, 2))); err == nil {
		t.Error("an int input was accepted")
	}
}

var sink float32

// BenchmarkSigmoid32 compares the kernel with the float64 math.Exp one.
func BenchmarkSigmoid32(b *testing.B) {
	x := make([]float32, 4096)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range x {
		x[i] = float32(6 * r.NormFloat64())
	}
	y := make([]float32, len(x))
	b.Run("fused", func(b *testing.B) {
		for range b.N {
			sigmoidSlice32(y, x)
		}
		sink += y[0]
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
	b.Run("math.Exp", func(b *testing.B) {
		for range b.N {
			for i, v := range x {
				y[i] = ref32(v)
			}
		}
		sink += y[0]
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
}

// TestSigmoidStepMatchesGorgonia takes one SGD step of a float32 network
// 6-5-3 with sigmoid units through Gorgonia's Sigmoid and through this one
// and compares the losses and the updated weights.
func TestSigmoidStepMatchesGorgonia(t *testing.T) {
	step := func(sigmoid func(*gorgonia.Node) (*gorgonia.Node, error)) (float32, [][]float32) {
		r := rand.New(rand.NewPCG(7, 8))
		normal := func(n int) []float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(2 * r.NormFloat64())
			}
			return v
		}
		g := gorgonia.NewGraph()
		x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(4, 6), gorgonia.WithName("x"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(4, 6), tensor.WithBacking(normal(24)))))
		w1 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(6, 5), gorgonia.WithName("w1"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(6, 5), tensor.WithBacking(normal(30)))))
		w2 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(5, 3), gorgonia.WithName("w2"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(5, 3), tensor.WithBacking(normal(15)))))
		h := gorgonia.Must(sigmoid(gorgonia.Must(gorgonia.Mul(x, w1))))
		y := gorgonia.Must(sigmoid(gorgonia.Must(gorgonia.Mul(h, w2))))
		cost := gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Square(y))))
		if _, err := gorgonia.Grad(cost, w1, w2); err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w1, w2))
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var after [][]float32
		for _, w := range []*gorgonia.Node{w1, w2} {
			gv, err := w.Grad()
			if err != nil {
				t.Fatal(err)
			}
			v := append([]float32(nil), w.Value().Data().([]float32)...)
			for i, d := range gv.Data().([]float32) {
				v[i] -= 0.5 * d
			}
			after = append(after, v)
		}
		return cost.Value().Data().(float32), after
	}
	lossG, wG := step(gorgonia.Sigmoid)
	lossF, wF := step(Sigmoid)
	if d := math.Abs(float64(lossG - lossF)); d > 1e-6 {
		t.Errorf("loss %v with Gorgonia's sigmoid, %v with the fused one", lossG, lossF)
	}
	for k := range wG {
		for i := range wG[k] {
			if d := math.Abs(float64(wG[k][i] - wF[k][i])); d > 1e-6*max(1, math.Abs(float64(wG[k][i]))) {
				t.Errorf("w%d[%d] after the step: %v with Gorgonia's sigmoid, %v with the fused one", k+1, i, wG[k][i], wF[k][i])
			}
		}
	}
}
