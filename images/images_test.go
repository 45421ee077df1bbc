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
