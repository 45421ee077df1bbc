package images

import "testing"

func TestConvFilters(t *testing.T) {
	// Two filters over two channels, 2×2: filter 1 is 0…7 in order, so its
	// tile (2 wide, 4 high: channel 0 above channel 1) reads 0…7 row by
	// row, scaled to 0…255.
	w := []float64{
		5, 5, 5, 5, 5, 5, 5, 5, // filter 0: constant
		0, 1, 2, 3, 4, 5, 6, 7, // filter 1
	}
	img, err := ConvFilters(w, 2, 2, 2, 0, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2*3+1 || b.Dy() != 4+2 {
		t.Fatalf("tiles: %v", b)
	}
	for i := range 8 {
		want := uint8(float64(i)/7*255 + 0.5)
		if got := img.GrayAt(4+i%2, 1+i/2).Y; got != want && got != want-1 {
			t.Errorf("filter 1 weight %d: grey %d, want %d", i, got, want)
		}
	}
	if got := img.GrayAt(1, 1).Y; got != 0 {
		t.Errorf("constant filter grey %d", got)
	}
	for name, c := range map[string]struct{ out, in, k int }{
		"too few weights": {2, 2, 3}, "no filter": {0, 2, 2}, "no channel": {2, 0, 2},
	} {
		if _, err := ConvFilters(w, c.out, c.in, c.k, 0, 2, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
