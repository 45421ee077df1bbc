package datasets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMNIST(t *testing.T) {
	s, err := MNIST()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		set   *Set
		name  string
		n     int
		first int // label of the first example
	}{
		{s.Train, "mnist/train", 50000, 5},
		{s.Validation, "mnist/validation", 10000, 3},
		{s.Test, "mnist/test", 10000, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := tc.set
			if set.Name != tc.name {
				t.Errorf("Name = %q, want %q", set.Name, tc.name)
			}
			if set.Len() != tc.n || len(set.Labels) != tc.n {
				t.Errorf("Len() = %d with %d labels, want %d", set.Len(), len(set.Labels), tc.n)
			}
			if set.Dim() != 784 || !slices.Equal(set.Shape, []int{28, 28}) || set.Classes != 10 {
				t.Errorf("Dim %d Shape %v Classes %d, want 784 [28 28] 10", set.Dim(), set.Shape, set.Classes)
			}
			if err := set.Validate(); err != nil {
				t.Error(err)
			}
			if set.Labels[0] != tc.first {
				t.Errorf("first label %d, want %d", set.Labels[0], tc.first)
			}
			lo, hi := slices.Min(set.X), slices.Max(set.X)
			if lo != 0 || hi != 1 {
				t.Errorf("pixels in [%v, %v], want exactly [0, 1]", lo, hi)
			}
			var hist [10]int
			for _, l := range set.Labels {
				hist[l]++
			}
			sum := 0
			for d, c := range hist {
				// Every digit is common in every part of MNIST; a
				// mangled label file would show as a lopsided count.
				if c < tc.n/20 {
					t.Errorf("digit %d appears %d times in %d", d, c, tc.n)
				}
				sum += c
			}
			if sum != tc.n {
				t.Errorf("histogram sums to %d, want %d", sum, tc.n)
			}
		})
	}

	// Validation must be the training file's tail, not a copy of its head.
	if &s.Train.X[0] == &s.Validation.X[0] {
		t.Error("Train and Validation start at the same pixel")
	}
	// Known pixels: row 5 of the first training image (a 5) starts its
	// ink with bytes 3, 18 at columns 12, 13, and row 5 hits 255 at column 21.
	for _, px := range []struct{ r, c, b int }{{5, 12, 3}, {5, 13, 18}, {5, 21, 255}, {5, 11, 0}} {
		if got, want := s.Train.Row(0)[px.r*28+px.c], float32(px.b)/255; got != want {
			t.Errorf("train[0] pixel (%d,%d) = %v, want %v", px.r, px.c, got, want)
		}
	}
	if s.Train.Row(0)[0] != 0 {
		t.Errorf("train[0] pixel (0,0) = %v, want 0", s.Train.Row(0)[0])
	}
}

