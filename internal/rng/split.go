package rng

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/par"
)

// A Stream draws the same numbers as a math/rand/v2 PCG in the same state,
// from a concrete type whose Uint64 the compiler inlines: a PCG behind a
// rand.Rand costs an interface call per draw, about as much as the draw.
//
// A Stream can also jump ahead (Advance) without drawing, which is what lets
// Split share one generator's next n draws between cores and still hand
// every element the draw it would have had from a sequential loop.
type Stream struct{ hi, lo uint64 }

// The LCG step of rand.PCG, state ← state·mul + inc (mod 2¹²⁸), and the
// multiplier of its DXSM output function (Go's math/rand/v2/pcg.go).
const (
	mulHi    = 2549297995355413924
	mulLo    = 4865540595714422341
	incHi    = 6364136223846793005
	incLo    = 1442695040888963407
	cheapMul = 0xda942042e4dd58b5
)

// StreamOf returns a Stream in p's state; p is unchanged.
func StreamOf(p *rand.PCG) Stream {
	var buf [20]byte
	b, _ := p.AppendBinary(buf[:0]) // "pcg:" hi lo, big-endian; never fails
	return Stream{hi: binary.BigEndian.Uint64(b[4:]), lo: binary.BigEndian.Uint64(b[12:])}
}

// Store sets p to s's state: p's next draw is s's next draw.
func (s Stream) Store(p *rand.PCG) {
	var buf [20]byte
	copy(buf[:], "pcg:")
	binary.BigEndian.PutUint64(buf[4:], s.hi)
	binary.BigEndian.PutUint64(buf[12:], s.lo)
	if err := p.UnmarshalBinary(buf[:]); err != nil {
		panic("rng: " + err.Error()) // the encoding above is PCG's own
	}
}

// Uint64 returns the next draw, as rand.PCG.Uint64 would.
func (s *Stream) Uint64() uint64 {
	hi, lo := bits.Mul64(s.lo, mulLo)
	hi += s.hi*mulLo + s.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	s.hi, s.lo = hi, lo
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	return hi * (lo | 1)
}

// Advance returns s moved on by n draws, in O(log n) steps: n steps of the
// LCG compose into one, state·Mⁿ + inc·(Mⁿ⁻¹ + … + M + 1), computed by
// squaring (F. Brown, "Random number generation with arbitrary strides",
// Trans. Am. Nucl. Soc. 71, 1994).
func (s Stream) Advance(n uint64) Stream {
	accM, accC := u128{0, 1}, u128{}
	m, c := u128{mulHi, mulLo}, u128{incHi, incLo}
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			accM = accM.mul(m)
			accC = accC.mul(m).add(c)
		}
		c = m.add(u128{0, 1}).mul(c)
		m = m.mul(m)
	}
	st := accM.mul(u128{s.hi, s.lo}).add(accC)
	return Stream{hi: st.hi, lo: st.lo}
}

// u128 is an unsigned 128-bit integer; arithmetic wraps mod 2¹²⁸.
type u128 struct{ hi, lo uint64 }

func (a u128) mul(b u128) u128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	return u128{hi + a.hi*b.lo + a.lo*b.hi, lo}
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// SplitChunk is how many draws one task of Split takes: enough that a
// jump and a task's start cost little beside its draws (a few ns each),
// few enough that a batch of masking noise (128 × 784 draws) keeps two or
// more cores busy.
const SplitChunk = 8192

// Split calls f on consecutive parts [from, to) of the next n draws of p,
// in parallel (par.Run), each with a Stream whose draws are exactly p's
// draws from, …, to−1; then it moves p on by n draws, as n calls of
// p.Uint64 would. What f computes from the draws is therefore the same as a
// sequential loop's, whatever the number of cores. f must draw to−from
// numbers at most, and must not touch p.
func Split(p *rand.PCG, n int, f func(s *Stream, from, to int)) {
	if n <= 0 {
		return
	}
	start := StreamOf(p)
	tasks := (n + SplitChunk - 1) / SplitChunk
	par.Run(tasks, func(t int) {
		from := t * SplitChunk
		s := start.Advance(uint64(from))
		f(&s, from, min(from+SplitChunk, n))
	})
	start.Advance(uint64(n)).Store(p)
}
