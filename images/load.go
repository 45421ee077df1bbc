package images

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register the decoders Load reads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// Invert says whether Load turns an image's grey levels upside down, so a
// digit drawn dark on light paper becomes light on dark, as in MNIST.
type Invert string

// The inversion policies.
const (
	// InvertAuto inverts when the image is mostly light: its mean grey
	// level is above one half.
	InvertAuto Invert = "auto"
	InvertYes  Invert = "yes"
	InvertNo   Invert = "no"
)

// ParseInvert checks s names an inversion policy.
func ParseInvert(s string) (Invert, error) {
	switch v := Invert(s); v {
	case InvertAuto, InvertYes, InvertNo:
		return v, nil
	}
	return "", fmt.Errorf("images: unknown inversion %q (known: auto, yes, no)", s)
}

// LoadOptions say how Load and Convert turn a picture into a model's input.
// The zero value gives 28×28 MNIST-like inputs with automatic inversion.
type LoadOptions struct {
	// Width and Height are the size of the result; 0 means 28.
	Width, Height int
	// Invert is the inversion policy; "" means InvertAuto.
	Invert Invert
	// Center prepares the digit as MNIST's were: the ink's bounding box is
	// scaled to fit a box of 20/28 of the result (keeping its aspect
	// ratio) and placed so its centre of mass is at the centre. Without
	// it the whole picture is scaled to Width×Height, aspect ratio not
	// kept.
	Center bool
}

// Input is a picture converted for a model.
type Input struct {
	// Pixels are Width×Height grey levels, row-major, in [0, 1]: 0 is
	// black, 1 white, the digit light on a dark background.
	Pixels        []float32
	Width, Height int
	// Inverted says whether the grey levels were inverted.
	Inverted bool
	// Format is the decoder's name (png, jpeg, gif); empty for Convert.
	Format string
	// SourceWidth and SourceHeight are the picture's own size.
	SourceWidth, SourceHeight int
}

// Load reads the picture in the file at path (any format the standard
// library decodes: PNG, JPEG, GIF's first frame) and converts it as Convert
// does. Errors name the file.
func Load(path string, o LoadOptions) (*Input, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	defer f.Close()
	in, err := Decode(f, o)
	if err != nil {
		return nil, fmt.Errorf("images: %s: %w", path, err)
	}
	return in, nil
}

// MaxPixels is the largest picture Decode accepts, in pixels: 50
// megapixels, more than a 48-megapixel phone photo (8000×6000), checked
// from the header before the picture is decoded. Decoding and converting
// take up to about 32 bytes a pixel (see decodeBytes), so at most 1.5 GiB.
const MaxPixels = 50_000_000

// Decode reads a picture from r and converts it as Convert does. The
// picture's size is checked from its header first, against MaxPixels and
// against the memory this machine has available.
func Decode(r io.Reader, o LoadOptions) (*Input, error) {
	return decode(r, o, memory.Machine())
}

// decode is Decode with the memory it may take.
func decode(r io.Reader, o LoadOptions, limit memory.Limit) (*Input, error) {
	// The decoders allocate the whole picture from its header's size, which
	// a 77-byte PNG can claim to be 40000×40000: check it first.
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err == nil {
		pixels := int64(cfg.Width) * int64(cfg.Height)
		if pixels > MaxPixels {
			return nil, fmt.Errorf("%s picture of %d×%d pixels (%.1f megapixels) is beyond the limit of %d megapixels (images.MaxPixels)",
				format, cfg.Width, cfg.Height, float64(pixels)/1e6, MaxPixels/1_000_000)
		}
		if err := limit.Check(float64(pixels)*decodeBytes(cfg.ColorModel, o.Center), fmt.Sprintf("the %s picture of %d×%d pixels", format, cfg.Width, cfg.Height), "decoded and converted"); err != nil {
			return nil, err
		}
	}
	img, format, err := image.Decode(io.MultiReader(&head, r))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, fmt.Errorf("not an image the standard library decodes (PNG, JPEG or GIF): %w", err)
		}
		return nil, fmt.Errorf("decode %s: %w", format, err)
	}
	in, err := Convert(img, o)
	if err != nil {
		return nil, err
	}
	in.Format = format
	return in, nil
}

// decodeBytes is the memory a pixel takes while a picture of colour model
// m is decoded and converted: the decoder's picture (1 to 8 bytes), its
// grey levels (8), and with center the crop of the ink (8 more at most).
func decodeBytes(m color.Model, center bool) float64 {
	var n float64
	switch m {
	case color.GrayModel, color.AlphaModel:
		n = 1
	case color.Gray16Model, color.Alpha16Model:
		n = 2
	case color.YCbCrModel:
		n = 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		n = 4
	default: // 16-bit colour, and palettes (1 byte a pixel, counted high)
		n = 8
	}
	n += 8
	if center {
		n += 8
	}
	return n
}

