package images

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestGrid(t *testing.T) {
	// Two rows: one of two 2×3 images, one of one image.
	a := []float32{0, 0.5, 1, -1, 2, 0.25}
	rows := [][][]float32{{a, a}, {a}}
	img, err := Grid(rows, 2, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Each cell is 2·2+1 wide and 3·2+1 high, plus the closing border.
	if b := img.Bounds(); b.Dx() != 2*5+1 || b.Dy() != 2*7+1 {
		t.Fatalf("grid is %v", b)
	}
	// Pixel (x, y) of the first image sits at 1+2x, 1+2y; values clip to
	// [0, 1].
	for i, want := range []uint8{0, 128, 255, 0, 255, 64} {
		x, y := i%2, i/2
		for _, d := range [][2]int{{0, 0}, {1, 1}} {
			if got := img.GrayAt(1+2*x+d[0], 1+2*y+d[1]).Y; got != want {
				t.Errorf("pixel %d: grey %d, want %d", i, got, want)
			}
		}
	}
	if got := img.GrayAt(0, 0).Y; got != border {
		t.Errorf("border grey %d", got)
	}
	// The missing cell of the short row stays border grey.
	if got := img.GrayAt(6, 8).Y; got != border {
		t.Errorf("empty cell grey %d", got)
	}
	if _, err := Grid([][][]float32{{{1, 2}}}, 2, 3, 1); err == nil {
		t.Error("an image of the wrong size was accepted")
	}
}

func TestFilters(t *testing.T) {
	// A [4, 3] layer (2×2 tiles): unit j's weights are column j.
	w := []float64{
		0, 1, 5,
		1, 1, 5,
		2, 1, 5,
		4, 1, 6,
	}
	img, err := Filters(w, 4, 3, 2, 2, 0, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2*3+1 || b.Dy() != 2*3+1 {
		t.Fatalf("tiles: %v", b)
	}
	// Unit 0 scales to its own range: 0, ¼, ½, 1.
	for i, want := range []uint8{0, 64, 128, 255} {
		if got := img.GrayAt(1+i%2, 1+i/2).Y; got != want {
			t.Errorf("unit 0 pixel %d: grey %d, want %d", i, got, want)
		}
	}
	// A constant unit is black, not NaN.
	if got := img.GrayAt(4, 1).Y; got != 0 {
		t.Errorf("constant unit grey %d", got)
	}
	if _, err := Filters(w, 4, 3, 3, 2, 0, 2, 1); err == nil {
		t.Error("4 inputs drawn as 3×2 tiles")
	}
}

func TestWritePNG(t *testing.T) {
	img, _ := Grid([][][]float32{{{0.5}}}, 1, 1, 1)
	path := filepath.Join(t.TempDir(), "x.png")
	if err := WritePNG(path, img); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if back.Bounds() != img.Bounds() {
		t.Errorf("decoded %v, wrote %v", back.Bounds(), img.Bounds())
	}
}

// TestLabelledGrid: the grid is Grid's, pixel for pixel, right of a white
// label column; each label's ink lies within its own row's band, and an
// empty label draws none.
func TestLabelledGrid(t *testing.T) {
	a := make([]float32, 28*28)
	for i := range a {
		a[i] = float32(i%28) / 27
	}
	rows := [][][]float32{{a, a}, {a, a}, {a}}
	labels := []string{"original", "", "reconstruction"}
	img, err := LabelledGrid(rows, labels, 28, 28, 2)
	if err != nil {
		t.Fatal(err)
	}
	grid, err := Grid(rows, 28, 28, 2)
	if err != nil {
		t.Fatal(err)
	}
	left := img.Bounds().Dx() - grid.Bounds().Dx()
	if want := 7*len("reconstruction") + 2*labelPad; left != want || img.Bounds().Dy() != grid.Bounds().Dy() {
		t.Fatalf("labelled grid %v, grid %v: want a label column of %d pixels", img.Bounds(), grid.Bounds(), want)
	}
	for y := range grid.Bounds().Dy() {
		for x := range grid.Bounds().Dx() {
			if img.GrayAt(left+x, y) != grid.GrayAt(x, y) {
				t.Fatalf("pixel (%d, %d) of the grid differs", x, y)
			}
		}
	}
	// Dark pixels of the label column, by the row band they lie in.
	ch := 28*2 + 1
	ink := make([]int, len(rows)+1)
	for y := range img.Bounds().Dy() {
		for x := range left {
			if img.GrayAt(x, y).Y != 255 {
				ink[y/ch]++
			}
		}
	}
	for i, l := range labels {
		if (ink[i] > 0) != (l != "") {
			t.Errorf("row %d, label %q: %d dark pixels in its band", i, l, ink[i])
		}
	}
	if _, err := LabelledGrid(rows, []string{"a", "b", "c", "d"}, 28, 28, 2); err == nil {
		t.Error("4 labels for 3 rows were accepted")
	}
	if plain, err := LabelledGrid(rows, nil, 28, 28, 2); err != nil || plain.Bounds() != grid.Bounds() {
		t.Errorf("no labels: %v, %v; want Grid's %v", plain.Bounds(), err, grid.Bounds())
	}
}
