package images

import (
	"image/color"
	"math"
	"testing"
)

func TestScatter(t *testing.T) {
	x := []float64{0, 1, 2, 3, math.NaN()}
	y := []float64{0, 1, 0, 1, 2}
	classes := []int{0, 0, 3, 3, 1}
	img, err := Scatter(x, y, classes, "codes", "z₁", "z₂", 200)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 200 {
		t.Fatalf("%v, want 200×200", b)
	}
	// Each class's colour is drawn (its dots and its legend entry).
	found := map[color.RGBA]bool{}
	b := img.Bounds()
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			r, g, bl, _ := img.At(px, py).RGBA()
			found[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}] = true
		}
	}
	for _, k := range []int{0, 3} {
		if !found[ClassColor(k)] {
			t.Errorf("no pixel of class %d's colour %v", k, ClassColor(k))
		}
	}
	if found[ClassColor(1)] {
		t.Error("class 1, whose one point is not finite, was drawn")
	}
	if _, err := Scatter(x, y[:2], classes, "", "", "", 200); err == nil {
		t.Error("no error for 5 x and 2 y")
	}
	if _, err := Scatter(x, y, classes, "", "", "", 10); err == nil {
		t.Error("no error for a 10-pixel picture")
	}
}
