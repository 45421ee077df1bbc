package images

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// one draws a "1" as a user might: a black bar on white paper, 100 wide and
// 60 high, the bar 10 wide and 40 high.
func one() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 100, 60))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 10; y < 50; y++ {
		for x := 45; x < 55; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	return img
}

func meanOf(p []float32) float64 {
	s := 0.0
	for _, v := range p {
		s += float64(v)
	}
	return s / float64(len(p))
}

func TestConvertDarkOnLight(t *testing.T) {
	in, err := Convert(one(), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Width != 28 || in.Height != 28 || len(in.Pixels) != 28*28 || !in.Inverted {
		t.Fatalf("got %d×%d, %d values, inverted %v; want 28×28, inverted", in.Width, in.Height, len(in.Pixels), in.Inverted)
	}
	at := func(x, y int) float32 { return in.Pixels[y*28+x] }
	// The bar covers columns 12.6–15.4 and rows 4.7–23.3 of the result:
	// white inside, black outside, grey at its partly covered edges.
	for _, c := range []struct {
		x, y int
		want float32
	}{{0, 0, 0}, {27, 27, 0}, {13, 14, 1}, {14, 10, 1}, {5, 14, 0}, {13, 26, 0}} {
		if got := at(c.x, c.y); got != c.want {
			t.Errorf("pixel (%d, %d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	if got := at(12, 14); !(got > 0.3 && got < 0.5) { // 0.4 of it is bar
		t.Errorf("edge pixel (12, 14) = %v, want ≈ 0.4", got)
	}
	// Area averaging keeps the mean grey: the bar is 400 of 6000 pixels.
	if got := meanOf(in.Pixels); math.Abs(got-400.0/6000) > 1e-6 {
		t.Errorf("mean grey %v, want %v", got, 400.0/6000)
	}

	// Without inversion the paper stays white and the ink black.
	in, err = Convert(one(), LoadOptions{Invert: InvertNo})
	if err != nil || in.Inverted || in.Pixels[0] != 1 || in.Pixels[14*28+13] != 0 {
		t.Errorf("--invert no: inverted %v, paper %v, ink %v, %v", in.Inverted, in.Pixels[0], in.Pixels[14*28+13], err)
	}
}

func TestConvertInversion(t *testing.T) {
	light := one()
	dark := image.NewGray(light.Rect) // the same digit, white on black
	for i, v := range light.Pix {
		dark.Pix[i] = 255 - v
	}
	ref, _ := Convert(light, LoadOptions{})
	for _, c := range []struct {
		img      image.Image
		inv      Invert
		inverted bool
	}{
		{dark, InvertAuto, false},
		{dark, InvertNo, false},
		{light, InvertYes, true},
		{light, InvertAuto, true},
	} {
		in, err := Convert(c.img, LoadOptions{Invert: c.inv})
		if err != nil {
			t.Fatal(err)
		}
		if in.Inverted != c.inverted || !equal(in.Pixels, ref.Pixels, 0) {
			t.Errorf("invert %s: inverted %v (want %v), same pixels as the reference: %v", c.inv, in.Inverted, c.inverted, equal(in.Pixels, ref.Pixels, 0))
		}
	}
	in, _ := Convert(dark, LoadOptions{Invert: InvertYes})
	if in.Pixels[0] != 1 {
		t.Errorf("--invert yes on white-on-black: paper %v, want 1", in.Pixels[0])
	}
	if _, err := Convert(dark, LoadOptions{Invert: "maybe"}); err == nil || !strings.Contains(err.Error(), "auto, yes, no") {
		t.Errorf("unknown inversion: %v", err)
	}
	if _, err := ParseInvert("yes"); err != nil {
		t.Error(err)
	}
}

// TestConvertColourAndAlpha: colours become their luma; transparent pixels
// are paper, so black strokes on a transparent canvas read like black on
// white.
func TestConvertColourAndAlpha(t *testing.T) {
	ref, _ := Convert(one(), LoadOptions{})
	canvas := image.NewNRGBA(image.Rect(0, 0, 100, 60)) // transparent
	for y := 10; y < 50; y++ {
		for x := 45; x < 55; x++ {
			canvas.Set(x, y, color.NRGBA{A: 255})
		}
	}
	in, err := Convert(canvas, LoadOptions{})
	if err != nil || !in.Inverted || !equal(in.Pixels, ref.Pixels, 1e-6) {
		t.Errorf("transparent canvas: inverted %v, same as on paper %v, %v", in.Inverted, equal(in.Pixels, ref.Pixels, 1e-6), err)
	}
	red := image.NewRGBA(image.Rect(0, 0, 3, 3))
	for i := 0; i < len(red.Pix); i += 4 {
		red.Pix[i], red.Pix[i+3] = 255, 255
	}
	in, _ = Convert(red, LoadOptions{Invert: InvertNo})
	if math.Abs(float64(in.Pixels[0])-0.299) > 1e-3 {
		t.Errorf("pure red is grey %v, want 0.299", in.Pixels[0])
	}
}

// TestConvertScaling: a 28×28 picture passes unchanged; a 14×14 one is
// enlarged into 2×2 blocks.
func TestConvertScaling(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 28, 28))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7 % 128) // mostly dark: not inverted
	}
	in, err := Convert(src, LoadOptions{})
	if err != nil || in.Inverted {
		t.Fatal(in.Inverted, err)
	}
	for i, v := range in.Pixels {
		if v != float32(src.Pix[i])/255 {
			t.Fatalf("pixel %d: %v, want %v", i, v, float32(src.Pix[i])/255)
		}
	}
	small := image.NewGray(image.Rect(0, 0, 14, 14))
	for i := range small.Pix {
		small.Pix[i] = uint8(i % 100)
	}
	in, _ = Convert(small, LoadOptions{})
	for y := range 28 {
		for x := range 28 {
			if got, want := in.Pixels[y*28+x], float32(small.Pix[(y/2)*14+x/2])/255; math.Abs(float64(got-want)) > 1e-6 {
				t.Fatalf("enlarged pixel (%d, %d) = %v, want %v", x, y, got, want)
			}
		}
	}
	for _, c := range [][2]int{{100, 28}, {28, 100}, {3, 28}, {60, 7}, {1, 1}} {
		for j, sp := range weights(c[0], c[1]) {
			s := 0.0
			for i := sp.first; i <= sp.last; i++ {
				s += sp.w(i)
			}
			if math.Abs(s-1) > 1e-9 {
				t.Errorf("weights(%d, %d): cell %d sums to %v", c[0], c[1], j, s)
			}
		}
	}
}

