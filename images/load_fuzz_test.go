package images

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// pngHeader returns a PNG whose header claims w×h RGBA pixels, followed by
// a little data: a "decompression bomb" when w×h is large.
func pngHeader(w, h uint32) []byte { return pngHeaderOf(w, h, 8, 6) }

// pngHeaderOf is pngHeader for the given bit depth and colour type (0 grey,
// 6 RGBA).
func pngHeaderOf(w, h uint32, depth, colour byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colour
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1000))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestDecodeBomb: a picture's size is checked from its header, before it
// is decoded, against MaxPixels and the memory available. A 522 KB 16-bit
// 8192×8192 PNG took 1.6 GB for zoo predict before.
func TestDecodeBomb(t *testing.T) {
	for _, tt := range []struct {
		name   string
		data   []byte
		limit  float64
		center bool
		want   string
	}{
		{"40000×40000 RGBA", pngHeader(40000, 40000), 1 << 40, false,
			"png picture of 40000×40000 pixels (1600.0 megapixels) is beyond the limit of 50 megapixels (images.MaxPixels)"},
		{"8192×8192 16-bit grey", pngHeaderOf(8192, 8192, 16, 0), 1 << 40, false,
			"png picture of 8192×8192 pixels (67.1 megapixels) is beyond the limit of 50 megapixels (images.MaxPixels)"},
		{"7000×7000 16-bit grey, 256 MiB", pngHeaderOf(7000, 7000, 16, 0), 1 << 28, false,
			"the png picture of 7000×7000 pixels needs about 467.3 MiB (decoded and converted), the limit is 256.0 MiB"},
		{"7000×7000 RGBA centred, 512 MiB", pngHeader(7000, 7000), 1 << 29, true,
			"the png picture of 7000×7000 pixels needs about 934.6 MiB (decoded and converted), the limit is 512.0 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(bytes.NewReader(tt.data), LoadOptions{Center: tt.center}, memory.Of(tt.limit))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestGreyLevelsAllTypes: reading pixels with RGBA64At (no allocation per
// pixel) gives exactly the grey levels At(x, y).RGBA() gives.
func TestGreyLevelsAllTypes(t *testing.T) {
	r := image.Rect(1, 2, 8, 7)
	imgs := []image.Image{image.NewRGBA(r), image.NewNRGBA(r), image.NewRGBA64(r), image.NewNRGBA64(r),
		image.NewGray16(r), image.NewAlpha(r), image.NewAlpha16(r), image.NewCMYK(r),
		image.NewPaletted(r, color.Palette{color.Black, color.White, color.RGBA{10, 200, 30, 128}})}
	k := 0
	for _, img := range imgs {
		set := img.(interface{ Set(x, y int, c color.Color) })
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				k++
				set.Set(x, y, color.NRGBA64{uint16(k * 7919), uint16(k * 104729), uint16(k * 1299709), uint16(k * 15485863)})
			}
		}
		got := greyLevels(img)
		i := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, ca := img.At(x, y).RGBA()
				paper := 0xffff - ca
				want := (299*float64(cr+paper) + 587*float64(cg+paper) + 114*float64(cb+paper)) / 1000 / 0xffff
				if got[i] != want {
					t.Fatalf("%T at (%d, %d): grey %v, want %v", img, x, y, got[i], want)
				}
				i++
			}
		}
	}
}

// decodeBudget bounds what decoding a picture may allocate: 48 bytes per
// pixel its header claims (the decoders allocate the picture from it, up
// to 8 bytes a pixel, a progressive JPEG its coefficients, 4 bytes a pixel
// and component; then the grey levels and the crop, 8 bytes each), 64
// bytes per input byte and 1 MiB for the rest. The header's claim is
// itself bounded by MaxPixels and the machine's memory before decoding.
func decodeBudget(data []byte) uint64 {
	pixels := uint64(0)
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && int64(cfg.Width)*int64(cfg.Height) <= MaxPixels {
		pixels = uint64(cfg.Width) * uint64(cfg.Height)
	}
	return 48*pixels + 64*uint64(len(data)) + 1<<20
}

// FuzzDecode decodes arbitrary bytes as a picture given to zoo predict: an
// error or a valid input, never a panic, never a picture beyond MaxPixels,
// and never more allocation than decodeBudget.
func FuzzDecode(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 5, 3))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 37)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White, color.Transparent})
	pal.Pix[5] = 1
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, img) },
		func(b *bytes.Buffer) error { return png.Encode(b, pal) },
		func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes(), false)
		f.Add(b.Bytes()[:b.Len()/2], true)
	}
	f.Add(pngHeader(40000, 40000), false)
	f.Add(pngHeader(0, 7), false)
	f.Add([]byte("GIF89a"), false)
	f.Fuzz(func(t *testing.T, data []byte, center bool) {
		var in *Input
		var err error
		budget := decodeBudget(data)
		if n := memory.Allocated(func() {
			in, err = Decode(bytes.NewReader(data), LoadOptions{Width: 7, Height: 5, Center: center})
		}); n > budget {
			t.Fatalf("decoding %d bytes allocated %d bytes, more than the budget of %d (error %v)", len(data), n, budget, err)
		}
		if err != nil {
			return
		}
		if in.Width != 7 || in.Height != 5 || len(in.Pixels) != 35 {
			t.Fatalf("%d×%d input with %d pixels", in.Width, in.Height, len(in.Pixels))
		}
		for _, p := range in.Pixels {
			if !(p >= 0 && p <= 1) || math.IsNaN(float64(p)) {
				t.Fatalf("pixel %v outside [0, 1]", p)
			}
		}
		if int64(in.SourceWidth)*int64(in.SourceHeight) > MaxPixels {
			t.Fatalf("decoded a %d×%d picture", in.SourceWidth, in.SourceHeight)
		}
	})
}
