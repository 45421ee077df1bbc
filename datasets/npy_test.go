package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// npyBytes builds a version 1.0 .npy file with the given header dict and
// payload.
func npyBytes(dict string, data []byte) []byte {
	h := dict + strings.Repeat(" ", (64-(10+len(dict)+1)%64)%64) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	return append(append(b, h...), data...)
}

// le concatenates the little-endian encodings of vs.
func le(vs ...any) []byte {
	var b []byte
	for _, v := range vs {
		b, _ = binary.Append(b, binary.LittleEndian, v)
	}
	return b
}

func npyDict(descr string, fortran bool, shape string) string {
	f := "False"
	if fortran {
		f = "True"
	}
	return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, f, shape)
}

func TestReadNPY(t *testing.T) {
	for _, tt := range []struct {
		name  string
		file  []byte
		shape []int
		data  []byte
	}{
		{"float32 C order", npyBytes(npyDict("<f4", false, "(2, 3)"), le([]float32{1, 2, 3, 4, 5, 6})), []int{2, 3}, le([]float32{1, 2, 3, 4, 5, 6})},
		// Column-major [[1 2 3] [4 5 6]] is 1 4 2 5 3 6.
		{"float32 Fortran order", npyBytes(npyDict("<f4", true, "(2, 3)"), le([]float32{1, 4, 2, 5, 3, 6})), []int{2, 3}, le([]float32{1, 2, 3, 4, 5, 6})},
		{"3-D Fortran order", npyBytes(npyDict("|u1", true, "(2, 2, 2)"), []byte{0, 4, 2, 6, 1, 5, 3, 7}), []int{2, 2, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 7}},
		{"1-D, Python 2 longs, keys reordered", npyBytes("{'shape': (3L,), 'fortran_order': False, 'descr': '<i8'}", le([]int64{7, 8, 9})), []int{3}, le([]int64{7, 8, 9})},
		{"version 2.0", append(append([]byte("\x93NUMPY\x02\x00"), le(uint32(60))...), append([]byte(fmt.Sprintf("%-59s\n", npyDict("|u1", false, "(2,)"))), 5, 6)...), []int{2}, []byte{5, 6}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := readNPY(bytes.NewReader(tt.file), int64(len(tt.file)), memory.Of(memory.Cap))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Shape, tt.shape) || !bytes.Equal(a.Data, tt.data) {
				t.Errorf("shape %v data %v, want %v %v", a.Shape, a.Data, tt.shape, tt.data)
			}
		})
	}
}

