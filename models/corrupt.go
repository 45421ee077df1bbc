package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// CorruptionType names a way of corrupting the input of a denoising
// autoencoder (Vincent et al. 2010, "Stacked Denoising Autoencoders", §4.2).
type CorruptionType string

// The corruptions offered. The zero CorruptionType is None.
const (
	// None leaves the input unchanged: a plain autoencoder.
	None CorruptionType = "none"
	// Masking sets each input to 0 with probability ν (Level), independently
	// per element, with a fresh mask for every example at every update.
	Masking CorruptionType = "mask"
	// Gaussian adds isotropic noise: x̃ = x + ε, ε ~ N(0, σ²), σ = Level.
	// The result is not clipped.
	Gaussian CorruptionType = "gaussian"
	// SaltAndPepper sets each input, with probability ν (Level), to the
	// minimum (0) or the maximum (1) of the input range, each with
	// probability ½.
	SaltAndPepper CorruptionType = "salt-and-pepper"
)

// CorruptionTypes lists the corruption names, sorted.
func CorruptionTypes() []string {
	return []string{string(Gaussian), string(Masking), string(None), string(SaltAndPepper)}
}

// Corruption is a corruption process x → x̃ applied to the input of a
// denoising autoencoder; the reconstruction is compared with the clean x.
//
// The zero Corruption is no corruption.
type Corruption struct {
	Type CorruptionType
	// Level is ν, the fraction of inputs destroyed, for Masking and
	// SaltAndPepper (in [0, 1)), and σ, the noise's standard deviation, for
	// Gaussian (≥ 0). If it equals zero the corruption has no effect.
	Level float64
}

// ParseCorruptionType checks s names a corruption ("" is None).
func ParseCorruptionType(s string) (CorruptionType, error) {
	t := CorruptionType(strings.ToLower(s))
	if t == "" {
		return None, nil
	}
	switch t {
	case None, Masking, Gaussian, SaltAndPepper:
		return t, nil
	}
	return "", fmt.Errorf("models: unknown corruption %q (known: %s)", s, strings.Join(CorruptionTypes(), ", "))
}

// Validate reports whether c's type is known and its level in range.
func (c Corruption) Validate() error {
	t, err := ParseCorruptionType(string(c.Type))
	if err != nil {
		return err
	}
	switch {
	case math.IsNaN(c.Level) || math.IsInf(c.Level, 0):
		return fmt.Errorf("models: corruption level %v is not a number", c.Level)
	case (t == Masking || t == SaltAndPepper) && (c.Level < 0 || c.Level >= 1):
		return fmt.Errorf("models: %s corruption level is a fraction in [0, 1), got %v", t, c.Level)
	case t == Gaussian && c.Level < 0:
		return fmt.Errorf("models: gaussian corruption level is a standard deviation ≥ 0, got %v", c.Level)
	case t == None && c.Level != 0:
		return fmt.Errorf("models: corruption none takes no level, got %v", c.Level)
	}
	return nil
}

// Active reports whether c changes its input.
func (c Corruption) Active() bool {
	return c.Type != None && c.Type != "" && c.Level > 0
}

// String is the corruption as a recipe writes it, e.g. "mask 0.25".
func (c Corruption) String() string {
	if !c.Active() {
		return "none"
	}
	return fmt.Sprintf("%s %g", c.Type, c.Level)
}

// Apply writes the corrupted copy of src into dst (of the same length),
// drawing every random choice from r: one draw per element, so a batch gets
// a fresh, independent corruption for every example at every call. dst and
// src may be the same slice. Apply panics if the lengths differ.
func (c Corruption) Apply(dst, src []float32, r *rand.Rand) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("models: corrupt %d values into %d", len(src), len(dst)))
	}
	if !c.Active() {
		copy(dst, src)
		return
	}
	switch c.Type {
	case Masking:
		t := below(c.Level)
		dst = dst[:len(src)]
		for i, v := range src {
			// Zero v when the draw's 53 bits are below t (r.Float64() <
			// c.Level): u−t then wraps round and its top bit is set.
			// Without a branch, which a random mask mispredicts often.
			masked := uint32((r.Uint64()&mant - t) >> 63)
			dst[i] = math.Float32frombits(math.Float32bits(v) &^ -masked)
		}
	case Gaussian:
		for i, v := range src {
			dst[i] = v + float32(c.Level*r.NormFloat64())
		}
	case SaltAndPepper:
		t, half := below(c.Level), below(c.Level/2)
		for i, v := range src {
			if u := r.Uint64() & mant; u < t {
				// The same uniform draw decides salt or pepper: below ν/2 is
				// pepper (0), the rest of [0, ν) salt (1).
				if u < half {
					v = 0
				} else {
					v = 1
				}
			}
			dst[i] = v
		}
	default:
		panic(fmt.Sprintf("models: unknown corruption %q", c.Type))
	}
}

// mant keeps the low 53 bits of a draw: rand.Rand.Float64 is m/2^53 for
// those bits m.
const mant = 1<<53 - 1

// below returns the t for which r.Float64() < p exactly when
// r.Uint64()&mant < t: m/2^53 < p ⇔ m < ⌈p·2^53⌉ (p·2^53 is exact). The
// integer test skips a conversion and a division per element of every
// batch, and draws the same numbers, so the masks are the same.
func below(p float64) uint64 { return uint64(math.Ceil(p * (1 << 53))) }
