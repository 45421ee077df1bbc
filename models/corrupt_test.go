package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
)

// pixels returns n values spread over [0.05, 0.95], so a masked or salted
// value is recognisable.
func pixels(n int) []float32 {
	x := make([]float32, n)
	r := rng.New(9, "pixels")
	for i := range x {
		x[i] = float32(0.05 + 0.9*r.Float64())
	}
	return x
}

// TestCorruptionStatistics checks each corruption destroys the documented
// fraction of inputs, or adds noise of the documented variance, within four
// standard errors over a million draws.
func TestCorruptionStatistics(t *testing.T) {
	const n = 1 << 20
	src := pixels(n)
	dst := make([]float32, n)
	within := func(name string, got, want, se float64) {
		t.Helper()
		if math.Abs(got-want) > 4*se {
			t.Errorf("%s: got %.5f, want %.5f ± %.5f", name, got, want, 4*se)
		}
	}
	for _, nu := range []float64{0.1, 0.25, 0.5} {
		Corruption{Masking, nu}.Apply(dst, src, rng.New(1, "noise"))
		zeroed := 0
		for i, v := range dst {
			switch v {
			case 0:
				zeroed++
			case src[i]:
			default:
				t.Fatalf("mask %v: element %d changed to %v, not to 0", nu, i, v)
			}
		}
		within("masked fraction", float64(zeroed)/n, nu, math.Sqrt(nu*(1-nu)/n))

		Corruption{SaltAndPepper, nu}.Apply(dst, src, rng.New(1, "noise"))
		salt, pepper := 0, 0
		for i, v := range dst {
			switch v {
			case 0:
				pepper++
			case 1:
				salt++
			case src[i]:
			default:
				t.Fatalf("salt-and-pepper %v: element %d changed to %v", nu, i, v)
			}
		}
		within("salt-and-pepper fraction", float64(salt+pepper)/n, nu, math.Sqrt(nu*(1-nu)/n))
		within("salt share", float64(salt)/float64(salt+pepper), 0.5, math.Sqrt(0.25/float64(salt+pepper)))
	}
	for _, sigma := range []float64{0.1, 0.5} {
		Corruption{Gaussian, sigma}.Apply(dst, src, rng.New(1, "noise"))
		var sum, sq float64
		for i, v := range dst {
			e := float64(v) - float64(src[i])
			sum += e
			sq += e * e
		}
		mean := sum / n
		variance := sq/n - mean*mean
		within("gaussian noise mean", mean, 0, sigma/math.Sqrt(n))
		// The sample variance of n normals has standard error σ²·√(2/n).
		within("gaussian noise variance", variance, sigma*sigma, sigma*sigma*math.Sqrt(2.0/n))
	}
}

// TestCorruptionFreshAndSeeded checks a generator gives a new mask at every
// call (and so for every example), and that the same seed gives the same
// masks.
func TestCorruptionFreshAndSeeded(t *testing.T) {
	src := pixels(784 * 4)
	c := Corruption{Masking, 0.3}
	a := make([]float32, len(src))
	b := make([]float32, len(src))
	r := rng.New(1, "noise")
	c.Apply(a, src, r)
	c.Apply(b, src, r)
	if slices.Equal(a, b) {
		t.Error("two calls drew the same mask")
	}
	same := 0
	for i := 0; i < 784; i++ {
		if (a[i] == 0) == (a[784+i] == 0) {
			same++
		}
	}
	if same == 784 {
		t.Error("two examples of one batch share a mask")
	}
	c.Apply(b, src, rng.New(1, "noise"))
	if !slices.Equal(a, b) {
		t.Error("the same seed drew different masks")
	}
	// In place, and the zero corruption copies.
	copy(b, src)
	c.Apply(b, b, rng.New(1, "noise"))
	if !slices.Equal(a, b) {
		t.Error("corrupting in place differs")
	}
	Corruption{}.Apply(b, src, nil)
	if !slices.Equal(b, src) {
		t.Error("the zero corruption changed its input")
	}
}

func TestCorruptionValidate(t *testing.T) {
	for _, tt := range []struct {
		c  Corruption
		ok bool
	}{
		{Corruption{}, true},
		{Corruption{None, 0}, true},
		{Corruption{Masking, 0.25}, true},
		{Corruption{Masking, 1}, false},
		{Corruption{Masking, -0.1}, false},
		{Corruption{SaltAndPepper, 0.5}, true},
		{Corruption{Gaussian, 2}, true},
		{Corruption{Gaussian, -1}, false},
		{Corruption{Gaussian, math.NaN()}, false},
		{Corruption{None, 0.3}, false},
		{Corruption{"dropout", 0.3}, false},
	} {
		if err := tt.c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", tt.c, err, tt.ok)
		}
	}
}

