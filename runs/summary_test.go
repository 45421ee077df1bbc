package runs

import (
	"math"
	"testing"
)

func TestClassMetrics(t *testing.T) {
	// Class 1: 2 predicted, 1 right; 3 actual. Class 0: 3 predicted, 2 right; 2 actual.
	pred := []int{1, 0, 0, 1, 0}
	labels := []int{1, 0, 1, 0, 1}
	got := NewClassMetrics(pred, labels, 2)
	want := []ClassMetrics{
		{Class: 0, Support: 2, Precision: 1.0 / 3, Recall: 1.0 / 2, F1: 2 * (1.0 / 3) * (1.0 / 2) / (1.0/3 + 1.0/2)},
		{Class: 1, Support: 3, Precision: 1.0 / 2, Recall: 1.0 / 3, F1: 2 * (1.0 / 2) * (1.0 / 3) / (1.0/2 + 1.0/3)},
	}
	for c := range want {
		g, w := got[c], want[c]
		if g.Support != w.Support || math.Abs(g.Precision-w.Precision) > 1e-12 || math.Abs(g.Recall-w.Recall) > 1e-12 || math.Abs(g.F1-w.F1) > 1e-12 {
			t.Errorf("class %d: got %+v, want %+v", c, g, w)
		}
	}
	// A class never predicted has precision 0, not NaN.
	if m := NewClassMetrics([]int{0, 0}, []int{0, 1}, 2)[1]; m.Precision != 0 || m.F1 != 0 || m.Recall != 0 {
		t.Errorf("never-predicted class: %+v", m)
	}
}
