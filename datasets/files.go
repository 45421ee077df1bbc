package datasets

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
)

// MaxClasses bounds the classes a data set read from the user's own files
// may have: its classes are its largest label plus one, and a classifier
// holds a weight per class and hidden unit, so a stray label of 4 billion
// must fail here rather than as an allocation of that size.
const MaxClasses = 1 << 16

// The roles of Request.Files: which split a file holds, and for formats
// that keep features and labels apart (npy, idx) which half of it.
const (
	RoleTrain            = "train"
	RoleTest             = "test"
	RoleValidation       = "validation"
	RoleTrainLabels      = "train_labels"
	RoleTestLabels       = "test_labels"
	RoleValidationLabels = "validation_labels"
)

// Roles of the file sources: csv keeps each split's labels in a column,
// npy and idx in a file of their own.
var (
	csvRoles   = []string{RoleTrain, RoleTest, RoleValidation}
	csvNeeds   = []string{RoleTrain, RoleTest}
	arrayRoles = []string{RoleTrain, RoleTrainLabels, RoleTest, RoleTestLabels, RoleValidation, RoleValidationLabels}
	arrayNeeds = []string{RoleTrain, RoleTrainLabels, RoleTest, RoleTestLabels}
)

// checkFileRequest checks r against what the file source src reads: no
// directory, known roles, the required ones present, validation given at
// most one way and a sane ValidationSplit. Recipes check the same things
// with their keys and lines (recipes' check); this is for Go callers.
func checkFileRequest(src Source, r Request) error {
	if r.Dir != "" {
		return fmt.Errorf("datasets: %s reads the files named in data.files, not a directory (--data or data.dir %s)", src.Name, r.Dir)
	}
	for _, role := range sortedRoles(r.Files) {
		if !slices.Contains(src.Roles, role) {
			return fmt.Errorf("datasets: %s: unknown file role %q; want one of %s", src.Name, role, strings.Join(src.Roles, ", "))
		}
		if r.Files[role] == "" {
			return fmt.Errorf("datasets: %s: file %s: empty path", src.Name, role)
		}
	}
	for _, role := range src.Required {
		if r.Files[role] == "" {
			return fmt.Errorf("datasets: %s: no %s file; it needs %s", src.Name, role, strings.Join(src.Required, ", "))
		}
	}
	if r.Files[RoleValidationLabels] != "" && r.Files[RoleValidation] == "" {
		return fmt.Errorf("datasets: %s: validation_labels without a validation file", src.Name)
	}
	if r.Files[RoleValidation] != "" && slices.Contains(src.Roles, RoleValidationLabels) && r.Files[RoleValidationLabels] == "" {
		return fmt.Errorf("datasets: %s: validation file without validation_labels", src.Name)
	}
	if !(r.ValidationSplit >= 0 && r.ValidationSplit < 1) {
		return fmt.Errorf("datasets: %s: validation split %v: want a fraction in [0, 1)", src.Name, r.ValidationSplit)
	}
	if r.ValidationSplit > 0 && r.Files[RoleValidation] != "" {
		return fmt.Errorf("datasets: %s: both a validation file and a validation split %v: give one", src.Name, r.ValidationSplit)
	}
	if r.Label != "" && !src.Label {
		return fmt.Errorf("datasets: %s has no label column: its labels are in files (%s)", src.Name, RoleTrainLabels)
	}
	return nil
}

