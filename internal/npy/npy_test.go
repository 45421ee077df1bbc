package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

func TestWriteRead(t *testing.T) {
	for _, shape := range [][]int{{2, 3}, {4}, {0, 5}, {2, 2, 2}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(i) - 1.5
		}
		var b bytes.Buffer
		if err := Write(&b, data, shape...); err != nil {
			t.Fatal(err)
		}
		raw := b.Bytes()
		hlen := int(binary.LittleEndian.Uint16(raw[8:10]))
		if string(raw[:8]) != "\x93NUMPY\x01\x00" || (10+hlen)%64 != 0 || raw[10+hlen-1] != '\n' || len(raw) != 10+hlen+4*n {
			t.Errorf("shape %v: bad layout, header %q", shape, raw[10:10+hlen])
		}
		got, gotShape, err := Read(bytes.NewReader(raw))
		if err != nil || !slices.Equal(got, data) || !slices.Equal(gotShape, shape) {
			t.Errorf("shape %v: read back %v %v, %v", shape, gotShape, got, err)
		}
	}
	if !strings.Contains(headerOf(t, []int{4}), "'shape': (4,)") {
		t.Errorf("a 1-d shape must be a Python 1-tuple: %s", headerOf(t, []int{4}))
	}
	if err := Write(io.Discard, []float32{1, 2, 3}, 2, 2); err == nil {
		t.Error("3 values written as 2×2")
	}
}

func headerOf(t *testing.T, shape []int) string {
	var b bytes.Buffer
	n := 1
	for _, d := range shape {
		n *= d
	}
	if err := Write(&b, make([]float32, n), shape...); err != nil {
		t.Fatal(err)
	}
	return b.String()[10 : 10+int(binary.LittleEndian.Uint16(b.Bytes()[8:10]))]
}

func TestReadErrors(t *testing.T) {
	var good bytes.Buffer
	Write(&good, []float32{1, 2, 3, 4}, 2, 2)
	raw := good.Bytes()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "unexpected EOF"},
		{"magic", []byte("PK\x03\x04rest of a zip"), "bad magic"},
		{"truncated data", raw[:len(raw)-2], "unexpected EOF"},
		{"truncated header", raw[:20], "unexpected EOF"},
		{"float64", bytes.Replace(raw, []byte("<f4"), []byte("<f8"), 1), "want descr '<f4'"},
		{"fortran", bytes.Replace(raw, []byte("False"), []byte("True "), 1), "fortran_order"},
		{"version", append([]byte("\x93NUMPY\x09\x00"), raw[8:]...), "version 9.0"},
	} {
		_, _, err := Read(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
		if c.want == "unexpected EOF" && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %v is not io.ErrUnexpectedEOF", c.name, err)
		}
	}
}

// TestNumPyReads checks with NumPy itself, where it is installed.
func TestNumPyReads(t *testing.T) {
	py := numpyPython()
	if py == "" {
		t.Skip("python3 with numpy is not installed")
	}
	path := filepath.Join(t.TempDir(), "a.npy")
	var b bytes.Buffer
	Write(&b, []float32{0.5, 1, 2, 4, 8, 16}, 2, 3)
	os.WriteFile(path, b.Bytes(), 0o644)
	out, err := exec.Command(py, "-c", "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, a.sum())", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "float32 (2, 3) 31.5" {
		t.Errorf("numpy read: %s %v", out, err)
	}
	// And Read reads what NumPy writes.
	saved := filepath.Join(t.TempDir(), "b.npy")
	if out, err := exec.Command(py, "-c", "import numpy, sys; numpy.save(sys.argv[1], numpy.arange(6, dtype='<f4').reshape(3, 2))", saved).CombinedOutput(); err != nil {
		t.Fatalf("numpy save: %s %v", out, err)
	}
	f, err := os.Open(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, shape, err := Read(f)
	if err != nil || !slices.Equal(shape, []int{3, 2}) || !slices.Equal(data, []float32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("reading numpy's file: %v %v, %v", shape, data, err)
	}
}

// numpyPython returns a Python that imports numpy (the one on PATH, else
// Debian's, whose python3-numpy package provides it), or "".
func numpyPython() string {
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		if py, err := exec.LookPath(name); err == nil && exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	return ""
}

// FuzzRead reads arbitrary bytes as a .npy file: an error or values that
// fill the shape, and never more allocation than readBudget.
func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	Write(&b, []float32{1, 2, 3, 4}, 2, 2)
	f.Add(b.Bytes())
	f.Add([]byte("\x93NUMPY\x02\x00\x00\x00\x10\x00{}"))
	f.Add([]byte("\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000), }   \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []float32
		var shape []int
		var err error
		// readBudget: the values grow by doubling (at most 2 × 4 bytes per
		// 4 input bytes), the header is read as it arrives, 16 bytes per
		// input byte and 64 KiB cover both and the rest; a header's claims
		// cost nothing.
		budget := 16*uint64(len(data)) + 64<<10
		if n := memory.Allocated(func() { got, shape, err = Read(bytes.NewReader(data)) }); n > budget {
			t.Fatalf("reading %d bytes allocated %d, more than the budget of %d (error %v)", len(data), n, budget, err)
		}
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if len(got) != n {
			t.Fatalf("%d values for shape %v", len(got), shape)
		}
	})
}