// TestCorruptionMatchesFloat64Draws checks Apply's integer thresholds make
// exactly the decisions of comparing r.Float64() with the level, on levels
// whose products with 2^53 are and are not integers.
func TestCorruptionMatchesFloat64Draws(t *testing.T) {
	const n = 1 << 16
	src := pixels(n)
	for _, nu := range []float64{0.1, 0.25, 0.3, 0.5, 1.0 / 3, 0.999999, math.Nextafter(1, 0), 1e-17} {
		want := make([]float32, n)
		r := rng.New(3, "noise")
		for i, v := range src {
			if u := r.Float64(); u < nu {
				v = 0
			}
			want[i] = v
		}
		got := make([]float32, n)
		Corruption{Masking, nu}.Apply(got, src, rng.New(3, "noise"))
		if !slices.Equal(got, want) {
			t.Errorf("masking %v: differs from the Float64 comparison", nu)
		}
		r = rng.New(3, "noise")
		for i, v := range src {
			if u := r.Float64(); u < nu {
				v = 1
				if u < nu/2 {
					v = 0
				}
			}
			want[i] = v
		}
		Corruption{SaltAndPepper, nu}.Apply(got, src, rng.New(3, "noise"))
		if !slices.Equal(got, want) {
			t.Errorf("salt and pepper %v: differs from the Float64 comparison", nu)
		}
	}
}

// TestCorruptionSplitDrawsMatch checks that corrupting from a *rand.PCG,
// whose draws Apply shares between cores, gives what the same generator
// behind a rand.Rand gives element by element, and leaves it in the same
// state, for batches of less than, exactly and more than one task.
func TestCorruptionSplitDrawsMatch(t *testing.T) {
	for _, c := range []Corruption{{Masking, 0.25}, {SaltAndPepper, 0.3}, {Gaussian, 0.5}} {
		for _, n := range []int{1, 1000, rng.SplitChunk, 128*784 + 3} {
			src := pixels(n)
			want, got := make([]float32, n), make([]float32, n)
			seq, split := rng.Source(4, "noise"), rng.Source(4, "noise")
			c.Apply(want, src, rand.New(seq))
			c.Apply(got, src, split)
			if !slices.Equal(got, want) {
				t.Errorf("%s, %d values: drawing from the PCG differs from drawing from rand.New(PCG)", c, n)
			}
			if a, b := seq.Uint64(), split.Uint64(); a != b {
				t.Errorf("%s, %d values: the generator ends elsewhere (next draw %#x, want %#x)", c, n, b, a)
			}
			copy(got, src)
			c.Apply(got, got, rng.Source(4, "noise"))
			if !slices.Equal(got, want) {
				t.Errorf("%s, %d values: corrupting in place from the PCG differs", c, n)
			}
		}
	}
}

// BenchmarkMasking corrupts one batch of 128 MNIST images, from a
// rand.Rand (one core) and from its PCG (draws shared between cores).
func BenchmarkMasking(b *testing.B) {
	src := pixels(128 * 784)
	dst := make([]float32, len(src))
	c := Corruption{Masking, 0.25}
	b.SetBytes(int64(4 * len(src)))
	b.Run("rand.Rand", func(b *testing.B) {
		r := rng.New(1, "noise")
		for b.Loop() {
			c.Apply(dst, src, r)
		}
	})
	b.Run("PCG", func(b *testing.B) {
		p := rng.Source(1, "noise")
		for b.Loop() {
			c.Apply(dst, src, p)
		}
	})
}

// TestCorruptionPrepared checks choices drawn ahead, in parts in any
// order, corrupt as Apply does and move the generator as it does; and that
// they are refused once the generator has moved on, or for another level.
func TestCorruptionPrepared(t *testing.T) {
	const n = 3*rng.SplitChunk + 5
	src := pixels(n)
	for _, c := range []Corruption{{Masking, 0.25}, {SaltAndPepper, 0.3}} {
		want := make([]float32, n)
		seq := rng.Source(6, "noise")
		c.Apply(want, src, rand.New(seq))

		p := rng.Source(6, "noise")
		var ch Choices
		c.Prepare(&ch, rng.StreamOf(p), n)
		for _, part := range [][2]int{{1000, n}, {0, 10}, {10, 1000}} {
			ch.Draw(part[0], part[1])
		}
		got := make([]float32, n)
		if (Corruption{c.Type, 0.5}).ApplyPrepared(got, src, p, &ch) {
			t.Errorf("%s: choices for level %v applied at level 0.5", c, c.Level)
		}
		if !c.ApplyPrepared(got, src, p, &ch) {
			t.Fatalf("%s: prepared choices refused", c)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: prepared choices corrupt differently from Apply", c)
		}
		if a, b := seq.Uint64(), p.Uint64(); a != b {
			t.Errorf("%s: the generator ends elsewhere (next draw %#x, want %#x)", c, b, a)
		}
		if c.ApplyPrepared(got, src, p, &ch) {
			t.Errorf("%s: choices applied again after the generator moved on", c)
		}
	}
	if (Corruption{Gaussian, 1}).Prepares() || (Corruption{Masking, 0}).Prepares() {
		t.Error("gaussian noise, or masking at level 0, says it can be drawn ahead")
	}
}
