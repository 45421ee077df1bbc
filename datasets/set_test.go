package datasets

import (
	"slices"
	"strings"
	"testing"
)

// seqSet returns a set of n examples of shape [2 2] whose features are
// 10*i, 10*i+1, 10*i+2, 10*i+3 for example i, labelled i mod classes.
func seqSet(n, classes int) *Set {
	s := &Set{Name: "seq", Shape: []int{2, 2}, Classes: classes, X: make([]float32, 4*n), Labels: make([]int, n)}
	for i := range n {
		for j := range 4 {
			s.X[4*i+j] = float32(10*i + j)
		}
		s.Labels[i] = i % classes
	}
	return s
}

func TestSetBasics(t *testing.T) {
	s := seqSet(5, 3)
	if s.Len() != 5 || s.Dim() != 4 {
		t.Fatalf("Len %d Dim %d, want 5 4", s.Len(), s.Dim())
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := s.Row(3); !slices.Equal(got, []float32{30, 31, 32, 33}) || cap(got) != 4 {
		t.Errorf("Row(3) = %v (cap %d), want [30 31 32 33] capped at 4", got, cap(got))
	}

	sub := s.Slice(1, 4)
	if sub.Name != "seq[1:4]" || sub.Len() != 3 || !slices.Equal(sub.Labels, []int{1, 2, 0}) || sub.Classes != 3 {
		t.Errorf("Slice(1,4) = %q Len %d labels %v classes %d", sub.Name, sub.Len(), sub.Labels, sub.Classes)
	}
	if !slices.Equal(sub.Row(0), s.Row(1)) {
		t.Errorf("Slice(1,4).Row(0) = %v, want %v", sub.Row(0), s.Row(1))
	}
	// A view, not a copy: writes show through, but appends cannot spill
	// into the parent's next example.
	sub.X[0] = -1
	if s.X[4] != -1 {
		t.Error("Slice copied X instead of sharing it")
	}
	_ = append(sub.X, 99)
	_ = append(sub.Labels, 99)
	if s.X[16] != 40 || s.Labels[4] != 1 {
		t.Error("appending to a slice overwrote the parent")
	}
	sub.Shape[0] = 7
	if s.Shape[0] != 2 {
		t.Error("Slice shares Shape, so changing the view's shape changed the parent")
	}

	if e := s.Slice(5, 5); e.Len() != 0 || len(e.Labels) != 0 || e.Validate() != nil {
		t.Errorf("empty slice: Len %d labels %v validate %v", e.Len(), e.Labels, e.Validate())
	}
	unl := &Set{X: []float32{1, 2, 3}}
	if unl.Len() != 3 || unl.Dim() != 1 || unl.Slice(1, 2).Labels != nil || unl.Validate() != nil {
		t.Errorf("unlabelled scalar set: Len %d Dim %d", unl.Len(), unl.Dim())
	}
	var zero Set
	if zero.Len() != 0 || zero.Validate() != nil {
		t.Errorf("zero Set: Len %d Validate %v", zero.Len(), zero.Validate())
	}
}

func TestSetPanics(t *testing.T) {
	s := seqSet(3, 2)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"row -1", func() { s.Row(-1) }},
		{"row n", func() { s.Row(3) }},
		{"slice past end", func() { s.Slice(1, 4) }},
		{"slice reversed", func() { s.Slice(2, 1) }},
		{"slice negative", func() { s.Slice(-1, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Error("no panic")
				} else if msg, _ := r.(string); !strings.HasPrefix(msg, "datasets: seq: ") {
					t.Errorf("panic %v lacks the datasets: seq: prefix", r)
				}
			}()
			tc.f()
		})
	}
}

func TestSetValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  Set
		want string // "" for valid
	}{
		{"good", *seqSet(4, 3), ""},
		{"unlabelled", Set{Name: "u", X: make([]float32, 6), Shape: []int{3}}, ""},
		{"empty labelled", Set{Name: "e", Shape: []int{3}, Labels: []int{}, Classes: 2}, ""},
		{"ragged X", Set{Name: "r", X: make([]float32, 7), Shape: []int{3}}, `set "r": 7 values is not a whole number of 3-value examples`},
		{"zero shape", Set{Name: "z", X: make([]float32, 6), Shape: []int{3, 0}}, `set "z": shape [3 0] has non-positive dimension 1`},
		{"negative shape", Set{Name: "n", Shape: []int{-2}}, "non-positive dimension 0"},
		{"too few labels", Set{Name: "f", X: make([]float32, 6), Shape: []int{3}, Labels: []int{0}, Classes: 2}, `set "f": 2 examples but 1 label`},
		{"too many labels", Set{Name: "m", X: make([]float32, 3), Shape: []int{3}, Labels: []int{0, 1}, Classes: 2}, "1 example but 2 labels"},
		{"label too big", Set{Name: "b", X: make([]float32, 2), Shape: []int{1}, Labels: []int{0, 2}, Classes: 2}, `set "b": label 2 of example 1 not in [0,2)`},
		{"negative label", Set{Name: "l", X: make([]float32, 1), Labels: []int{-1}, Classes: 2}, "label -1 of example 0"},
		{"labels without classes", Set{Name: "c", X: make([]float32, 1), Labels: []int{0}}, "label 0 of example 0 not in [0,0)"},
		{"negative classes", Set{Name: "k", Classes: -1}, "negative class count -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.set.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && err == nil:
				t.Errorf("Validate() = nil, want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("Validate() = %q, want it to contain %q", err, tc.want)
			case err != nil && !strings.HasPrefix(err.Error(), "datasets: "):
				t.Errorf("Validate() = %q lacks the datasets: prefix", err)
			}
		})
	}
}

func TestSplitsLimit(t *testing.T) {
	s := &Splits{Train: seqSet(10, 2), Validation: seqSet(4, 2), Test: seqSet(6, 2)}
	s.Train.Name, s.Validation.Name, s.Test.Name = "tr", "va", "te"
	for _, tc := range []struct {
		name          string
		tr, va, te    int
		wantN         [3]int
		wantNames     [3]string
		nilValidation bool
	}{
		{"all kept", 0, 0, 0, [3]int{10, 4, 6}, [3]string{"tr", "va", "te"}, false},
		{"trimmed", 3, 1, 5, [3]int{3, 1, 5}, [3]string{"tr[0:3]", "va[0:1]", "te[0:5]"}, false},
		{"over and negative", 99, -1, 6, [3]int{10, 4, 6}, [3]string{"tr", "va", "te"}, false},
		{"nil part", 2, 2, 2, [3]int{2, 0, 2}, [3]string{"tr[0:2]", "", "te[0:2]"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := s
			if tc.nilValidation {
				in = &Splits{Train: s.Train, Test: s.Test}
			}
			got := in.Limit(tc.tr, tc.va, tc.te)
			if tc.nilValidation != (got.Validation == nil) {
				t.Fatalf("Validation = %v", got.Validation)
			}
			for i, set := range []*Set{got.Train, got.Validation, got.Test} {
				if set == nil {
					continue
				}
				if set.Len() != tc.wantN[i] || set.Name != tc.wantNames[i] || len(set.Labels) != tc.wantN[i] {
					t.Errorf("part %d: %q Len %d, want %q Len %d", i, set.Name, set.Len(), tc.wantNames[i], tc.wantN[i])
				}
				if set.Len() > 0 && &set.X[0] != &[]*Set{in.Train, in.Validation, in.Test}[i].X[0] {
					t.Errorf("part %d is a copy, want a view", i)
				}
			}
			if s.Train.Len() != 10 || s.Train.Name != "tr" {
				t.Error("Limit modified its receiver")
			}
		})
	}
}
