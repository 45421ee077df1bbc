package pipeline

import (
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestCheckRunShape: data of another shape, even of the same width, is
// refused for a run (runs without a data record reach this check; the
// others are refused earlier by the record's digests).
func TestCheckRunShape(t *testing.T) {
	m := &runs.Model{Dir: "runs/r", Shape: []int{28, 28}}
	for _, c := range []struct {
		shape []int
		o     DataOptions
		want  string
	}{
		{[]int{28, 28}, DataOptions{}, ""},
		{[]int{14, 56}, DataOptions{Dir: "d"}, `pipeline: the run in runs/r was trained on examples of shape [28 28], the set "t" (from --data d) has examples of shape [14 56]: is it the run's data?`},
		{[]int{20, 20}, DataOptions{}, `pipeline: the run in runs/r was trained on examples of shape [28 28], the set "t" has examples of shape [20 20]: is it the run's data?`},
		{[]int{784}, DataOptions{}, `pipeline: the run in runs/r was trained on examples of shape [28 28], the set "t" has examples of shape [784]: is it the run's data?`},
	} {
		err := checkRunShape(m, &datasets.Set{Name: "t", Shape: c.shape}, c.o)
		if got := ""; err != nil {
			got = err.Error()
			if got != c.want {
				t.Errorf("shape %v: %q, want %q", c.shape, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("shape %v: accepted, want %q", c.shape, c.want)
		}
	}
}
