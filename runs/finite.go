package runs

import (
	"fmt"
	"math"
)

// nonFinite returns an error naming tensor name's first NaN or ±Inf value,
// nil when all are finite. Callers say what it means for their file. A model with one answers nonsense (predict then
// says class 0 for every picture, and --json cannot print its
// probabilities), so weights are checked as they are read.
func nonFinite[F float32 | float64](name string, v []F) error {
	for i, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("tensor %q holds %v at index %d", name, f, i)
		}
	}
	return nil
}

// nonFiniteWeights is nonFinite for a weights file, saying what it means.
func nonFiniteWeights[F float32 | float64](name string, v []F) error {
	if err := nonFinite(name, v); err != nil {
		return fmt.Errorf("%w: a model's weights are finite numbers (is the file damaged, or saved from a diverged model?)", err)
	}
	return nil
}
