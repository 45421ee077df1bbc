package optimizers

import (
	"math/rand/v2"
	"testing"
)

// TestFloat32KernelsMatchUpdate: the fused float32 kernels give bit for bit
// what the general path gives (widen, update in float64, round back), over
// several steps so that the buffers carry state, and leave the gradient
// alone (Step zeroes it, or not, for every path alike).
func TestFloat32KernelsMatchUpdate(t *testing.T) {
	for _, name := range []string{"sgd", "momentum", "adam"} {
		opt, err := New(Config{Name: name, Hyper: map[string]float64{"lr": 0.037}})
		if err != nil {
			t.Fatal(err)
		}
		alg := opt.(algorithm)
		k, ok := alg.(float32Kernel)
		if !ok {
			t.Fatalf("%s has no float32 kernel", name)
		}
		r := rand.New(rand.NewPCG(1, 2))
		const n = 3001
		theta32 := make([]float32, n)
		for i := range theta32 {
			theta32[i] = float32(r.NormFloat64())
		}
		theta64 := make([]float64, n)
		for i, x := range theta32 {
			theta64[i] = float64(x)
		}
		slots := func() [][]float64 {
			s := make([][]float64, len(opt.(interface{ SlotNames() []string }).SlotNames()))
			for i := range s {
				s[i] = make([]float64, n)
			}
			return s
		}
		s32, s64 := slots(), slots()
		for step := 1; step <= 5; step++ {
			g32 := make([]float32, n)
			g64 := make([]float64, n)
			for i := range g32 {
				g32[i] = float32(r.NormFloat64())
				g64[i] = float64(g32[i])
			}
			gIn := append([]float32(nil), g32...)
			alg.begin(step)
			k.update32(theta32, g32, s32)
			alg.update(theta64, g64, s64)
			for i := range theta64 {
				theta64[i] = float64(float32(theta64[i])) // the general path rounds every step
				if float64(theta32[i]) != theta64[i] {
					t.Fatalf("%s step %d: θ[%d] = %v, general path %v", name, step, i, theta32[i], theta64[i])
				}
				if g32[i] != gIn[i] {
					t.Fatalf("%s step %d: gradient[%d] = %v, was %v", name, step, i, g32[i], gIn[i])
				}
			}
			for b := range s64 {
				for i := range s64[b] {
					if s32[b][i] != s64[b][i] {
						t.Fatalf("%s step %d: buffer %d [%d] = %v, general path %v", name, step, b, i, s32[b][i], s64[b][i])
					}
				}
			}
		}
	}
}
