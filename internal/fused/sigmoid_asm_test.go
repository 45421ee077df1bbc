package fused

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// requireAsm skips t when the assembly does not run here, since comparing
// the Go code with itself proves nothing.
func requireAsm(t *testing.T) {
	t.Helper()
	if !hasAVX2 {
		t.Skip("no AVX2 assembly on this CPU or architecture")
	}
}

// sigmoidSpecials are float32 inputs around the edges of sigmoidGo32: the
// saturation thresholds, overflow of the exponent and of float32, zeros,
// denormals, infinities and NaNs with various payloads.
func sigmoidSpecials() []float32 {
	f := math.Float32frombits
	xs := []float32{
		0, f(1 << 31), 1, -1, 0.5, -0.5,
		f(1), f(1 | 1<<31), f(0x007fffff), f(0x807fffff), // denormals
		0x1p-126, -0x1p-126, 0x1p-60, -0x1p-60,
		math.MaxFloat32, -math.MaxFloat32, 0x1p100, -0x1p100, 1e10, -1e10,
		float32(math.Inf(1)), float32(math.Inf(-1)),
		f(0x7fc00000), f(0xffc00000), f(0x7f800001), f(0xff800001), // NaNs
		f(0x7fbfffff), f(0x7fc12345), f(0xffd0beef), f(0x7fffffff),
		float32(math.Ln2 / 2), -float32(math.Ln2 / 2), float32(math.Ln2), -float32(math.Ln2),
	}
	// Up to 4 ulps either side of the thresholds (x = 40, x = −120) and
	// of points where σ is still far from them.
	for _, c := range []float32{40, -40, 120, -120, 88, -88, 103, -103, 87.33655, -87.33655, 16.635532, 17.32868} {
		xs = append(xs, c)
		up, dn := c, c
		for range 4 {
			up = math.Nextafter32(up, float32(math.Inf(1)))
			dn = math.Nextafter32(dn, float32(math.Inf(-1)))
			xs = append(xs, up, dn)
		}
	}
	// Multiples of ln 2/2, where k := round(t/ln 2) changes.
	for k := -240; k <= 350; k++ {
		c := float32(float64(k) * math.Ln2 / 2)
		xs = append(xs, c, math.Nextafter32(c, 1e9), math.Nextafter32(c, -1e9))
	}
	return xs
}

// sigmoid64Go is the float64 value that sigmoidGo32 rounds to σ(x) for x
// in (−120, 40), by a copy of its code (TestSigmoidAsm32 checks the copy
// rounds to sigmoidGo32's results).
func sigmoid64Go(x float32) float64 {
	t := -float64(x)
	k := float64(t*log2e) + round
	k -= round
	r := t - float64(k*ln2Hi)
	r -= float64(k * ln2Lo)
	r2 := r * r
	r4 := r2 * r2
	p03 := (1 + r) + float64(r2*(1.0/2+float64(r*(1.0/6))))
	p47 := (1.0/24 + float64(r*(1.0/120))) + float64(r2*(1.0/720+float64(r*(1.0/5040))))
	p := p03 + float64(r4*(p47+float64(r4*(1.0/40320))))
	e := float64(p * math.Float64frombits(uint64(int64(k)+1023)<<52))
	return 1 / (1 + e)
}

// checkSigmoid32 runs the assembly over x (its length a multiple of 8) and
// reports the first element whose bits differ from sigmoidGo32's, in
// float32 and, where x is in (−120, 40), already in float64: most float64
// differences would vanish in the rounding to float32.
func checkSigmoid32(t *testing.T, x, got, want []float32, got64 []float64) bool {
	t.Helper()
	if n := sigmoidAsm32(got, x); n != len(x) {
		t.Errorf("sigmoidAsm32 did %d of %d elements", n, len(x))
		return false
	}
	if n := sigmoidAsm64(got64, x); n != len(x) {
		t.Errorf("sigmoidAsm64 did %d of %d elements", n, len(x))
		return false
	}
	sigmoidGo32(want, x)
	for i, v := range x {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("σ(%g = %#08x): assembly %g (%#08x), Go %g (%#08x)", v, math.Float32bits(v),
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			return false
		}
		if !(v > -120 && v < 40) {
			continue
		}
		w := sigmoid64Go(v)
		if math.Float32bits(float32(w)) != math.Float32bits(want[i]) {
			t.Errorf("σ(%g): sigmoid64Go rounds to %#08x, sigmoidGo32 gives %#08x", v, math.Float32bits(float32(w)), math.Float32bits(want[i]))
			return false
		}
		if math.Float64bits(got64[i]) != math.Float64bits(w) {
			t.Errorf("σ(%g = %#08x) in float64: assembly %#016x, Go %#016x", v, math.Float32bits(v),
				math.Float64bits(got64[i]), math.Float64bits(w))
			return false
		}
	}
	return true
}