func TestReadNPYErrors(t *testing.T) {
	f4 := func(shape string, data []byte) []byte { return npyBytes(npyDict("<f4", false, shape), data) }
	for _, tt := range []struct {
		name string
		file []byte
		want string
	}{
		{"not npy", []byte("PK\x03\x04 a zip file"), `not a .npy file: it does not start with \x93NUMPY`},
		{"tiny", []byte("\x93NU"), `not a .npy file: 3 bytes`},
		{"version", []byte("\x93NUMPY\x04\x00\x00\x00"), `format version 4.0; want 1.0, 2.0 or 3.0`},
		{"header beyond the file", []byte("\x93NUMPY\x01\x00\xff\x00{}"), `truncated header: 255 bytes claimed, the file has 2: unexpected EOF`},
		{"big-endian", npyBytes(npyDict(">f4", false, "(1,)"), le(float32(1))), `big-endian data (descr ">f4"); save it little-endian, e.g. numpy.save(f, a.astype(a.dtype.newbyteorder('<')))`},
		{"complex", npyBytes(npyDict("<c8", false, "(1,)"), make([]byte, 8)), `element type "<c8"; want float32 '<f4', float64 '<f8' or an integer such as '|u1' or '<i8'`},
		{"structured", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", make([]byte, 4)), `header "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }": descr is not a type string such as '<f4' (structured types are not read)`},
		{"no shape", npyBytes("{'descr': '<f4', 'fortran_order': False}", nil), `header "{'descr': '<f4', 'fortran_order': False}": no shape`},
		{"unknown key", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", nil), `header "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}": unknown key "x"`},
		{"scalar", f4("()", le(float32(1))), `a scalar (shape ()); want an array of examples`},
		{"zero dimension", f4("(0, 3)", nil), `shape [0 3]: dimension 0 is 0; want sizes ≥ 1`},
		// The header claims 4 GB: refused on the header alone.
		{"huge claim", f4("(1000000, 1000000)", make([]byte, 16)), `shape [1000000 1000000] of 4-byte elements exceeds the 2147483648-byte limit (MaxNPYBytes)`},
		{"shape vs size", f4("(100, 784)", make([]byte, 1000)), `truncated? the header's shape [100 784] of 4-byte elements is 313600 data bytes, the file has 1000`},
		{"trailing bytes", f4("(1,)", make([]byte, 8)), `the header's shape [1] of 4-byte elements is 4 data bytes, the file has 8`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readNPY(bytes.NewReader(tt.file), int64(len(tt.file)), memory.Of(memory.Cap))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestReadNPYFileTruncated(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.npy")
	if err := os.WriteFile(p, []byte("\x93NUMPY\x01\x00\x40\x00{'des"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadNPYFile(p)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "datasets: npy "+p+": ") {
		t.Errorf("error %v: want one naming %s, wrapping io.ErrUnexpectedEOF", err, p)
	}
}

// writeNPY writes .npy files into a new directory and returns their paths
// by name.
func writeNPY(t testing.TB, files map[string][]byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, b := range files {
		paths[name] = filepath.Join(dir, name)
		if err := os.WriteFile(paths[name], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

func TestLoadNPY(t *testing.T) {
	x := make([]byte, 12*2*3)
	for i := range x {
		x[i] = byte(i)
	}
	p := writeNPY(t, map[string][]byte{
		"x.npy":  npyBytes(npyDict("|u1", false, "(12, 2, 3)"), x),
		"y.npy":  npyBytes(npyDict("<i8", false, "(12,)"), le([]int64{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2})),
		"tx.npy": npyBytes(npyDict("|u1", false, "(2, 2, 3)"), make([]byte, 12)),
		"ty.npy": npyBytes(npyDict("|u1", false, "(2,)"), []byte{2, 0}),
		"t3.npy": npyBytes(npyDict("|u1", false, "(2,)"), []byte{0, 3}),
	})
	s, err := LoadNPY(Request{Files: map[string]string{"train": p["x.npy"], "train_labels": p["y.npy"], "test": p["tx.npy"], "test_labels": p["ty.npy"]}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 10 || s.Validation.Len() != 2 || s.Test.Len() != 2 {
		t.Errorf("sizes %d/%d/%d, want 10/2/2", s.Train.Len(), s.Validation.Len(), s.Test.Len())
	}
	for _, set := range []*Set{s.Train, s.Validation, s.Test} {
		if set.Classes != 3 || !slices.Equal(set.Shape, []int{2, 3}) {
			t.Errorf("%s: classes %d shape %v, want 3 [2 3]", set.Name, set.Classes, set.Shape)
		}
	}
	// Issue 18: a test label no training example has is refused, not a
	// silently wider model.
	_, err = LoadNPY(Request{Files: map[string]string{"train": p["x.npy"], "train_labels": p["y.npy"], "test": p["tx.npy"], "test_labels": p["t3.npy"]}})
	if want := "datasets: npy " + p["t3.npy"] + ": example 1 has label 3, a class no training example has (the training labels go up to 2, in " + p["y.npy"] + "): a model could never learn it; label the test file as the training file is"; err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
	// uint8 is scaled as MNIST's pixels: /255.
	if got := s.Validation.Row(0)[1]; got != float32(61)/255 {
		t.Errorf("validation value %v, want 61/255", got)
	}
}

func TestLoadNPYErrors(t *testing.T) {
	p := writeNPY(t, map[string][]byte{
		"x.npy":     npyBytes(npyDict("<f4", false, "(2, 2)"), le([]float32{1, 2, 3, 4})),
		"y.npy":     npyBytes(npyDict("<i4", false, "(2,)"), le([]int32{0, 1})),
		"y3.npy":    npyBytes(npyDict("<i4", false, "(3,)"), le([]int32{0, 1, 1})),
		"yneg.npy":  npyBytes(npyDict("<i2", false, "(2,)"), le([]int16{0, -2})),
		"yf.npy":    npyBytes(npyDict("<f4", false, "(2,)"), le([]float32{0, 1})),
		"y2d.npy":   npyBytes(npyDict("|u1", false, "(2, 1)"), []byte{0, 1}),
		"xnan.npy":  npyBytes(npyDict("<f4", false, "(2, 2)"), le([]float32{1, 2, float32(math.NaN()), 4})),
		"xint.npy":  npyBytes(npyDict("<i8", false, "(2, 2)"), make([]byte, 32)),
		"x3.npy":    npyBytes(npyDict("<f4", false, "(2, 3)"), make([]byte, 24)),
		"xu8.npy":   npyBytes(npyDict("|u1", false, "(2, 2)"), []byte{1, 2, 3, 4}),
		"xhuge.npy": npyBytes(npyDict("<f8", false, "(1, 1)"), le(1e300)),
	})
	files := func(kv ...string) map[string]string {
		m := map[string]string{"train": p["x.npy"], "train_labels": p["y.npy"], "test": p["x.npy"], "test_labels": p["y.npy"]}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = p[kv[i+1]]
		}
		return m
	}
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"count mismatch", files("test_labels", "y3.npy"), `datasets: X/x.npy has 2 examples but X/y3.npy has 3 labels`},
		{"negative label", files("train_labels", "yneg.npy"), `datasets: npy X/yneg.npy: example 1: label -2 is negative (classes are numbered 0, 1, …)`},
		{"float labels", files("train_labels", "yf.npy"), `datasets: npy X/yf.npy: labels of type "<f4"; want integers ('<i8', '|u1', …)`},
		{"2-D labels", files("train_labels", "y2d.npy"), `datasets: npy X/y2d.npy: labels of shape [2 1]; want one integer per example, shape [n]`},
		{"NaN feature", files("test", "xnan.npy"), `datasets: npy X/xnan.npy: value NaN at example 1 is not finite`},
		{"integer features", files("train", "xint.npy"), `datasets: npy X/xint.npy: features of type "<i8"; want float32 '<f4', float64 '<f8' or uint8 '|u1'`},
		{"float64 beyond float32", files("train", "xhuge.npy", "train_labels", "y.npy"), `datasets: npy X/xhuge.npy: value 1e+300 at example 0 is not a finite float32`},
		{"other width", files("test", "x3.npy"), `datasets: npy X/x3.npy: examples of shape [3], the training file's (X/x.npy) of shape [2]; every split's must have one shape`},
		{"bytes beside floats", files("validation", "xu8.npy", "validation_labels", "y.npy"), `datasets: npy X/xu8.npy: features of type uint8, the training file's (X/x.npy) of type float32; uint8 is scaled to [0, 1] by /255, other types are taken as they are, so give every split's features the same type`},
		{"no labels", map[string]string{"train": p["x.npy"], "test": p["x.npy"], "test_labels": p["y.npy"]}, `datasets: npy: no train_labels file; it needs train, train_labels, test, test_labels`},
		{"validation without labels", files("validation", "x.npy"), `datasets: npy: validation file without validation_labels`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadNPY(Request{Files: tt.files})
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.ReplaceAll(err.Error(), filepath.Dir(p["x.npy"]), "X"); got != tt.want {
				t.Errorf("error\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestReadNPYFileDirectory: a directory given for a .npy file says so
// (its size, 4096 bytes on most file systems, is no help).
func TestReadNPYFileDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadNPYFile(dir)
	if want := "datasets: npy: open " + dir + ": is a directory, not a file"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestLoadNPYFloatTypes: float32 and float64 splits go together (neither
// is scaled).
func TestLoadNPYFloatTypes(t *testing.T) {
	p := writeNPY(t, map[string][]byte{
		"x.npy":  npyBytes(npyDict("<f4", false, "(6, 2)"), le(make([]float32, 12))),
		"y.npy":  npyBytes(npyDict("<i4", false, "(6,)"), le([]int32{0, 1, 0, 1, 0, 1})),
		"x8.npy": npyBytes(npyDict("<f8", false, "(2, 2)"), le([]float64{1, 2, 3, 4})),
		"y2.npy": npyBytes(npyDict("<i4", false, "(2,)"), le([]int32{0, 1})),
	})
	if _, err := LoadNPY(Request{Files: map[string]string{"train": p["x.npy"], "train_labels": p["y.npy"], "test": p["x8.npy"], "test_labels": p["y2.npy"]}}); err != nil {
		t.Fatal(err)
	}
}

// FuzzReadNPY feeds arbitrary bytes to the .npy reader: it must never
// panic, and what it accepts must hold exactly the data its shape says. It
// may allocate at most 32 bytes per input byte (the payload's growth,
// a Fortran reordering, float32 features or int labels) and 1 MiB.
func FuzzReadNPY(f *testing.F) {
	f.Add(npyBytes(npyDict("<f4", false, "(2, 3)"), make([]byte, 24)))
	f.Add(npyBytes(npyDict("|u1", true, "(2, 2, 2)"), make([]byte, 8)))
	f.Add(npyBytes(npyDict("<i8", false, "(3,)"), make([]byte, 24)))
	f.Add(npyBytes(npyDict(">f8", false, "(1,)"), make([]byte, 8)))
	f.Add(npyBytes(npyDict("|u1", true, "(1000000, 1000)"), make([]byte, 1000))) // claims 1 GB
	f.Fuzz(func(t *testing.T, data []byte) {
		budget := 32*uint64(len(data)) + 1<<20
		if n := memory.Allocated(func() {
			a, err := readNPY(bytes.NewReader(data), int64(len(data)), memory.Of(memory.Cap))
			if err != nil {
				return
			}
			npyLabels(a)
			npyFeatures(a)
		}); n > budget {
			t.Fatalf("reading %d bytes allocated %d, more than the budget of %d", len(data), n, budget)
		}
		a, err := readNPY(bytes.NewReader(data), int64(len(data)), memory.Of(memory.Cap))
		if err != nil {
			return
		}
		n := int(a.Descr[2] - '0')
		for _, d := range a.Shape {
			n *= d
		}
		if n != len(a.Data) || len(a.Data) > len(data) {
			t.Fatalf("shape %v of %s holds %d bytes, read %d", a.Shape, a.Descr, n, len(a.Data))
		}
		if _, err := npyLabels(a); err == nil && len(a.Shape) != 1 {
			t.Fatalf("labels of shape %v accepted", a.Shape)
		}
		if s, err := npyFeatures(a); err == nil {
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestReadNPYWrittenByNumPy reads files numpy.save wrote (NumPy 1.24):
// C and Fortran order, a big-endian file (refused) and uint16 labels.
func TestReadNPYWrittenByNumPy(t *testing.T) {
	want := le([]float32{0, 1, 2, 3, 4, 5})
	for _, name := range []string{"fortran-f4.npy", "c-f8.npy"} {
		a, err := ReadNPYFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		s, err := npyFeatures(a)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Shape, []int{2, 3}) || !bytes.Equal(le(s.X), want) {
			t.Errorf("%s: shape %v values %v, want [2 3] 0…5", name, a.Shape, s.X)
		}
	}
	a, err := ReadNPYFile(filepath.Join("testdata", "labels-u2.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if l, err := npyLabels(a); err != nil || !slices.Equal(l, []int{3, 0}) {
		t.Errorf("labels %v, %v; want [3 0]", l, err)
	}
	_, err = ReadNPYFile(filepath.Join("testdata", "big-endian-f8.npy"))
	if err == nil || !strings.Contains(err.Error(), `big-endian data (descr ">f8")`) {
		t.Errorf("big-endian file: error %v", err)
	}
}
