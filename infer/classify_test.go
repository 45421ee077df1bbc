package infer

import (
	"math"
	"slices"
	"testing"
)

func TestSoftmax(t *testing.T) {
	p := softmax([]float64{1000, 1000, math.Inf(-1)}) // large logits do not overflow
	if p[0] != 0.5 || p[1] != 0.5 || p[2] != 0 {
		t.Errorf("softmax = %v", p)
	}
	if top := (Prediction{Probabilities: []float64{0.2, 0.5, 0.2, 0.1}}).Top(3); !slices.Equal(top, []int{1, 0, 2}) {
		t.Errorf("Top(3) = %v", top)
	}
}
