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
)

// pngHeader returns a PNG whose header claims w×h RGBA pixels, followed by
// a little data: a "decompression bomb" when w×h is large.
func pngHeader(w, h uint32) []byte {
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
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1000))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

func TestDecodeBomb(t *testing.T) {
	_, err := Decode(bytes.NewReader(pngHeader(40000, 40000)), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "40000×40000 pixels is beyond the limit") {
		t.Errorf("a PNG claiming 40000×40000 pixels: error %v", err)
	}
}

// FuzzDecode decodes arbitrary bytes as a picture given to zoo predict: an
// error or a valid input, never a panic, and never more memory than
// MaxPixels allows.
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
		in, err := Decode(bytes.NewReader(data), LoadOptions{Width: 7, Height: 5, Center: center})
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
