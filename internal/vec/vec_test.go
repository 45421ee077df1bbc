package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are values whose handling the vector and scalar code could
// disagree on.
var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-39, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}

// sample draws values across the float32 range: ordinary gradients and
// weights, extremes, subnormals and specials.
func sample(r *rand.Rand, n int) []float32 {
	d := make([]float32, n)
	for i := range d {
		switch r.IntN(4) {
		case 0:
			d[i] = float32(r.NormFloat64())
		case 1:
			d[i] = math.Float32frombits(r.Uint32())
		case 2:
			d[i] = specials[r.IntN(len(specials))]
		default:
			d[i] = float32(r.NormFloat64() * 1e-3)
		}
	}
	return d
}

func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

func TestSGDMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, lr := range []float64{0.01, 0.1, 1, 3.7e-5, 0, 1e30} {
		for n := range 100 {
			for _, off := range []int{0, 1, 3} { // unaligned starts
				theta, g := sample(r, n+off), sample(r, n+off+5)
				want := append([]float32(nil), theta...)
				sgdGo(want[off:], g[off:], lr)
				SGD(theta[off:], g[off:], lr)
				if i := sameBits(theta, want); i >= 0 {
					t.Fatalf("lr %v n %d offset %d: element %d is %v (%08x), want %v (%08x)", lr, n, off, i,
						theta[i], math.Float32bits(theta[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
}

// TestSGDRounding checks the step is computed in float64 and rounded once:
// a float32 multiply-subtract would round twice.
func TestSGDRounding(t *testing.T) {
	theta := make([]float32, 16)
	g := make([]float32, 16)
	for i := range theta {
		theta[i], g[i] = 1, 1.0000001
	}
	SGD(theta, g, 1e-8)
	want := float32(1 - 1e-8*float64(float32(1.0000001)))
	for i, v := range theta {
		if v != want {
			t.Fatalf("element %d: %v, want %v", i, v, want)
		}
	}
}

func TestFinite(t *testing.T) {
	bad := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.Float32frombits(0x7f800001), math.Float32frombits(0xffc00000)}
	for n := range 130 {
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(i) - 50
		}
		d = append(d, math.MaxFloat32, -math.MaxFloat32, 1e-40)[:n]
		if !Finite(d) {
			t.Fatalf("n %d: finite data reported non-finite", n)
		}
		for i := range n {
			for _, b := range bad {
				old := d[i]
				d[i] = b
				if Finite(d) {
					t.Fatalf("n %d: %v at %d not seen", n, b, i)
				}
				d[i] = old
			}
		}
	}
}

func TestAddMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 100 {
		for _, off := range []int{0, 1, 3} {
			x, y := sample(r, n+off), sample(r, n+off+2)
			want := make([]float32, n+off)
			addGo(want[off:], x[off:], y[off:])
			got := make([]float32, n+off)
			Add(got[off:], x[off:], y[off:])
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("n %d offset %d: element %d is %v, want %v", n, off, i, got[i], want[i])
			}
			Add(x[off:], x[off:], y[off:]) // in place
			if i := sameBits(x[off:], want[off:]); i >= 0 {
				t.Fatalf("in place, n %d offset %d: element %d is %v, want %v", n, off, i, x[i], want[i])
			}
		}
	}
}

// TestAdamMatchesScalar runs several steps so that the moments carry
// state, on ordinary and extreme values: bit for bit, except the payload
// of a NaN (training stops before a NaN gradient reaches an optimizer).
func TestAdamMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := range 70 {
		for _, off := range []int{0, 1, 3} {
			theta, g := sample(r, n+off), sample(r, n+off)
			m, v := make([]float64, n+off), make([]float64, n+off)
			wantT := append([]float32(nil), theta...)
			wantM, wantV := append([]float64(nil), m...), append([]float64(nil), v...)
			for step := 1; step <= 3; step++ {
				bc1, bc2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
				same := func(a, b float64) bool { // NaN payloads may differ
					return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
				}
				adamGo(wantT[off:], g[off:], wantM[off:], wantV[off:], 0.001, 0.9, 0.999, 1e-8, bc1, bc2)
				Adam(theta[off:], g[off:], m[off:], v[off:], 0.001, 0.9, 0.999, 1e-8, bc1, bc2)
				for i := range theta {
					if !same(float64(theta[i]), float64(wantT[i])) {
						t.Fatalf("n %d offset %d step %d: θ[%d] = %v, want %v", n, off, step, i, theta[i], wantT[i])
					}
				}
				for i := range m {
					if !same(m[i], wantM[i]) || !same(v[i], wantV[i]) {
						t.Fatalf("n %d offset %d step %d: moments [%d] = %v %v, want %v %v", n, off, step, i, m[i], v[i], wantM[i], wantV[i])
					}
				}
				g = sample(r, n+off)
			}
		}
	}
}

func BenchmarkAdam(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 1 << 20
	theta, g := sample(r, n), sample(r, n)
	for i := range g {
		g[i] = float32(r.NormFloat64())
	}
	m, v := make([]float64, n), make([]float64, n)
	for _, c := range []struct {
		name string
		f    func([]float32, []float32, []float64, []float64, float64, float64, float64, float64, float64, float64)
	}{{"vec", Adam}, {"scalar", adamGo}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				c.f(theta, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0.1, 0.001)
			}
		})
	}
}

