package datasets

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLoadIDXLikeMNISTDir reads MNIST-like files (of 16×12 pictures) both
// ways: the idx source must give MNISTDir's pixels, labels and split.
func TestLoadIDXLikeMNISTDir(t *testing.T) {
	f := synthMNIST(30, 7, 16, 12)
	var files []mnistFile
	for i, b := range f {
		files = append(files, mnistFile{name: mnistBases[i], data: b})
	}
	dir := writeMNIST(t, files)
	want, err := MNISTDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadIDX(Request{Files: map[string]string{
		"train": filepath.Join(dir, mnistTrainImages), "train_labels": filepath.Join(dir, mnistTrainLabels),
		"test": filepath.Join(dir, mnistTestImages), "test_labels": filepath.Join(dir, mnistTestLabels),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, pair := range [][2]*Set{{got.Train, want.Train}, {got.Validation, want.Validation}, {got.Test, want.Test}} {
		g, w := pair[0], pair[1]
		if !slices.Equal(g.X, w.X) || !slices.Equal(g.Labels, w.Labels) || !slices.Equal(g.Shape, []int{16, 12}) {
			t.Errorf("split %d: %s differs from %s", i, g.Name, w.Name)
		}
		if g.Classes != 10 {
			t.Errorf("%s: %d classes, want 10 (labels 0 to 9)", g.Name, g.Classes)
		}
	}
}

func TestLoadIDXAnyClasses(t *testing.T) {
	p := writeNPY(t, map[string][]byte{
		"x":    idxBytes(0x0D, []uint32{3, 2}, be(float32(1), float32(-2), float32(3), float32(4), float32(5), float32(6))),
		"y":    idxBytes(0x0B, []uint32{3}, be(int16(0), int16(41), int16(7))),
		"x1d":  idxBytes(0x08, []uint32{3}, []byte{1, 2, 3}),
		"yf":   idxBytes(0x0D, []uint32{3}, be(float32(0), float32(1), float32(2))),
		"yneg": idxBytes(0x09, []uint32{3}, []byte{0, 0xff, 1}),
	})
	files := func(kv ...string) map[string]string {
		m := map[string]string{"train": p["x"], "train_labels": p["y"], "test": p["x"], "test_labels": p["y"]}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = p[kv[i+1]]
		}
		return m
	}
	s, err := LoadIDX(Request{Files: files(), ValidationSplit: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Classes != 42 || s.Train.Len() != 2 || s.Validation.Len() != 1 || !slices.Equal(s.Test.X, []float32{1, -2, 3, 4, 5, 6}) {
		t.Errorf("classes %d, sizes %d/%d, test %v", s.Train.Classes, s.Train.Len(), s.Validation.Len(), s.Test.X)
	}
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"float labels", files("train_labels", "yf"), `datasets: idx X/yf: labels of type 0x0d; want integers (0x08 unsigned byte, 0x09, 0x0B or 0x0C)`},
		{"negative label", files("test_labels", "yneg"), `datasets: idx X/yneg: example 1: label -1 is negative (classes are numbered 0, 1, …)`},
		{"2-D labels", files("test_labels", "x"), `datasets: idx X/x: labels of 2 dimensions [3 2]; want one integer per example, 1-D`},
		{"other shape", files("test", "x1d"), `datasets: idx X/x1d: test examples have shape [1], the training file's (X/x) [2]`},
		{"empty path", files("train", "missing"), `datasets: idx: file train: empty path`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadIDX(Request{Files: tt.files})
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.ReplaceAll(err.Error(), filepath.Dir(p["x"]), "X"); got != tt.want {
				t.Errorf("error\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