// TestConvertCenter: MNIST's preparation puts a small digit drawn in a
// corner into a 20-pixel box centred by its mass.
func TestConvertCenter(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 200, 150))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 5; y < 45; y++ { // a 10×40 bar near the top-left corner
		for x := 8; x < 18; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	in, err := Convert(img, LoadOptions{Center: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, cols := 0, 0
	var mass, mx, my float64
	for y := range 28 {
		for x := range 28 {
			v := float64(in.Pixels[y*28+x])
			mass += v
			mx += v * (float64(x) + 0.5)
			my += v * (float64(y) + 0.5)
		}
	}
	for y := range 28 {
		if in.Pixels[y*28+14] > 0.5 {
			rows++
		}
	}
	for x := range 28 {
		if in.Pixels[14*28+x] > 0.5 {
			cols++
		}
	}
	if rows != 20 || cols != 5 {
		t.Errorf("the centred bar is %d rows by %d columns, want 20 by 5", rows, cols)
	}
	if math.Abs(mx/mass-14) > 0.5 || math.Abs(my/mass-14) > 0.5 {
		t.Errorf("centre of mass (%.2f, %.2f), want (14, 14)", mx/mass, my/mass)
	}
	blank := image.NewGray(image.Rect(0, 0, 50, 50))
	if in, err := Convert(blank, LoadOptions{Center: true}); err != nil || meanOf(in.Pixels) != 0 {
		t.Errorf("a blank picture: mean %v, %v", meanOf(in.Pixels), err)
	}
}

// TestLoadFormats: the same picture as PNG, JPEG and GIF loads alike.
func TestLoadFormats(t *testing.T) {
	dir := t.TempDir()
	src := one()
	encoders := map[string]func(*bytes.Buffer) error{
		"png":  func(b *bytes.Buffer) error { return png.Encode(b, src) },
		"jpeg": func(b *bytes.Buffer) error { return jpeg.Encode(b, src, &jpeg.Options{Quality: 95}) },
		"gif":  func(b *bytes.Buffer) error { return gif.Encode(b, src, nil) },
	}
	ref, _ := Convert(src, LoadOptions{})
	for format, enc := range encoders {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "one."+format)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := Load(path, LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", format, err)
			continue
		}
		tol := 0.0
		if format == "jpeg" { // lossy: a little ringing at the bar's edges
			tol = 0.1
		}
		if in.Format != format || in.SourceWidth != 100 || in.SourceHeight != 60 || !in.Inverted || !equal(in.Pixels, ref.Pixels, tol) {
			t.Errorf("%s: format %q, %d×%d, inverted %v, close to the original: %v", format, in.Format, in.SourceWidth, in.SourceHeight, in.Inverted, equal(in.Pixels, ref.Pixels, tol))
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a picture"), 0o644)
	var b bytes.Buffer
	png.Encode(&b, one())
	cut := filepath.Join(dir, "cut.png")
	os.WriteFile(cut, b.Bytes()[:b.Len()/2], 0o644)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.png"), "no such file"},
		{text, "not an image the standard library decodes"},
		{cut, "decode png"},
	} {
		_, err := Load(c.path, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%s): %v; want an error naming the file and saying %q", filepath.Base(c.path), err, c.want)
		}
	}
	if _, err := Convert(one(), LoadOptions{Width: -1}); err == nil {
		t.Error("a negative width converted")
	}
}

func TestGray(t *testing.T) {
	px := []float32{0, 0.5, 1, 2, -1, 0.25}
	img, err := Gray(px, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint8{0, 128, 255, 255, 0, 64} {
		if got := img.GrayAt(i%3, i/3).Y; got != want {
			t.Errorf("pixel %d: %d, want %d", i, got, want)
		}
	}
	if _, err := Gray(px, 4, 2); err == nil {
		t.Error("6 values made a 4×2 image")
	}
}

func equal(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > tol {
			return false
		}
	}
	return true
}

// TestConvertExtremeAspectMemory: converting a picture takes about the
// memory decode estimates (decodeBytes: its grey levels, 8 bytes a pixel),
// whatever its shape. A 1×10,000,000 PNG of 19 KB took 3 GB, scaled
// through a 28×10,000,000 intermediate, and a 50,000,000×1 one 2 GB in
// the weights' lists of source pixels, under ZOO_MEMORY_LIMIT=1GiB.
func TestConvertExtremeAspectMemory(t *testing.T) {
	const n = 2_000_000
	for _, size := range [][2]int{{1, n}, {n, 1}, {3, n / 3}, {n / 3, 3}} {
		img := image.NewGray(image.Rect(0, 0, size[0], size[1]))
		for i := range img.Pix {
			img.Pix[i] = uint8(i * 7)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		in, err := Convert(img, LoadOptions{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Pixels) != 28*28 {
			t.Fatalf("%v: %d pixels", size, len(in.Pixels))
		}
		budget := uint64(8*size[0]*size[1]) + 4<<20
		if got := after.TotalAlloc - before.TotalAlloc; got > budget {
			t.Errorf("%d×%d picture: converting it allocated %d bytes, more than the %d its grey levels and 4 MiB take", size[0], size[1], got, budget)
		}
	}
}
