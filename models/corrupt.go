package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/rng"
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
	Type CorruptionType `json:"type"`
	// Level is ν, the fraction of inputs destroyed, for Masking and
	// SaltAndPepper (in [0, 1)), and σ, the noise's standard deviation, for
	// Gaussian (≥ 0). If it equals zero the corruption has no effect.
	Level float64 `json:"level"`
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
// drawing every random choice from r: one draw per element in order
// (Gaussian noise: r.NormFloat64's draws), so a batch gets a fresh,
// independent corruption for every example at every call. dst and src may
// be the same slice. Apply panics if the lengths differ.
//
// When r is a *rand.PCG, masking and salt-and-pepper noise share the draws
// between cores (rng.Split jumps the generator ahead to each core's first
// element): every element still gets the draw a sequential loop would give
// it, and r ends in the same state, so the result is the same as with
// rand.New(r), only sooner.
func (c Corruption) Apply(dst, src []float32, r rand.Source) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("models: corrupt %d values into %d", len(src), len(dst)))
	}
	if !c.Active() {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	p, split := r.(*rand.PCG)
	switch c.Type {
	case Masking:
		t := rng.Below(c.Level)
		if split {
			rng.Split(p, len(src), func(s *rng.Stream, from, to int) { mask(dst[from:to], src[from:to], t, s) })
			return
		}
		for i, v := range src {
			dst[i] = masked(v, r.Uint64(), t)
		}
	case Gaussian:
		g, ok := r.(*rand.Rand)
		if !ok {
			g = rand.New(r)
		}
		for i, v := range src {
			dst[i] = v + float32(c.Level*g.NormFloat64())
		}
	case SaltAndPepper:
		t, half := rng.Below(c.Level), rng.Below(c.Level/2)
		if split {
			rng.Split(p, len(src), func(s *rng.Stream, from, to int) {
				for i, v := range src[from:to] {
					dst[from+i] = saltPepper(v, s.Uint64(), t, half)
				}
			})
			return
		}
		for i, v := range src {
			dst[i] = saltPepper(v, r.Uint64(), t, half)
		}
	default:
		panic(fmt.Sprintf("models: unknown corruption %q", c.Type))
	}
}

// mask is masking noise on one part of a batch.
func mask(dst, src []float32, t uint64, s *rng.Stream) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = masked(v, s.Uint64(), t)
	}
}

// masked is v, or 0 when draw u falls under t (rng.Under).
func masked(v float32, u, t uint64) float32 {
	return math.Float32frombits(math.Float32bits(v) &^ -uint32(rng.Under(u, t)))
}

// saltPepper is v, or, when the draw's 53 bits are below t (probability
// ν), pepper (0) below half (ν/2) and salt (1) from there: one uniform
// draw decides both.
func saltPepper(v float32, u, t, half uint64) float32 {
	if u &= rng.Mant; u < t {
		if u < half {
			return 0
		}
		return 1
	}
	return v
}
