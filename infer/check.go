package infer

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/plural"
)

// DataError says why a data set does not fit a model: the wrong number of
// features per example, labels outside the model's classes, an
// inconsistent set. Every entry point that takes a set returns one (wrapped
// in context) instead of running on wrong shapes; errors.As finds it.
type DataError struct {
	// Set is the set's name.
	Set string
	// Problem is what is wrong, a phrase that follows the set's name.
	Problem string
}

func (e *DataError) Error() string {
	if e.Set == "" {
		return "unnamed set " + e.Problem
	}
	return fmt.Sprintf("set %q %s", e.Set, e.Problem)
}

func dataError(s *datasets.Set, format string, args ...any) *DataError {
	return &DataError{Set: s.Name, Problem: fmt.Sprintf(format, args...)}
}

// CheckSet reports whether s is a consistent set (datasets.Set.Validate) of
// examples with inputs features each, every value finite, and, when
// classes > 0, labelled with at most classes classes. The error is a *DataError, except for a nil s.
// Why here and
// not later: a set of the wrong width fills the graph's input with shifted
// rows (or runs past them), and a label ≥ classes indexes past a one-hot
// row; neither may get as far as the graph.
func CheckSet(s *datasets.Set, inputs, classes int) error {
	if s == nil {
		return errors.New("no set (nil)")
	}
	if !slices.ContainsFunc(s.Shape, func(n int) bool { return n <= 0 }) {
		// The width first: a set whose Shape was forgotten is also
		// inconsistent (its labels do not match its examples), and the
		// width says why.
		if d := s.Dim(); d != inputs {
			hint := ""
			if len(s.Shape) == 0 {
				hint = " (its Shape is empty, which means one feature per example; set Shape to the shape of one example)"
			}
			return dataError(s, "has %s per example, the model takes %d%s", plural.Count(d, "feature"), inputs, hint)
		}
	}
	if s.Labels != nil && s.Classes == 0 && len(s.Labels) > 0 {
		return dataError(s, "has labels but Classes is 0; set it to the number of classes")
	}
	if err := s.Validate(); err != nil {
		// The datasets error names the set too.
		return &DataError{Set: s.Name, Problem: fmt.Sprintf("is inconsistent: %v", err)}
	}
	if err := checkFinite(s); err != nil {
		return err
	}
	if classes == 0 {
		return nil
	}
	if s.Labels == nil {
		return dataError(s, "has no labels; a classifier needs them")
	}
	if s.Classes > classes {
		return dataError(s, "has %d classes, the model %d", s.Classes, classes)
	}
	return nil
}

// checkFinite reports the first value of s that is NaN or infinite. Why:
// the file sources refuse such values, but a set built in Go may hold one,
// and then training stopped as "diverged ... try a smaller learning rate"
// (blaming the rate for the data) while Evaluate and Predict answered
// silently, a NaN loss and arbitrary classes (issue 18). One pass over the
// values costs far less than the forward pass that follows it.
func checkFinite(s *datasets.Set) error {
	for i, v := range s.X {
		if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
			d := max(s.Dim(), 1)
			return dataError(s, "has the value %v at feature %d of example %d; every value must be finite", v, i%d, i/d)
		}
	}
	return nil
}

// checkLabels reports the first label outside [0, classes).
func checkLabels(labels []int, classes int) error {
	for i, l := range labels {
		if l < 0 || l >= classes {
			return fmt.Errorf("label %d of example %d is not one of the model's classes 0…%d", l, i, classes-1)
		}
	}
	return nil
}

// CheckLabels reports the first of labels that is not one of the model's
// classes, [0, Classes()).
func (c *Classifier) CheckLabels(labels []int) error { return checkLabels(labels, c.Classes()) }

// Check reports whether s fits the classifier: a consistent set
// (datasets.Set.Validate) of the model's Inputs features per example, and,
// when it has labels, at most the model's classes. Predict, Logits and
// Classify accept a set without labels; Evaluate does not. A set that does
// not fit is a *DataError.
func (c *Classifier) Check(s *datasets.Set) error {
	if err := CheckSet(s, c.model.Config.Inputs, 0); err != nil {
		return err
	}
	if s.Labels != nil && s.Classes > c.Classes() {
		return dataError(s, "has %d classes, the model %d", s.Classes, c.Classes())
	}
	return nil
}

// CheckLabelled is Check for a set that must have labels: the training and
// evaluation of a classifier.
func (c *Classifier) CheckLabelled(s *datasets.Set) error {
	return CheckSet(s, c.model.Config.Inputs, c.Classes())
}

// Check reports whether s fits the autoencoder: a consistent set
// (datasets.Set.Validate) of the model's inputs per example. A set that does
// not fit is a *DataError.
func (a *Autoencoder) Check(s *datasets.Set) error { return CheckSet(s, a.model.Inputs(), 0) }