func sortedRoles(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fileSplits finishes the splits of a file source from the sets it read
// (valid nil when no validation file was given): validation is cut from
// the end of train when not given, by frac, or by MNIST's rule (the last
// sixth, rounded down) when frac is 0, and must not come out empty; every
// split gets the classes of the training file's largest label plus one,
// and the names NAME/train, NAME/validation and NAME/test. A test or
// validation file's label beyond those classes is an error (see
// checkHeldOutLabels): r names the files, for the message.
func fileSplits(name string, r Request, train, valid, test *Set, frac float64) (*Splits, error) {
	if test.Dim() != train.Dim() || !slices.Equal(test.Shape, train.Shape) {
		return nil, fmt.Errorf("datasets: %s %s: test examples have shape %v, the training file's (%s) %v", name, r.Files[RoleTest], test.Shape, r.Files[RoleTrain], train.Shape)
	}
	if valid != nil && !slices.Equal(valid.Shape, train.Shape) {
		return nil, fmt.Errorf("datasets: %s %s: validation examples have shape %v, the training file's (%s) %v", name, r.Files[RoleValidation], valid.Shape, r.Files[RoleTrain], train.Shape)
	}
	classes := 0
	for _, l := range train.Labels {
		classes = max(classes, l+1)
	}
	if err := checkHeldOutLabels(name, r, classes, test, valid); err != nil {
		return nil, err
	}
	if valid == nil {
		n := train.Len()
		cut := n - n/6
		if frac > 0 {
			cut = n - int(math.Floor(frac*float64(n)))
		}
		if cut == n {
			// Training reports, checkpoints and stops on validation
			// scores: an empty split has none (they are NaN).
			rule := "the last sixth, rounded down"
			if frac > 0 {
				rule = fmt.Sprintf("validation_split %v, rounded down", frac)
			}
			return nil, fmt.Errorf("datasets: %s: %s leave no validation example (%s); give more examples, a larger validation_split, or a validation file", name, plural.Count(n, "training example"), rule)
		}
		train, valid = train.Slice(0, cut), train.Slice(cut, n)
	}
	if train.Len() == 0 {
		return nil, fmt.Errorf("datasets: %s: no training examples left after taking the validation split", name)
	}
	if classes < 2 {
		return nil, fmt.Errorf("datasets: %s: every training label is 0; classes are numbered 0, 1, … and a classifier needs at least two", name)
	}
	s := &Splits{Train: train, Validation: valid, Test: test}
	for i, set := range []*Set{train, valid, test} {
		set.Name = name + "/" + []string{"train", "validation", "test"}[i]
		set.Classes = classes
		if err := set.Validate(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkLabel reports whether l may be a class label: 0 ≤ l < MaxClasses.
func checkLabel(l int64) error {
	switch {
	case l < 0:
		return fmt.Errorf("label %d is negative (classes are numbered 0, 1, …)", l)
	case l >= MaxClasses:
		return fmt.Errorf("label %d is beyond the limit of %d classes (MaxClasses)", l, MaxClasses)
	}
	return nil
}

// checkHeldOutLabels reports the first label of the test set, then of the
// validation file's set (valid, nil when validation is cut from the
// training file), that is not below classes, the training file's largest
// label plus one. Why: the classes come from the data, so one stray label
// of 9 in a test file of a three-class problem used to make a ten-class
// model, six of whose classes no example had, and the run said nothing. A
// class no training example has can never be learnt; a test file that holds
// one is labelled another way, or belongs to other data.
func checkHeldOutLabels(name string, r Request, classes int, test, valid *Set) error {
	for _, h := range []struct {
		role, labels string
		set          *Set
	}{{RoleTest, RoleTestLabels, test}, {RoleValidation, RoleValidationLabels, valid}} {
		if h.set == nil {
			continue
		}
		file := r.Files[h.labels]
		if file == "" { // csv: the labels are a column of the file
			file = r.Files[h.role]
		}
		for i, l := range h.set.Labels {
			if l >= classes {
				return fmt.Errorf("datasets: %s %s: example %d has label %d, a class no training example has (the training labels go up to %d, in %s): a model could never learn it; label the %s file as the training file is",
					name, file, i, l, classes-1, trainLabelsFile(r), h.role)
			}
		}
	}
	return nil
}

// trainLabelsFile is the file holding the training labels.
func trainLabelsFile(r Request) string {
	if f := r.Files[RoleTrainLabels]; f != "" {
		return f
	}
	return r.Files[RoleTrain]
}
