package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// writeFiles writes name → content into a new directory and returns the
// paths by name.
func writeFiles(t testing.TB, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

func TestReadCSV(t *testing.T) {
	p := writeFiles(t, map[string]string{"a.csv": "\ufeffx1, label ,x2\n1,0,2.5\n\n-3e-1,2, 4 \r\n\"5\",1,6\n"})["a.csv"]
	s, err := ReadCSV(p, "label")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Shape, []int{2}) || s.Classes != 3 {
		t.Errorf("shape %v classes %d, want [2] 3", s.Shape, s.Classes)
	}
	if want := []float32{1, 2.5, -0.3, 4, 5, 6}; !slices.Equal(s.X, want) {
		t.Errorf("X = %v, want %v", s.X, want)
	}
	if want := []int{0, 2, 1}; !slices.Equal(s.Labels, want) {
		t.Errorf("labels = %v, want %v", s.Labels, want)
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}

func TestReadCSVErrors(t *testing.T) {
	long := "x,label\n" + strings.Repeat("1", MaxCSVLineBytes+1) + ",0\n"
	for _, tt := range []struct {
		name, content, want string
	}{
		{"empty", "", `datasets: csv F: empty file; want a header row naming the columns, then one row per example`},
		{"header only", "x,label\n", `datasets: csv F: a header and no rows; want one row per example`},
		{"no label column", "x,y\n1,2\n", `datasets: csv F line 1: no column named "label" (the label) in the header x,y`},
		{"only the label", "label\n1\n", `datasets: csv F line 1: the header names only the label column "label"; want at least one feature column`},
		{"duplicate column", "x,label,x\n1,0,2\n", `datasets: csv F line 1: columns 1 and 3 are both named "x"`},
		{"non-numeric", "x1,x2,label\n1,2,0\n3,abc,1\n", `datasets: csv F line 3 column "x2": cannot read "abc" as a number`},
		{"empty value", "x1,x2,label\n1,,0\n", `datasets: csv F line 2 column "x2": empty value; every feature needs a number`},
		{"NaN", "x1,x2,label\n1,NaN,0\n", `datasets: csv F line 2 column "x2": "NaN" is not a finite number`},
		{"Inf", "x1,x2,label\n-inf,1,0\n", `datasets: csv F line 2 column "x1": "-inf" is not a finite number`},
		{"beyond float32", "x1,x2,label\n1e39,1,0\n", `datasets: csv F line 2 column "x1": "1e39" is beyond float32's range`},
		{"too few columns", "x1,x2,label\n1,2,0\n1,2\n", `datasets: csv F line 3: 2 columns, the header has 3`},
		{"too many columns", "x1,x2,label\n1,2,0,4\n", `datasets: csv F line 2: 4 columns, the header has 3`},
		{"negative label", "x,label\n1,-1\n", `datasets: csv F line 2 column "label": label -1 is negative (classes are numbered 0, 1, …)`},
		{"fractional label", "x,label\n1,1.5\n", `datasets: csv F line 2 column "label": cannot read "1.5" as an integer class`},
		{"huge label", "x,label\n1,70000\n", `datasets: csv F line 2 column "label": label 70000 is beyond the limit of 65536 classes (MaxClasses)`},
		{"bare quote", "x,label\n1\"2,0\n", `datasets: csv F line 2 column 2: bare " in non-quoted-field`},
		{"line too long", long, `datasets: csv F line 2: longer than 1048576 bytes (MaxCSVLineBytes); is it a CSV file?`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFiles(t, map[string]string{"f.csv": tt.content})["f.csv"]
			_, err := ReadCSV(p, "label")
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.ReplaceAll(err.Error(), p, "F"); got != tt.want {
				t.Errorf("error\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLoadCSV(t *testing.T) {
	var train strings.Builder
	train.WriteString("a,b,label\n")
	for i := range 12 {
		train.WriteString(strings.Join([]string{strconv.Itoa(i), strconv.Itoa(2 * i), strconv.Itoa(i % 3)}, ",") + "\n")
	}
	p := writeFiles(t, map[string]string{
		"train.csv":  train.String(),
		"test.csv":   "a,b,label\n1,2,2\n",
		"test4.csv":  "a,b,label\n1,2,0\n3,4,4\n",
		"valid4.csv": "a,b,label\n7,8,0\n9,9,3\n",
		"valid.csv":  "a,b,label\n7,8,0\n9,9,1\n",
		"other.csv":  "b,a,label\n1,2,0\n",
	})
	for _, tt := range []struct {
		name             string
		files            map[string]string
		split            float64
		train, val, test int
	}{
		{"last sixth", map[string]string{"train": p["train.csv"], "test": p["test.csv"]}, 0, 10, 2, 1},
		{"split 0.25", map[string]string{"train": p["train.csv"], "test": p["test.csv"]}, 0.25, 9, 3, 1},
		{"validation file", map[string]string{"train": p["train.csv"], "test": p["test.csv"], "validation": p["valid.csv"]}, 0, 12, 2, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadCSV(Request{Files: tt.files, Label: "label", ValidationSplit: tt.split})
			if err != nil {
				t.Fatal(err)
			}
			if s.Train.Len() != tt.train || s.Validation.Len() != tt.val || s.Test.Len() != tt.test {
				t.Errorf("sizes %d/%d/%d, want %d/%d/%d", s.Train.Len(), s.Validation.Len(), s.Test.Len(), tt.train, tt.val, tt.test)
			}
			for i, set := range []*Set{s.Train, s.Validation, s.Test} {
				if want := "csv/" + []string{"train", "validation", "test"}[i]; set.Name != want {
					t.Errorf("name %q, want %q", set.Name, want)
				}
				// The training file's labels decide the classes of all.
				if set.Classes != 3 || !slices.Equal(set.Shape, []int{2}) {
					t.Errorf("%s: classes %d shape %v, want 3 [2]", set.Name, set.Classes, set.Shape)
				}
			}
			if got := s.Validation.Row(0); tt.name != "validation file" && got[0] != float32(tt.train) {
				t.Errorf("validation starts with %v, want the row after the training rows", got)
			}
		})
	}

	for _, tt := range []struct {
		name string
		r    Request
		want string
	}{
		{"header differs", Request{Files: map[string]string{"train": p["train.csv"], "test": p["other.csv"]}, Label: "label"},
			`datasets: csv ` + p["other.csv"] + ` line 1: header b,a,label differs from the training file's a,b,label (` + p["train.csv"] + `): the columns must be the same, in the same order`},
		// Issue 18: a stray label used to widen the model silently.
		{"test label beyond the training labels", Request{Files: map[string]string{"train": p["train.csv"], "test": p["test4.csv"]}, Label: "label"},
			`datasets: csv ` + p["test4.csv"] + `: example 1 has label 4, a class no training example has (the training labels go up to 2, in ` + p["train.csv"] + `): a model could never learn it; label the test file as the training file is`},
		{"validation label beyond the training labels", Request{Files: map[string]string{"train": p["train.csv"], "test": p["test.csv"], "validation": p["valid4.csv"]}, Label: "label"},
			`datasets: csv ` + p["valid4.csv"] + `: example 1 has label 3, a class no training example has (the training labels go up to 2, in ` + p["train.csv"] + `): a model could never learn it; label the validation file as the training file is`},
		{"no test", Request{Files: map[string]string{"train": p["train.csv"]}, Label: "label"}, `datasets: csv: no test file; it needs train, test`},
		{"unknown role", Request{Files: map[string]string{"train": p["train.csv"], "test": p["test.csv"], "train_labels": "y"}, Label: "label"},
			`datasets: csv: unknown file role "train_labels"; want one of train, test, validation`},
		{"no label", Request{Files: map[string]string{"train": p["train.csv"], "test": p["test.csv"]}}, `datasets: csv: no label column named (data.label)`},
		{"both validations", Request{Files: map[string]string{"train": p["train.csv"], "test": p["test.csv"], "validation": p["valid.csv"]}, Label: "label", ValidationSplit: 0.1},
			`datasets: csv: both a validation file and a validation split 0.1: give one`},
		{"split 1", Request{Files: map[string]string{"train": p["train.csv"], "test": p["test.csv"]}, Label: "label", ValidationSplit: 1},
			`datasets: csv: validation split 1: want a fraction in [0, 1)`},
		{"dir", Request{Dir: "/data", Files: map[string]string{"train": p["train.csv"], "test": p["test.csv"]}, Label: "label"},
			`datasets: csv reads the files named in data.files, not a directory (--data or data.dir /data)`},
		{"missing file", Request{Files: map[string]string{"train": p["train.csv"] + ".no", "test": p["test.csv"]}, Label: "label"},
			`datasets: csv: open ` + p["train.csv"] + `.no: no such file or directory`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCSV(tt.r)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestLoadCSVNoValidationLeft(t *testing.T) {
	p := writeFiles(t, map[string]string{"a.csv": "x,label\n1,0\n2,1\n3,0\n4,1\n5,0\n"})
	files := map[string]string{"train": p["a.csv"], "test": p["a.csv"]}
	for _, tt := range []struct {
		split float64
		want  string
	}{
		{0, "datasets: csv: 5 training examples leave no validation example (the last sixth, rounded down); give more examples, a larger validation_split, or a validation file"},
		{0.1, "datasets: csv: 5 training examples leave no validation example (validation_split 0.1, rounded down); give more examples, a larger validation_split, or a validation file"},
	} {
		_, err := LoadCSV(Request{Files: files, Label: "label", ValidationSplit: tt.split})
		if err == nil || err.Error() != tt.want {
			t.Errorf("split %v: error %v, want %s", tt.split, err, tt.want)
		}
	}
	if s, err := LoadCSV(Request{Files: files, Label: "label", ValidationSplit: 0.2}); err != nil || s.Validation.Len() != 1 {
		t.Errorf("split 0.2: %v", err)
	}
}

func TestLoadCSVOneClass(t *testing.T) {
	p := writeFiles(t, map[string]string{"a.csv": "x,label\n1,0\n2,0\n"})
	_, err := LoadCSV(Request{Files: map[string]string{"train": p["a.csv"], "test": p["a.csv"]}, Label: "label", ValidationSplit: 0.5})
	if want := "datasets: csv: every training label is 0; classes are numbered 0, 1, … and a classifier needs at least two"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// FuzzReadCSV feeds arbitrary text to the CSV reader: it must never panic,
// what it accepts must be a consistent labelled set, and it may allocate
// at most 64 bytes per input byte (a one-byte value costs the CSV reader a
// string header and the record's copy, then a float32 and a label, all in
// slices that grow by doubling) and 1 MiB.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("x1,x2,label\n1,2,0\n3,4,1\n"))
	f.Add([]byte("label,x\n\"1\",2.5e3\n"))
	f.Add([]byte("x,label\n1,2,3\n"))
	f.Add([]byte("\ufeffx,label\r\n1,0\r\n"))
	f.Add([]byte("a,label\n" + strings.Repeat("1,2\n", 10000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s *Set
		var header []string
		var err error
		budget := 64*uint64(len(data)) + 1<<20
		if n := memory.Allocated(func() { s, header, err = readCSV(bytes.NewReader(data), "fuzz.csv", "label") }); n > budget {
			t.Fatalf("reading %d bytes allocated %d, more than the budget of %d (error %v)", len(data), n, budget, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "datasets: csv fuzz.csv") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		s.Classes = MaxClasses
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted an invalid set: %v", err)
		}
		if s.Dim() != len(header)-1 || s.Len() == 0 {
			t.Fatalf("dim %d for header %q, %d rows", s.Dim(), header, s.Len())
		}
	})
}