func BenchmarkSGD(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	theta, g := sample(r, 1<<20), sample(r, 1<<20)
	for _, c := range []struct {
		name string
		f    func([]float32, []float32, float64)
	}{{"vec", SGD}, {"scalar", sgdGo}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(12 << 20)
			for range b.N {
				c.f(theta, g, 1e-3)
			}
		})
	}
}

func BenchmarkFinite(b *testing.B) {
	d := make([]float32, 1<<20)
	for _, c := range []struct {
		name string
		f    func([]float32) bool
	}{{"vec", Finite}, {"scalar", finiteGo}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 << 20)
			for range b.N {
				if !c.f(d) {
					b.Fatal("not finite")
				}
			}
		})
	}
}

// TestMomentumMatchesScalar runs several steps so that the velocity carries
// state, on ordinary and extreme values: bit for bit, except the payload of
// a NaN. The scalar version is checked against the optimizer's plain loop
// too, the code it replaced.
func TestMomentumMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	same := func(a, b float64) bool { // NaN payloads may differ
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	for n := range 70 {
		for _, off := range []int{0, 1, 5} {
			theta, g, v := sample(r, n+off), sample(r, n+off), make([]float64, n+off)
			wantT, wantV := append([]float32(nil), theta...), append([]float64(nil), v...)
			plainT, plainV := append([]float32(nil), theta...), append([]float64(nil), v...)
			for step := 1; step <= 3; step++ {
				momentumGo(wantT[off:], g[off:], wantV[off:], 0.05, 0.9)
				Momentum(theta[off:], g[off:], v[off:], 0.05, 0.9)
				for i := off; i < len(plainT); i++ {
					plainV[i] = 0.9*plainV[i] + 0.05*float64(g[i])
					plainT[i] = float32(float64(plainT[i]) - plainV[i])
				}
				for i := range theta {
					if !same(float64(theta[i]), float64(wantT[i])) || !same(v[i], wantV[i]) {
						t.Fatalf("n %d offset %d step %d: θ, v [%d] = %v %v, want %v %v", n, off, step, i, theta[i], v[i], wantT[i], wantV[i])
					}
					if !same(float64(plainT[i]), float64(wantT[i])) || !same(plainV[i], wantV[i]) {
						t.Fatalf("n %d offset %d step %d: the scalar version differs from the plain loop at %d", n, off, step, i)
					}
				}
				g = sample(r, n+off)
			}
		}
	}
}

func BenchmarkMomentum(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 1 << 20
	theta, g, v := sample(r, n), make([]float32, n), make([]float64, n)
	for i := range g {
		g[i] = float32(r.NormFloat64())
	}
	for _, c := range []struct {
		name string
		f    func([]float32, []float32, []float64, float64, float64)
	}{{"vec", Momentum}, {"scalar", momentumGo}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(24 << 20)
			for range b.N {
				c.f(theta, g, v, 0.05, 0.9)
			}
		})
	}
}
