//go:build unix

package main

import (
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// ownCSV is a CSV file of n examples of two features, labelled i mod
// classes, whose last label is last instead when last ≥ 0.
func ownCSV(n, classes, last int) string {
	var b strings.Builder
	b.WriteString("x1,x2,label\n")
	for i := range n {
		l := i % classes
		if i == n-1 && last >= 0 {
			l = last
		}
		fmt.Fprintf(&b, "%d,%d,%d\n", i, 2*i, l)
	}
	return b.String()
}

// npyFile is a version-1 .npy file of the given type and shape (numpy's
// spelling, "(2, 3)") holding data.
func npyFile(descr, shape string, data []byte) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	return append([]byte("\x93NUMPY\x01\x00"+string([]byte{byte(len(h)), byte(len(h) >> 8)})+h), data...)
}

// writeBytes writes data to path.
func writeBytes(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyMNISTShaped is tinyMNIST with pictures of h×w pixels.
func tinyMNISTShaped(t *testing.T, dir string, h, w int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	return tinyMNIST(t, dir, func(files map[string][]byte) {
		for name, n := range map[string]int{"train-images-idx3-ubyte": 120, "t10k-images-idx3-ubyte": 20} {
			px := make([]byte, n*h*w)
			for i := range px {
				px[i] = byte(r.IntN(256))
			}
			files[name] = idxFile([]uint32{uint32(n), uint32(h), uint32(w)}, px)
		}
	})
}

// TestPredictOtherSizes gives zoo predict pictures of sizes other than the
// model's, thin and tiny ones included: each is scaled to the model's
// input, as documented, and answered, never a crash.
func TestPredictOtherSizes(t *testing.T) {
	d := newFixture(t)
	for _, size := range [][2]int{{1, 1}, {1, 1000}, {1000, 1}, {3, 5}, {28, 28}, {56, 56}} {
		pic := d.dir + "/pic-" + strconv.Itoa(size[0]) + "x" + strconv.Itoa(size[1]) + ".png"
		writePicture(t, pic, image.NewGray(image.Rect(0, 0, size[0], size[1])))
		code, out, stderr := zoo(t, "predict", d.done, pic)
		if code != 0 || !strings.HasPrefix(out, pic+"  ") || stderr != "" {
			t.Errorf("%d×%d picture: exit %d\n%s%s", size[0], size[1], code, out, stderr)
		}
	}
}
