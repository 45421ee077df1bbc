package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Init names a weight initialisation scheme. Biases always start at zero.
type Init string

// The initialisations offered. The empty Init picks by activation: He for
// ReLU layers, Glorot otherwise.
const (
	// Glorot is Glorot & Bengio (2010) uniform: W ~ U(−a, a),
	// a = sqrt(6 / (fan_in + fan_out)), which keeps activation and gradient
	// variances roughly constant across tanh/sigmoid layers.
	Glorot Init = "glorot"
	// He is He et al. (2015) normal: W ~ N(0, 2 / fan_in), the correction of
	// Glorot's argument for ReLU, which zeroes half its inputs.
	He Init = "he"
)

// ParseInit checks s names an initialisation ("" is allowed: see Init).
func ParseInit(s string) (Init, error) {
	switch i := Init(strings.ToLower(s)); i {
	case "", Glorot, He:
		return i, nil
	}
	return "", fmt.Errorf("models: unknown init %q (known: glorot, he)", s)
}

// resolve returns the scheme to use for a layer with activation a.
func (i Init) resolve(a Activation) Init {
	if i != "" {
		return i
	}
	if a == ReLU {
		return He
	}
	return Glorot
}

// fill draws a fanIn×fanOut weight matrix into dst (float32 or float64).
func (i Init) fill(dst any, fanIn, fanOut int, r *rand.Rand) {
	var draw func() float64
	switch i {
	case He:
		s := math.Sqrt(2 / float64(fanIn))
		draw = func() float64 { return s * r.NormFloat64() }
	default:
		a := math.Sqrt(6 / float64(fanIn+fanOut))
		draw = func() float64 { return a * (2*r.Float64() - 1) }
	}
	switch d := dst.(type) {
	case []float32:
		for k := range d {
			d[k] = float32(draw())
		}
	case []float64:
		for k := range d {
			d[k] = draw()
		}
	}
}