// TestSigmoidAsm32 compares the assembly with sigmoidGo32 bit for bit on
// every float32 of three binades around the thresholds and of [0.5, 1),
// on every 16th float32 of [−130, 130] (every 4096th and one binade with
// -short), on a fine grid of [−130, 130] and on sigmoidSpecials, each of
// which is tried in every lane. TestSigmoidAsm32Exhaustive tries them all.
// It passes with GOAMD64=v3 too: sigmoidGo32's conversions keep the
// compiler from fusing multiply-adds.
func TestSigmoidAsm32(t *testing.T) {
	requireAsm(t)
	const chunk = 1 << 16
	x, got, want := make([]float32, 0, chunk), make([]float32, chunk), make([]float32, chunk)
	got64 := make([]float64, chunk)
	n := 0
	flush := func() bool {
		for len(x)%8 != 0 {
			x = append(x, 0)
		}
		n += len(x)
		ok := checkSigmoid32(t, x, got[:len(x)], want[:len(x)], got64[:len(x)])
		x = x[:0]
		return ok
	}
	add := func(v float32) bool {
		x = append(x, v)
		return len(x) < chunk || flush()
	}
	// Whole binades (both signs), every bit pattern.
	binades := []int{-1, 5, 6} // [0.5, 1), [32, 64), [64, 128)
	stride := uint32(16)
	if testing.Short() {
		binades, stride = []int{5}, 4096
	}
	for _, e := range binades {
		lo := math.Float32bits(float32(math.Ldexp(1, e)))
		for _, sign := range []uint32{0, 1 << 31} {
			for b := lo; b < lo+1<<23; b++ {
				if !add(math.Float32frombits(sign | b)) {
					return
				}
			}
		}
	}
	// [−130, 130], every stride-th bit pattern.
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); ; b += stride {
			v := math.Float32frombits(sign | b)
			if math.Abs(float64(v)) > 130 {
				break
			}
			if !add(v) {
				return
			}
		}
	}
	// [−130, 130] in steps of 2^−12.
	for i := -130 << 12; i <= 130<<12; i++ {
		if !add(float32(i) / (1 << 12)) {
			return
		}
	}
	if !flush() {
		return
	}
	// The special values in every lane.
	sp := sigmoidSpecials()
	for rot := range 8 {
		x = append(x, make([]float32, rot)...)
		x = append(x, sp...)
		if !flush() {
			return
		}
	}
	t.Logf("%d inputs bit-identical", n)
}

