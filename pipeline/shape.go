package pipeline

import (
	"fmt"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/runs"
)

// checkRunShape reports a set whose examples are not of the shape the run
// m was trained on. Why the shape and not only the width (which infer
// checks): a 14×56 picture has the 784 values of a 28×28 one, so a
// directory of such pictures given to eval with --data used to be measured
// as if it were the run's data, and the error rate reported as the
// model's. o.Dir, when set, is named as where the set came from.
func checkRunShape(m *runs.Model, s *datasets.Set, o DataOptions) error {
	if slices.Equal(s.Shape, m.Shape) {
		return nil
	}
	from := ""
	if o.Dir != "" {
		from = " (from --data " + o.Dir + ")"
	}
	return fmt.Errorf("pipeline: the run in %s was trained on examples of shape %v, the set %q%s has examples of shape %v: is it the run's data?",
		m.Dir, m.Shape, s.Name, from, s.Shape)
}
