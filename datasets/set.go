package datasets

import (
	"fmt"
	"slices"

	"github.com/gorgonia-zoo/zoo/internal/plural"
)

// Set is a data set held in memory: Len() examples of Dim() float32
// features each, stored row-major in X so that a mini-batch is a copy of
// consecutive rows and no per-example allocation is ever needed.
//
// The zero Set is a valid, empty, unlabelled set.
type Set struct {
	// Name identifies the set in messages and logs, e.g. "mnist/train".
	Name string
	// X holds the features of example i at X[i*Dim() : (i+1)*Dim()].
	X []float32
	// Shape is the shape of one example, e.g. [28 28] for an MNIST image;
	// Dim() is its product. A nil or empty Shape means one feature per
	// example.
	Shape []int
	// Labels holds one class index in [0, Classes) per example, or is nil
	// when the set is unlabelled.
	Labels []int
	// Classes is the number of classes (10 for MNIST); 0 when unlabelled.
	Classes int
}

// Len returns the number of examples, len(X)/Dim(). It is 0 when Dim() is
// 0, which only an invalid Shape can cause; [Set.Validate] reports that.
func (s *Set) Len() int {
	d := s.Dim()
	if d <= 0 {
		return 0
	}
	return len(s.X) / d
}

// Dim returns the number of features per example, the product of Shape.
func (s *Set) Dim() int {
	d := 1
	for _, n := range s.Shape {
		d *= n
	}
	return d
}

// Row returns example i's features. It is a view into X, capped so that an
// append to it cannot overwrite the next example. It panics if i is out of
// range, as indexing would.
func (s *Set) Row(i int) []float32 {
	if i < 0 || i >= s.Len() {
		panic(fmt.Sprintf("datasets: %s: row %d out of range [0,%d)", s.Name, i, s.Len()))
	}
	d := s.Dim()
	return s.X[i*d : (i+1)*d : (i+1)*d]
}

// Slice returns examples [from, to) as a new Set that shares X and Labels
// with s, so taking a subset costs nothing; writes through one show in the
// other. Its Name is s.Name followed by "[from:to]". It panics unless
// 0 ≤ from ≤ to ≤ Len(), as slicing would.
func (s *Set) Slice(from, to int) *Set {
	n := s.Len()
	if from < 0 || from > to || to > n {
		panic(fmt.Sprintf("datasets: %s: slice [%d:%d] out of range [0:%d]", s.Name, from, to, n))
	}
	d := s.Dim()
	out := &Set{
		Name:    fmt.Sprintf("%s[%d:%d]", s.Name, from, to),
		X:       s.X[from*d : to*d : to*d],
		Shape:   slices.Clone(s.Shape),
		Classes: s.Classes,
	}
	if s.Labels != nil {
		out.Labels = s.Labels[from:to:to]
	}
	return out
}

// Validate reports whether s is consistent: every Shape entry positive,
// len(X) a whole number of examples, and, when Labels is non-nil, one
// label per example, each in [0, Classes). Loaders validate what they
// return, so callers need this only for sets they build or modify.
func (s *Set) Validate() error {
	for i, n := range s.Shape {
		if n <= 0 {
			return fmt.Errorf("datasets: set %q: shape %v has non-positive dimension %d", s.Name, s.Shape, i)
		}
	}
	d := s.Dim()
	if len(s.X)%d != 0 {
		return fmt.Errorf("datasets: set %q: %d values is not a whole number of %d-value examples", s.Name, len(s.X), d)
	}
	if s.Classes < 0 {
		return fmt.Errorf("datasets: set %q: negative class count %d", s.Name, s.Classes)
	}
	if s.Labels == nil {
		return nil
	}
	if n := s.Len(); len(s.Labels) != n {
		return fmt.Errorf("datasets: set %q: %s but %s", s.Name, plural.Count(n, "example"), plural.Count(len(s.Labels), "label"))
	}
	for i, l := range s.Labels {
		if l < 0 || l >= s.Classes {
			return fmt.Errorf("datasets: set %q: label %d of example %d not in [0,%d)", s.Name, l, i, s.Classes)
		}
	}
	return nil
}

// Splits is the standard three-way split: fit on Train, choose
// hyperparameters and stop early on Validation, report on Test. A nil part
// means the data set does not provide it.
type Splits struct {
	Train, Validation, Test *Set
	// Files are the files the splits were read from, with their digests,
	// as a Source's Load (and MNIST, MNISTDir, FashionMNIST, KMNIST)
	// report them: what a run records as its data (nil for splits built
	// in Go).
	Files []FileDigest
}

// Limit returns the first train, validation and test examples of each part,
// as views sharing memory with s, for quick runs and smoke tests. A limit of
// 0 (or a negative one, or one at least the part's size) keeps the whole
// part; nil parts stay nil. s itself is not modified.
func (s *Splits) Limit(train, validation, test int) *Splits {
	return &Splits{
		Train:      limitSet(s.Train, train),
		Validation: limitSet(s.Validation, validation),
		Test:       limitSet(s.Test, test),
		Files:      s.Files,
	}
}

// limitSet returns the first n examples of s, or s itself when no
// trimming is needed so its name stays unadorned.
func limitSet(s *Set, n int) *Set {
	if s == nil || n <= 0 || n >= s.Len() {
		return s
	}
	return s.Slice(0, n)
}

// Binary returns a copy of s labelled for a two-class task: class 1 for
// the examples whose label is one of positive, class 0 for the others (e.g.
// "is it a 0?" on MNIST, about 1 positive for 9 negatives). The pixels are
// shared, the labels are new.
func (s *Set) Binary(positive ...int) *Set {
	pos := map[int]bool{}
	for _, p := range positive {
		pos[p] = true
	}
	b := *s
	b.Name = s.Name + fmt.Sprintf("(is %v)", positive)
	b.Classes = 2
	b.Labels = make([]int, len(s.Labels))
	for i, l := range s.Labels {
		if pos[l] {
			b.Labels[i] = 1
		}
	}
	return &b
}