// Convert turns img into a model input:
//
//  1. grey levels: colours become their luma Y = 0.299 R + 0.587 G + 0.114 B
//     (ITU-R BT.601, as in JPEG and image/color's GrayModel), and
//     transparent pixels are laid over white paper;
//  2. inversion by o.Invert (with InvertAuto, when the mean grey is above
//     one half, i.e. a dark digit on light paper);
//  3. scaling to o.Width×o.Height by area averaging: every result pixel is
//     the mean of the picture's pixels under it, weighted by how much of
//     each it covers (smooth when shrinking; blocky when enlarging), or, with
//     o.Center, MNIST's size normalisation and centring.
func Convert(img image.Image, o LoadOptions) (*Input, error) {
	if o.Width == 0 {
		o.Width = 28
	}
	if o.Height == 0 {
		o.Height = 28
	}
	if o.Width < 1 || o.Height < 1 {
		return nil, fmt.Errorf("images: cannot convert to %d×%d", o.Width, o.Height)
	}
	if o.Invert == "" {
		o.Invert = InvertAuto
	}
	if _, err := ParseInvert(string(o.Invert)); err != nil {
		return nil, err
	}
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw < 1 || sh < 1 {
		return nil, fmt.Errorf("images: the picture is empty (%d×%d)", sw, sh)
	}
	grey := greyLevels(img)
	in := &Input{Width: o.Width, Height: o.Height, SourceWidth: sw, SourceHeight: sh}
	switch o.Invert {
	case InvertYes:
		in.Inverted = true
	case InvertAuto:
		in.Inverted = mean(grey) > 0.5
	}
	if in.Inverted {
		for i, v := range grey {
			grey[i] = 1 - v
		}
	}
	var out []float64
	if o.Center {
		out = center(grey, sw, sh, o.Width, o.Height)
	} else {
		out = resize(grey, sw, sh, o.Width, o.Height)
	}
	in.Pixels = make([]float32, len(out))
	for i, v := range out {
		in.Pixels[i] = float32(min(1, max(0, v)))
	}
	return in, nil
}

// Gray returns w×h grey levels in [0, 1] (row-major, as Input.Pixels) as an
// image, to save an input or a data set example as a picture.
func Gray(pixels []float32, w, h int) (*image.Gray, error) {
	if w < 1 || h < 1 || len(pixels) != w*h {
		return nil, fmt.Errorf("images: %d values do not make a %d×%d image", len(pixels), w, h)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range pixels {
		img.Pix[(i/w)*img.Stride+i%w] = grey(float64(v))
	}
	return img, nil
}

// greyLevels returns img's luma in [0, 1], row-major, over white paper.
func greyLevels(img image.Image) []float64 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float64, w*h)
	switch m := img.(type) {
	case *image.Gray:
		for y := range h {
			row := m.Pix[(y)*m.Stride:]
			for x := range w {
				out[y*w+x] = float64(row[x]) / 255
			}
		}
		return out
	case *image.YCbCr: // JPEG: Y is the luma already
		for y := range h {
			for x := range w {
				out[y*w+x] = float64(m.Y[m.YOffset(b.Min.X+x, b.Min.Y+y)]) / 255
			}
		}
		return out
	}
	// RGBA64At is At(x, y).RGBA() without allocating a colour per pixel
	// (every standard image type has it).
	at := func(x, y int) (r, g, b, a uint32) { return img.At(x, y).RGBA() }
	if m, ok := img.(image.RGBA64Image); ok {
		at = func(x, y int) (r, g, b, a uint32) {
			c := m.RGBA64At(x, y)
			return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
		}
	}
	for y := range h {
		for x := range w {
			r, g, bl, a := at(b.Min.X+x, b.Min.Y+y) // alpha-premultiplied
			paper := 0xffff - a
			l := (299*float64(r+paper) + 587*float64(g+paper) + 114*float64(bl+paper)) / 1000
			out[y*w+x] = l / 0xffff
		}
	}
	return out
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// resize scales the sw×sh image src to dw×dh by area averaging, one axis at
// a time.
func resize(src []float64, sw, sh, dw, dh int) []float64 {
	wx, wy := weights(sw, dw), weights(sh, dh)
	out := make([]float64, dw*dh)
	// Rows first, through a dw×sh picture; but a picture narrower than
	// the result and taller than it (1×10,000,000 pixels) would make that
	// dw/sw times the picture, so it goes columns first, through sw×dh.
	if sw < dw && sw*dh < dw*sh {
		tmp := make([]float64, sw*dh)
		for y, ws := range wy {
			for x := range sw {
				s := 0.0
				for i := ws.first; i <= ws.last; i++ {
					s += ws.w(i) * src[i*sw+x]
				}
				tmp[y*sw+x] = s
			}
		}
		for y := range dh {
			for x, ws := range wx {
				s := 0.0
				for i := ws.first; i <= ws.last; i++ {
					s += ws.w(i) * tmp[y*sw+i]
				}
				out[y*dw+x] = s
			}
		}
		return out
	}
	tmp := make([]float64, dw*sh)
	for y := range sh {
		for x, ws := range wx {
			s := 0.0
			for i := ws.first; i <= ws.last; i++ {
				s += ws.w(i) * src[y*sw+i]
			}
			tmp[y*dw+x] = s
		}
	}
	for y, ws := range wy {
		for x := range dw {
			s := 0.0
			for i := ws.first; i <= ws.last; i++ {
				s += ws.w(i) * tmp[i*dw+x]
			}
			out[y*dw+x] = s
		}
	}
	return out
}

