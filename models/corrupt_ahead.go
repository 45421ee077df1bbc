package models

import (
	"math"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/rng"
)

// Choices are the random decisions of one call of Apply (masking or
// salt-and-pepper noise) made before the values they corrupt are known:
// which elements to zero or saturate. Drawn ahead from a copy of the
// generator's state, they let a training loop draw the next batch's noise
// while the current batch trains, and still corrupt every batch exactly as
// Apply would.
type Choices struct {
	c     Corruption
	start rng.Stream // the generator state the choices were drawn from
	codes []uint8    // per element: 0 keeps, 1 zeroes (pepper), 2 saturates (salt)
}

// Prepares reports whether c's choices can be drawn ahead: masking and
// salt-and-pepper noise, one draw per element. (Gaussian noise draws a
// varying number of values per element.)
func (c Corruption) Prepares() bool {
	return c.Active() && (c.Type == Masking || c.Type == SaltAndPepper)
}

// Prepare readies ch for the choices Apply would make for n elements from
// a generator in state s, and returns ch; Draw then draws them, in parts,
// without touching any generator. It panics if c does not Prepare.
func (c Corruption) Prepare(ch *Choices, s rng.Stream, n int) *Choices {
	if !c.Prepares() {
		panic("models: " + c.String() + " corruption cannot be drawn ahead")
	}
	ch.c, ch.start = c, s
	if cap(ch.codes) < n {
		ch.codes = make([]uint8, n)
	}
	ch.codes = ch.codes[:n]
	return ch
}

// Draw draws the choices for elements from, …, to−1 (jumping the
// generator's state to from). Draws of disjoint parts may run
// concurrently; ApplyPrepared may run once every part has been drawn.
func (ch *Choices) Draw(from, to int) {
	s := ch.start.Advance(uint64(from))
	codes := ch.codes[from:to]
	t, half := rng.Below(ch.c.Level), rng.Below(ch.c.Level/2)
	if ch.c.Type == Masking {
		for i := range codes {
			codes[i] = uint8(rng.Under(s.Uint64(), t))
		}
		return
	}
	for i := range codes {
		var k uint8
		if u := s.Uint64() & rng.Mant; u < half {
			k = 1
		} else if u < t {
			k = 2
		}
		codes[i] = k
	}
}

// ApplyPrepared corrupts src into dst with the choices in ch and moves p on
// by len(src) draws, as Apply(dst, src, p) would, when ch holds c's choices
// for len(src) elements drawn from p's present state. Otherwise (p has
// moved, or ch is for other noise) it changes nothing and returns false.
func (c Corruption) ApplyPrepared(dst, src []float32, p *rand.PCG, ch *Choices) bool {
	if ch.c != c || len(ch.codes) != len(src) || len(dst) != len(src) || rng.StreamOf(p) != ch.start {
		return false
	}
	dst = dst[:len(src)]
	codes := ch.codes[:len(src)]
	if c.Type == Masking {
		for i, v := range src {
			dst[i] = math.Float32frombits(math.Float32bits(v) &^ -uint32(codes[i]))
		}
	} else {
		for i, v := range src {
			switch codes[i] {
			case 1:
				v = 0
			case 2:
				v = 1
			}
			dst[i] = v
		}
	}
	ch.start.Advance(uint64(len(src))).Store(p)
	return true
}
