package recipes

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
)

// resolvePaths makes the recipe's paths absolute (data.files, data.dir,
// init.from), so the recipe as run (recipe.yaml in the run directory) finds
// its data and weights from anywhere. A path the recipe's text gives is
// relative to base (the recipe file's directory, or the working directory
// when base is ""); one a --set gives is relative to the working directory,
// where it was typed.
func (d *doc) resolvePaths(r *Recipe, base string) error {
	for _, role := range sortedKeys(r.Data.Files) {
		p, err := d.absPath("data.files."+role, r.Data.Files[role], base)
		if err != nil {
			return err
		}
		r.Data.Files[role] = p
	}
	p, err := d.absPath("data.dir", r.Data.Dir, base)
	if err != nil {
		return err
	}
	r.Data.Dir = p
	if r.Init != nil {
		init := *r.Init
		if init.From, err = d.absPath("init.from", init.From, base); err != nil {
			return err
		}
		r.Init = &init
	}
	return nil
}

// absPath returns the path p given at key, absolute; see resolvePaths.
func (d *doc) absPath(key, p, base string) (string, error) {
	if strings.TrimSpace(p) == "" || strings.ContainsRune(p, 0) || filepath.IsAbs(p) {
		return p, nil // an empty path or a NUL is the check's to refuse
	}
	if d.fromCommandLine(key) {
		base = ""
	}
	abs, err := filepath.Abs(filepath.Join(base, p))
	if err != nil {
		return "", d.errorf(key, "%v", err)
	}
	return abs, nil
}

// given reports whether key is in the recipe's text or set by --set.
func (d *doc) given(key string) bool {
	_, ok := d.set[key]
	return ok || d.line(key) > 0
}

// fromCommandLine reports whether key's value was given by --set.
func (d *doc) fromCommandLine(key string) bool {
	for k := key; k != ""; k = parent(k) {
		if s, ok := d.set[k]; ok {
			return strings.HasPrefix(s, "--set ")
		}
	}
	return false
}

// checkData checks data's keys against the data set src it names.
func (d *doc) checkData(data Data, src datasets.Source) error {
	for _, k := range []struct {
		key string
		v   int
	}{{"data.train", data.Train}, {"data.validation", data.Validation}, {"data.test", data.Test}} {
		if k.v < 0 {
			return d.errorf(k.key, "must be ≥ 0 (0 keeps every example), got %d", k.v)
		}
	}
	if src.Classes > 0 { // else checked once the data is loaded
		for i, c := range data.Positive {
			if c < 0 || c >= src.Classes {
				return d.errorf(fmt.Sprintf("data.positive.%d", i), "%s has classes 0 to %d, got %d", src.Name, src.Classes-1, c)
			}
		}
	} else {
		for i, c := range data.Positive {
			if c < 0 {
				return d.errorf(fmt.Sprintf("data.positive.%d", i), "classes are numbered 0, 1, …, got %d", c)
			}
		}
	}
	fileSources := fileSourceNames()
	if src.Roles == nil {
		filesKey := "data.files"
		if roles := sortedKeys(data.Files); len(roles) > 0 {
			filesKey += "." + roles[0] // where a --set gave it
		}
		for _, k := range []struct {
			key string
			set bool
		}{{filesKey, len(data.Files) > 0}, {"data.label", data.Label != ""}, {"data.validation_split", data.ValidationSplit != 0}} {
			if k.set {
				return d.errorf(k.key, "%s has its own files and split; %s is for the data sets read from your files (%s)", src.Name, parentOrSelf(k.key), strings.Join(fileSources, ", "))
			}
		}
		return nil
	}
	if data.Dir != "" {
		return d.errorf("data.dir", "%s reads the files named in data.files, not a directory", src.Name)
	}
	for _, role := range sortedKeys(data.Files) {
		key := "data.files." + role
		if src.Label && strings.HasSuffix(role, "_labels") {
			return d.errorf(key, "%s has no label files: its labels are the column data.label names", src.Name)
		}
		if !slices.Contains(src.Roles, role) {
			return d.errorf(key, "%s has no file %q; want %s%s", src.Name, role, strings.Join(src.Roles, ", "), didYouMean(role, src.Roles))
		}
		if data.Files[role] == "" {
			return d.errorf(key, "missing: want the path of the %s file", role)
		}
	}
	var missing []string
	for _, role := range src.Required {
		if data.Files[role] == "" {
			missing = append(missing, role)
		}
	}
	if len(missing) > 0 {
		return d.errorf("data.files", "%s needs files %s; missing %s", src.Name, strings.Join(src.Required, ", "), strings.Join(missing, ", "))
	}
	hasLabels := slices.Contains(src.Roles, datasets.RoleValidationLabels)
	if v, l := data.Files[datasets.RoleValidation], data.Files[datasets.RoleValidationLabels]; hasLabels && (v == "") != (l == "") {
		return d.errorf("data.files", "give validation and validation_labels together, or neither")
	}
	if s := data.ValidationSplit; !(s >= 0 && s < 1) {
		return d.errorf("data.validation_split", "want a fraction in (0, 1) of the training examples, got %v", s)
	}
	if data.ValidationSplit == 0 && d.given("data.validation_split") && data.Files[datasets.RoleValidation] == "" {
		// 0 is also the value of the absent key, which means the last
		// sixth: taken as given it would silently keep 1/6 aside. (Beside
		// a validation file, --set data.validation_split=0 clears the
		// recipe's split.)
		return d.errorf("data.validation_split", "want a fraction in (0, 1) of the training examples, got 0; training needs validation examples: leave the key out for the last sixth, or give files.validation")
	}
	if data.ValidationSplit > 0 && data.Files[datasets.RoleValidation] != "" {
		return d.errorf("data.validation_split", "data.files.validation is given too: validation comes from one of them")
	}
	switch {
	case src.Label && data.Label == "":
		return d.errorf("data.label", "missing: name the column holding the classes")
	case !src.Label && data.Label != "":
		return d.errorf("data.label", "%s has no label column: its labels are in files (train_labels, test_labels)", src.Name)
	}
	return nil
}

// fileSourceNames lists the data sets read from the user's files.
func fileSourceNames() []string {
	var names []string
	for _, n := range datasets.Names() {
		if s, _ := datasets.Lookup(n); s.Roles != nil {
			names = append(names, n)
		}
	}
	return names
}

// parentOrSelf shortens data.files.ROLE to data.files.
func parentOrSelf(key string) string {
	if strings.HasPrefix(key, "data.files.") {
		return "data.files"
	}
	return key
}