// span is the source pixels first..last that one of m cells covers when
// n source pixels are shrunk or stretched into m, and how much of each
// (w): the cells are computed, not listed pixel by pixel, so that a
// picture 50,000,000 pixels wide does not take 16 bytes a pixel in
// weights.
type span struct {
	first, last   int
	lo, hi, scale float64
}

// w is the share of the cell that source pixel i covers (the shares of
// first..last sum to 1).
func (s span) w(i int) float64 {
	return (math.Min(s.hi, float64(i+1)) - math.Max(s.lo, float64(i))) / s.scale
}

// weights returns, for each of the m cells that n source pixels are
// shrunk or stretched into, the span of source pixels it covers; pixels
// it covers by no more than 1e-12 of a pixel are left out.
func weights(n, m int) []span {
	out := make([]span, m)
	scale := float64(n) / float64(m) // source pixels per cell
	for j := range out {
		lo, hi := float64(j)*scale, float64(j+1)*scale
		s := span{first: int(math.Floor(lo)), lo: lo, hi: hi, scale: scale}
		s.last = min(n-1, int(math.Ceil(hi))-1)
		cover := func(i int) float64 { return math.Min(hi, float64(i+1)) - math.Max(lo, float64(i)) }
		for s.first < s.last && cover(s.first) <= 1e-12 {
			s.first++
		}
		for s.last > s.first && cover(s.last) <= 1e-12 {
			s.last--
		}
		out[j] = s
	}
	return out
}

// inkThreshold is the grey level (relative to the brightest pixel) above
// which a pixel counts as ink when center looks for the digit's bounding
// box.
const inkThreshold = 0.3

// center prepares the light-on-dark picture src (sw×sh) as the MNIST digits
// were: the ink's bounding box is scaled by area averaging so its longer
// side is 20/28 of the result's, keeping the aspect ratio, and placed in a
// dark dw×dh frame with its centre of mass at the frame's centre (moved in
// if that would push it over an edge). A picture without ink is scaled as
// it is.
func center(src []float64, sw, sh, dw, dh int) []float64 {
	peak := 0.0
	for _, v := range src {
		peak = max(peak, v)
	}
	if peak <= 0 {
		return resize(src, sw, sh, dw, dh)
	}
	x0, y0, x1, y1 := sw, sh, -1, -1
	for y := range sh {
		for x := range sw {
			if src[y*sw+x] >= inkThreshold*peak {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	bw, bh := x1-x0+1, y1-y0+1
	crop := make([]float64, bw*bh)
	for y := range bh {
		copy(crop[y*bw:(y+1)*bw], src[(y0+y)*sw+x0:])
	}
	box := 20.0 / 28 * float64(min(dw, dh))
	s := box / float64(max(bw, bh))
	tw, th := max(1, int(math.Round(float64(bw)*s))), max(1, int(math.Round(float64(bh)*s)))
	tw, th = min(tw, dw), min(th, dh)
	patch := resize(crop, bw, bh, tw, th)
	var mass, mx, my float64
	for y := range th {
		for x := range tw {
			v := patch[y*tw+x]
			mass += v
			mx += v * (float64(x) + 0.5)
			my += v * (float64(y) + 0.5)
		}
	}
	ox := int(math.Round(float64(dw)/2 - mx/mass))
	oy := int(math.Round(float64(dh)/2 - my/mass))
	ox, oy = min(max(ox, 0), dw-tw), min(max(oy, 0), dh-th)
	out := make([]float64, dw*dh)
	for y := range th {
		copy(out[(oy+y)*dw+ox:], patch[y*tw:(y+1)*tw])
	}
	return out
}