// TestSigmoidAsm32Exhaustive runs checkSigmoid32 on all 2^32 float32 bit
// patterns, on GOMAXPROCS goroutines; it takes 1.5 minutes of CPU, so
// only when FUSED_EXHAUSTIVE is set.
func TestSigmoidAsm32Exhaustive(t *testing.T) {
	requireAsm(t)
	if os.Getenv("FUSED_EXHAUSTIVE") == "" {
		t.Skip("set FUSED_EXHAUSTIVE=1 to check all 2^32 inputs")
	}
	const chunk = 1 << 16
	var next atomic.Uint64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, got, want := make([]float32, chunk), make([]float32, chunk), make([]float32, chunk)
			got64 := make([]float64, chunk)
			for {
				lo := next.Add(chunk) - chunk
				if lo >= 1<<32 || t.Failed() {
					return
				}
				for i := range x {
					x[i] = math.Float32frombits(uint32(lo) + uint32(i))
				}
				if !checkSigmoid32(t, x, got, want, got64) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestSigmoidSlice32Tails checks sigmoidSlice32 on every length 0…67, on
// every alignment of input and output and in place, against sigmoidGo32,
// and that it writes nothing outside dst.
func TestSigmoidSlice32Tails(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	sp := sigmoidSpecials()
	src := make([]float32, 80)
	for i := range src {
		if i%5 == 0 {
			src[i] = sp[r.IntN(len(sp))]
		} else {
			src[i] = float32(20 * r.NormFloat64())
		}
	}
	const canary = float32(-12345)
	got, want := make([]float32, 80), make([]float32, 80)
	for n := range 68 {
		for xoff := range 8 {
			for doff := range 8 {
				for i := range got {
					got[i] = canary
				}
				x := src[xoff : xoff+n]
				sigmoidSlice32(got[doff:doff+n], x)
				sigmoidGo32(want[:n], x)
				for i := range got {
					if i < doff || i >= doff+n {
						if got[i] != canary {
							t.Fatalf("n=%d, offsets %d %d: element %d outside dst written", n, xoff, doff, i)
						}
						continue
					}
					if g, w := got[i], want[i-doff]; math.Float32bits(g) != math.Float32bits(w) {
						t.Fatalf("n=%d, offsets %d %d: σ(%g) = %#08x, Go %#08x", n, xoff, doff, x[i-doff], math.Float32bits(g), math.Float32bits(w))
					}
				}
			}
		}
		// In place.
		inplace := append([]float32(nil), src[:n]...)
		sigmoidSlice32(inplace, inplace)
		sigmoidGo32(want[:n], src[:n])
		for i := range inplace {
			if math.Float32bits(inplace[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d in place: σ(%g) = %#08x, Go %#08x", n, src[i], math.Float32bits(inplace[i]), math.Float32bits(want[i]))
			}
		}
	}
}

// gradSpecials are float32 values that y and dy are tried with.
func gradSpecials() []float32 {
	f := math.Float32frombits
	return []float32{
		0, f(1 << 31), 1, -1, 0.5, 0.25, 0.75, math.Nextafter32(1, 0), math.Nextafter32(0, 1), 2, -2,
		0x1p-126, f(0x007fffff), 0x1p-70, 0x1p-64, 0x1p64, 0x1p70, math.MaxFloat32, -math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)),
		f(0x7fc00000), f(0xffc00000), f(0x7f800001), f(0xffa00001), f(0x7fc12345), f(0xffd0beef),
	}
}

// checkGrad32 runs the assembly gradient over y, dy (their length a
// multiple of 8) and fails t at the first element whose bits differ from
// sigmoidGrad's.
func checkGrad32(t *testing.T, y, dy, got, want []float32) bool {
	t.Helper()
	if n := sigmoidGradAsm32(got, y, dy); n != len(y) {
		t.Fatalf("sigmoidGradAsm32 did %d of %d elements", n, len(y))
	}
	sigmoidGrad(want, y, dy)
	for i := range y {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("y %g (%#08x), dy %g (%#08x): assembly %#08x, Go %#08x", y[i], math.Float32bits(y[i]),
				dy[i], math.Float32bits(dy[i]), math.Float32bits(got[i]), math.Float32bits(want[i]))
			return false
		}
	}
	return true
}

