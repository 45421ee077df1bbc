package rng

import (
	"math/rand/v2"
	"testing"
)

func TestStreamDrawsAsPCG(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {7, 0xffffffffffffffff}, {1 << 63, 12345}} {
		p := rand.NewPCG(seed[0], seed[1])
		s := StreamOf(p)
		for i := range 10000 {
			if got, want := s.Uint64(), p.Uint64(); got != want {
				t.Fatalf("seed %v, draw %d: stream %#x, PCG %#x", seed, i, got, want)
			}
		}
	}
}

func TestAdvance(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 7, 64, 1000, 8191, 8192, 12345} {
		p := Source(3, "noise")
		jumped := StreamOf(p).Advance(n)
		for range n {
			p.Uint64()
		}
		if want := StreamOf(p); jumped != want {
			t.Errorf("Advance(%d) = %+v, %d draws reach %+v", n, jumped, n, want)
		}
	}
	// A full period's stride (2¹²⁸) cannot be written; 2⁶⁴ twice must
	// equal one jump composed of them.
	s := StreamOf(Source(1, "x"))
	big := s.Advance(1 << 63).Advance(1 << 63)
	if got := s.Advance(1<<64 - 1).Advance(1); got != big {
		t.Errorf("2⁶³+2⁶³ draws = %+v, (2⁶⁴−1)+1 = %+v", big, got)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	p := Source(9, "a")
	s := StreamOf(p).Advance(5)
	q := rand.NewPCG(0, 0)
	s.Store(q)
	for range 5 {
		p.Uint64()
	}
	for i := range 100 {
		if a, b := p.Uint64(), q.Uint64(); a != b {
			t.Fatalf("draw %d after Store: %#x, want %#x", i, b, a)
		}
	}
}

// TestSplitMatchesSequential: every element gets the draw a sequential
// loop gives it, and the generator ends where n draws leave it.
func TestSplitMatchesSequential(t *testing.T) {
	for _, n := range []int{0, 1, SplitChunk - 1, SplitChunk, SplitChunk + 1, 3*SplitChunk + 17, 100352} {
		seq, split := Source(5, "noise"), Source(5, "noise")
		want := make([]uint64, n)
		for i := range want {
			want[i] = seq.Uint64()
		}
		got := make([]uint64, n)
		Split(split, n, func(s *Stream, from, to int) {
			for i := from; i < to; i++ {
				got[i] = s.Uint64()
			}
		})
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n=%d: element %d drew %#x, sequentially %#x", n, i, got[i], want[i])
			}
		}
		if a, b := seq.Uint64(), split.Uint64(); a != b {
			t.Errorf("n=%d: next draw after Split %#x, after %d sequential draws %#x", n, b, n, a)
		}
	}
}

func BenchmarkDraw(b *testing.B) {
	const n = 128 * 784
	out := make([]uint64, n)
	b.Run("rand.Rand", func(b *testing.B) {
		r := New(1, "noise")
		for b.Loop() {
			for i := range out {
				out[i] = r.Uint64()
			}
		}
	})
	b.Run("Stream", func(b *testing.B) {
		s := StreamOf(Source(1, "noise"))
		for b.Loop() {
			for i := range out {
				out[i] = s.Uint64()
			}
		}
	})
	b.Run("Split", func(b *testing.B) {
		p := Source(1, "noise")
		for b.Loop() {
			Split(p, n, func(s *Stream, from, to int) {
				for i := from; i < to; i++ {
					out[i] = s.Uint64()
				}
			})
		}
	})
}
