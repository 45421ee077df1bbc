// Package rng derives independent, reproducible random streams from a run's
// single seed.
//
// Every random choice zoo makes (weight initialisation, shuffling, noise,
// dropout) draws from a stream made here, so the same seed gives bit-identical
// runs, and adding draws to one stream (say, noise) never shifts another (say,
// the shuffle order).
package rng

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// New returns the stream called name of the run seeded with seed. Streams are
// PCG generators: seed fixes the state, the FNV-1a hash of name the second
// word, so distinct names give unrelated sequences.
func New(seed uint64, name string) *rand.Rand {
	return rand.New(Source(seed, name))
}

// Source is New's generator, exposed so its state can be saved
// (MarshalBinary) with a checkpoint.
func Source(seed uint64, name string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.NewPCG(seed, h.Sum64())
}

// Mant keeps the low 53 bits of a draw: rand.Rand.Float64 is m/2⁵³ for
// those bits m of one Uint64.
const Mant = 1<<53 - 1

// Below returns the t for which r.Float64() < p exactly when
// r.Uint64()&Mant < t: m/2⁵³ < p ⇔ m < ⌈p·2⁵³⌉ (p·2⁵³ is exact). Deciding
// on the integer skips a conversion and a division per element, and draws
// the same numbers, so the decisions are the same.
func Below(p float64) uint64 { return uint64(math.Ceil(p * (1 << 53))) }

// Under is 1 when draw u falls under the threshold t of Below (r.Float64()
// < p for that draw), else 0: u−t wraps round and sets the top bit. No
// branch, which random masks would mispredict half the time.
func Under(u, t uint64) uint64 { return (u&Mant - t) >> 63 }