func TestCheckSHA256(t *testing.T) {
	data, err := mnistFiles.ReadFile("mnist/" + mnistTestLabels + ".gz")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSHA256("t10k-labels-idx1-ubyte.gz", data, mnistTestLabelsSHA256); err != nil {
		t.Fatalf("intact file rejected: %v", err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"flipped bit", func() []byte { d := slices.Clone(data); d[len(d)/2] ^= 1; return d }()},
		{"truncated", data[:len(data)-1]},
		{"extended", append(slices.Clone(data), 0)},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkSHA256("t10k-labels-idx1-ubyte.gz", tc.data, mnistTestLabelsSHA256)
			if err == nil {
				t.Fatal("modified file accepted")
			}
			for _, want := range []string{"datasets: mnist: t10k-labels-idx1-ubyte.gz: sha256 ", mnistTestLabelsSHA256} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// mnistFile is one synthetic MNIST file for MNISTDir tests.
type mnistFile struct {
	name string
	data []byte
}

// synthMNIST builds the four files with nTrain training and nTest test
// images of rows×cols pixels; pixel j of image i is byte(i+j) and image i's
// label is i mod 10.
func synthMNIST(nTrain, nTest, rows, cols int) [4][]byte {
	images := func(n int) []byte {
		px := make([]byte, n*rows*cols)
		for i := 0; i < n; i++ {
			for j := 0; j < rows*cols; j++ {
				px[i*rows*cols+j] = byte(i + j)
			}
		}
		return idxBytes(0x08, []uint32{uint32(n), uint32(rows), uint32(cols)}, px)
	}
	labels := func(n int) []byte {
		l := make([]byte, n)
		for i := range l {
			l[i] = byte(i % 10)
		}
		return idxBytes(0x08, []uint32{uint32(n)}, l)
	}
	return [4][]byte{images(nTrain), labels(nTrain), images(nTest), labels(nTest)}
}

// writeMNIST writes files into a new temporary directory and returns it.
func writeMNIST(t *testing.T, files []mnistFile) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var mnistBases = [4]string{mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels}

func TestMNISTDir(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		nTrain, nTest, rows, cols int
		naming                    func(base string) string
		gz                        bool
		wantTrain, wantValidation int
	}{
		{"plain", 12, 4, 3, 2, func(b string) string { return b }, false, 10, 2},
		{"gzip", 12, 4, 3, 2, func(b string) string { return b + ".gz" }, true, 10, 2},
		{"dotted", 13, 3, 2, 2, func(b string) string { return strings.Replace(b, "-idx", ".idx", 1) }, false, 11, 2},
		{"dotted gzip", 7, 1, 1, 5, func(b string) string { return strings.Replace(b, "-idx", ".idx", 1) + ".gz" }, true, 6, 1},
		{"too small to split", 5, 2, 2, 2, func(b string) string { return b }, false, 5, 0},
		{"standard split", 60000, 10, 1, 1, func(b string) string { return b + ".gz" }, true, 50000, 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := synthMNIST(tc.nTrain, tc.nTest, tc.rows, tc.cols)
			var files []mnistFile
			for i, base := range mnistBases {
				d := data[i]
				if tc.gz {
					d = gzipBytes(t, d)
				}
				files = append(files, mnistFile{tc.naming(base), d})
			}
			s, err := MNISTDir(writeMNIST(t, files))
			if err != nil {
				t.Fatal(err)
			}
			check := func(set *Set, name string, n, offset int) {
				t.Helper()
				if set.Name != name || set.Len() != n || set.Classes != 10 || !slices.Equal(set.Shape, []int{tc.rows, tc.cols}) {
					t.Errorf("%s: got %q Len %d Classes %d Shape %v, want %d examples of %dx%d",
						name, set.Name, set.Len(), set.Classes, set.Shape, n, tc.rows, tc.cols)
					return
				}
				if err := set.Validate(); err != nil {
					t.Error(err)
				}
				for i := 0; i < n; i++ {
					src := offset + i
					if set.Labels[i] != src%10 {
						t.Fatalf("%s: label %d = %d, want %d", name, i, set.Labels[i], src%10)
					}
					for j, v := range set.Row(i) {
						if want := float32(byte(src+j)) / 255; v != want {
							t.Fatalf("%s: example %d feature %d = %v, want %v", name, i, j, v, want)
						}
					}
				}
			}
			check(s.Train, "mnist/train", tc.wantTrain, 0)
			check(s.Validation, "mnist/validation", tc.wantValidation, tc.wantTrain)
			check(s.Test, "mnist/test", tc.nTest, 0)
		})
	}
}

func TestMNISTDirErrors(t *testing.T) {
	good := synthMNIST(12, 4, 2, 2)
	named := func(data [4][]byte) []mnistFile {
		var files []mnistFile
		for i, base := range mnistBases {
			files = append(files, mnistFile{base, data[i]})
		}
		return files
	}
	replace := func(i int, d []byte) []mnistFile {
		data := good
		data[i] = d
		return named(data)
	}
	fewer := synthMNIST(11, 3, 2, 2)
	wider := synthMNIST(12, 4, 2, 3)

	for _, tc := range []struct {
		name  string
		files []mnistFile
		want  []string // substrings of the error
		is    error
	}{
		{"missing", named(good)[:3], []string{
			"has none of t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz",
		}, fs.ErrNotExist},
		{"train count mismatch", replace(1, fewer[1]), []string{
			"datasets: mnist: train-images-idx3-ubyte has 12 images but train-labels-idx1-ubyte has 11 labels",
		}, nil},
		{"test count mismatch", replace(3, fewer[3]), []string{
			"datasets: mnist: t10k-images-idx3-ubyte has 4 images but t10k-labels-idx1-ubyte has 3 labels",
		}, nil},
		{"image size mismatch", replace(2, wider[2]), []string{
			"train-images-idx3-ubyte has 2x2 images but t10k-images-idx3-ubyte has 2x3",
		}, nil},
		{"label not a digit", replace(1, idxBytes(0x08, []uint32{12}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0})), []string{
			"train-labels-idx1-ubyte: label 10 of example 10 is not a digit",
		}, nil},
		{"images 2-D", replace(0, idxBytes(0x08, []uint32{12, 4}, make([]byte, 48))), []string{
			"train-images-idx3-ubyte: want 3-D unsigned byte images, got 2-D of type 0x08",
		}, nil},
		{"labels int32", replace(3, idxBytes(0x0C, []uint32{4}, make([]byte, 16))), []string{
			"t10k-labels-idx1-ubyte: want 1-D unsigned byte labels, got 1-D of type 0x0c",
		}, nil},
		{"corrupt file", replace(0, []byte{0, 0, 8}), []string{
			"train-images-idx3-ubyte: idx: truncated header",
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeMNIST(t, tc.files)
			s, err := MNISTDir(dir)
			if err == nil {
				t.Fatalf("MNISTDir succeeded with %+v", s)
			}
			if !strings.HasPrefix(err.Error(), "datasets: ") {
				t.Errorf("error %q lacks the datasets: prefix", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.name == "missing" && !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the directory %s", err, dir)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
		})
	}
}
