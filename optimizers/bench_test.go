package optimizers

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchStep times one Step of the named optimizer on a 1M-element float32
// parameter. Step zeroes the gradient, so it is refilled, outside the timer,
// before every step.
func benchStep(b *testing.B, name string) {
	const n = 1 << 20
	w := make([]float32, n)
	g := make([]float32, n)
	g0 := make([]float32, n)
	for i := range w {
		w[i] = float32(i%97) / 97
		g0[i] = float32(i%89)/89 - 0.5
	}
	copy(g, g0)
	vgs := []gorgonia.ValueGrad{pair{
		tensor.New(tensor.WithShape(n), tensor.WithBacking(w)),
		tensor.New(tensor.WithShape(n), tensor.WithBacking(g)),
	}}
	opt, err := New(Config{Name: name})
	if err != nil {
		b.Fatal(err)
	}
	if err := opt.Step(vgs); err != nil { // allocate the state
		b.Fatal(err)
	}
	copy(g, g0)
	b.SetBytes(4 * n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		copy(g, g0)
		b.StartTimer()
		if err := opt.Step(vgs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSGDStep(b *testing.B)      { benchStep(b, "sgd") }
func BenchmarkMomentumStep(b *testing.B) { benchStep(b, "momentum") }
func BenchmarkNesterovStep(b *testing.B) { benchStep(b, "nesterov") }
func BenchmarkAdaGradStep(b *testing.B)  { benchStep(b, "adagrad") }
func BenchmarkAdaDeltaStep(b *testing.B) { benchStep(b, "adadelta") }
func BenchmarkRMSPropStep(b *testing.B)  { benchStep(b, "rmsprop") }
func BenchmarkAdamStep(b *testing.B)     { benchStep(b, "adam") }
func BenchmarkAdaMaxStep(b *testing.B)   { benchStep(b, "adamax") }
func BenchmarkNAdamStep(b *testing.B)    { benchStep(b, "nadam") }
func BenchmarkAMSGradStep(b *testing.B)  { benchStep(b, "amsgrad") }
func BenchmarkAdamWStep(b *testing.B)    { benchStep(b, "adamw") }
func BenchmarkQHAdamStep(b *testing.B)   { benchStep(b, "qhadam") }
func BenchmarkAggMoStep(b *testing.B)    { benchStep(b, "aggmo") }