// TestSigmoidGradAsm32 compares the assembly gradient with sigmoidGrad bit
// for bit: on every 16th float32 y in [0, 1] (every 4096th with -short)
// with random dy, on random bit patterns of both (NaNs included), and on
// all pairs of gradSpecials in every lane of both loops.
func TestSigmoidGradAsm32(t *testing.T) {
	requireAsm(t)
	r := rand.New(rand.NewPCG(9, 10))
	const chunk = 1 << 16
	y, dy := make([]float32, 0, chunk), make([]float32, 0, chunk)
	got, want := make([]float32, chunk), make([]float32, chunk)
	n := 0
	flush := func() bool {
		for len(y)%8 != 0 {
			y, dy = append(y, 0), append(dy, 0)
		}
		n += len(y)
		ok := checkGrad32(t, y, dy, got[:len(y)], want[:len(y)])
		y, dy = y[:0], dy[:0]
		return ok
	}
	add := func(a, b float32) bool {
		y, dy = append(y, a), append(dy, b)
		return len(y) < chunk || flush()
	}
	stride := uint32(16)
	if testing.Short() {
		stride = 4096
	}
	for b := uint32(0); b <= math.Float32bits(1); b += stride {
		if !add(math.Float32frombits(b), float32(r.NormFloat64())) {
			return
		}
	}
	for range 1 << 20 {
		if !add(math.Float32frombits(r.Uint32()), math.Float32frombits(r.Uint32())) {
			return
		}
	}
	if !flush() {
		return
	}
	// The special pairs in every lane, through the 32-element loop and
	// (in pieces of 24) through the 8-element one.
	sp := gradSpecials()
	for rot := range 8 {
		for range rot {
			add(0, 0)
		}
		for _, a := range sp {
			for _, b := range sp {
				add(a, b)
			}
		}
		for len(y)%24 != 0 {
			add(0, 0)
		}
		for i := 0; i < len(y); i += 24 {
			if !checkGrad32(t, y[i:i+24], dy[i:i+24], got[:24], want[:24]) {
				return
			}
		}
		if !flush() {
			return
		}
	}
	t.Logf("%d inputs bit-identical", n)
}

// TestSigmoidGrad32Tails checks sigmoidGrad32 on every length 0…67 and
// every alignment of its three slices, and that it writes nothing outside dx.
func TestSigmoidGrad32Tails(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ys, dys := make([]float32, 80), make([]float32, 80)
	for i := range ys {
		ys[i], dys[i] = r.Float32(), float32(r.NormFloat64())
	}
	const canary = float32(-12345)
	got, want := make([]float32, 80), make([]float32, 80)
	for n := range 68 {
		for _, off := range [][3]int{{0, 0, 0}, {1, 0, 0}, {0, 3, 0}, {0, 0, 5}, {7, 2, 1}, {4, 4, 4}, {3, 6, 7}} {
			for i := range got {
				got[i] = canary
			}
			y, dy := ys[off[1]:off[1]+n], dys[off[2]:off[2]+n]
			sigmoidGrad32(got[off[0]:off[0]+n], y, dy)
			sigmoidGrad(want[:n], y, dy)
			for i := range got {
				if i < off[0] || i >= off[0]+n {
					if got[i] != canary {
						t.Fatalf("n=%d, offsets %v: element %d outside dx written", n, off, i)
					}
					continue
				}
				if g, w := got[i], want[i-off[0]]; math.Float32bits(g) != math.Float32bits(w) {
					t.Fatalf("n=%d, offsets %v: element %d is %#08x, Go %#08x", n, off, i-off[0], math.Float32bits(g), math.Float32bits(w))
				}
			}
		}
	}
}

// BenchmarkSigmoidKernels32 times the float32 kernels on a 128×1000
// tensor's worth of elements, on one goroutine, in Go and with the assembly.
func BenchmarkSigmoidKernels32(b *testing.B) {
	const n = 128 * 1000
	r := rand.New(rand.NewPCG(1, 1))
	x, y, dy, out := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(6 * r.NormFloat64())
		dy[i] = float32(r.NormFloat64())
	}
	sigmoidGo32(y, x)
	perElem := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
	}
	b.Run("sigmoid/go", func(b *testing.B) {
		for range b.N {
			sigmoidGo32(out, x)
		}
		perElem(b)
	})
	b.Run("sigmoid/asm", func(b *testing.B) {
		for range b.N {
			sigmoidSlice32(out, x)
		}
		perElem(b)
	})
	b.Run("grad/go", func(b *testing.B) {
		for range b.N {
			sigmoidGrad(out, y, dy)
		}
		perElem(b)
	})
	b.Run("grad/asm", func(b *testing.B) {
		for range b.N {
			sigmoidGrad32(out, y, dy)
		}
		perElem(b)
	})
}
